import { Controller, Get, Header, NotFoundException, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PersonalDataRead } from '@custody/platform';
import { Requires } from '@custody/security';
import { InmateJurisdiction } from '../jurisdiction/jurisdiction.resolvers';
import { AuditLedger } from './audit-ledger';
import { CheckpointService } from './checkpoint.service';
import { ChainerService } from './chainer.service';
import { formatExport } from './offline';
import { LedgerPositionPipe } from './position.pipe';
import { LedgerVerificationService } from './verification.service';
import { UuidPipe } from '../inputs/uuid.pipe';

/**
 * HTTP in: the ledger's head, its checkpoints, verification and a person's export. The chain's
 * integrity (hashes and counts) is any auditor's to check; a person's entries are the auditors'
 * of the person's states; signing now is an operator's task.
 */
@ApiTags('ledger')
@Controller()
export class LedgerController {
  constructor(
    private readonly ledger: AuditLedger,
    private readonly checkpoints: CheckpointService,
    private readonly chainer: ChainerService,
    private readonly verification: LedgerVerificationService,
  ) {}

  @ApiOperation({ summary: 'The ledger\'s head: entry count, head hash, Merkle root, entries pending.' })
  @Get('ledger/head')
  @Requires('audit:verify')
  async head() {
    const head = await this.ledger.repository.head();
    return { entryCount: head.size, headHash: head.headHash, merkleRoot: head.frontier.root(), pending: await this.ledger.repository.pendingCount() };
  }

  /** The latest signed checkpoint, with the public key that signed it. */
  @ApiOperation({ summary: 'The latest signed checkpoint, with the public key that signed it.' })
  @Get('ledger/checkpoints/latest')
  @Requires('audit:verify')
  async latestCheckpoint() {
    const { valid } = await this.ledger.checkpoints();
    const checkpoint = valid[valid.length - 1];
    if (!checkpoint) throw new NotFoundException('No checkpoint of the ledger has been signed yet.');
    const keys = await this.ledger.repository.signingKeys();
    return { checkpoint, publicKey: keys.get(checkpoint.keyId) };
  }

  /** Chains what is pending and signs the head now (operators, before an export). */
  @ApiOperation({ summary: 'Chains what is pending and signs the head now (operators, before an export).' })
  @Post('ledger/checkpoints')
  @Requires('admin:operate')
  async signNow() {
    await this.chainer.chainPending();
    const checkpoint = await this.checkpoints.signIfGrown();
    return { checkpoint: checkpoint ?? null };
  }

  @ApiOperation({
    summary: 'The latest whole-chain verification (run in the background), with the entries chained since; with fromPosition, recomputes the ledger from that position now and compares it with the head and, from 0, with every signed checkpoint.',
  })
  @Get('ledger/verify')
  @Requires('audit:verify')
  // Typed unknown so that the global pipe hands over the raw text: typed number, it turned '' into 0 and '1e3' into 1000.
  async verify(@Query('fromPosition', new LedgerPositionPipe('fromPosition')) fromPosition: unknown) {
    if (fromPosition !== undefined || !this.verification.isScheduled) {
      return { ...(await this.ledger.verifyShared(fromPosition as number | undefined)), entriesSince: 0 };
    }
    // docs/adr/0020-background-ledger-verification.md: what the last run covered, and what came after it.
    const [latest, head] = await Promise.all([this.verification.latest(), this.ledger.repository.head()]);
    return { ...latest, entriesSince: Math.max(head.size - latest.headSize, 0) };
  }

  @ApiOperation({ summary: 'A person\'s ledger entries as NDJSON, with their Merkle inclusion proofs against the latest signed checkpoint, to verify offline.' })
  @Get('inmates/:id/export')
  @Requires('audit:read', InmateJurisdiction)
  @PersonalDataRead({ kind: 'ledger-export', persons: (_file: StreamableFile, request) => [request.params.id?.toLowerCase()] })
  @Header('Content-Type', 'application/x-ndjson')
  async export(@Param('id', new UuidPipe()) inmateId: string): Promise<StreamableFile> {
    const { header, entries } = await this.ledger.export(inmateId);
    return new StreamableFile(Buffer.from(formatExport(header, entries)));
  }
}

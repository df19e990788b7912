import { BadRequestException, Body, Controller, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { REJECTIONS } from '@custody/contracts';
import { IsOptional, IsUUID } from 'class-validator';
import { PersonalDataRead } from '@custody/platform';
import { CurrentPrincipal, Requires, visibleStates, type Principal } from '@custody/security';
import { CheckTargetJurisdiction } from '../jurisdiction/jurisdiction.resolvers';
import { LedgerJurisdictions } from '../jurisdiction/ledger-jurisdictions';
import type { Finding } from './findings.repository';
import { FindingsService } from './findings.service';
import type { CheckReport } from './invariant-checker';
import type { StateDigest } from './state-digest';
import { UuidPipe } from '../inputs/uuid.pipe';

/** Whose invariants to check now: one person, one facility, or (empty) everyone. */
export class CheckInvariantsRequest {
  @IsOptional()
  @IsUUID('all')
  inmateId?: string;

  @IsOptional()
  @IsUUID('all')
  facilityId?: string;
}

const STATUSES = ['open', 'resolved'] as const;

/** A topic of the contract, as `?topic=` names it (custody.transfer.events). */
const TOPIC = /^custody\.[a-z0-9][a-z0-9.-]{0,200}$/;

/**
 * HTTP in: the findings, checks on demand, and the rebuild of the read model with its digest.
 * Findings are listed, and checked, only for the people and facilities of the caller's states;
 * topic-level findings (a message refused off a topic that named no person or facility) belong to
 * no state and name no one, and every auditor sees them. The rebuild and the digest are operators' tasks.
 */
@ApiTags('findings')
@Controller()
export class FindingsController {
  constructor(
    private readonly service: FindingsService,
    private readonly jurisdictions: LedgerJurisdictions,
  ) {}

  @ApiOperation({ summary: 'Invariant findings, of the people and facilities of the caller\'s states, and topic-level findings (?topic= lists one topic\'s).' })
  @Get('findings')
  @Requires('audit:search')
  @PersonalDataRead({ kind: 'findings', persons: (findings: Finding[]) => findings.map((f) => f.inmateId) })
  async list(
    @Query('inmateId', new UuidPipe({ optional: true })) inmateId?: string,
    @Query('facilityId', new UuidPipe({ optional: true })) facilityId?: string,
    @Query('status') status?: string,
    @CurrentPrincipal() principal?: Principal,
    @Query('topic') topic?: string,
  ): Promise<Finding[]> {
    if (status !== undefined && !STATUSES.includes(status as (typeof STATUSES)[number])) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'The request is not valid.', errors: [{ path: 'status', problem: 'status must be open or resolved' }], details: {} });
    }
    if (topic !== undefined && (typeof topic !== 'string' || !TOPIC.test(topic))) {
      throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'The request is not valid.', errors: [{ path: 'topic', problem: 'topic must be a topic of the contract, e.g. custody.transfer.events' }], details: {} });
    }
    const findings = await this.service.findings.list({ inmateId, facilityId, topic, status: status as (typeof STATUSES)[number] | undefined });
    const visible = visibleStates(principal);
    if (!visible) return findings;
    // A topic-level finding is of no state: every auditor sees it. The others, of the caller's states only.
    const ofStates = new Set(await this.jurisdictions.visibleOnly(findings.filter((f) => !f.refusedMessage), visible));
    return findings.filter((f) => f.refusedMessage || ofStates.has(f));
  }

  /** Runs the checks now and reconciles the findings; answers what each check found. */
  @ApiOperation({ summary: 'Runs the checks now and reconciles the findings; answers what each check found.' })
  @Post('findings/check')
  @Requires('audit:read', CheckTargetJurisdiction)
  // What each check found names the person checked.
  @PersonalDataRead({ kind: 'findings-check', persons: (reports: CheckReport[]) => reports.map((r) => (r.subject.startsWith('inmate/') ? r.subject.slice('inmate/'.length) : undefined)) })
  @HttpCode(200)
  check(
    @Body() request: CheckInvariantsRequest,
    @Headers('content-type') contentType: string | undefined,
    @CurrentPrincipal() principal?: Principal,
  ): Promise<CheckReport[]> {
    // A body that is not JSON is not parsed, and an empty request means everyone: never run every
    // check on a body that was not understood.
    if (!/^application\/json\b/i.test(contentType ?? '')) {
      throw new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: REJECTIONS.VALIDATION_FAILED.message,
        errors: [{ path: 'Content-Type', problem: `the body must be application/json (send {} to check everyone), not ${contentType ?? 'none'}` }],
        details: {},
      });
    }
    return this.service.checkNow(request, visibleStates(principal));
  }

  /** Rebuilds the findings from position 0 of the event store; answers the digest of the resulting state. */
  @ApiOperation({ summary: 'Rebuilds the read model from the ledger (operators).' })
  @Post('admin/rebuild')
  @Requires('admin:operate')
  @HttpCode(200)
  rebuild(): Promise<StateDigest> {
    return this.service.rebuild();
  }

  /** The digest of the live state, to compare with a rebuild's. */
  @ApiOperation({ summary: 'The digest of the read model\'s state (operators).' })
  @Get('admin/digest')
  @Requires('admin:operate')
  digest(): Promise<StateDigest> {
    return this.service.digest();
  }
}

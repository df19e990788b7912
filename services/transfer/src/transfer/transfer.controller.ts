import { Controller, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CommandRejection, isStateCode, reject } from '@custody/contracts';
import { ReadRoute } from '@custody/platform';
import { CurrentPrincipal, visibleStates, type Principal } from '@custody/security';
import { CaseJurisdiction } from './transfer.jurisdiction';
import { TransferProjection } from './transfer.projection';
import { STAGES, type Stage } from './transfer.state';

/** What the access log reads of a list of cases: the person and the two states of each. */
type CaseList = { items: Array<{ inmateId: string; sendingState: string; receivingState?: string }> };

/**
 * HTTP in, the reads of cases: a case now and the list of cases. The commands' routes are made
 * from the command table (transfer.command-table.ts); reads are filtered to the caller's states.
 */
@ApiTags('transfers')
@Controller('transfers')
export class TransferController {
  constructor(private readonly projection: TransferProjection) {}

  /** The case now (read from its stream): its stage, the timeline of its steps, its open deadlines. */
  @ReadRoute(':id', {
    summary: 'The case now: its stage, the timeline of its steps, its open deadlines.', permission: 'transfer:read', jurisdiction: CaseJurisdiction,
    personalData: { kind: 'case', persons: (transfer: { inmateId: string }) => [transfer.inmateId] },
  })
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const found = await this.projection.current(id);
    if (!found) throw reject('TRANSFER_NOT_FOUND', { transferId: id });
    return found;
  }

  /** The read model: cases by stage, receiving state, and whether a deadline is overdue; only cases of the caller's states. */
  @ReadRoute('', {
    summary: 'Cases by stage, receiving state and overdue deadline; only cases of the caller\'s states.', permission: 'transfer:search',
    personalData: {
      kind: 'case-list',
      persons: (list: CaseList) => list.items.map((item) => item.inmateId),
      jurisdictions: (list: CaseList) => list.items.flatMap((item) => [item.sendingState, item.receivingState]),
    },
  })
  async list(
    @Query('state') stage?: string,
    @Query('receivingState') receivingState?: string,
    @Query('overdue') overdue?: string,
    @Query('limit') limit?: string,
    @CurrentPrincipal() principal?: Principal,
  ) {
    const problems = [
      ...(stage !== undefined && !STAGES.includes(stage as Stage) ? [{ path: 'state', problem: `must be one of ${STAGES.join(', ')}` }] : []),
      ...(receivingState !== undefined && !isStateCode(receivingState) ? [{ path: 'receivingState', problem: 'must be an ISO 3166-1 alpha-2 state code' }] : []),
      ...(overdue !== undefined && !['true', 'false'].includes(overdue) ? [{ path: 'overdue', problem: 'must be true or false' }] : []),
      ...(limit !== undefined && !/^[1-9]\d{0,2}$/.test(limit) ? [{ path: 'limit', problem: 'must be a whole number from 1 to 999' }] : []),
    ];
    if (problems.length > 0) throw new CommandRejection('VALIDATION_FAILED', 'Some query parameters are invalid.', {}, problems);
    const items = await this.projection.list({
      stage: stage as Stage | undefined, receivingState, isOverdue: overdue === undefined ? undefined : overdue === 'true', limit: Number(limit ?? 100),
      states: visibleStates(principal),
    });
    return { items };
  }
}

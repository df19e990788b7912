import { BadRequestException, Controller, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { isInstant } from '@custody/contracts';
import { ReadRoute } from '@custody/platform';
import { InmateJurisdiction } from '../jurisdiction/jurisdiction.resolvers';
import { AuditLedger } from '../ledger/audit-ledger';
import type { Timeline } from './timeline';
import { UuidPipe } from '../inputs/uuid.pipe';

function instant(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!isInstant(value)) {
    throw new BadRequestException({
      code: 'VALIDATION_FAILED',
      message: 'The request is not valid.',
      errors: [{ path: name, problem: `${name} must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z` }],
      details: {},
    });
  }
  return value;
}

/** HTTP in: a person's custody as it happened (asOf) and as the record showed it (knownAt). */
@ApiTags('timeline')
@Controller('inmates')
export class TimelineController {
  constructor(private readonly ledger: AuditLedger) {}

  @ReadRoute(':id/custody-timeline', {
    summary: 'A person\'s custody as it happened (asOf) and as the record showed it (knownAt).', permission: 'audit:read', jurisdiction: InmateJurisdiction,
    personalData: { kind: 'custody-timeline', persons: (timeline: Timeline) => [timeline.inmateId] },
  })
  timeline(@Param('id', new UuidPipe()) inmateId: string, @Query('asOf') asOf?: string, @Query('knownAt') knownAt?: string): Promise<Timeline> {
    return this.ledger.timeline(inmateId, { asOf: instant('asOf', asOf), knownAt: instant('knownAt', knownAt) });
  }
}

import { BadRequestException, Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { isInstant } from '@custody/contracts';
import { PersonalDataRead } from '@custody/platform';
import { Requires } from '@custody/security';
import { FacilityJurisdiction, InmateJurisdiction } from '../jurisdiction/jurisdiction.resolvers';
import { AuditLedger, toTimelineEvent } from '../ledger/audit-ledger';
import { facilityView, inmateView, type FacilityView, type InmateView, type Window } from './auditor-view';
import { FacilityDirectory, type FacilityFacts } from './facility-directory';
import { UuidPipe } from '../inputs/uuid.pipe';

function windowOf(asOf: string | undefined, knownAt: string | undefined): Window {
  const errors = Object.entries({ asOf, knownAt })
    .filter(([, value]) => value !== undefined && !isInstant(value))
    .map(([path]) => ({ path, problem: `${path} must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00Z` }));
  if (errors.length) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: 'The request is not valid.', errors, details: {} });
  const window: Window = {};
  if (asOf !== undefined) window.asOf = asOf;
  if (knownAt !== undefined) window.knownAt = knownAt;
  return window;
}

/** HTTP in: what the auditor's page draws, read from the chained ledger (no other service's data). */
@ApiTags('auditor')
@Controller('auditor')
export class AuditorController {
  constructor(
    private readonly ledger: AuditLedger,
    private readonly facilities: FacilityDirectory,
  ) {}

  /** A person's timeline with hand-overs, decisions, deadlines and every event, as of and as known at. */
  @ApiOperation({ summary: 'A person\'s timeline with hand-overs, decisions, deadlines and every event, as of and as known at.' })
  @Get('inmates/:id')
  @Requires('audit:read', InmateJurisdiction)
  @PersonalDataRead({ kind: 'auditor-view', persons: (view: InmateView) => [view.inmateId] })
  async inmate(
    @Param('id', new UuidPipe()) inmateId: string,
    @Query('asOf') asOf?: string,
    @Query('knownAt') knownAt?: string,
  ): Promise<InmateView & { facilities: Record<string, FacilityFacts> }> {
    const window = windowOf(asOf, knownAt);
    const entries = await this.ledger.repository.entriesOfInmate(inmateId);
    const view = inmateView(inmateId, entries.map(toTimelineEvent), window, new Date().toISOString());
    return { ...view, facilities: await this.facilities.factsOf(view.facilityIds) };
  }

  /** A facility's occupancy against capacity over time and its reservations, from its ledger events. */
  @ApiOperation({ summary: 'A facility\'s occupancy against capacity over time and its reservations, from its ledger events.' })
  @Get('facilities/:id')
  @Requires('audit:read', FacilityJurisdiction)
  // Its reservations and occupants name persons.
  @PersonalDataRead({ kind: 'facility-view', persons: (view: FacilityView) => [...view.reservations.map((r) => r.inmateId), ...view.occupants] })
  async facility(@Param('id', new UuidPipe()) facilityId: string, @Query('asOf') asOf?: string, @Query('knownAt') knownAt?: string): Promise<FacilityView> {
    const window = windowOf(asOf, knownAt);
    const entries = await this.ledger.repository.entriesOfSubject(`facility/${facilityId}`);
    return facilityView(facilityId, entries.map(toTimelineEvent), window, new Date().toISOString());
  }
}

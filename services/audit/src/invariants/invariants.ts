import type { TimelineEvent } from '../timeline/timeline';
import { checkDeportationOrderOnLeaseRelease, checkSingleCustodian, checkTwoSidedHandOver } from './custody.checks';
import { checkLeaseCapacity, type FacilityFacts } from './facility.checks';
import { inmateRecord } from './inmate-record';
import { checkConsentPresent, checkDeadlines } from './transfer.checks';
import { type CheckOptions, type CheckResult, text, Verdicts } from './violation';

/**
 * The invariant checks: pure functions over a person's ledger entries (and a facility's for
 * occupancy). No clock and no I/O: `now` and the grace period come in with the options.
 */

/** Every invariant of one person: Rules 5, 7, 9 (release), 10 and 11. */
export function checkInmate(inmateId: string, events: TimelineEvent[], facilities: Map<string, FacilityFacts>, options: CheckOptions): CheckResult {
  const record = inmateRecord(inmateId, events);
  const verdicts = new Verdicts(options);
  checkSingleCustodian(record, verdicts);
  checkTwoSidedHandOver(record, verdicts);
  checkConsentPresent(record, verdicts);
  checkDeadlines(record, verdicts, options.now);
  checkDeportationOrderOnLeaseRelease(record, facilities, verdicts);
  return verdicts.result();
}

/** Every invariant of one facility: Rule 9's capacity. */
export function checkFacility(facilityId: string, events: TimelineEvent[], options: CheckOptions): CheckResult {
  return checkLeaseCapacity(facilityId, events, options);
}

/** The facilities a person's events name (where the person was received, admitted, released). */
export function facilitiesOf(events: TimelineEvent[]): string[] {
  return [...new Set(events.map((e) => text(e.data.facilityId)).filter(Boolean))].sort();
}

export { facilityFacts, type FacilityFacts } from './facility.checks';
export type { CheckOptions, CheckResult, Violation } from './violation';

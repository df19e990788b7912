import type { TimelineEvent } from '../timeline/timeline';
import { checkHistoryComplete } from './completeness.checks';
import { checkDeportationOrderOnLeaseRelease, checkSingleCustodian, checkTwoSidedHandOver } from './custody.checks';
import { checkLeaseCapacity, type FacilityFacts } from './facility.checks';
import { inmateRecord } from './inmate-record';
import { checkRecordedInTime } from './time.checks';
import { checkConsentPresent, checkDeadlines } from './transfer.checks';
import { type CheckOptions, type CheckResult, text, Verdicts } from './violation';

/**
 * The invariant checks: pure functions over a person's ledger entries (and a facility's for
 * occupancy). No clock and no I/O: `now` and the grace period come in with the options.
 */

/** Every invariant of one person: Rules 5, 7, 9 (release), 10, 11 and 17 (acts recorded late), and that no event of their streams is missing. */
export function checkInmate(inmateId: string, events: TimelineEvent[], facilities: Map<string, FacilityFacts>, options: CheckOptions): CheckResult {
  const record = inmateRecord(inmateId, events);
  const verdicts = new Verdicts(options);
  checkSingleCustodian(record, verdicts);
  checkTwoSidedHandOver(record, verdicts);
  checkConsentPresent(record, verdicts);
  checkDeadlines(record, verdicts, options.now);
  checkDeportationOrderOnLeaseRelease(record, facilities, verdicts);
  checkHistoryComplete(`inmate/${inmateId}`, events, verdicts);
  checkRecordedInTime(`inmate/${inmateId}`, events, verdicts, options.lateRecordingDays);
  return verdicts.result();
}

/** Every invariant of one facility: Rule 9's capacity, Rule 17's acts recorded late, and that no event of its streams is missing. */
export function checkFacility(facilityId: string, events: TimelineEvent[], options: CheckOptions): CheckResult {
  const verdicts = new Verdicts(options);
  checkLeaseCapacity(facilityId, events, options, verdicts);
  checkHistoryComplete(`facility/${facilityId}`, events, verdicts);
  checkRecordedInTime(`facility/${facilityId}`, events, verdicts, options.lateRecordingDays);
  return verdicts.result();
}

/** The facilities a person's events name (where the person was received, admitted, released). */
export function facilitiesOf(events: TimelineEvent[]): string[] {
  return [...new Set(events.map((e) => text(e.data.facilityId)).filter(Boolean))].sort();
}

export { facilityFacts, type FacilityFacts } from './facility.checks';
export type { CheckOptions, CheckResult, Violation } from './violation';
export { missingEvents, type MissingEvent, type StreamsCompleteness } from './completeness.checks';

import { randomUUID } from 'node:crypto';
import type { LedgerEvent } from '../ledger/entry';
import type { History } from '../testing/history';
import { belgiumToAlbaniaCase } from '../testing/shapes';
import { checkFacility, checkInmate, type CheckResult } from './invariants';

const NOW = '2026-11-01T00:00:00Z';
const REASON = 'The file reached the central authority late; entered from the paper register.';

/** The person's checks and the facility's, as the service runs them (each on its own subject's entries). */
function check(history: History, options: { gracePeriodMs?: number; lateRecordingDays?: number } = {}): CheckResult {
  const events = history.positioned();
  const run = { now: NOW, gracePeriodMs: options.gracePeriodMs ?? 15 * 60 * 1000, ...(options.lateRecordingDays ? { lateRecordingDays: options.lateRecordingDays } : {}) };
  const person = checkInmate(history.inmateId, events.filter((e) => e.subject !== `facility/${history.facilityId}` || e.data.inmateId), new Map(), run);
  const facility = checkFacility(history.facilityId, events.filter((e) => e.subject === `facility/${history.facilityId}`), run);
  return { violations: [...person.violations, ...facility.violations], pending: [...person.pending, ...facility.pending] };
}
const late = (result: CheckResult) => result.violations.filter((v) => v.invariant === 'recorded-in-time');

/** The event of the history of this type, recorded `days` after it happened, with the reason (if any) and the command that caused it. */
function recordLate(history: History, type: string, days: number, reason: string | undefined, causationId = randomUUID()): LedgerEvent {
  const event = history.events.find((e) => e.type === type)!;
  event.recordedAt = new Date(Date.parse(event.occurredAt) + days * 86_400_000).toISOString();
  event.causationId = causationId;
  if (reason !== undefined) event.lateRecordingReason = reason;
  return event;
}

describe('Rule 17 (the project\'s rule of evidence, with Rule 15): recorded-in-time, acts recorded late are listed with their reason', () => {
  it('an act recorded 30 days after it happened, with a reason, is a finding naming both dates, the days and the reason', () => {
    const history = belgiumToAlbaniaCase();
    const consent = recordLate(history, 'ConsentRecorded', 30, REASON);
    const result = check(history);
    expect(late(result)).toEqual([{
      key: `recorded-in-time:inmate/${history.inmateId}:${consent.causationId}`,
      invariant: 'recorded-in-time',
      subject: `inmate/${history.inmateId}`,
      inmateId: history.inmateId,
      description: `LATE_RECORDING: ConsentRecorded dated 2026-01-25T10:00:00Z was recorded 2026-02-24T10:00:00.000Z, 30 days after it happened (more than 7); reason given: "${REASON}" (Rule 17).`,
      evidenceEventIds: [consent.id],
      since: consent.recordedAt,
    }]);
    expect(result.violations.filter((v) => v.invariant !== 'recorded-in-time')).toEqual([]);
  });

  it('is a finding at once, whatever the grace period of Rule 10 (nothing in flight can settle it)', () => {
    const history = belgiumToAlbaniaCase();
    recordLate(history, 'CertificateReceived', 10, REASON);
    const result = check(history, { gracePeriodMs: 40 * 86_400_000 });
    expect(late(result)).toHaveLength(1);
    expect(result.pending.filter((v) => v.invariant === 'recorded-in-time')).toEqual([]);
  });

  it('the events one command recorded make one finding with all of them as evidence', () => {
    const history = belgiumToAlbaniaCase();
    const command = randomUUID();
    const decision = recordLate(history, 'ReceivingStateDecisionRecorded', 20, REASON, command);
    const notified = recordLate(history, 'InmateNotified', 20, REASON, command);
    const found = late(check(history));
    expect(found).toHaveLength(1);
    expect(found[0].evidenceEventIds).toEqual([decision.id, notified.id]);
    expect(found[0].description).toMatch(/^LATE_RECORDING: ReceivingStateDecisionRecorded, InmateNotified dated /);
  });

  it('an act recorded within COMMAND_LATE_RECORDING_DAYS is not listed, even with a reason', () => {
    const history = belgiumToAlbaniaCase();
    recordLate(history, 'ConsentRecorded', 7, REASON);
    expect(late(check(history))).toEqual([]);
  });

  it('the days are the audit service\'s COMMAND_LATE_RECORDING_DAYS', () => {
    const history = belgiumToAlbaniaCase();
    recordLate(history, 'ConsentRecorded', 30, REASON);
    expect(late(check(history, { lateRecordingDays: 30 }))).toEqual([]);
    expect(late(check(history, { lateRecordingDays: 29 }))).toHaveLength(1);
  });

  it('an event late without a reason is not listed: a fact derived from another service\'s event, whose own act is', () => {
    const history = belgiumToAlbaniaCase();
    recordLate(history, 'EnforcementSuspended', 30, undefined);
    recordLate(history, 'TransferCompleted', 30, '   ');
    expect(late(check(history))).toEqual([]);
  });

  it('a facility\'s act recorded late is a finding of the facility, not of the person', () => {
    const history = belgiumToAlbaniaCase();
    const registration = recordLate(history, 'FacilityRegistered', 90, REASON);
    const found = late(check(history));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ subject: `facility/${history.facilityId}`, facilityId: history.facilityId, evidenceEventIds: [registration.id] });
    expect(found[0].inmateId).toBeUndefined();
  });

  it('a long reason is cut so that the description stays within FindingRaised\'s 2,000 characters', () => {
    const history = belgiumToAlbaniaCase();
    recordLate(history, 'ConsentRecorded', 30, 'x'.repeat(2000));
    const [found] = late(check(history));
    expect(found.description.length).toBeLessThanOrEqual(2000);
    expect(found.description).toMatch(/x{1500}" \(Rule 17\)\.$/);
  });
});

import type { LedgerEvent } from '../ledger/entry';
import { History } from '../testing/history';
import { belgiumToAlbaniaCase } from '../testing/shapes';
import { checkFacility, checkInmate, missingEvents, type CheckResult } from './invariants';

const GRACE = 15 * 60 * 1000;
const LATER = '2030-06-01T00:00:00Z';

/** The person's and the facility's checks, on the events in the order they reached the ledger, arrived when recorded unless said. */
function check(history: History, events: LedgerEvent[], options: { now?: string; arrivedAt?: string } = {}): CheckResult {
  const positioned = history.positioned(events).map((e) => (options.arrivedAt ? { ...e, arrivedAt: options.arrivedAt } : e));
  const check = { now: options.now ?? LATER, gracePeriodMs: GRACE };
  const person = checkInmate(history.inmateId, positioned.filter((e) => e.subject === `inmate/${history.inmateId}` || e.data.inmateId === history.inmateId), new Map(), check);
  const facility = checkFacility(history.facilityId, positioned.filter((e) => e.subject === `facility/${history.facilityId}`), check);
  const own = (result: CheckResult) => ({ violations: result.violations.filter((v) => v.invariant === 'history-complete'), pending: result.pending.filter((v) => v.invariant === 'history-complete') });
  return { violations: [...own(person).violations, ...own(facility).violations], pending: [...own(person).pending, ...own(facility).pending] };
}

const withoutRevision = (events: LedgerEvent[], stream: string, revision: number) => events.filter((e) => !(e.stream === stream && e.streamRevision === revision));

describe('history-complete: no revision of a recorded stream missing (EVENT_MISSING)', () => {
  it('holds for a whole history published with revisions, internal events passed over included', () => {
    const history = belgiumToAlbaniaCase();
    const admitted = history.events.find((e) => e.type === 'InmateAdmitted')!;
    // Custody noted the sentence to serve (an internal event) twice after the admission.
    const events = history.revisioned(history.events, new Map([[admitted, 2]]));
    expect(events.find((e) => e.type === 'AbsenceStarted')).toMatchObject({ stream: `custody-${history.inmateId}`, streamRevision: 3, streamPrevious: 0 });
    expect(check(history, events)).toEqual({ violations: [], pending: [] });
    expect(missingEvents(events)).toEqual({ streams: 4, unrevisioned: 0, missing: [] });
  });

  it('raises EVENT_MISSING for revision 2 when a stream has 0, 1 and 3, naming the stream, the revision and the event after it', () => {
    const history = new History();
    history.add('InmateAdmitted', '2026-04-14T13:00:00Z', { governingState: 'AL' });
    history.add('CellAssigned', '2026-04-14T14:00:00Z');
    history.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } });
    history.add('AbsenceEnded', '2026-05-02T16:00:00Z');
    const stream = `custody-${history.inmateId}`;
    const events = withoutRevision(history.revisioned(), stream, 2);
    const last = events[events.length - 1];
    const { violations } = check(history, events);
    expect(violations).toEqual([expect.objectContaining({
      invariant: 'history-complete',
      subject: `inmate/${history.inmateId}`,
      inmateId: history.inmateId,
      evidenceEventIds: [last.id],
      key: `history-complete:/custody/facility:${stream}:2`,
    })]);
    expect(violations[0].description).toBe(`EVENT_MISSING: revision 2 of stream ${stream} (/custody/facility) never reached the ledger; revision 3 (event ${last.id}) names it as the stream's previous published event.`);
  });

  it('waits out the grace period from when the ledger learnt of the event after the gap (a message in flight on another partition)', () => {
    const history = belgiumToAlbaniaCase();
    const events = withoutRevision(history.revisioned(), `transfer-${history.transferId}`, 3);
    const arrivedAt = '2030-06-01T00:00:00Z';
    const early = check(history, events, { arrivedAt, now: '2030-06-01T00:10:00Z' });
    expect(early.violations).toEqual([]);
    expect(early.pending).toHaveLength(1);
    expect(check(history, events, { arrivedAt, now: '2030-06-01T00:16:00Z' }).violations).toHaveLength(1);
  });

  it('takes the order of arrival and a redelivered event for what they are: neither is a gap', () => {
    const history = belgiumToAlbaniaCase();
    const events = history.revisioned();
    const shuffled = [...events].reverse();
    expect(check(history, [...shuffled, events[3], events[3], events[7]])).toEqual({ violations: [], pending: [] });
  });

  it('reads an event without a revision (published before revisions were) as unknown, never as a gap', () => {
    const history = belgiumToAlbaniaCase();
    const events = history.revisioned();
    const transfer = `transfer-${history.transferId}`;
    const first = events.findIndex((e) => e.stream === transfer);
    // The transfer stream's first event reached the ledger without its revision: the next one names it.
    const legacy = events.map((e, i) => (i === first ? { ...e, stream: undefined, streamRevision: undefined, streamPrevious: undefined } : e));
    expect(check(history, legacy)).toEqual({ violations: [], pending: [] });
    expect(missingEvents(legacy)).toMatchObject({ unrevisioned: 1, missing: [] });
    // Above the first revisioned event, a missing revision is a gap all the same.
    expect(check(history, withoutRevision(legacy, transfer, 3)).violations).toMatchObject([{ key: `history-complete:/custody/transfer:${transfer}:3` }]);
    // With no such event, a stream whose first events never came misses them.
    expect(check(history, withoutRevision(events, transfer, 0)).violations).toMatchObject([{ key: `history-complete:/custody/transfer:${transfer}:0` }]);
  });

  it("checks a facility's own streams as the facility's, not the person's", () => {
    const history = belgiumToAlbaniaCase();
    const events = withoutRevision(history.revisioned(), `facility-${history.facilityId}`, 0);
    expect(check(history, events).violations).toEqual([expect.objectContaining({ subject: `facility/${history.facilityId}`, facilityId: history.facilityId })]);
  });

  it("holds for a person whose personal data was erased: the erasures are events of the person's streams like the others", () => {
    const history = belgiumToAlbaniaCase();
    history.add('InmateReleased', '2026-09-01T09:00:00Z', { disposition: 'released', deportationOrderReference: undefined, destinationState: undefined, handedTo: undefined });
    history.add('PersonalDataErased', '2036-09-02T00:00:00Z');
    history.add('CustodyPersonalDataErased', '2036-09-02T00:00:05Z');
    const events = history.revisioned();
    expect(events.filter((e) => e.type.endsWith('PersonalDataErased')).map((e) => e.stream)).toEqual([`inmate-${history.inmateId}`, `custody-${history.inmateId}`]);
    expect(check(history, events, { now: '2037-01-01T00:00:00Z' })).toEqual({ violations: [], pending: [] });
    expect(check(history, withoutRevision(events, `inmate-${history.inmateId}`, 1), { now: '2037-01-01T00:00:00Z' }).violations).toHaveLength(1);
  });
});

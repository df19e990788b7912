import { randomUUID } from 'node:crypto';
import type { EventType } from '@custody/contracts';
import { History } from '../testing/history';
import { belgiumToAlbaniaCase, belgiumToNetherlandsCase, denmarkToKosovoCase } from '../testing/shapes';
import { checkFacility, checkInmate, facilitiesOf, facilityFacts, type CheckResult } from './invariants';

const GRACE = 15 * 60 * 1000;
const LATER = '2030-06-01T00:00:00Z';

/** Runs every check of the person (and of the facilities the history names) as the service does. */
function check(history: History, options: { now?: string; without?: EventType[]; events?: History['events'] } = {}): CheckResult {
  const all = (options.events ?? history.events).filter((e) => !options.without?.includes(e.type as EventType));
  const events = history.positioned(all);
  const facilities = new Map(facilitiesOf(events).flatMap((id) => {
    const facts = facilityFacts(id, events);
    return facts ? [[id, facts] as const] : [];
  }));
  const byInmate = checkInmate(history.inmateId, events.filter((e) => e.subject !== `facility/${history.facilityId}` || e.data.inmateId), facilities, { now: options.now ?? LATER, gracePeriodMs: GRACE });
  const byFacility = checkFacility(history.facilityId, events.filter((e) => e.subject === `facility/${history.facilityId}`), { now: options.now ?? LATER, gracePeriodMs: GRACE });
  return { violations: [...byInmate.violations, ...byFacility.violations], pending: [...byInmate.pending, ...byFacility.pending], recheckAt: byInmate.recheckAt ?? byFacility.recheckAt };
}
const invariants = (result: CheckResult) => result.violations.map((v) => v.invariant).sort();
const idOf = (history: History, type: EventType) => history.events.find((e) => e.type === type)!.id;

describe('invariant checks', () => {
  describe('raise nothing on the three real shapes', () => {
    it.each([
      ['Belgium → Albania under ETS 112, with consent', belgiumToAlbaniaCase],
      ['Denmark → Kosovo lease, no consent, deported with the order reference', denmarkToKosovoCase],
      ['EU → EU under 2008/909, consent not required because of deportation', belgiumToNetherlandsCase],
    ])('%s', (_name, shape) => {
      const result = check(shape());
      expect(result.violations).toEqual([]);
      expect(result.pending).toEqual([]);
    });

    it('Rule 18: a lease case recorded with a recognition by Kosovo before Rule 18 raises nothing either', () => {
      const old = check(denmarkToKosovoCase(undefined, { recognisedBeforeRule18: true }));
      expect(old.violations).toEqual([]);
      expect(old.pending).toEqual([]);
    });

    it('even without a consent record where the law itself says none is needed (lease, 2008/909 deportation)', () => {
      expect(check(denmarkToKosovoCase(), { without: ['ConsentRecorded'] }).violations).toEqual([]);
      expect(check(belgiumToNetherlandsCase(), { without: ['ConsentRecorded'] }).violations).toEqual([]);
    });
  });

  describe('Rule 10: exactly one custodian', () => {
    it('an overlap: the receiving side took the person while the sending side never let go', () => {
      const history = belgiumToAlbaniaCase();
      const result = check(history, { without: ['CustodyDispatched'] });
      const overlap = result.violations.find((v) => v.invariant === 'single-custodian')!;
      expect(overlap).toMatchObject({ subject: `inmate/${history.inmateId}`, since: '2026-04-14T11:30:00Z' });
      expect(overlap.evidenceEventIds).toEqual(expect.arrayContaining([idOf(history, 'InmateRegistered'), idOf(history, 'CustodyReceived')]));
      expect(overlap.until).toBeUndefined();
    });

    it('an overlap within the grace period is tolerated; a longer one is a finding that names its end', () => {
      const history = belgiumToAlbaniaCase();
      const dispatch = history.events.find((e) => e.type === 'CustodyDispatched')!;
      const shifted = (at: string) => history.events.map((e) => (e === dispatch ? { ...e, occurredAt: at } : e));
      expect(check(history, { events: shifted('2026-04-14T11:40:00Z') }).violations).toEqual([]);
      const late = check(history, { events: shifted('2026-04-14T14:00:00Z') }).violations.filter((v) => v.invariant === 'single-custodian');
      expect(late).toMatchObject([{ since: '2026-04-14T11:30:00Z', until: '2026-04-14T14:00:00Z' }]);
    });

    it('within the grace period a missing side is pending, not a finding, and says when to look again', () => {
      const history = belgiumToAlbaniaCase();
      const result = check(history, { without: ['CustodyDispatched'], now: '2026-04-14T11:35:00Z' });
      expect(result.violations).toEqual([]);
      expect(result.pending.map((v) => v.invariant)).toEqual(expect.arrayContaining(['single-custodian', 'two-sided-hand-over']));
      expect(result.recheckAt).toBe('2026-04-14T11:45:00.000Z');
    });

    it('the grace period runs from when the ledger received the event, for a history replayed late', () => {
      const history = belgiumToAlbaniaCase();
      const events = history.events.filter((e) => e.type !== 'CustodyDispatched').map((e) => (e.type === 'CustodyReceived' ? { ...e, arrivedAt: '2026-11-29T10:00:00Z' } : e));
      const result = check(history, { events, now: '2026-11-29T10:05:00Z' });
      expect(result).toMatchObject({ violations: [], recheckAt: '2026-11-29T10:15:00.000Z' });
      expect(check(history, { events, now: '2026-11-29T10:20:00Z' }).violations.map((v) => v.invariant).sort()).toEqual(['single-custodian', 'two-sided-hand-over']);
    });

    it('an overlap that ended long ago but was learnt of just now also waits out the grace period (the other side may be in flight)', () => {
      // The Danish side's dispatch is still on its way while the receipt and the release (years
      // later) have arrived: the overlap they show is closed, yet the dispatch would settle it.
      const history = denmarkToKosovoCase();
      const arrivedAt = '2030-06-01T00:00:00Z';
      const events = history.events.filter((e) => e.type !== 'CustodyDispatched').map((e) => ({ ...e, arrivedAt }));
      const early = check(history, { events, now: '2030-06-01T00:05:00Z' });
      expect(early.violations).toEqual([]);
      expect(early.pending.map((v) => v.invariant)).toContain('single-custodian');
      expect(early.recheckAt).toBe('2030-06-01T00:15:00.000Z');
      expect(invariants(check(history, { events, now: '2030-06-01T00:20:00Z' }))).toEqual(expect.arrayContaining(['single-custodian', 'two-sided-hand-over']));
      // With the dispatch arrived, nothing.
      expect(check(history, { events: history.events.map((e) => ({ ...e, arrivedAt })), now: '2030-06-01T00:20:00Z' }).violations).toEqual([]);
    });

    it('a gap: custody shown again after the final release', () => {
      const history = denmarkToKosovoCase();
      history.add('AbsenceStarted', '2029-06-03T08:00:00Z');
      const result = check(history);
      expect(result.violations).toMatchObject([{ invariant: 'single-custodian', since: '2029-06-01T09:00:00Z', until: '2029-06-03T08:00:00Z', evidenceEventIds: [idOf(history, 'InmateReleased'), idOf(history, 'AbsenceStarted')] }]);
    });
  });

  describe('Rule 11: a two-sided hand-over of an accepted transfer', () => {
    it('a receipt without its dispatch', () => {
      const history = denmarkToKosovoCase();
      const result = check(history, { without: ['CustodyDispatched'] });
      expect(result.violations.find((v) => v.key.startsWith('two-sided-hand-over:dispatch-missing'))).toMatchObject({
        invariant: 'two-sided-hand-over', inmateId: history.inmateId, evidenceEventIds: [idOf(history, 'CustodyReceived')],
      });
    });

    it('an admission without the receipt', () => {
      const history = belgiumToAlbaniaCase();
      const result = check(history, { without: ['CustodyReceived'] });
      expect(result.violations.find((v) => v.key.startsWith('two-sided-hand-over:receipt-missing'))?.evidenceEventIds).toEqual([idOf(history, 'InmateAdmitted'), idOf(history, 'CustodyDispatched')]);
      // The escort still holds the person while the facility admits them.
      expect(invariants(result)).toContain('single-custodian');
    });

    it('a hand-over the receiving state never recognised, or after the request was withdrawn', () => {
      expect(invariants(check(belgiumToAlbaniaCase(), { without: ['ReceivingStateDecisionRecorded'] }))).toEqual(['two-sided-hand-over']);
      const withdrawn = belgiumToAlbaniaCase();
      withdrawn.add('TransferWithdrawn', '2026-04-01T10:00:00Z');
      expect(check(withdrawn).violations).toMatchObject([{ invariant: 'two-sided-hand-over', description: expect.stringMatching(/withdrawn/) }]);
    });
  });

  describe('Rule 5: consent present when the legal basis requires it', () => {
    it('ETS 112 with no consent recorded', () => {
      const history = belgiumToAlbaniaCase();
      const result = check(history, { without: ['ConsentRecorded'] });
      expect(result.violations).toMatchObject([{ invariant: 'consent-present', description: expect.stringMatching(/ETS 112.*no consent was recorded/) }]);
      expect(result.violations[0].evidenceEventIds).toEqual([idOf(history, 'CustodyDispatched'), idOf(history, 'TransferRequested')]);
    });

    it('ETS 112 with consent refused, or wrongly recorded as not required', () => {
      const refused = belgiumToAlbaniaCase();
      refused.add('ConsentRecorded', '2026-02-10T10:00:00Z', { outcome: 'refused' });
      expect(check(refused).violations).toMatchObject([{ invariant: 'consent-present', description: expect.stringMatching(/refused/) }]);
      const waived = belgiumToAlbaniaCase();
      waived.add('ConsentRecorded', '2026-02-10T10:00:00Z', { outcome: 'not-required', notRequiredGround: 'expulsion-order' });
      expect(check(waived).violations).toMatchObject([{ invariant: 'consent-present', description: expect.stringMatching(/recorded as not required \(expulsion-order\)/) }]);
    });

    it('without the facts for the legal rules, the consent records decide', () => {
      const history = belgiumToNetherlandsCase();
      const withoutFacts = ['InmateRegistered', 'ExpulsionOrderRecorded'] as EventType[];
      expect(check(history, { without: withoutFacts }).violations.filter((v) => v.invariant === 'consent-present')).toEqual([]);
      expect(check(history, { without: [...withoutFacts, 'ConsentRecorded'] }).violations).toMatchObject([{ invariant: 'consent-present' }]);
    });

    it('consent recorded late but given before the hand-over satisfies the rule once it arrives', () => {
      const history = belgiumToAlbaniaCase();
      const consent = history.events.find((e) => e.type === 'ConsentRecorded')!;
      const events = history.events.map((e) => (e === consent ? { ...e, recordedAt: '2026-06-01T00:00:00Z' } : e));
      expect(check(history, { events }).violations).toEqual([]);
    });
  });

  describe('Rule 7: deadlines met or recorded as missed', () => {
    /** The receiving state decides on 20 August, after the 90 days, and the transfer follows on 1 September. */
    const decidedLate = (history: History) => history.events.map((e) => {
      if (e.type === 'ReceivingStateDecisionRecorded') return { ...e, occurredAt: '2025-08-20T10:00:00Z', data: { ...e.data, transferDueAt: '2025-09-19T23:59:59Z' } };
      return e.occurredAt.startsWith('2025-07-01') ? { ...e, occurredAt: e.occurredAt.replace('2025-07-01', '2025-09-01') } : e;
    });

    it('a decision after its due date, with no DeadlineMissed', () => {
      const history = belgiumToNetherlandsCase();
      const decision = history.events.find((e) => e.type === 'ReceivingStateDecisionRecorded')!;
      const result = check(history, { events: decidedLate(history) });
      expect(result.violations).toMatchObject([{ invariant: 'deadline-met-or-recorded', key: expect.stringMatching(/receiving-state-decision$/), since: '2025-08-14T23:59:59Z' }]);
      expect(result.violations[0].evidenceEventIds).toContain(decision.id);
    });

    it('the same, recorded as missed: no finding', () => {
      const history = belgiumToNetherlandsCase();
      history.add('DeadlineMissed', '2025-08-15T00:00:00Z', { deadline: 'receiving-state-decision', dueAt: '2025-08-14T23:59:59Z' });
      expect(check(history, { events: decidedLate(history) }).violations).toEqual([]);
    });

    it('a physical transfer never made: a finding once the due date and the grace period passed', () => {
      const history = belgiumToNetherlandsCase();
      const result = check(history, { without: ['CustodyDispatched', 'CustodyReceived', 'InmateAdmitted', 'PlaceOccupied', 'TransferCompleted'] });
      expect(result.violations).toMatchObject([{ invariant: 'deadline-met-or-recorded', key: expect.stringMatching(/physical-transfer$/) }]);
      const before = check(history, { now: '2025-07-05T00:00:00Z', without: ['CustodyDispatched', 'CustodyReceived', 'InmateAdmitted', 'PlaceOccupied', 'TransferCompleted'] });
      expect(before).toMatchObject({ violations: [], pending: [], recheckAt: '2025-07-10T23:59:59.001Z' });
    });

    it('an extension or an obstacle moves the due date', () => {
      const late = (history: History) => {
        const receipt = history.events.find((e) => e.type === 'CustodyReceived')!;
        return history.events.map((e) => (e === receipt ? { ...e, occurredAt: '2025-07-20T09:00:00Z' } : e));
      };
      const extended = belgiumToNetherlandsCase();
      extended.add('DeadlineExtended', '2025-07-05T10:00:00Z', { deadline: 'physical-transfer', previousDueAt: '2025-07-10T23:59:59Z', newDueAt: '2025-07-25T23:59:59Z' });
      expect(check(extended, { events: late(extended) }).violations.filter((v) => v.invariant === 'deadline-met-or-recorded')).toEqual([]);
      const obstacle = belgiumToNetherlandsCase();
      obstacle.add('TransferObstacleReported', '2025-07-02T10:00:00Z');
      obstacle.add('TransferObstacleEnded', '2025-07-12T10:00:00Z', { transferDueAt: '2025-07-22T23:59:59Z' });
      expect(check(obstacle, { events: late(obstacle) }).violations.filter((v) => v.invariant === 'deadline-met-or-recorded')).toEqual([]);
      const unmoved = belgiumToNetherlandsCase();
      expect(invariants(check(unmoved, { events: late(unmoved) }))).toContain('deadline-met-or-recorded');
    });
  });

  describe('Rule 9: leased facilities', () => {
    it('occupancy above the leased capacity', () => {
      const history = denmarkToKosovoCase();
      history.add('FacilityCapacityChanged', '2026-10-01T00:00:00Z', { previousCapacity: 300, capacity: 1 });
      const other = history.add('PlaceOccupied', '2026-10-07T10:00:00Z', { inmateId: randomUUID() });
      const result = check(history);
      expect(result.violations).toMatchObject([{ invariant: 'lease-capacity', facilityId: history.facilityId, subject: `facility/${history.facilityId}`, since: '2026-10-07T10:00:00Z' }]);
      // Until the Danish inmate's deportation freed a place.
      expect(result.violations[0]).toMatchObject({ until: '2029-06-01T09:00:00Z', evidenceEventIds: [idOf(history, 'FacilityCapacityChanged'), other.id, idOf(history, 'PlaceVacated')] });
    });

    it('a place freed within the grace period is tolerated; a national facility is not a lease', () => {
      const history = denmarkToKosovoCase();
      history.add('FacilityCapacityChanged', '2026-10-01T00:00:00Z', { previousCapacity: 300, capacity: 1 });
      history.add('PlaceOccupied', '2026-10-07T10:00:00Z', { inmateId: randomUUID() });
      history.add('PlaceVacated', '2026-10-07T10:05:00Z', { inmateId: randomUUID() });
      expect(check(history).violations).toEqual([]);
      const national = belgiumToAlbaniaCase();
      national.add('FacilityCapacityChanged', '2026-04-01T00:00:00Z', { previousCapacity: 800, capacity: 0 });
      expect(check(national).violations).toEqual([]);
    });

    it('release from a leased facility without a deportation-order reference', () => {
      const history = denmarkToKosovoCase();
      const release = history.events.find((e) => e.type === 'InmateReleased')!;
      const events = history.events.map((e) => (e === release ? { ...e, data: { ...e.data, disposition: 'released', deportationOrderReference: undefined, destinationState: undefined } } : e));
      expect(check(history, { events }).violations).toMatchObject([{ invariant: 'deportation-order-on-lease-release', evidenceEventIds: [release.id, idOf(history, 'FacilityRegistered')] }]);
      // Known as a lease from the transfer's legal basis even when the facility's registration is not in the ledger.
      expect(check(history, { events: events.filter((e) => e.type !== 'FacilityRegistered') }).violations).toMatchObject([{ invariant: 'deportation-order-on-lease-release', evidenceEventIds: [release.id, idOf(history, 'TransferRequested')] }]);
    });

    it('a return to the sending state needs no deportation order', () => {
      const history = denmarkToKosovoCase();
      const release = history.events.find((e) => e.type === 'InmateReleased')!;
      const returned = { ...release, data: { ...release.data, disposition: 'returned-to-sending-state', deportationOrderReference: undefined, destinationState: undefined, handedTo: { state: 'DK', organisation: 'Danish Prison and Probation Service', officer: 'Officer K. Nielsen', place: 'Copenhagen Airport' } } };
      expect(check(history, { events: history.events.map((e) => (e === release ? returned : e)) }).violations).toEqual([]);
    });
  });

  it('names each violation by a stable key, so that checking again finds the same one', () => {
    const history = belgiumToAlbaniaCase();
    const once = check(history, { without: ['CustodyDispatched'] }).violations.map((v) => v.key);
    const twice = check(history, { without: ['CustodyDispatched'], now: '2031-01-01T00:00:00Z' }).violations.map((v) => v.key);
    expect(twice).toEqual(once);
    expect(new Set(once).size).toBe(once.length);
  });

  describe('Rule 18: under a lease, the lessee\'s placement decision accepts the case (Rule 11\'s hand-over follows it)', () => {
    it('a hand-over of a lease case with no placement decision (and no recognition) is a finding saying so', () => {
      const history = denmarkToKosovoCase();
      const finding = check(history, { without: ['PlacementDecided'] }).violations.find((v) => v.key.startsWith('two-sided-hand-over:not-accepted'));
      expect(finding).toMatchObject({ invariant: 'two-sided-hand-over', description: expect.stringMatching(/nor, under a lease, placement decision by the lessee/) });
    });

    it('a hand-over before the lessee decided the placement is a finding naming the decision', () => {
      const history = denmarkToKosovoCase();
      const placement = history.events.find((e) => e.type === 'PlacementDecided')!;
      const events = history.events.map((e) => (e === placement ? { ...e, occurredAt: '2026-10-06T10:00:00Z' } : e));
      const finding = check(history, { events }).violations.find((v) => v.key.startsWith('two-sided-hand-over:not-accepted'));
      expect(finding).toMatchObject({ description: expect.stringMatching(/the lessee decided the placement only at 2026-10-06T10:00:00Z/), evidenceEventIds: expect.arrayContaining([placement.id]) });
    });
  });

  describe('Rule 19: the return of the person placed in Gjilan to Denmark at the end of the lease (DK–XK lease treaty 2022)', () => {
    const party = (state: string, organisation: string, place: string) => ({ state, organisation, officer: 'Officer on duty', place });
    /** The lease case up to the admission in Gjilan, then a return: decided, dispatched by Denmark, received in Denmark, released from Gjilan. */
    const withReturn = () => {
      const history = denmarkToKosovoCase();
      // The person is not deported at the end of the sentence: the lease ends before.
      history.events.splice(history.events.findIndex((e) => e.type === 'SentenceCompleted'));
      const returnId = randomUUID();
      const destination = randomUUID();
      const ids = { transferId: returnId };
      history.add('ReturnRequested', '2027-06-01T10:00:00Z', { ...ids, returnOf: history.transferId, fromFacilityId: history.facilityId, destinationFacilityId: destination });
      history.add('CustodyDispatched', '2027-06-02T06:00:00Z', {
        ...ids, dispatchedBy: party('DK', 'Gjilan Correctional Facility, Danish governor', 'Gjilan'), escort: { state: 'DK', organisation: 'Danish Prison and Probation Service', leadOfficer: 'Officer K. Nielsen' },
      });
      history.add('CustodyReceived', '2027-06-02T12:00:00Z', { ...ids, receivedBy: party('DK', 'Vestre Fængsel', 'Copenhagen Airport'), facilityId: destination });
      history.add('InmateReleased', '2027-06-02T12:00:00Z', { disposition: 'returned-to-sending-state', destinationState: 'DK', handedTo: party('DK', 'Vestre Fængsel', 'Copenhagen Airport') });
      history.add('PlaceVacated', '2027-06-02T12:00:00Z', { reason: 'Returned to Denmark.' });
      history.add('EnforcementResumed', '2027-06-02T12:05:00Z', { reason: 'returned-to-sending-state' });
      history.add('TransferCompleted', '2027-06-02T12:10:00Z', { ...ids });
      return { history, returnId };
    };

    it('raises nothing: the return is accepted by its own decision, handed over on both sides, one custodian after the other, no consent asked and no deportation order needed', () => {
      const result = check(withReturn().history);
      expect(result.violations).toEqual([]);
      expect(result.pending).toEqual([]);
    });

    it('a hand-over of a return with no ReturnRequested in the ledger is a finding (Rules 6, 11)', () => {
      const { history, returnId } = withReturn();
      const finding = check(history, { without: ['ReturnRequested'] }).violations.find((v) => v.key === `two-sided-hand-over:not-accepted:${returnId}`);
      expect(finding).toMatchObject({ invariant: 'two-sided-hand-over' });
    });

    it('a release from Gjilan before the return\'s receipt leaves two custodians at once (Rule 10)', () => {
      const { history } = withReturn();
      const release = history.events.find((e) => e.type === 'InmateReleased')!;
      const events = history.events.map((e) => (e === release ? { ...e, occurredAt: '2027-06-02T07:00:00Z' } : e));
      expect(invariants(check(history, { events }))).toContain('single-custodian');
    });
  });
});

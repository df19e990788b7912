import { History } from '../testing/history';
import { deadlinesOf, facilityView, inmateView } from './auditor-view';
import { lateHospitalCase, RESIDENTS, smallFacility } from './fixtures';

const NOW = '2026-11-01T00:00:00Z';

describe('the auditor view of a person', () => {
  it('marks the hand-overs at the instants the timeline changes custodian, and the decisions', () => {
    const history = lateHospitalCase();
    const view = inmateView(history.inmateId, history.positioned(), {}, NOW);
    const handovers = view.marks.filter((m) => m.kind === 'handover');
    expect(handovers.map((m) => [m.type, m.at])).toEqual([
      ['CustodyDispatched', '2026-04-14T06:00:00Z'],
      ['CustodyReceived', '2026-04-14T11:30:00Z'],
    ]);
    const starts = view.timeline.intervals.map((i) => i.from);
    for (const m of handovers) expect(starts).toContain(m.at);
    expect(view.marks.filter((m) => m.kind === 'decision').map((m) => m.type)).toEqual(['ConsentRecorded', 'ReceivingStateDecisionRecorded', 'EnforcementSuspended']);
    expect(handovers[1].label).toContain('Received by AL');
  });

  it('as known before the late correction, leaves the stay out of the picture and says which events it hides', () => {
    const history = lateHospitalCase();
    const now = inmateView(history.inmateId, history.positioned(), {}, NOW);
    const before = inmateView(history.inmateId, history.positioned(), { knownAt: '2026-05-05T00:00:00Z' }, NOW);
    expect(now.timeline.intervals.map((i) => i.place.kind)).toEqual(['facility', 'in-transit', 'facility', 'absence', 'facility']);
    expect(before.timeline.intervals.map((i) => i.place.kind)).toEqual(['facility', 'in-transit', 'facility']);
    expect(before.events.filter((e) => !e.shown).map((e) => e.type)).toEqual(['AbsenceStarted', 'AbsenceEnded']);
    expect(before.recordTimes).toEqual(now.recordTimes);
    expect(now.recordTimes.at(-1)).toBe('2026-05-10T09:00:01Z');
  });

  it('follows a deadline from its setting through an extension to being met late, missed or overdue', () => {
    const h = new History();
    h.add('CertificateReceived', '2025-05-16T10:00:00Z', { decisionDueAt: '2025-08-14T23:59:59Z' });
    h.add('DeadlineExtended', '2025-08-10T10:00:00Z', { deadline: 'receiving-state-decision', previousDueAt: '2025-08-14T23:59:59Z', newDueAt: '2025-09-14T23:59:59Z' });
    h.add('ReceivingStateDecisionRecorded', '2025-09-01T10:00:00Z', { transferDueAt: '2025-10-01T23:59:59Z' });
    const open = deadlinesOf(h.positioned(), '2025-09-20T00:00:00Z');
    expect(open.map((d) => [d.deadline, d.status, d.dueAt])).toEqual([
      ['receiving-state-decision', 'met', '2025-09-14T23:59:59Z'],
      ['physical-transfer', 'open', '2025-10-01T23:59:59Z'],
    ]);
    expect(open[0].previousDueAts).toEqual(['2025-08-14T23:59:59Z']);
    expect(deadlinesOf(h.positioned(), '2025-10-05T00:00:00Z')[1].status).toBe('overdue');
    h.add('DeadlineMissed', '2025-10-02T00:00:00Z', { deadline: 'physical-transfer', dueAt: '2025-10-01T23:59:59Z' });
    h.add('CustodyReceived', '2025-10-10T10:00:00Z');
    expect(deadlinesOf(h.positioned(), NOW)[1]).toMatchObject({ status: 'missed' });
    const late = new History();
    late.add('ReceivingStateDecisionRecorded', '2025-09-01T10:00:00Z', { transferDueAt: '2025-10-01T23:59:59Z' });
    late.add('CustodyReceived', '2025-10-10T10:00:00Z');
    expect(deadlinesOf(late.positioned(), NOW)).toMatchObject([{ status: 'met-late', metAt: '2025-10-10T10:00:00Z' }]);
  });
});

describe('the auditor view of a facility', () => {
  const facilityHistory = () => ({ h: smallFacility(), people: RESIDENTS });

  it('steps occupancy, reservations and capacity by the facility events, and flags going over capacity', () => {
    const { h, people } = facilityHistory();
    const view = facilityView(h.facilityId, h.positioned(), {}, NOW);
    expect(view.steps.map((s) => [s.at.slice(0, 10), s.occupied, s.reserved, s.capacity])).toEqual([
      ['2026-01-01', 0, 0, 3],
      ['2026-02-01', 0, 1, 3],
      ['2026-02-02', 0, 2, 3],
      ['2026-02-10', 1, 1, 3],
      ['2026-02-11', 2, 1, 3],
      ['2026-02-12', 2, 1, 2],
      ['2026-04-01', 1, 1, 2],
    ]);
    expect(view.overCapacity.map((o) => o.at.slice(0, 10))).toEqual(['2026-02-12']);
    expect(view).toMatchObject({ capacity: 2, occupied: 1, occupants: [people[0]], name: 'Gjilan Correctional Facility (Danish-leased places)' });
    expect(view.reservations).toMatchObject([{ inmateId: people[1], isPastExpiry: true }]);
  });

  it('as of a date and as known at a date, like the timeline', () => {
    const { h } = facilityHistory();
    expect(facilityView(h.facilityId, h.positioned(), { asOf: '2026-02-05T00:00:00Z' }, NOW)).toMatchObject({ occupied: 0, capacity: 3, reservations: [{ isPastExpiry: false }, { isPastExpiry: false }] });
    expect(facilityView(h.facilityId, h.positioned(), { knownAt: '2026-04-10T00:00:00Z' }, NOW)).toMatchObject({ occupied: 2 });
  });
});

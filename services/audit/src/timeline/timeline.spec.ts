import { belgiumToAlbania, History } from '../testing/history';
import { foldTimeline } from './timeline';

describe('custody timeline', () => {
  it('follows a transfer of enforcement: Belgian prison, escort in transit, Albanian custody under Albanian law', () => {
    const history = belgiumToAlbania();
    const [registered, , , dispatched, received, admitted] = history.events;
    const timeline = foldTimeline(history.inmateId, history.positioned());
    expect(timeline.intervals).toEqual([
      {
        from: '2026-01-10T08:00:00Z', to: '2026-04-14T06:00:00Z',
        custodian: { state: 'BE', organisation: 'Prison de Haren' }, place: { kind: 'facility', name: 'Prison de Haren' },
        governingState: 'BE', evidenceEventIds: [registered.id],
      },
      {
        from: '2026-04-14T06:00:00Z', to: '2026-04-14T11:30:00Z',
        custodian: { state: 'BE', organisation: 'Federal Police, Escort Directorate', officer: 'Commissioner M. Janssens' },
        place: { kind: 'in-transit', transferId: history.transferId, escort: expect.objectContaining({ state: 'BE' }) },
        governingState: 'BE', evidenceEventIds: [dispatched.id],
      },
      {
        // The admission at the facility that received the person changes nothing: it is evidence.
        from: '2026-04-14T11:30:00Z', to: null,
        custodian: { state: 'AL', organisation: 'General Directorate of Prisons', officer: 'Chief Inspector A. Kola' },
        place: { kind: 'facility', facilityId: history.facilityId },
        governingState: 'AL', legalBasis: 'ETS112', evidenceEventIds: [received.id, admitted.id],
      },
    ]);
  });

  it('keeps the sending state\'s law under a lease (Denmark in Gjilan)', () => {
    const history = new History();
    history.add('InmateRegistered', '2026-01-10T08:00:00Z', { sendingState: 'DK', holdingFacility: { name: 'Storstrøm Fængsel' } });
    history.add('TransferRequested', '2026-01-20T10:00:00Z', { sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022' });
    history.add('CustodyDispatched', '2026-04-14T06:00:00Z');
    history.add('CustodyReceived', '2026-04-14T11:30:00Z', { receivedBy: { state: 'XK', organisation: 'Kosovo Correctional Service', officer: 'B. Krasniqi', place: 'Gjilan gate' } });
    const timeline = foldTimeline(history.inmateId, history.positioned());
    expect(timeline.intervals[2]).toMatchObject({ custodian: { state: 'XK' }, governingState: 'DK', legalBasis: 'LEASE_DK_XK_2022' });
  });

  it('places events by when they happened, whatever order they reached the ledger in', () => {
    const history = belgiumToAlbania();
    const shuffled = [...history.events].reverse();
    expect(foldTimeline(history.inmateId, history.positioned(shuffled)).intervals).toEqual(
      foldTimeline(history.inmateId, history.positioned()).intervals,
    );
  });

  it('shows an absence under a named authority and the return to the facility', () => {
    const history = belgiumToAlbania();
    history.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } });
    history.add('AbsenceEnded', '2026-05-02T16:00:00Z');
    const intervals = foldTimeline(history.inmateId, history.positioned()).intervals;
    expect(intervals.slice(-2)).toMatchObject([
      { from: '2026-05-01T08:00:00Z', to: '2026-05-02T16:00:00Z', custodian: { organisation: 'Hospital guard' }, place: { kind: 'absence', absenceKind: 'hospital' } },
      { from: '2026-05-02T16:00:00Z', to: null, custodian: { state: 'AL' }, place: { kind: 'facility', facilityId: history.facilityId } },
    ]);
  });

  it('ends custody at final release', () => {
    const history = belgiumToAlbania();
    const release = history.add('InmateReleased', '2029-11-03T09:00:00Z', { disposition: 'released', deportationOrderReference: undefined, destinationState: undefined });
    const timeline = foldTimeline(history.inmateId, history.positioned());
    expect(timeline.intervals[timeline.intervals.length - 1].to).toBe('2029-11-03T09:00:00Z');
    expect(timeline).toMatchObject({ endedAt: '2029-11-03T09:00:00Z', endedBy: release.id });
  });

  describe('bitemporal: a hospital stay recorded late', () => {
    // The stay of 1-2 May was recorded only on 10 May: the record of 5 May did not show it.
    const history = belgiumToAlbania();
    const started = history.add('AbsenceStarted', '2026-05-01T08:00:00Z', { kind: 'hospital', destination: 'Regional Hospital', authority: { state: 'AL', organisation: 'Hospital guard' } }, '2026-05-10T12:00:00Z');
    history.add('AbsenceEnded', '2026-05-02T16:00:00Z', {}, '2026-05-10T12:00:01Z');
    const events = history.positioned();

    it('as known on 5 May: in the facility throughout', () => {
      const timeline = foldTimeline(history.inmateId, events, { knownAt: '2026-05-05T00:00:00Z' });
      expect(timeline.intervals.at(-1)).toMatchObject({ from: '2026-04-14T11:30:00Z', to: null, place: { kind: 'facility' } });
      expect(timeline.eventIds).not.toContain(started.id);
    });

    it('as known on 11 May: in hospital from 1 to 2 May', () => {
      const timeline = foldTimeline(history.inmateId, events, { knownAt: '2026-05-11T00:00:00Z' });
      expect(timeline.intervals.slice(-3).map((i) => [i.from, i.to, i.place.kind])).toEqual([
        ['2026-04-14T11:30:00Z', '2026-05-01T08:00:00Z', 'facility'],
        ['2026-05-01T08:00:00Z', '2026-05-02T16:00:00Z', 'absence'],
        ['2026-05-02T16:00:00Z', null, 'facility'],
      ]);
    });

    it('as of 1 May noon, as known today: in hospital, the interval still open', () => {
      const timeline = foldTimeline(history.inmateId, events, { asOf: '2026-05-01T12:00:00Z' });
      expect(timeline.intervals.at(-1)).toMatchObject({ from: '2026-05-01T08:00:00Z', to: null, place: { kind: 'absence' }, evidenceEventIds: [started.id] });
    });

    it('as of 1 May noon, as known on 5 May: in the facility', () => {
      const timeline = foldTimeline(history.inmateId, events, { asOf: '2026-05-01T12:00:00Z', knownAt: '2026-05-05T00:00:00Z' });
      expect(timeline.intervals.at(-1)).toMatchObject({ place: { kind: 'facility' }, to: null });
    });
  });
});

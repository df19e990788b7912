import { History } from '../testing/history';
import { belgiumToAlbaniaCase } from '../testing/shapes';

/** Belgium → Albania with the hospital stay of 1–2 May recorded only on 10 May (a late correction). */
export function lateHospitalCase(history = new History()): History {
  belgiumToAlbaniaCase(history);
  const stay = history.events.filter((e) => e.type === 'AbsenceStarted' || e.type === 'AbsenceEnded');
  stay[0].recordedAt = '2026-05-10T09:00:00Z';
  stay[1].recordedAt = '2026-05-10T09:00:01Z';
  return history;
}

export const RESIDENTS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'] as const;

/**
 * A small facility: 3 places, two reserved, one reservation used and one person admitted
 * without one, the capacity cut to 2 (over capacity), then a place freed (recorded late).
 */
export function smallFacility(history = new History()): History {
  history.add('FacilityRegistered', '2026-01-01T00:00:00Z', { capacity: 3 });
  history.add('PlaceReserved', '2026-02-01T00:00:00Z', { reservationId: 'aaaaaaaa-0000-4000-8000-000000000001', inmateId: RESIDENTS[0], expiresAt: '2026-03-01T00:00:00Z' });
  history.add('PlaceReserved', '2026-02-02T00:00:00Z', { reservationId: 'aaaaaaaa-0000-4000-8000-000000000002', inmateId: RESIDENTS[1], expiresAt: '2026-03-01T00:00:00Z' });
  history.add('PlaceOccupied', '2026-02-10T00:00:00Z', { reservationId: 'aaaaaaaa-0000-4000-8000-000000000001', inmateId: RESIDENTS[0] });
  history.add('PlaceOccupied', '2026-02-11T00:00:00Z', { reservationId: undefined, inmateId: RESIDENTS[2] });
  history.add('FacilityCapacityChanged', '2026-02-12T00:00:00Z', { previousCapacity: 3, capacity: 2 });
  history.add('PlaceVacated', '2026-04-01T00:00:00Z', { inmateId: RESIDENTS[2] }, '2026-04-20T00:00:00Z');
  return history;
}

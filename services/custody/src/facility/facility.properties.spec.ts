import fc from 'fast-check';
import { CommandRejection } from '@custody/contracts';
import { AT, IDS, eligibleProfile } from '../spec/fixtures';
import {
  facilityDecider, freePlaces, occupiedPlaces, reservedPlaces, type Facility, type FacilityCommand, type RegisteredFacility,
} from './facility.decider';

// A property runs a fixed number of cases, CPU-bound: its budget is that number, not the unit
// tier's 10 s of wall time, which a loaded machine can exceed without anything being wrong.
jest.setTimeout(120_000);

const facilityId = IDS.facility;
const uuid = (kind: number, n: number) => `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
const base = { commandId: IDS.command, occurredAt: AT };

// Small pools of ids so that sequences collide: the same person reserved twice, a release of an
// admitted person's reservation, a vacate of someone who never came.
const person = fc.integer({ min: 0, max: 12 });
const reservation = fc.integer({ min: 0, max: 20 });

const command: fc.Arbitrary<FacilityCommand> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(reservation, person).map(([r, p]): FacilityCommand => ({
    type: 'ReservePlace',
    data: { ...base, facilityId, reservationId: uuid(3, r), transferId: uuid(1, r), inmateId: uuid(2, p), profile: eligibleProfile, expiresAt: '2026-03-10T00:00:00Z' },
  })) },
  { weight: 2, arbitrary: reservation.map((r): FacilityCommand => ({ type: 'ReleaseReservation', data: { ...base, facilityId, reservationId: uuid(3, r), reason: 'Case ended.' } })) },
  { weight: 1, arbitrary: fc.tuple(reservation, fc.constantFrom('2026-03-01T00:00:00Z', '2026-03-20T00:00:00Z')).map(([r, at]): FacilityCommand => ({
    type: 'ExpireReservation', data: { commandId: IDS.command, occurredAt: at, facilityId, reservationId: uuid(3, r) },
  })) },
  { weight: 3, arbitrary: fc.tuple(person, fc.option(reservation, { nil: undefined })).map(([p, r]): FacilityCommand => ({
    type: 'OccupyPlace', data: { facilityId, inmateId: uuid(2, p), occurredAt: AT, ...(r === undefined ? {} : { reservationId: uuid(3, r) }) },
  })) },
  { weight: 2, arbitrary: person.map((p): FacilityCommand => ({ type: 'VacatePlace', data: { facilityId, inmateId: uuid(2, p), occurredAt: AT, reason: 'Released.' } })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 15 }).map((capacity): FacilityCommand => ({
    type: 'ChangeFacilityCapacity', data: { ...base, facilityId, capacity, reason: 'Wing opened or closed.' },
  })) },
);

const registration = (capacity: number): FacilityCommand => ({
  type: 'RegisterFacility',
  data: { ...base, facilityId, name: 'Fier Prison', country: 'AL', operatingState: 'AL', jurisdiction: 'national', capacity },
});

/** Runs the commands through the decider as the write path does: rejected commands change nothing. */
function run(capacity: number, commands: FacilityCommand[], check: (state: RegisteredFacility) => void): RegisteredFacility {
  let state: Facility = facilityDecider.initialState();
  for (const next of [registration(capacity), ...commands]) {
    try {
      state = facilityDecider.decide(next, state).reduce(facilityDecider.evolve, state);
    } catch (error) {
      if (!(error instanceof CommandRejection)) throw error;
    }
    check(state as RegisteredFacility);
  }
  return state as RegisteredFacility;
}

describe('facility capacity: properties over any sequence of reservations, admissions, releases and capacity changes', () => {
  it('occupancy plus reservations never exceed the capacity, and nothing goes negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.array(command, { maxLength: 120 }), (capacity, commands) => {
        run(capacity, commands, (state) => {
          expect(occupiedPlaces(state)).toBeGreaterThanOrEqual(0);
          expect(reservedPlaces(state)).toBeGreaterThanOrEqual(0);
          expect(occupiedPlaces(state) + reservedPlaces(state)).toBeLessThanOrEqual(state.capacity);
          expect(freePlaces(state)).toBeGreaterThanOrEqual(0);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a person holds at most one place: reserved or occupied, never both', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.array(command, { maxLength: 120 }), (capacity, commands) => {
        run(capacity, commands, (state) => {
          const holders = [...Object.keys(state.occupants), ...Object.values(state.reservations).map((r) => r.inmateId)];
          expect(new Set(holders).size).toBe(holders.length);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('n requests for distinct persons on c free places hold exactly min(n, c) places and refuse the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 60 }), (capacity, n) => {
        let state: Facility = facilityDecider.initialState();
        state = facilityDecider.decide(registration(capacity), state).reduce(facilityDecider.evolve, state);
        const outcomes = { PlaceReserved: 0, ReservationRefused: 0 } as Record<string, number>;
        for (let i = 0; i < n; i++) {
          const events = facilityDecider.decide(
            { type: 'ReservePlace', data: { ...base, facilityId, reservationId: uuid(3, i), transferId: uuid(1, i), inmateId: uuid(2, i), profile: eligibleProfile, expiresAt: '2026-03-10T00:00:00Z' } },
            state,
          );
          events.forEach((e) => (outcomes[e.type] += 1));
          state = events.reduce(facilityDecider.evolve, state);
        }
        expect(outcomes.PlaceReserved).toBe(Math.min(n, capacity));
        expect(outcomes.ReservationRefused).toBe(Math.max(0, n - capacity));
      }),
    );
  });
});

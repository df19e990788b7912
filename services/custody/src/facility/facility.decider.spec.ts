import { AT, IDS, eligibleProfile, fierPrison, gjilan } from '../spec/fixtures';
import { specify } from '@custody/event-sourcing/testing';
import { facilityDecider, freePlaces, type Facility, type FacilityCommand, type FacilityEvent } from './facility.decider';

const given = specify(facilityDecider);
const base = { commandId: IDS.command, occurredAt: AT };
const facilityId = IDS.facility;
const expiresAt = '2026-04-01T00:00:00Z';
const reservation = { facilityId, reservationId: IDS.reservation, transferId: IDS.transfer, inmateId: IDS.inmate };

const registered: FacilityEvent = { type: 'FacilityRegistered', schemaVersion: 1, data: gjilan };
const national: FacilityEvent = { type: 'FacilityRegistered', schemaVersion: 1, data: fierPrison };
const reserved = (n = 0, at = facilityId): FacilityEvent => ({
  type: 'PlaceReserved',
  schemaVersion: 1,
  data: { facilityId: at, reservationId: uuid(3, n), transferId: uuid(1, n), inmateId: uuid(2, n), expiresAt },
});
const occupied = (n = 0, at = facilityId): FacilityEvent => ({ type: 'PlaceOccupied', schemaVersion: 1, data: { facilityId: at, inmateId: uuid(2, n) } });
const ourReservation: FacilityEvent = { type: 'PlaceReserved', schemaVersion: 1, data: { ...reservation, expiresAt } };

/** A distinct, valid UUID per (kind, n). */
function uuid(kind: number, n: number): string {
  return `${String(kind).padStart(8, '0')}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

const reserve = (overrides: Partial<Extract<FacilityCommand, { type: 'ReservePlace' }>['data']> = {}): FacilityCommand => ({
  type: 'ReservePlace',
  data: { ...base, ...reservation, profile: eligibleProfile, expiresAt, ...overrides },
});

describe('facility: registration', () => {
  it('registers a facility leased to Denmark under the 2022 treaty, with its 300 places and units', () => {
    given([]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan } }).then([registered]);
  });

  it('registers a national facility without a lease', () => {
    given([]).when({ type: 'RegisterFacility', data: { ...base, ...fierPrison } }).then([national]);
  });

  it('refuses a second registration under the same id', () => {
    given([registered]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan } }).thenRejects('FACILITY_ALREADY_REGISTERED');
  });

  it('accepts the treaty written as in the contract examples (DK-XK-2022)', () => {
    const lease = { lesseeState: 'DK' as const, treatyId: 'DK-XK-2022' };
    const events = given([]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan, lease } }).events();
    expect(events[0].type).toBe('FacilityRegistered');
  });

  it('refuses a lease treaty the legal catalogue does not know', () => {
    given([])
      .when({ type: 'RegisterFacility', data: { ...base, ...gjilan, lease: { lesseeState: 'DK', treatyId: 'LEASE_DK_XK_2099' } } })
      .thenRejects('LEGAL_BASIS_UNKNOWN');
  });

  it('refuses a lease that does not fit the treaty (Norway as lessee of Gjilan)', () => {
    given([])
      .when({ type: 'RegisterFacility', data: { ...base, ...gjilan, lease: { lesseeState: 'NO', treatyId: 'LEASE_DK_XK_2022' } } })
      .thenRejects('LEGAL_BASIS_NOT_APPLICABLE');
  });

  it('rule 9: the capacity may not exceed the leased places', () => {
    const rejection = given([]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan, capacity: 301 } }).thenRejects('VALIDATION_FAILED');
    expect(rejection.errors[0].path).toBe('capacity');
  });

  it('refuses a lease on a national facility', () => {
    given([])
      .when({ type: 'RegisterFacility', data: { ...base, ...fierPrison, lease: gjilan.lease } })
      .thenRejects('VALIDATION_FAILED');
  });

  it('any other command on an unregistered facility is FACILITY_NOT_FOUND', () => {
    given([]).when(reserve()).thenRejects('FACILITY_NOT_FOUND');
  });
});

describe('facility: capacity changes', () => {
  const change = (capacity: number): FacilityCommand => ({ type: 'ChangeFacilityCapacity', data: { ...base, facilityId, capacity, reason: 'Wing B partly closed.' } });

  it('records the previous and the new capacity', () => {
    given([registered]).when(change(280)).then([
      { type: 'FacilityCapacityChanged', schemaVersion: 1, data: { facilityId, previousCapacity: 300, capacity: 280, reason: 'Wing B partly closed.' } },
    ]);
  });

  it('an unchanged capacity records nothing', () => {
    given([registered]).when(change(300)).then([]);
  });

  it('refuses a capacity below the places occupied and reserved', () => {
    given([national, reserved(1, IDS.nationalFacility), occupied(2, IDS.nationalFacility)])
      .when({ type: 'ChangeFacilityCapacity', data: { ...base, facilityId: IDS.nationalFacility, capacity: 1, reason: 'Repairs.' } })
      .thenRejects('CAPACITY_BELOW_OCCUPANCY', { details: { occupied: 1, reserved: 1 } });
  });

  it('rule 9: refuses a leased capacity above the lease', () => {
    given([registered]).when(change(310)).thenRejects('VALIDATION_FAILED');
  });
});

describe('facility: reserving a place for a transfer', () => {
  it('holds a place until the expiry given', () => {
    given([registered]).when(reserve()).then([ourReservation]);
  });

  it('the same request again holds nothing more', () => {
    given([registered, ourReservation]).when(reserve()).then([]);
  });

  it('refuses with CAPACITY_EXHAUSTED when every place is occupied or reserved', () => {
    const full: FacilityEvent[] = [national, reserved(1, IDS.nationalFacility), occupied(2, IDS.nationalFacility)];
    given(full)
      .when(reserve({ facilityId: IDS.nationalFacility }))
      .then([
        {
          type: 'ReservationRefused',
          schemaVersion: 1,
          data: { ...reservation, facilityId: IDS.nationalFacility, code: 'CAPACITY_EXHAUSTED', reason: 'All 2 places are taken: 1 occupied and 1 reserved.' },
        },
      ]);
  });

  it.each([
    ['an EU national (not a third-country national)', { nationalities: ['BE'] }],
    ['no expulsion order', { hasExpulsionOrder: false }],
    ['a terrorism conviction', { offenceCategories: ['terrorism'] }],
    ['a life sentence', { sentenceKind: 'life' }],
    ['a serious mental illness', { hasSeriousMentalIllness: true }],
    ['a terminal illness', { hasTerminalIllness: true }],
    ['a nationality the catalogue leaves to a person (Kosovo)', { nationalities: ['XK'] }],
  ] as const)('rule 9: refuses a leased place to a person with %s (LEASE_ELIGIBILITY_NOT_MET)', (_case, change) => {
    const [refusal] = given([registered]).when(reserve({ profile: { ...eligibleProfile, ...change } as typeof eligibleProfile })).events();
    expect(refusal).toMatchObject({ type: 'ReservationRefused', data: { code: 'LEASE_ELIGIBILITY_NOT_MET', reservationId: IDS.reservation } });
    expect((refusal.data as { reason: string }).reason).toMatch(/DK–XK lease treaty 2022/);
  });

  it('a national facility has no lease rules: any person may be placed', () => {
    given([national])
      .when(reserve({ facilityId: IDS.nationalFacility, profile: { ...eligibleProfile, nationalities: ['AL'], hasExpulsionOrder: false } }))
      .then([{ type: 'PlaceReserved', schemaVersion: 1, data: { ...reservation, facilityId: IDS.nationalFacility, expiresAt } }]);
  });

  it('a reservation id that ended is not held again', () => {
    const released: FacilityEvent = { type: 'ReservationReleased', schemaVersion: 1, data: { ...reservation, reason: 'Withdrawn.' } };
    given([registered, ourReservation, released]).when(reserve()).thenRejects('RESERVATION_NOT_ACTIVE');
  });

  it('one place per person: a second reservation for the same person is refused', () => {
    given([registered, ourReservation]).when(reserve({ reservationId: uuid(3, 9), transferId: uuid(1, 9) })).thenRejects('INMATE_ALREADY_IN_CUSTODY');
  });
});

describe('facility: releasing and expiring a reservation', () => {
  const release: FacilityCommand = { type: 'ReleaseReservation', data: { ...base, facilityId, reservationId: IDS.reservation, reason: 'The transfer was withdrawn.' } };
  const expire = (occurredAt: string): FacilityCommand => ({ type: 'ExpireReservation', data: { commandId: IDS.command, occurredAt, facilityId, reservationId: IDS.reservation } });

  it('releases a held place', () => {
    given([registered, ourReservation]).when(release).then([
      { type: 'ReservationReleased', schemaVersion: 1, data: { ...reservation, reason: 'The transfer was withdrawn.' } },
    ]);
  });

  it('an unknown reservation is RESERVATION_NOT_FOUND', () => {
    given([registered]).when(release).thenRejects('RESERVATION_NOT_FOUND');
  });

  it('a released reservation cannot be released again', () => {
    const released: FacilityEvent = { type: 'ReservationReleased', schemaVersion: 1, data: { ...reservation, reason: 'x' } };
    given([registered, ourReservation, released]).when(release).thenRejects('RESERVATION_NOT_ACTIVE', { details: { ended: 'released' } });
  });

  it('expires at the time the timer gives, once the hold has run out', () => {
    given([registered, ourReservation]).when(expire('2026-04-01T00:00:00Z')).then([{ type: 'ReservationExpired', schemaVersion: 1, data: reservation }]);
  });

  it('does not expire before the hold runs out', () => {
    given([registered, ourReservation]).when(expire('2026-03-31T23:59:59Z')).thenRejects('STEP_OUT_OF_ORDER', { details: { expiresAt } });
  });

  it('a used reservation does not expire', () => {
    const used: FacilityEvent = { type: 'PlaceOccupied', schemaVersion: 1, data: { facilityId, inmateId: IDS.inmate, reservationId: IDS.reservation } };
    given([registered, ourReservation, used]).when(expire('2026-05-01T00:00:00Z')).thenRejects('RESERVATION_NOT_ACTIVE', { details: { ended: 'used' } });
  });

  it('an expired or released place is free again', () => {
    const expired: FacilityEvent = { type: 'ReservationExpired', schemaVersion: 1, data: reservation };
    const state = given([registered, ourReservation, expired]).state as Extract<Facility, { status: 'registered' }>;
    expect(freePlaces(state)).toBe(300);
  });
});

describe('facility: occupying and vacating places on admission and release', () => {
  const occupy = (reservationId?: string, inmateId = IDS.inmate): FacilityCommand => ({
    type: 'OccupyPlace',
    data: { facilityId, inmateId, occurredAt: AT, ...(reservationId ? { reservationId } : {}) },
  });
  const vacate: FacilityCommand = { type: 'VacatePlace', data: { facilityId, inmateId: IDS.inmate, occurredAt: AT, reason: 'Deported to Morocco.' } };

  it('an admission uses the person\'s reservation', () => {
    given([registered, ourReservation]).when(occupy(IDS.reservation)).then([
      { type: 'PlaceOccupied', schemaVersion: 1, data: { facilityId, inmateId: IDS.inmate, reservationId: IDS.reservation } },
    ]);
  });

  it('finds the person\'s reservation when the admission does not name it', () => {
    given([registered, ourReservation]).when(occupy()).then([
      { type: 'PlaceOccupied', schemaVersion: 1, data: { facilityId, inmateId: IDS.inmate, reservationId: IDS.reservation } },
    ]);
  });

  it('without a reservation, takes a free place', () => {
    given([registered]).when(occupy()).then([{ type: 'PlaceOccupied', schemaVersion: 1, data: { facilityId, inmateId: IDS.inmate } }]);
  });

  it('without a reservation and without a free place, the admission is refused: capacity is never exceeded', () => {
    const full = [national, occupied(1, IDS.nationalFacility), occupied(2, IDS.nationalFacility)];
    given(full)
      .when({ type: 'OccupyPlace', data: { facilityId: IDS.nationalFacility, inmateId: IDS.inmate, occurredAt: AT } })
      .thenRejects('CAPACITY_EXHAUSTED');
  });

  it('a person occupies one place only', () => {
    given([registered, occupied(0)]).when(occupy(undefined, uuid(2, 0))).thenRejects('INMATE_ALREADY_IN_CUSTODY');
  });

  it('a release frees the place', () => {
    const admitted: FacilityEvent = { type: 'PlaceOccupied', schemaVersion: 1, data: { facilityId, inmateId: IDS.inmate } };
    given([registered, admitted]).when(vacate).then([
      { type: 'PlaceVacated', schemaVersion: 1, data: { facilityId, inmateId: IDS.inmate, reason: 'Deported to Morocco.' } },
    ]);
  });

  it('cannot free the place of a person who does not occupy one', () => {
    given([registered]).when(vacate).thenRejects('INMATE_NOT_IN_CUSTODY');
  });
});

describe('Rule 17: a reservation expires after it starts; a ministry\'s act on the service\'s clock', () => {
  it('a reservation whose expiry precedes its start is refused DATE_BEFORE_PRECEDING_STEP, naming both dates', () => {
    given([registered]).when(reserve({ expiresAt: '2020-01-01T00:00:00Z' })).thenRejects('DATE_BEFORE_PRECEDING_STEP', {
      details: { field: 'expiresAt', date: '2020-01-01T00:00:00Z', precedingStep: 'reservation', precedingDate: AT },
      paths: ['expiresAt'],
    });
    given([registered]).when(reserve({ expiresAt: AT })).thenRejects('DATE_BEFORE_PRECEDING_STEP');
  });

  it('with the clock of a ministry\'s act, a registration dated in the future is refused DATE_IN_FUTURE', () => {
    const clock = { now: '2026-03-02T09:00:00.000Z', policy: { clockSkewSeconds: 300, lateRecordingDays: 7 } };
    given([]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan }, clock }).thenRejects('DATE_IN_FUTURE', { details: { field: 'occurredAt', date: AT, now: clock.now } });
    given([]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan }, clock: { ...clock, now: '2026-03-02T09:30:00.000Z' } }).then([registered]);
    // Recorded late with its reason: the reason goes with the events' metadata, not into the payload.
    given([]).when({ type: 'RegisterFacility', data: { ...base, ...gjilan, lateRecordingReason: 'Registered after the audit.' }, clock: { ...clock, now: '2026-04-02T09:30:00.000Z' } }).then([registered]);
  });
});

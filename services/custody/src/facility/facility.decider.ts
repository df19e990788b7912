import {
  CommandRejection, currentVersion, reject, rejectionOf, type Command, type DomainEvent, type FacilityCommandType, type FacilityEventType,
  type FacilityUnit, type Jurisdiction, type Lease, type PlacementProfile, type StateCode,
} from '@custody/contracts';
import { checkEndAfterStart, checkLeaseEligibility, checkRecording, type HealthCondition, type LeaseCandidate, type RecordingClock } from '@custody/legal';
import { leaseBasisOf } from './lease';

/**
 * A facility: its places, the places held for coming transfers and the persons occupying them.
 * Stream `facility-<facilityId>`. Every reservation goes through this one stream with optimistic
 * concurrency, so the capacity check below holds whatever the number of writers (Rule 9).
 */

/** Taking a place for an admitted person (sent with the admission, in the same transaction). */
export interface OccupyPlace {
  type: 'OccupyPlace';
  data: { facilityId: string; inmateId: string; reservationId?: string; occurredAt: string };
}

/** Freeing a person's place (final release or death, in the same transaction). */
export interface VacatePlace {
  type: 'VacatePlace';
  data: { facilityId: string; inmateId: string; reason: string; occurredAt: string };
}

/**
 * A command as the decider takes it; `clock` is the service's clock when a ministry's act is
 * recorded (Rule 17), put in by the command handler (the transfer service's requests and the
 * expiry timer come without it).
 */
export type FacilityCommand = (Command<FacilityCommandType> | OccupyPlace | VacatePlace) & { clock?: RecordingClock };
export type FacilityEvent = DomainEvent<FacilityEventType>;

export interface HeldPlace {
  reservationId: string;
  transferId: string;
  inmateId: string;
  expiresAt: string;
}

export type ClosedReservation = 'released' | 'expired' | 'used';

export type Facility =
  | { status: 'unregistered' }
  | {
      status: 'registered';
      facilityId: string;
      name: string;
      country: StateCode;
      operatingState: StateCode;
      jurisdiction: Jurisdiction;
      lease?: Lease;
      capacity: number;
      units: FacilityUnit[];
      /** Active reservations by id. */
      reservations: Record<string, HeldPlace>;
      /** Reservations that ended, by id: an id is never held twice. */
      closedReservations: Record<string, ClosedReservation>;
      /** Persons occupying a place, by inmate id. */
      occupants: Record<string, { reservationId?: string }>;
    };

export type RegisteredFacility = Extract<Facility, { status: 'registered' }>;

export const initialState = (): Facility => ({ status: 'unregistered' });

/** Places taken by admitted persons. */
export const occupiedPlaces = (facility: RegisteredFacility): number => Object.keys(facility.occupants).length;
/** Places held for coming transfers. */
export const reservedPlaces = (facility: RegisteredFacility): number => Object.keys(facility.reservations).length;
/** Places neither occupied nor reserved. */
export const freePlaces = (facility: RegisteredFacility): number =>
  facility.capacity - occupiedPlaces(facility) - reservedPlaces(facility);

/** An event at the version the catalogue publishes for its type. */
const event = <T extends FacilityEventType>(type: T, data: Extract<FacilityEvent, { type: T }>['data']) =>
  ({ type, schemaVersion: currentVersion(type), data }) as Extract<FacilityEvent, { type: T }>;

const without = <V>(record: Record<string, V>, key: string): Record<string, V> => {
  const { [key]: _removed, ...rest } = record;
  return rest;
};

export function evolve(state: Facility, event: FacilityEvent): Facility {
  if (event.type === 'FacilityRegistered') {
    const d = event.data;
    return {
      status: 'registered',
      facilityId: d.facilityId,
      name: d.name,
      country: d.country,
      operatingState: d.operatingState,
      jurisdiction: d.jurisdiction,
      ...(d.lease ? { lease: d.lease } : {}),
      capacity: d.capacity,
      units: d.units ?? [],
      reservations: {},
      closedReservations: {},
      occupants: {},
    };
  }
  if (state.status !== 'registered') return state;
  switch (event.type) {
    case 'FacilityCapacityChanged':
      return { ...state, capacity: event.data.capacity };
    case 'PlaceReserved': {
      const { reservationId, transferId, inmateId, expiresAt } = event.data;
      return { ...state, reservations: { ...state.reservations, [reservationId]: { reservationId, transferId, inmateId, expiresAt } } };
    }
    case 'ReservationRefused':
      return state;
    case 'ReservationReleased':
    case 'ReservationExpired': {
      const id = event.data.reservationId;
      const ending: ClosedReservation = event.type === 'ReservationReleased' ? 'released' : 'expired';
      return { ...state, reservations: without(state.reservations, id), closedReservations: { ...state.closedReservations, [id]: ending } };
    }
    case 'PlaceOccupied': {
      const { inmateId, reservationId } = event.data;
      const occupants = { ...state.occupants, [inmateId]: reservationId ? { reservationId } : {} };
      if (!reservationId) return { ...state, occupants };
      return {
        ...state,
        occupants,
        reservations: without(state.reservations, reservationId),
        closedReservations: { ...state.closedReservations, [reservationId]: 'used' },
      };
    }
    case 'PlaceVacated':
      return { ...state, occupants: without(state.occupants, event.data.inmateId) };
  }
}

export function decide(command: FacilityCommand, state: Facility): FacilityEvent[] {
  const events = decideFacility(command, state);
  // Rule 17, for a ministry's act once decided: not dated in the future, not recorded late without a reason.
  const problem = events.length > 0 && command.clock ? checkRecording(command.data, command.clock) : undefined;
  if (problem) throw rejectionOf(problem);
  return events;
}

function decideFacility(command: FacilityCommand, state: Facility): FacilityEvent[] {
  if (command.type === 'RegisterFacility') return register(command.data, state);
  if (state.status !== 'registered') throw reject('FACILITY_NOT_FOUND', { facilityId: command.data.facilityId });
  switch (command.type) {
    case 'ChangeFacilityCapacity': {
      const { facilityId, capacity, reason } = command.data;
      if (capacity === state.capacity) return [];
      const taken = occupiedPlaces(state) + reservedPlaces(state);
      if (capacity < taken) {
        throw reject('CAPACITY_BELOW_OCCUPANCY', { capacity, occupied: occupiedPlaces(state), reserved: reservedPlaces(state) });
      }
      checkLeasedPlaces(state.lease, capacity);
      return [event('FacilityCapacityChanged', { facilityId, previousCapacity: state.capacity, capacity, reason })];
    }
    case 'ReservePlace':
      return reserve(command.data, state);
    case 'ReleaseReservation': {
      const held = heldReservation(state, command.data.reservationId);
      return [event('ReservationReleased', { ...reservationOf(state, held), reason: command.data.reason })];
    }
    case 'ExpireReservation': {
      const held = heldReservation(state, command.data.reservationId);
      if (Date.parse(command.data.occurredAt) < Date.parse(held.expiresAt)) {
        throw reject(
          'STEP_OUT_OF_ORDER',
          { reservationId: held.reservationId, expiresAt: held.expiresAt },
          `The place is held until ${held.expiresAt}; it cannot expire before then.`,
        );
      }
      return [event('ReservationExpired', reservationOf(state, held))];
    }
    case 'OccupyPlace':
      return occupy(command.data, state);
    case 'VacatePlace': {
      const { facilityId, inmateId, reason } = command.data;
      if (!state.occupants[inmateId]) throw reject('INMATE_NOT_IN_CUSTODY', { facilityId, inmateId });
      return [event('PlaceVacated', { facilityId, inmateId, reason })];
    }
  }
}

function register(data: Command<'RegisterFacility'>['data'], state: Facility): FacilityEvent[] {
  if (state.status !== 'unregistered') throw reject('FACILITY_ALREADY_REGISTERED', { facilityId: data.facilityId });
  if (data.jurisdiction === 'national' && data.lease) {
    throw invalid('lease', 'a national facility has no lease; set jurisdiction to leased or leave the lease out');
  }
  if (data.jurisdiction === 'leased') {
    if (!data.lease) throw invalid('lease', 'a leased facility names its lessee state and treaty');
    const basis = leaseBasisOf(data.lease.treatyId);
    if (!basis) throw reject('LEGAL_BASIS_UNKNOWN', { treatyId: data.lease.treatyId });
    const lease = basis.lease;
    if (!lease || lease.tenantState !== data.lease.lesseeState || lease.hostState !== data.country) {
      throw reject(
        'LEGAL_BASIS_NOT_APPLICABLE',
        { treatyId: data.lease.treatyId, lesseeState: data.lease.lesseeState, country: data.country },
        lease
          ? `${basis.citation} leases places in ${lease.hostState} to ${lease.tenantState}, not in ${data.country} to ${data.lease.lesseeState}.`
          : `${basis.citation} is not a facility lease.`,
      );
    }
    checkLeasedPlaces(data.lease, data.capacity);
  }
  const { commandId: _id, occurredAt: _at, lateRecordingReason: _late, ...registered } = data;
  return [event('FacilityRegistered', registered)];
}

/** Rule 9: occupancy never exceeds the leased capacity (300 in Gjilan). */
function checkLeasedPlaces(lease: Lease | undefined, capacity: number): void {
  const places = lease ? leaseBasisOf(lease.treatyId)?.lease?.places : undefined;
  if (places !== undefined && capacity > places) {
    throw invalid('capacity', `the lease provides ${places} places; the capacity may not exceed them`);
  }
}

function reserve(data: Command<'ReservePlace'>['data'], state: RegisteredFacility): FacilityEvent[] {
  const { facilityId, reservationId, transferId, inmateId, expiresAt, profile } = data;
  const held = state.reservations[reservationId];
  if (held) {
    // The same request again (a retry): the place is already held.
    if (held.transferId === transferId && held.inmateId === inmateId) return [];
    throw reject('RESERVATION_NOT_ACTIVE', { reservationId }, 'This reservation id already holds a place for another transfer; choose a new id.');
  }
  if (state.closedReservations[reservationId]) {
    throw reject('RESERVATION_NOT_ACTIVE', { reservationId, ended: state.closedReservations[reservationId] });
  }
  // Rules 9 and 17: a place is held from the reservation until it expires, which is later.
  const backwards = checkEndAfterStart('reservation-expiry', 'expiresAt', expiresAt, { step: 'reservation', date: data.occurredAt });
  if (backwards) throw rejectionOf(backwards);
  const refused = (code: 'CAPACITY_EXHAUSTED' | 'LEASE_ELIGIBILITY_NOT_MET', reason: string) => [
    event('ReservationRefused', { facilityId, reservationId, transferId, inmateId, code, reason }),
  ];
  if (state.lease) {
    const verdict = checkLeaseEligibility(leaseCandidate(state.lease, profile));
    // A verdict a person must still decide is not a yes: no place is held on it.
    if (verdict.outcome !== 'met') return refused('LEASE_ELIGIBILITY_NOT_MET', verdict.reason.slice(0, 1000));
  }
  if (state.occupants[inmateId] || Object.values(state.reservations).some((r) => r.inmateId === inmateId)) {
    throw reject('INMATE_ALREADY_IN_CUSTODY', { inmateId }, 'The person already holds a place in this facility (occupied or reserved).');
  }
  if (freePlaces(state) <= 0) {
    return refused(
      'CAPACITY_EXHAUSTED',
      `All ${state.capacity} places are taken: ${occupiedPlaces(state)} occupied and ${reservedPlaces(state)} reserved.`,
    );
  }
  return [event('PlaceReserved', { facilityId, reservationId, transferId, inmateId, expiresAt })];
}

/** What a lease's eligibility rules look at, from the placement profile the transfer sends. */
export function leaseCandidate(lease: Lease, profile: PlacementProfile): LeaseCandidate {
  const healthConditions: HealthCondition[] = [];
  if (profile.hasSeriousMentalIllness) healthConditions.push('serious-mental-illness');
  if (profile.hasTerminalIllness) healthConditions.push('terminal-illness');
  return {
    basis: leaseBasisOf(lease.treatyId)?.id ?? lease.treatyId,
    inmate: {
      nationalities: profile.nationalities,
      ...(profile.hasExpulsionOrder ? { expulsionOrder: {} } : {}),
      healthConditions,
    },
    // Only the kind of sentence and the offences matter to eligibility; the dates do not.
    sentence: {
      length: profile.sentenceKind === 'determinate' ? { kind: 'determinate', days: 0 } : { kind: profile.sentenceKind },
      startedOn: '1970-01-01',
      preTrialDays: 0,
      isFinal: true,
      offences: profile.offenceCategories,
    },
  };
}

function occupy(data: OccupyPlace['data'], state: RegisteredFacility): FacilityEvent[] {
  const { facilityId, inmateId } = data;
  if (state.occupants[inmateId]) throw reject('INMATE_ALREADY_IN_CUSTODY', { facilityId, inmateId });
  // The person's own reservation is used; without one (or after it expired) a free place is needed.
  const named = data.reservationId ? state.reservations[data.reservationId] : undefined;
  const held = named?.inmateId === inmateId ? named : Object.values(state.reservations).find((r) => r.inmateId === inmateId);
  if (held) return [event('PlaceOccupied', { facilityId, inmateId, reservationId: held.reservationId })];
  if (freePlaces(state) <= 0) {
    throw reject('CAPACITY_EXHAUSTED', { facilityId, capacity: state.capacity, occupied: occupiedPlaces(state), reserved: reservedPlaces(state) });
  }
  return [event('PlaceOccupied', { facilityId, inmateId })];
}

function heldReservation(state: RegisteredFacility, reservationId: string): HeldPlace {
  const held = state.reservations[reservationId];
  if (held) return held;
  const ended = state.closedReservations[reservationId];
  if (ended) throw reject('RESERVATION_NOT_ACTIVE', { reservationId, ended });
  throw reject('RESERVATION_NOT_FOUND', { reservationId });
}

const reservationOf = (state: RegisteredFacility, held: HeldPlace) => ({
  facilityId: state.facilityId,
  reservationId: held.reservationId,
  transferId: held.transferId,
  inmateId: held.inmateId,
});

function invalid(path: string, problem: string): CommandRejection {
  return new CommandRejection('VALIDATION_FAILED', undefined, {}, [{ path, problem }]);
}

/** The facility decider, for the write path. */
export const facilityDecider = { initialState, evolve, decide };

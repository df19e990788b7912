import { LEASE_BASIS_PREFIX } from '@custody/contracts';
import type { LedgerEvent } from '../ledger/entry';

/**
 * Custody timelines: a pure fold of one person's ledger entries into intervals of custody
 * (Rule 10: one custodian and one place at every instant), bitemporal (Rule 15): `asOf` keeps
 * the events that had happened by then (occurredAt), `knownAt` those the record held by then
 * (recordedAt). Events are placed by when they happened, whatever order they arrived in.
 */

/** A responsible authority: the state, the organisation and, where one is named, the officer. */
export interface Custodian {
  state: string;
  organisation: string;
  officer?: string;
}

/** Where the person is. */
export type Place =
  | { kind: 'facility'; facilityId?: string; name?: string }
  | { kind: 'in-transit'; transferId: string; escort: { state: string; organisation: string; leadOfficer: string } }
  | { kind: 'absence'; absenceId: string; absenceKind: string; destination: string; facilityId: string }
  | { kind: 'at-large'; facilityId: string; reason: 'escaped' | 'cannot-be-found' };

export interface CustodyInterval {
  from: string;
  /** When the next interval began, or null while it lasts. */
  to: string | null;
  custodian: Custodian;
  place: Place;
  /** Whose sentence and law apply: the administering state, or the lessee under a lease. */
  governingState: string;
  /** The legal basis of the transfer that brought the person here, if any. */
  legalBasis?: string;
  /** The ledger events that establish the interval. */
  evidenceEventIds: string[];
}

export interface Timeline {
  inmateId: string;
  asOf?: string;
  knownAt?: string;
  intervals: CustodyInterval[];
  /** When custody ended for good (final release, death), if it did. */
  endedAt?: string;
  endedBy?: string;
  /** Events of the person that the fold placed, in the order it placed them. */
  eventIds: string[];
}

/** An event of the ledger with its position (the tie-breaker for events of the same instant). */
export type TimelineEvent = LedgerEvent & { position: number };

interface State {
  custodian?: Custodian;
  place?: Place;
  governingState?: string;
  legalBasis?: string;
}

interface TransferContext {
  sendingState: string;
  receivingState: string;
  legalBasis: string;
}

const ms = (instant: string) => Date.parse(instant);

/** The events that count, in the order they happened (then as recorded, then ledger order). */
export function placeInTime(events: TimelineEvent[], window: { asOf?: string; knownAt?: string } = {}): TimelineEvent[] {
  const asOf = window.asOf === undefined ? Infinity : ms(window.asOf);
  const knownAt = window.knownAt === undefined ? Infinity : ms(window.knownAt);
  // Parse each instant once: a sort comparator would parse them n log n times.
  return events
    .map((event) => ({ event, occurred: ms(event.occurredAt), recorded: ms(event.recordedAt) }))
    .filter((e) => e.occurred <= asOf && e.recorded <= knownAt)
    .sort((a, b) => a.occurred - b.occurred || a.recorded - b.recorded || a.event.position - b.event.position)
    .map((e) => e.event);
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const authority = (value: unknown): Custodian => {
  const a = (value ?? {}) as Record<string, unknown>;
  return a.officer === undefined
    ? { state: text(a.state), organisation: text(a.organisation) }
    : { state: text(a.state), organisation: text(a.organisation), officer: text(a.officer) };
};

/** Folds one person's events into custody intervals. */
export function foldTimeline(inmateId: string, events: TimelineEvent[], window: { asOf?: string; knownAt?: string } = {}): Timeline {
  const placed = placeInTime(events, window);
  const intervals: CustodyInterval[] = [];
  const transfers = new Map<string, TransferContext>();
  let state: State = {};
  let sendingState: string | undefined;
  let beforeAbsence: State | undefined;
  let endedAt: string | undefined;
  let endedBy: string | undefined;
  let openKey = '';

  const open = () => intervals[intervals.length - 1] as CustodyInterval | undefined;
  const evidence = (event: TimelineEvent) => {
    const current = open();
    if (current && current.to === null && !current.evidenceEventIds.includes(event.id)) current.evidenceEventIds.push(event.id);
  };
  /** Moves to a new state at the event's instant: a new interval when anything changed. */
  const become = (next: State, event: TimelineEvent) => {
    state = next;
    endedAt = undefined;
    endedBy = undefined;
    const current = open();
    if (!next.custodian || !next.place || !next.governingState) return;
    const candidate = { custodian: next.custodian, place: next.place, governingState: next.governingState, legalBasis: next.legalBasis };
    const key = JSON.stringify(candidate);
    if (current && current.to === null && key === openKey) {
      evidence(event);
      return;
    }
    openKey = key;
    if (current && current.to === null) current.to = event.occurredAt;
    const interval: CustodyInterval = { from: event.occurredAt, to: null, ...candidate, evidenceEventIds: [event.id] };
    if (interval.legalBasis === undefined) delete interval.legalBasis;
    intervals.push(interval);
  };
  const end = (event: TimelineEvent) => {
    const current = open();
    if (current && current.to === null) {
      current.evidenceEventIds.push(event.id);
      current.to = event.occurredAt;
    }
    state = {};
    beforeAbsence = undefined;
    endedAt = event.occurredAt;
    endedBy = event.id;
  };

  for (const event of placed) {
    const data = event.data;
    switch (event.type) {
      case 'InmateRegistered': {
        // The sending state holds the person where intake registered them.
        sendingState = text(data.sendingState);
        const holding = (data.holdingFacility ?? {}) as Record<string, unknown>;
        become({ custodian: { state: sendingState, organisation: text(holding.name) }, place: { kind: 'facility', name: text(holding.name) }, governingState: sendingState }, event);
        break;
      }
      case 'TransferRequested':
      case 'ReturnRequested':
        // Rule 19: a return is a case of its own, from the state responsible for the person to the state that sentenced them.
        transfers.set(text(data.transferId), { sendingState: text(data.sendingState), receivingState: text(data.receivingState), legalBasis: text(data.legalBasis) });
        break;
      case 'CustodyDispatched': {
        // Rule 10: in transit with a named escort, who is the custodian until the receipt.
        const escort = data.escort as { state: string; organisation: string; leadOfficer: string };
        become({
          ...state,
          custodian: { state: escort.state, organisation: escort.organisation, officer: escort.leadOfficer },
          place: { kind: 'in-transit', transferId: text(data.transferId), escort: { state: escort.state, organisation: escort.organisation, leadOfficer: escort.leadOfficer } },
        }, event);
        break;
      }
      case 'CustodyReceived': {
        // Rules 11 and 12: custody and enforcement pass to the receiving side; under a lease the
        // sending state's sentence and law go on applying.
        const transfer = transfers.get(text(data.transferId));
        const receiver = authority(data.receivedBy);
        const isLease = transfer?.legalBasis.startsWith(LEASE_BASIS_PREFIX) ?? false;
        become({
          custodian: receiver,
          place: { kind: 'facility', facilityId: text(data.facilityId) },
          governingState: isLease ? transfer!.sendingState : receiver.state,
          legalBasis: transfer?.legalBasis,
        }, event);
        break;
      }
      case 'InmateAdmitted':
        become({ ...state, place: { kind: 'facility', facilityId: text(data.facilityId) }, governingState: text(data.governingState) }, event);
        break;
      case 'AbsenceStarted':
        beforeAbsence = state;
        become({
          ...state,
          custodian: authority(data.authority),
          place: { kind: 'absence', absenceId: text(data.absenceId), absenceKind: text(data.kind), destination: text(data.destination), facilityId: text(data.facilityId) },
        }, event);
        break;
      case 'AbsenceEnded':
        become(beforeAbsence ?? { ...state, place: { kind: 'facility', facilityId: text(data.facilityId) } }, event);
        beforeAbsence = undefined;
        break;
      case 'InmateEscaped':
      case 'InmateCannotBeFound':
        // The responsible authority stays responsible for a person it cannot hold.
        become({ ...state, place: { kind: 'at-large', facilityId: text(data.facilityId), reason: event.type === 'InmateEscaped' ? 'escaped' : 'cannot-be-found' } }, event);
        break;
      case 'InmateRecaptured':
        become({ ...state, custodian: authority(data.recapturedBy), place: { kind: 'facility', name: text(data.place) } }, event);
        break;
      case 'EnforcementResumed':
        // Rule 12: enforcement goes back to the sending state.
        if (sendingState) become({ ...state, governingState: sendingState, legalBasis: undefined }, event);
        break;
      case 'InmateReleased': {
        if (data.disposition === 'returned-to-sending-state') {
          const handedTo = data.handedTo as Record<string, unknown>;
          become({ custodian: authority(handedTo), place: { kind: 'facility', name: text(handedTo.place) }, governingState: sendingState ?? text(handedTo.state) }, event);
        } else {
          end(event);
        }
        break;
      }
      case 'DomesticReleaseRecorded':
      case 'InmateDiedInCustody':
      case 'ConditionalReleaseGranted':
        end(event);
        break;
      case 'CellAssigned':
      case 'TransferCompleted':
      case 'PlaceOccupied':
      case 'PlaceVacated':
      case 'EnforcementSuspended':
      case 'EnforcementEnded':
        evidence(event);
        break;
      default:
        break;
    }
  }
  const timeline: Timeline = { inmateId, intervals, eventIds: placed.map((e) => e.id) };
  if (window.asOf !== undefined) timeline.asOf = window.asOf;
  if (window.knownAt !== undefined) timeline.knownAt = window.knownAt;
  if (endedAt !== undefined) {
    timeline.endedAt = endedAt;
    timeline.endedBy = endedBy;
  }
  return timeline;
}

import type { DeadlineKind } from '@custody/contracts';
import { foldTimeline, placeInTime, type Timeline, type TimelineEvent } from '../timeline/timeline';

/**
 * What the auditor's page draws, folded from ledger events (pure: no I/O, the clock comes in):
 * a person's timeline with the marks on it (hand-overs, decisions, deadlines), and a facility's
 * occupancy against its capacity over time with its reservations. Both are bitemporal like the
 * timeline: `asOf` keeps what had happened by then, `knownAt` what the record held by then.
 */

export interface Window {
  asOf?: string;
  knownAt?: string;
}

/** A point on the timeline: an event that hands the person over, decides, or marks a step. */
export interface Mark {
  at: string;
  kind: 'handover' | 'decision' | 'step' | 'end';
  type: string;
  eventId: string;
  recordedAt: string;
  label: string;
}

/** A running deadline of a transfer (2008/909 Art 12 and 15), as the events set, moved and met it. */
export interface DeadlineView {
  deadline: DeadlineKind;
  transferId: string;
  dueAt: string;
  /** Due dates before extensions, oldest first. */
  previousDueAts: string[];
  status: 'open' | 'met' | 'met-late' | 'overdue' | 'missed';
  metAt?: string;
  /** The events that set, extended, met or missed it. */
  evidenceEventIds: string[];
}

/** An event of the person as the page lists it (findings' evidence is resolved against these). */
export interface EventLine {
  id: string;
  type: string;
  position: number;
  occurredAt: string;
  recordedAt: string;
  label: string;
  /** False when the window leaves it out (happened after asOf, or recorded after knownAt). */
  shown: boolean;
}

export interface InmateView {
  inmateId: string;
  window: Window;
  timeline: Timeline;
  marks: Mark[];
  deadlines: DeadlineView[];
  events: EventLine[];
  /** Distinct record times of the person's events, oldest first: the steps of "as known at". */
  recordTimes: string[];
  /** Facilities the person was placed in (links to their pages). */
  facilityIds: string[];
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const party = (value: unknown): string => {
  const a = (value ?? {}) as Record<string, unknown>;
  return [text(a.state), text(a.organisation), a.officer ? `(${text(a.officer)})` : ''].filter(Boolean).join(' ');
};
const words = (type: string) => type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

const HANDOVERS = new Set(['CustodyDispatched', 'CustodyReceived']);
const DECISIONS = new Set([
  'EligibilityEvaluated', 'ConsentRecorded', 'ReceivingStateDecisionRecorded', 'PlacementDecided', 'ReturnRequested', 'ExpulsionOrderRecorded', 'TransferWithdrawn', 'TransferCancelled',
  'ConditionalReleaseGranted', 'PardonOrAmnestyGranted', 'EnforcementSuspended', 'EnforcementResumed', 'EnforcementEnded', 'DeadlineExtended', 'DeadlineMissed',
]);
const ENDS = new Set(['InmateReleased', 'DomesticReleaseRecorded', 'InmateDiedInCustody']);

/** One line about an event, for people. */
export function describeEvent(event: Pick<TimelineEvent, 'type' | 'data'>): string {
  const d = event.data;
  switch (event.type) {
    case 'InmateRegistered':
      return `Registered by ${text(d.sendingState)}, held at ${text((d.holdingFacility as Record<string, unknown> | undefined)?.name)}`;
    case 'TransferRequested':
      return `Transfer ${text(d.sendingState)} → ${text(d.receivingState)} requested (${text(d.legalBasis)})`;
    case 'ConsentRecorded':
      return `Consent: ${text(d.outcome)}${d.notRequiredGround ? ` (${text(d.notRequiredGround)})` : ''}`;
    case 'ReceivingStateDecisionRecorded':
      return `Decision of ${party(d.decidedBy)}: ${text(d.decision)}${d.procedure ? `, ${text(d.procedure)}` : ''}`;
    case 'PlacementDecided':
      // Rule 18: under a lease, the lessee's own decision; nothing recognised.
      return `Placement decided by ${party(d.decidedBy)} under ${text(d.legalGround)} (${text(d.legalBasis)})`;
    case 'ReturnRequested':
      // Rule 19: a return to the state that sentenced the person, a case of its own.
      return `Return ${text(d.sendingState)} → ${text(d.receivingState)} decided by ${party(d.decidedBy)} (${text(d.ground)}, ${text(d.legalBasis)})`;
    case 'CustodyDispatched':
      return `Handed by ${party(d.dispatchedBy)} to escort ${party({ ...(d.escort as object), officer: (d.escort as Record<string, unknown> | undefined)?.leadOfficer })}`;
    case 'CustodyReceived':
      return `Received by ${party(d.receivedBy)}`;
    case 'InmateAdmitted':
      return `Admitted; ${text(d.governingState)} law applies`;
    case 'AbsenceStarted':
      return `${text(d.kind)} absence to ${text(d.destination)} under ${party(d.authority)}`;
    case 'AbsenceEnded':
      return 'Back from absence';
    case 'DeadlineMissed':
      return `Deadline missed: ${text(d.deadline)} due ${text(d.dueAt)}`;
    case 'DeadlineExtended':
      return `Deadline ${text(d.deadline)} extended to ${text(d.newDueAt)}: ${text(d.reason)}`;
    case 'InmateReleased':
      return `Released: ${text(d.disposition)}`;
    default:
      return words(event.type).replace(/^./, (c) => c.toUpperCase());
  }
}

function markKind(type: string): Mark['kind'] | undefined {
  if (HANDOVERS.has(type)) return 'handover';
  if (DECISIONS.has(type)) return 'decision';
  if (ENDS.has(type)) return 'end';
  return undefined;
}

const ms = (instant: string) => Date.parse(instant);

/** The transfers' deadlines as the placed events set and met them; `reference` decides what is overdue. */
export function deadlinesOf(placed: TimelineEvent[], reference: string): DeadlineView[] {
  const deadlines = new Map<string, DeadlineView>();
  const key = (transferId: string, deadline: string) => `${transferId}/${deadline}`;
  const set = (event: TimelineEvent, deadline: DeadlineKind, dueAt: unknown) => {
    if (typeof dueAt !== 'string') return;
    const transferId = text(event.data.transferId);
    const existing = deadlines.get(key(transferId, deadline));
    if (existing && existing.status !== 'open') return;
    const previousDueAts = existing ? [...existing.previousDueAts, existing.dueAt] : [];
    deadlines.set(key(transferId, deadline), {
      deadline, transferId, dueAt, previousDueAts, status: 'open', evidenceEventIds: [...(existing?.evidenceEventIds ?? []), event.id],
    });
  };
  const meet = (event: TimelineEvent, deadline: DeadlineKind) => {
    const d = deadlines.get(key(text(event.data.transferId), deadline));
    if (!d || d.status !== 'open') return;
    d.status = ms(event.occurredAt) <= ms(d.dueAt) ? 'met' : 'met-late';
    d.metAt = event.occurredAt;
    d.evidenceEventIds.push(event.id);
  };
  for (const event of placed) {
    const data = event.data;
    switch (event.type) {
      case 'CertificateReceived':
        set(event, 'receiving-state-decision', data.decisionDueAt);
        break;
      case 'ReceivingStateDecisionRecorded':
        meet(event, 'receiving-state-decision');
        set(event, 'physical-transfer', data.transferDueAt);
        break;
      case 'TransferObstacleEnded':
        set(event, 'physical-transfer', data.transferDueAt);
        break;
      case 'DeadlineExtended': {
        set(event, data.deadline as DeadlineKind, data.newDueAt);
        break;
      }
      case 'DeadlineMissed': {
        const d = deadlines.get(key(text(data.transferId), text(data.deadline)));
        if (d && d.status === 'open') {
          d.status = 'missed';
          d.evidenceEventIds.push(event.id);
        } else if (!d) {
          deadlines.set(key(text(data.transferId), text(data.deadline)), {
            deadline: data.deadline as DeadlineKind, transferId: text(data.transferId), dueAt: text(data.dueAt), previousDueAts: [], status: 'missed', evidenceEventIds: [event.id],
          });
        }
        break;
      }
      case 'CustodyReceived':
        meet(event, 'physical-transfer');
        break;
      default:
        break;
    }
  }
  for (const d of deadlines.values()) if (d.status === 'open' && ms(d.dueAt) < ms(reference)) d.status = 'overdue';
  return [...deadlines.values()].sort((a, b) => ms(a.dueAt) - ms(b.dueAt));
}

/** The person's page: the timeline fold, its marks and deadlines, and every event with whether the window shows it. */
export function inmateView(inmateId: string, events: TimelineEvent[], window: Window, now: string): InmateView {
  const timeline = foldTimeline(inmateId, events, window);
  const placed = placeInTime(events, window);
  const shown = new Set(placed.map((e) => e.id));
  const marks: Mark[] = [];
  for (const event of placed) {
    const kind = markKind(event.type);
    if (kind) marks.push({ at: event.occurredAt, kind, type: event.type, eventId: event.id, recordedAt: event.recordedAt, label: describeEvent(event) });
  }
  const facilityIds = new Set<string>();
  for (const event of placed) if (typeof event.data.facilityId === 'string' && event.data.facilityId) facilityIds.add(event.data.facilityId);
  const all = placeInTime(events);
  return {
    inmateId,
    window,
    timeline,
    marks,
    deadlines: deadlinesOf(placed, window.asOf ?? now),
    events: all.map((e) => ({ id: e.id, type: e.type, position: e.position, occurredAt: e.occurredAt, recordedAt: e.recordedAt, label: describeEvent(e), shown: shown.has(e.id) })),
    recordTimes: [...new Set(events.map((e) => e.recordedAt))].sort((a, b) => ms(a) - ms(b)),
    facilityIds: [...facilityIds],
  };
}

/** One step of a facility's occupancy: from this instant on, until the next step. */
export interface OccupancyStep {
  at: string;
  occupied: number;
  reserved: number;
  capacity: number;
  eventId: string;
  type: string;
}

export interface Reservation {
  reservationId: string;
  transferId: string;
  inmateId: string;
  reservedAt: string;
  expiresAt: string;
  /** The window's reference instant is past `expiresAt` though no expiry was recorded. */
  isPastExpiry: boolean;
}

export interface FacilityView {
  facilityId: string;
  window: Window;
  name?: string;
  country?: string;
  operatingState?: string;
  jurisdiction?: string;
  lease?: Record<string, unknown>;
  capacity: number;
  occupied: number;
  /** Occupancy, reservations and capacity after each event that changed one of them, in time order. */
  steps: OccupancyStep[];
  reservations: Reservation[];
  /** People holding a place now. */
  occupants: string[];
  /** Times occupied plus reserved places went over capacity. */
  overCapacity: Array<{ at: string; eventId: string }>;
}

/** Occupancy against capacity from the facility's ledger events (the custody service's own count is not read). */
export function facilityView(facilityId: string, events: TimelineEvent[], window: Window, now: string): FacilityView {
  const placed = placeInTime(events, window);
  const reference = ms(window.asOf ?? now);
  const reservations = new Map<string, Omit<Reservation, 'isPastExpiry'>>();
  const occupants = new Set<string>();
  const steps: OccupancyStep[] = [];
  const overCapacity: FacilityView['overCapacity'] = [];
  const view: FacilityView = { facilityId, window, capacity: 0, occupied: 0, steps, reservations: [], occupants: [], overCapacity };
  for (const event of placed) {
    const d = event.data;
    const before = `${view.capacity}/${occupants.size}/${reservations.size}`;
    switch (event.type) {
      case 'FacilityRegistered':
        view.name = text(d.name);
        view.country = text(d.country);
        view.operatingState = text(d.operatingState);
        view.jurisdiction = text(d.jurisdiction);
        if (d.lease && typeof d.lease === 'object') view.lease = d.lease as Record<string, unknown>;
        view.capacity = typeof d.capacity === 'number' ? d.capacity : 0;
        break;
      case 'FacilityCapacityChanged':
        view.capacity = typeof d.capacity === 'number' ? d.capacity : view.capacity;
        break;
      case 'PlaceReserved':
        reservations.set(text(d.reservationId), { reservationId: text(d.reservationId), transferId: text(d.transferId), inmateId: text(d.inmateId), reservedAt: event.occurredAt, expiresAt: text(d.expiresAt) });
        break;
      case 'ReservationReleased':
      case 'ReservationExpired':
        reservations.delete(text(d.reservationId));
        break;
      case 'PlaceOccupied':
        if (d.reservationId) reservations.delete(text(d.reservationId));
        occupants.add(text(d.inmateId));
        break;
      case 'PlaceVacated':
        occupants.delete(text(d.inmateId));
        break;
      default:
        continue;
    }
    if (`${view.capacity}/${occupants.size}/${reservations.size}` === before) continue;
    const step = { at: event.occurredAt, occupied: occupants.size, reserved: reservations.size, capacity: view.capacity, eventId: event.id, type: event.type };
    // Events of the same instant make one step: the last state of that instant.
    if (steps.length && steps[steps.length - 1].at === step.at) steps[steps.length - 1] = step;
    else steps.push(step);
    if (step.occupied + step.reserved > step.capacity) overCapacity.push({ at: step.at, eventId: step.eventId });
  }
  view.occupied = occupants.size;
  view.occupants = [...occupants];
  view.reservations = [...reservations.values()].map((r) => ({ ...r, isPastExpiry: ms(r.expiresAt) < reference }));
  return view;
}

import type { TransferEvent } from '@custody/contracts';
import { upcast } from '@custody/event-sourcing';
import { evolve, initialState, openDeadlines, type TransferState } from './transfer.state';

/** One step of the case as it happened (`occurredAt`) and as it was recorded (`recordedAt`, Rule 15). */
export interface TimelineEntry {
  step: string;
  eventId: string;
  occurredAt: string;
  recordedAt: string;
}

/** The case as the reads show it: its state, the timeline of its steps, its revision. */
export interface TransferView {
  transferId: string;
  revision: number;
  state: TransferState;
  timeline: TimelineEntry[];
}

/** What the view needs of a stored event. */
export interface StoredTransferEvent {
  id: string;
  type: string;
  data: unknown;
  schemaVersion: number;
  revision: number;
  metadata: { occurredAt: string };
  recordedAt: string;
}

/** Folds one stored event of the case into its view; an event already folded (by revision) changes nothing. */
export function applyToView(view: TransferView | undefined, event: StoredTransferEvent, transferId: string): TransferView {
  const current = view ?? { transferId, revision: -1, state: initialState(), timeline: [] };
  if (event.revision <= current.revision) return current;
  return {
    transferId,
    revision: event.revision,
    // Lifted to the current version first: the state folds only current versions.
    state: evolve(current.state, upcast({ type: event.type, data: event.data, schemaVersion: event.schemaVersion }) as TransferEvent),
    timeline: [...current.timeline, { step: event.type, eventId: event.id, occurredAt: event.metadata.occurredAt, recordedAt: event.recordedAt }],
  };
}

/** A deadline still owed is overdue once the clock has passed it (a suspended one is not running). */
export const isOverdue = (deadline: { status: string; dueAt: string }, now: Date): boolean =>
  (deadline.status === 'open' || deadline.status === 'missed') && Date.parse(deadline.dueAt) < now.getTime();

/** The answer of GET /transfers/:id. */
export function presentTransfer(view: TransferView, now: Date) {
  const { state } = view;
  const deadlines = openDeadlines(state).map((d) => ({ ...d, isOverdue: isOverdue(d, now) }));
  return {
    transferId: view.transferId,
    inmateId: state.inmateId,
    stage: state.stage,
    sendingState: state.sendingState,
    receivingState: state.receivingState,
    legalBasis: state.legalBasis,
    facilityId: state.facilityId,
    eligibility: state.eligibility,
    consent: state.consent,
    isOpinionRecorded: state.opinion !== undefined,
    notifications: state.notifications,
    certificate: state.certificate,
    decision: state.decision,
    // Rule 18: under a lease, the lessee's placement decision (no certificate, no decision).
    placement: state.placement,
    // Rule 19: a return names the case it undoes, its ground and the facility the person leaves.
    ...(state.returnOf ? { returnOf: state.returnOf } : {}),
    reservation: state.reservation,
    schedule: state.schedule,
    obstacle: state.obstacle,
    handOver: state.handOver,
    ending: state.ending,
    openDeadlines: deadlines,
    isOverdue: deadlines.some((d) => d.isOverdue),
    revision: view.revision,
    timeline: view.timeline,
  };
}

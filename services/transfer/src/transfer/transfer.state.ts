import { findLegalBasis, withStepDate, type Step, type StepDates } from '@custody/legal';
import type {
  AdaptedSentence, AgreementAnswer, AgreementClause, CancellingParty, CaseSide, ConsentNotRequiredGround, ConsentOutcome, CustodyDispatchedPayload, CustodyReceivedPayload,
  DeadlineKind, EnforcementProcedure, Escort, LegalBasis, ReceivingStateDecision, RefusalGround, ReturnGround, RuleVerdict, StateCode,
  TransferEvent,
} from '@custody/contracts';

/**
 * Where a transfer case stands. The first ten are the way forward: a transfer of enforcement is
 * `recognised` by the receiving state after its certificate; a facility lease has no certificate
 * and no recognition, the lessee decides the placement itself (`placement-decided`, Rule 18). The
 * last four end a case early (withdrawn or cancelled by a state, refused by the receiving state,
 * or no place the person may take at the facility the case must use: a refusal of a place that
 * ends the case, Rule 9). A refusal that does not end the case returns it to `recognised` (or
 * `placement-decided`), to ask again. A return (Rule 19) is a case of its own that starts
 * `return-requested` and goes straight to its hand-over: no place is reserved in the state the person
 * goes back to.
 */
export const STAGES = [
  'requested', 'certificate-issued', 'recognised', 'placement-decided', 'return-requested', 'reservation-requested', 'place-reserved', 'scheduled', 'dispatched',
  'received', 'completed', 'withdrawn', 'cancelled', 'refused', 'no-capacity',
] as const;
export type Stage = (typeof STAGES)[number];

const ENDED: ReadonlySet<string> = new Set<Stage>(['completed', 'withdrawn', 'cancelled', 'refused', 'no-capacity']);

/** A deadline of 2008/909 (Rule 7) as the case knows it now. */
export interface CaseDeadline {
  kind: DeadlineKind;
  dueAt: string;
  /** open: running; missed: passed without the act (still owed); suspended: stopped by an obstacle; met; closed: the case ended. */
  status: 'open' | 'missed' | 'suspended' | 'met' | 'closed';
}

export type ReservationStatus = 'requested' | 'confirmed' | 'declined' | 'release-requested' | 'used';

export interface TransferState {
  stage: Stage | 'none';
  transferId?: string;
  inmateId?: string;
  sendingState?: StateCode;
  receivingState?: StateCode;
  legalBasis?: LegalBasis;
  /** The receiving facility: named at the request (a lease) or by the receiving state's decision. */
  facilityId?: string;
  eligibility?: { isEligible: boolean; verdicts: RuleVerdict[] };
  opinion?: { language: string };
  consent?: { outcome: ConsentOutcome; notRequiredGround?: ConsentNotRequiredGround; cites?: string };
  notifications: { language: string; subject: string }[];
  certificate?: { reference: string; isReceived: boolean };
  decision?: {
    decision: ReceivingStateDecision;
    reference: string;
    procedure?: EnforcementProcedure;
    adaptedSentence?: AdaptedSentence;
    refusalGround?: RefusalGround;
  };
  /**
   * Rule 19: set on a return, the case it undoes, its ground and the facility the person leaves;
   * `sendingState` is then the state responsible for the person and `receivingState` the state they
   * go back to, `facilityId` the destination there.
   */
  returnOf?: { transferId: string; ground: ReturnGround; fromFacilityId: string };
  /** Rule 18: the lessee's placement decision, under a facility lease. */
  placement?: { reference: string; decidedBy: { state: StateCode; organisation: string }; facilityId: string };
  /** The last place asked for, and how the facility answered (`code`: its refusal's). */
  reservation?: { facilityId: string; reservationId: string; status: ReservationStatus; expiresAt?: string; code?: string };
  /** Reservation ids the facility refused: never asked for again. */
  declinedReservationIds?: string[];
  schedule?: { plannedDeparture: string; destinationFacilityId: string; escort: Escort };
  obstacle?: { description: string };
  handOver: { dispatch?: CustodyDispatchedPayload; receipt?: CustodyReceivedPayload };
  deadlines: Partial<Record<DeadlineKind, CaseDeadline>>;
  ending?: { reason: string; cancelledBy?: CancellingParty; admissionEventId?: string };
  /** Each state's latest answer on a clause both must agree on (Rule 3: ETS 112 Art 3(2)). */
  agreements: Partial<Record<AgreementClause, Partial<Record<CaseSide, AgreementAnswer>>>>;
  /** When each step happened (the latest, for a step taken more than once): Rule 17 compares them. */
  dates: StepDates;
}

export const initialState = (): TransferState => ({ stage: 'none', notifications: [], handOver: {}, deadlines: {}, agreements: {}, dates: {} });

/** The step of the case each event records (Rule 17): its date is the event's `occurredAt`. */
export const STEP_OF_EVENT: Partial<Record<TransferEvent['type'], Step>> = {
  TransferRequested: 'request',
  ReturnRequested: 'request',
  EligibilityEvaluated: 'eligibility-evaluation',
  InmateOpinionRecorded: 'opinion',
  ConsentRecorded: 'consent',
  InmateNotified: 'notification',
  StateAgreementRecorded: 'states-agreement',
  CertificateIssued: 'certificate-issue',
  CertificateReceived: 'certificate-receipt',
  ReceivingStateDecisionRecorded: 'decision',
  PlacementDecided: 'placement-decision',
  DeadlineExtended: 'deadline-extension',
  TransferObstacleReported: 'obstacle-report',
  TransferObstacleEnded: 'obstacle-end',
  PlaceReservationRequested: 'reservation-request',
  TransferScheduled: 'schedule',
  CustodyDispatched: 'dispatch',
  CustodyReceived: 'receipt',
  TransferWithdrawn: 'withdrawal',
  TransferCancelled: 'cancellation',
  TransferCompleted: 'completion',
};

/** An event of the case as read back from its stream: with when it happened. */
export type DatedTransferEvent = TransferEvent & { occurredAt?: string };

/** Folds one event of the case into its state, with the date of the step it records. */
export function evolve(state: TransferState, event: DatedTransferEvent): TransferState {
  const next = evolveFacts(state, event);
  const step = STEP_OF_EVENT[event.type];
  return step && event.occurredAt ? { ...next, dates: withStepDate(next.dates ?? {}, step, event.occurredAt) } : next;
}

/**
 * The stage from which a case asks for a place: `recognised` by the receiving state, or, under a
 * lease, `placement-decided` by the lessee (Rule 18). An old lease case recorded with a recognition
 * before Rule 18 replays as it was: recognised.
 */
export const readyForPlace = (state: TransferState): Stage =>
  !state.decision && (state.placement || findLegalBasis(state.legalBasis ?? '')?.kind === 'facility-lease') ? 'placement-decided' : 'recognised';

/**
 * The state whose person the case is about (Rule 6): the sending state of a case, or, for a return
 * (Rule 19), the state the person goes back to, which sentenced them.
 */
export const homeStateOf = (state: TransferState): StateCode | undefined => (state.returnOf ? state.receivingState : state.sendingState);

/** True once the case has ended, whichever way. */
export const isEnded = (state: TransferState): boolean => ENDED.has(state.stage);

/** True while a place is held (or being held) at a facility for this case. */
export const isReservationHeld = (state: TransferState): boolean =>
  state.reservation?.status === 'requested' || state.reservation?.status === 'confirmed';

/** The deadlines still owed: running, passed without the act, or stopped by an obstacle. */
export const openDeadlines = (state: TransferState): CaseDeadline[] =>
  Object.values(state.deadlines).filter((d): d is CaseDeadline => d !== undefined && ['open', 'missed', 'suspended'].includes(d.status));

function setDeadline(state: TransferState, kind: DeadlineKind, change: Partial<CaseDeadline> & Pick<CaseDeadline, 'status'>): TransferState {
  const current = state.deadlines[kind];
  if (!current && change.dueAt === undefined) return state;
  return { ...state, deadlines: { ...state.deadlines, [kind]: { kind, dueAt: current?.dueAt ?? '', ...change } } };
}

function closeDeadlines(state: TransferState): TransferState {
  const deadlines = { ...state.deadlines };
  for (const deadline of openDeadlines(state)) deadlines[deadline.kind] = { ...deadline, status: 'closed' };
  return { ...state, deadlines };
}

function end(state: TransferState, stage: Stage, ending: TransferState['ending']): TransferState {
  return closeDeadlines({ ...state, stage, ending });
}

function evolveFacts(state: TransferState, event: TransferEvent): TransferState {
  switch (event.type) {
    case 'TransferRequested': {
      const { transferId, inmateId, sendingState, receivingState, legalBasis, facilityId } = event.data;
      return { ...state, stage: 'requested', transferId, inmateId, sendingState, receivingState, legalBasis, facilityId };
    }
    case 'ReturnRequested': {
      // Rule 19: a case of its own, from the state responsible for the person to the state they go back to.
      const { transferId, inmateId, sendingState, receivingState, legalBasis, destinationFacilityId, returnOf, ground, fromFacilityId } = event.data;
      return {
        ...state, stage: 'return-requested', transferId, inmateId, sendingState, receivingState, legalBasis, facilityId: destinationFacilityId,
        returnOf: { transferId: returnOf, ground, fromFacilityId },
      };
    }
    case 'EligibilityEvaluated':
      return { ...state, eligibility: { isEligible: event.data.isEligible, verdicts: event.data.verdicts } };
    case 'InmateOpinionRecorded':
      return { ...state, opinion: { language: event.data.language } };
    case 'ConsentRecorded': {
      const { outcome, notRequiredGround, cites } = event.data;
      return { ...state, consent: { outcome, notRequiredGround, cites } };
    }
    case 'InmateNotified':
      return { ...state, notifications: [...state.notifications, { language: event.data.language, subject: event.data.subject }] };
    case 'StateAgreementRecorded': {
      const { clause, side, answer } = event.data;
      return { ...state, agreements: { ...state.agreements, [clause]: { ...state.agreements?.[clause], [side]: answer } } };
    }
    case 'CertificateIssued':
      return { ...state, stage: 'certificate-issued', certificate: { reference: event.data.certificateReference, isReceived: false } };
    case 'CertificateReceived': {
      const received = { ...state, certificate: { reference: state.certificate?.reference ?? '', isReceived: true } };
      const dueAt = event.data.decisionDueAt;
      return dueAt ? setDeadline(received, 'receiving-state-decision', { dueAt, status: 'open' }) : received;
    }
    case 'ReceivingStateDecisionRecorded': {
      const { decision, decisionReference, procedure, adaptedSentence, refusalGround, facilityId, transferDueAt, explanation } = event.data;
      let next: TransferState = {
        ...state,
        decision: { decision, reference: decisionReference, procedure, adaptedSentence, refusalGround },
      };
      if (next.deadlines['receiving-state-decision']) next = setDeadline(next, 'receiving-state-decision', { status: 'met' });
      if (decision === 'refused') return end(next, 'refused', { reason: explanation ?? `refused: ${refusalGround}` });
      next = { ...next, stage: 'recognised', facilityId: facilityId ?? state.facilityId };
      return transferDueAt ? setDeadline(next, 'physical-transfer', { dueAt: transferDueAt, status: 'open' }) : next;
    }
    case 'PlacementDecided': {
      // Rule 18: the lessee placed the person; no recognition, no adaptation, no deadline.
      const { decisionReference, decidedBy, facilityId } = event.data;
      return { ...state, stage: 'placement-decided', placement: { reference: decisionReference, decidedBy, facilityId }, facilityId };
    }
    case 'DeadlineExtended':
      return setDeadline(state, event.data.deadline, { dueAt: event.data.newDueAt, status: 'open' });
    case 'DeadlineMissed': {
      const deadline = state.deadlines[event.data.deadline];
      return deadline?.dueAt === event.data.dueAt ? setDeadline(state, event.data.deadline, { status: 'missed' }) : state;
    }
    case 'TransferObstacleReported': {
      const next = { ...state, obstacle: { description: event.data.description } };
      return next.deadlines['physical-transfer'] ? setDeadline(next, 'physical-transfer', { status: 'suspended' }) : next;
    }
    case 'TransferObstacleEnded': {
      // 2008/909 Art 15(2): 10 days from the end of the obstacle, where a deadline runs (none under ETS 112 or a lease).
      const ended = { ...state, obstacle: undefined };
      return event.data.transferDueAt ? setDeadline(ended, 'physical-transfer', { dueAt: event.data.transferDueAt, status: 'open' }) : ended;
    }
    case 'PlaceReservationRequested': {
      const { facilityId, reservationId } = event.data;
      return { ...state, stage: 'reservation-requested', reservation: { facilityId, reservationId, status: 'requested' } };
    }
    case 'PlaceReservationConfirmed': {
      if (!state.reservation || isEnded(state)) return state;
      return { ...state, stage: 'place-reserved', reservation: { ...state.reservation, status: 'confirmed', expiresAt: event.data.expiresAt } };
    }
    case 'PlaceReservationDeclined': {
      if (!state.reservation) return state;
      const { code, reason, isCaseEnded } = event.data;
      const declined: TransferState = {
        ...state,
        reservation: { ...state.reservation, status: 'declined', code },
        declinedReservationIds: [...(state.declinedReservationIds ?? []), state.reservation.reservationId],
      };
      if (isEnded(state)) return declined;
      // Rule 9: the case asks again for a place, unless the refusal ended it.
      return isCaseEnded ? end(declined, 'no-capacity', { reason: `${code}: ${reason}` }) : { ...declined, stage: readyForPlace(state) };
    }
    case 'PlaceReleaseRequested':
      return state.reservation ? { ...state, reservation: { ...state.reservation, status: 'release-requested' } } : state;
    case 'TransferScheduled': {
      const { plannedDeparture, destinationFacilityId, escort } = event.data;
      return { ...state, stage: 'scheduled', schedule: { plannedDeparture, destinationFacilityId, escort } };
    }
    case 'CustodyDispatched':
      return { ...state, stage: 'dispatched', handOver: { ...state.handOver, dispatch: event.data } };
    case 'CustodyReceived': {
      const next: TransferState = { ...state, stage: 'received', handOver: { ...state.handOver, receipt: event.data } };
      return next.deadlines['physical-transfer'] ? setDeadline(next, 'physical-transfer', { status: 'met' }) : next;
    }
    case 'TransferWithdrawn':
      return end(state, 'withdrawn', { reason: event.data.reason });
    case 'TransferCancelled':
      return end(state, 'cancelled', { reason: event.data.reason, cancelledBy: event.data.cancelledBy });
    case 'TransferCompleted': {
      const reservation = state.reservation ? { ...state.reservation, status: 'used' as const } : undefined;
      return end({ ...state, reservation }, 'completed', { reason: 'admitted', admissionEventId: event.data.admissionEventId });
    }
  }
}

/** True for an event that ends an open case. */
export function isEndingEvent(event: TransferEvent): boolean {
  switch (event.type) {
    case 'TransferWithdrawn':
    case 'TransferCancelled':
    case 'TransferCompleted':
      return true;
    case 'PlaceReservationDeclined':
      return event.data.isCaseEnded;
    case 'ReceivingStateDecisionRecorded':
      return event.data.decision === 'refused';
    default:
      return false;
  }
}

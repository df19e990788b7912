import {
  CommandRejection, currentVersion, type AdaptedSentence, type ConsentNotRequiredGround, type RejectionCode, type TransferCommand,
  type TransferEvent, type TransferEventType, type EventPayload, notYetKnownHere, reject, rejectionOf,
} from '@custody/contracts';
import {
  agreementClauses, checkAdaptation, checkLeaseTerm, checkLegalBasis, checkPlacementDecision, checkReturn, returnGround, checkRecognitionApplies, checkRecording, checkStepDate, checkTimeLeft, consentRequirement,
  daysServed, decisionDeadline, DOMAIN_RULE, leasePlacementTerms,
  evaluateCase, findLegalBasis, transferDeadline, transferDeadlineAfterObstacle, type CaseFacts, type ProposedSentence, type RecordingClock,
  type Catalogue, type RuleCode, type Step, type TimeProblem, type Verdict,
} from '@custody/legal';
import { inmateFacts, lengthInDays, sentenceFacts, type InmateRecord } from '../inmates/inmate-record';
import { evolve, homeStateOf, initialState, isEnded, isReservationHeld, readyForPlace, type Stage, type TransferState } from './transfer.state';

export { evolve, initialState };
export type { TransferState };

/**
 * What the command handler looks up for the decider (it reads no database itself): the
 * inmate's facts as kept from intake events, and the inmate's open case, if any.
 */
export interface DecisionContext {
  inmate?: InmateRecord;
  activeTransferId?: string;
  /**
   * Set when the person's partition on intake's events topic still holds messages this service
   * has not consumed (docs/adr/0012-not-yet-known-here.md): a registration or a sentence missing
   * here may be among them, so their absence is answered NOT_YET_KNOWN_HERE, not as unknown.
   */
  intakeInFlight?: { retryAfterSeconds: number; unconsumed: number };
  /**
   * The service's clock when a ministry's command is recorded (Rule 17: not dated in the future,
   * not late without a reason). Absent for the facts the service records itself (custody's answers,
   * the deadline scheduler), which carry the date of the fact that settles them.
   */
  clock?: RecordingClock;
  /**
   * The version of the legal catalogue the rules read: `LEGAL_BASES` of @custody/legal unless one
   * is given (a test that amends a date). Each case reads it as in force on the day of its request
   * (docs/domain.md, "Law in force by date").
   */
  catalogue?: Catalogue;
  /** For a return (Rule 19): the case named in `returnOf`, as its stream folds (looked up by the handler). */
  returnOf?: TransferState;
}

/** The calendar day of an instant (UTC): the law counts days. */
export const dayOf = (instant: string): string => new Date(instant).toISOString().slice(0, 10);

/** A deadline's last day as an instant: it passes when that day is over. */
export const endOfDay = (day: string): string => `${day}T23:59:59Z`;

const isLater = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);

/** An event at the version the catalogue publishes for its type. */
function event<T extends TransferEventType>(type: T, data: EventPayload<T>): TransferEvent {
  return { type, schemaVersion: currentVersion(type), data } as TransferEvent;
}

/** Legal verdict codes that block a step, as rejection codes of the contract. */
const REJECTION_OF: Partial<Record<RuleCode, RejectionCode>> = {
  LEGAL_BASIS_UNKNOWN: 'LEGAL_BASIS_UNKNOWN',
  LEGAL_BASIS_NOT_APPLICABLE: 'LEGAL_BASIS_NOT_APPLICABLE',
  LEGAL_BASIS_REPLACED: 'LEGAL_BASIS_NOT_APPLICABLE',
  LEGAL_BASIS_NOT_IN_FORCE: 'LEGAL_BASIS_NOT_APPLICABLE',
  FINAL_JUDGMENT_REQUIRED: 'FINAL_JUDGMENT_REQUIRED',
  INSUFFICIENT_TIME_LEFT: 'INSUFFICIENT_TIME_LEFT',
  NATIONALITY_REQUIREMENT_NOT_MET: 'NATIONALITY_REQUIREMENT_NOT_MET',
  CONSENT_REQUIRED: 'CONSENT_REQUIRED',
  CONSENT_REFUSED: 'CONSENT_REFUSED',
  OPINION_NOT_RECORDED: 'OPINION_NOT_RECORDED',
  LEASE_NOT_ELIGIBLE: 'LEASE_ELIGIBILITY_NOT_MET',
  PLACEMENT_NOT_UNDER_LEASE: 'PLACEMENT_NOT_UNDER_LEASE',
  PLACEMENT_NOT_BY_LESSEE: 'PLACEMENT_NOT_BY_LESSEE',
  RECOGNITION_NOT_UNDER_LEASE: 'RECOGNITION_NOT_UNDER_LEASE',
  RETURN_GROUND_NOT_APPLICABLE: 'RETURN_GROUND_NOT_APPLICABLE',
  RETURN_NOT_BY_RESPONSIBLE_STATE: 'RETURN_NOT_BY_RESPONSIBLE_STATE',
  ADAPTATION_HARSHER: 'ADAPTED_SENTENCE_HARSHER',
  ADAPTATION_CONVERTED_TO_FINE: 'ADAPTED_SENTENCE_IS_FINE',
  TIME_SERVED_NOT_DEDUCTED: 'TIME_SERVED_NOT_DEDUCTED',
};

/** A verdict as a rejection: the contract's code, and the rule's own sentence citing the law. */
function rejectVerdict(verdict: Verdict, details: Record<string, unknown> = {}): CommandRejection {
  const code = (verdict.code && REJECTION_OF[verdict.code]) ?? 'STEP_OUT_OF_ORDER';
  return reject(code, { rule: verdict.rule, ...details }, verdict.reason);
}

/**
 * Verdicts that stop the certificate: every `not-met`, and the `needs-decision` ones that the
 * law makes a precondition (consent, the opinion, ETS 112's minimum time left without both
 * states' agreement). Optional refusal grounds and the receiving state's own agreement are
 * left to the receiving state's decision (Rule 3, Rule 4).
 */
const BLOCKING_WHEN_UNDECIDED: ReadonlySet<RuleCode> = new Set<RuleCode>(['CONSENT_REQUIRED', 'OPINION_NOT_RECORDED', 'INSUFFICIENT_TIME_LEFT']);

/**
 * Rule 18: the certificate, its receipt and the receiving state's decision (with any adaptation)
 * belong to a transfer of enforcement. Under a facility lease the host state has nothing to
 * recognise or adapt: they are refused RECOGNITION_NOT_UNDER_LEASE, and the lessee records its
 * placement decision (DecidePlacement) instead.
 */
function requireRecognitionProcedure(state: TransferState): void {
  const verdict = checkRecognitionApplies(state.legalBasis!);
  if (verdict.outcome === 'not-met') throw rejectVerdict(verdict, { legalBasis: state.legalBasis! });
}

/**
 * The rules once more, on the facts as they are on the day of the act: the certificate (and, under
 * a lease, the placement decision) is the point of no return for the sending state.
 */
function requireStillEligible(state: TransferState, context: DecisionContext, occurredAt: string): void {
  const screening = evaluateCase(caseFacts(state, requireInmate(context), dayOf(occurredAt)), context.catalogue);
  const blocking = screening.verdicts.find(
    (v) => v.outcome === 'not-met' || (v.outcome === 'needs-decision' && v.code !== undefined && BLOCKING_WHEN_UNDECIDED.has(v.code)),
  );
  if (blocking) throw rejectVerdict(blocking);
}

function stepOutOfOrder(state: TransferState, expected: string): CommandRejection {
  return reject('STEP_OUT_OF_ORDER', { stage: state.stage }, `This step needs the case to be ${expected}; it is ${state.stage}.`);
}

function requireStage(state: TransferState, stages: Stage[], expected = stages.join(' or ')): void {
  if (!stages.includes(state.stage as Stage)) throw stepOutOfOrder(state, expected);
}

function requireOpen(state: TransferState): void {
  if (isEnded(state)) throw reject('TRANSFER_CLOSED', { stage: state.stage });
}

function requireReceivingState(state: TransferState, actingState: string, field: string): void {
  if (actingState !== state.receivingState) {
    throw reject('RECEIVING_STATE_MISMATCH', { receivingState: state.receivingState!, namedState: actingState, field });
  }
}

/**
 * NOT_YET_KNOWN_HERE when intake's events about the person are still being read: what is missing
 * here (`awaited`) may be among them (docs/adr/0012-not-yet-known-here.md); undefined otherwise.
 */
function inFlightFromIntake(context: DecisionContext, inmateId: string | undefined, awaited: string, awaitedEvent: string): CommandRejection | undefined {
  const inFlight = context.intakeInFlight;
  if (!inFlight) return undefined;
  return notYetKnownHere(awaited, inFlight.retryAfterSeconds, { ...(inmateId ? { inmateId } : {}), awaitedService: 'intake', awaitedEvent, unconsumedMessages: inFlight.unconsumed });
}

function requireInmate(context: DecisionContext, inmateId?: string): InmateRecord & { sentence: NonNullable<InmateRecord['sentence']> } {
  if (!context.inmate) {
    throw inFlightFromIntake(context, inmateId, 'intake\'s registration of this person has not reached the transfer service yet', 'InmateRegistered')
      ?? reject('INMATE_NOT_FOUND', inmateId ? { inmateId } : {});
  }
  if (!context.inmate.sentence) {
    throw inFlightFromIntake(context, context.inmate.inmateId, 'intake\'s record of this person\'s sentence has not reached the transfer service yet', 'SentenceRecorded')
      ?? reject('SENTENCE_NOT_RECORDED', { inmateId: context.inmate.inmateId });
  }
  return context.inmate as InmateRecord & { sentence: NonNullable<InmateRecord['sentence']> };
}

/**
 * The day whose law governs the case: the day of its request (2008/909 Art 28(1): a request is
 * governed by the instruments in force when it was received; docs/domain.md, "Law in force by
 * date"). A later step reads the catalogue on this day, not on its own, nor on the clock. A case
 * folded without the request's date (never from the store) falls back to the step's day.
 */
const lawOfCase = (state: TransferState, day: string): string => (state.dates?.request ? dayOf(state.dates.request) : day);

/** The case as the legal rules see it on `day`, under the law of the day of its request. */
function caseFacts(state: TransferState, inmate: ReturnType<typeof requireInmate>, day: string): CaseFacts {
  const consent = state.consent?.outcome;
  return {
    basis: state.legalBasis!,
    sendingState: state.sendingState!,
    receivingState: state.receivingState!,
    requestReceivedOn: day,
    lawOn: lawOfCase(state, day),
    inmate: inmateFacts(inmate),
    sentence: sentenceFacts(inmate.sentence, day),
    consent: consent === 'given' || consent === 'refused' ? consent : undefined,
    isOpinionRecorded: state.opinion !== undefined,
    // Rule 3, ETS 112 Art 3(2): each state's own answer; agreed once both agreed.
    shortTimeLeftAnswers: state.agreements?.['time-left-below-minimum'] ?? {},
  };
}

/**
 * Rule 3, ETS 112 Art 3(2): a state may still answer after the certificate, and its refusal is the
 * states' refusal. Where less than six months were left on the day of the certificate (the day its
 * check counted from), a refusal recorded since stops the recognition; the verdict says which state
 * refused. Undefined when no state refused, or when the time left never needed the agreement.
 */
function agreementWithdrawn(state: TransferState, context: DecisionContext, occurredAt: string): Verdict | undefined {
  const answers = state.agreements?.['time-left-below-minimum'];
  if (answers?.sending !== 'refused' && answers?.receiving !== 'refused') return undefined;
  const certificateDay = dayOf(state.dates?.['certificate-issue'] ?? occurredAt);
  const verdict = checkTimeLeft(caseFacts(state, requireInmate(context), certificateDay), context.catalogue);
  return verdict.outcome === 'not-met' ? verdict : undefined;
}

/**
 * Rule 9: the facility's refusals of a place that end the case. The person is not eligible for
 * the leased places, and a lease case must use the leased facility it named at its request: no
 * other place can be asked for. Any other refusal (no free place now, a facility not registered
 * yet, a reservation id already taken) leaves the case recognised, to ask again.
 */
const REFUSALS_ENDING_THE_CASE: ReadonlySet<string> = new Set<RejectionCode>(['LEASE_ELIGIBILITY_NOT_MET']);

/** A verdict as the events carry it: its rule, outcome, code (unless met), reason and rule of docs/domain.md. */
function recordedVerdict(v: Verdict) {
  return { rule: v.rule.toLowerCase().replace(/_/g, '-'), outcome: v.outcome, ...(v.code ? { code: v.code } : {}), reason: v.reason, domainRule: DOMAIN_RULE[v.rule] };
}

/** Compensation when a case ends: a place held at the facility is to be released. */
function compensate(state: TransferState, reason: string): TransferEvent[] {
  if (!isReservationHeld(state)) return [];
  const { facilityId, reservationId } = state.reservation!;
  return [event('PlaceReleaseRequested', { transferId: state.transferId!, inmateId: state.inmateId!, facilityId, reservationId, reason })];
}

function proposedSentence(adapted: AdaptedSentence, startedOn: string): ProposedSentence {
  if (adapted.measure === 'fine') return { kind: 'fine' };
  const length = adapted.kind === 'determinate' && adapted.length
    ? { kind: 'determinate' as const, days: lengthInDays(startedOn, adapted.length) }
    : { kind: adapted.kind === 'life' ? ('life' as const) : ('indeterminate' as const) };
  return { kind: 'custodial', length, creditedDays: adapted.daysDeducted };
}

/** The ground a lease relies on: the catalogue's leases need no consent at all. */
function groundInLaw(requirement: ReturnType<typeof consentRequirement>, basisId: string): ConsentNotRequiredGround | undefined {
  if (requirement.status !== 'not-required') return undefined;
  if (requirement.ground) return requirement.ground;
  return findLegalBasis(basisId)?.kind === 'facility-lease' ? 'lease-treaty' : undefined;
}

/** The step of the case each command takes (Rule 17 compares its date with those of the steps it follows). */
const STEP_OF_COMMAND: Partial<Record<TransferCommand['type'], Step>> = {
  RequestReturn: 'request',
  EvaluateEligibility: 'eligibility-evaluation',
  RecordInmateOpinion: 'opinion',
  RecordConsent: 'consent',
  RecordInmateNotification: 'notification',
  RecordStateAgreement: 'states-agreement',
  IssueCertificate: 'certificate-issue',
  AcknowledgeCertificateReceipt: 'certificate-receipt',
  RecordReceivingStateDecision: 'decision',
  DecidePlacement: 'placement-decision',
  ExtendDeadline: 'deadline-extension',
  ReportTransferObstacle: 'obstacle-report',
  EndTransferObstacle: 'obstacle-end',
  RequestPlaceReservation: 'reservation-request',
  ScheduleTransfer: 'schedule',
  RecordDispatch: 'dispatch',
  RecordReceipt: 'receipt',
  WithdrawTransfer: 'withdrawal',
  CancelTransfer: 'cancellation',
  CompleteTransfer: 'completion',
};

/**
 * Rule 17, once the step is decided (a command that changes nothing is not dated again): the act is
 * not dated in the future, nor recorded late without a reason (with the clock of a ministry's
 * command), nor dated before a step it follows.
 */
function checkTime(command: TransferCommand, state: TransferState, context: DecisionContext): void {
  const problem: TimeProblem | undefined =
    (context.clock ? checkRecording(command.data, context.clock) : undefined) ??
    (STEP_OF_COMMAND[command.type] ? checkStepDate(STEP_OF_COMMAND[command.type]!, 'occurredAt', command.data.occurredAt, state.dates ?? {}) : undefined);
  if (problem) throw rejectionOf(problem);
}

/**
 * The transfer case: every step of the legal process from the request to the admission, with
 * the rules of docs/domain.md. Pure: the inmate's facts and the service's clock come in the
 * context, the time of the act on the command (`occurredAt`).
 */
export function decide(command: TransferCommand, state: TransferState, context: DecisionContext = {}): TransferEvent[] {
  const events = decideStep(command, state, context);
  if (events.length > 0) checkTime(command, state, context);
  return events;
}

function decideStep(command: TransferCommand, state: TransferState, context: DecisionContext): TransferEvent[] {
  if (command.type === 'RequestTransfer') return requestTransfer(command.data, state, context);
  if (command.type === 'RequestReturn') return requestReturn(command.data, state, context);
  if (state.stage === 'none') throw reject('TRANSFER_NOT_FOUND', { transferId: command.data.transferId });
  if (command.data.inmateId !== state.inmateId) {
    throw reject('TRANSFER_NOT_FOUND', { transferId: command.data.transferId }, 'No transfer case of this inmate exists under this id.');
  }
  // Rule 6, at each step: the case's sending state (a return's: the state the person goes back to) still holds the person's record.
  if (context.inmate?.sendingState && context.inmate.sendingState !== homeStateOf(state)) {
    throw reject('SENDING_STATE_MISMATCH', { inmateId: state.inmateId!, sendingState: context.inmate.sendingState, namedState: homeStateOf(state)! });
  }
  const { occurredAt } = command.data;
  const ids = { transferId: state.transferId!, inmateId: state.inmateId! };

  switch (command.type) {
    case 'EvaluateEligibility': {
      requireOpen(state);
      requireStage(state, ['requested'], 'requested (before the certificate is issued)');
      const screening = evaluateCase(caseFacts(state, requireInmate(context), dayOf(occurredAt)), context.catalogue);
      return [event('EligibilityEvaluated', {
        ...ids,
        legalBasis: state.legalBasis!,
        isEligible: screening.isEligible,
        verdicts: screening.verdicts.map(recordedVerdict),
      })];
    }

    case 'RecordInmateOpinion': {
      requireOpen(state);
      requireStage(state, ['requested'], 'requested (the opinion is heard before the certificate is issued)');
      const { opinion, language, recordedBy } = command.data;
      return [event('InmateOpinionRecorded', { ...ids, opinion, language, recordedBy })];
    }

    case 'RecordConsent': {
      requireOpen(state);
      requireStage(state, ['requested'], 'requested (consent is recorded before the certificate is issued)');
      const { outcome, notRequiredGround, recordedBy } = command.data;
      let cites = command.data.cites;
      if (outcome === 'not-required') {
        const inmate = requireInmate(context);
        const requirement = consentRequirement({ ...caseFacts(state, inmate, dayOf(occurredAt)), consent: undefined }, context.catalogue);
        const ground = groundInLaw(requirement, state.legalBasis!);
        if (ground === undefined || ground !== notRequiredGround) {
          throw reject(
            'CONSENT_GROUND_NOT_APPLICABLE',
            { namedGround: notRequiredGround ?? '', ...(ground ? { applicableGround: ground } : {}) },
            `${requirement.cites}: ${requirement.status === 'not-required' ? `consent is not required because ${requirement.explanation}, not on the ground named` : requirement.explanation}.`,
          );
        }
        cites ??= requirement.cites;
      }
      return [event('ConsentRecorded', { ...ids, outcome, notRequiredGround, cites, recordedBy })];
    }

    case 'RecordInmateNotification': {
      requireOpen(state);
      const { language, subject } = command.data;
      return [event('InmateNotified', { ...ids, language, subject })];
    }

    case 'RecordStateAgreement': {
      requireOpen(state);
      requireStage(state, ['requested', 'certificate-issued'], 'requested or awaiting the receiving state\'s decision');
      const { clause, answer, agreedBy, reference, explanation } = command.data;
      // Rule 3: only a clause of the case's basis on which both states may agree (ETS 112 Art 3(2)).
      const provided = agreementClauses(state.legalBasis!).find((c) => c.clause === clause);
      if (!provided) {
        throw reject('AGREEMENT_CLAUSE_NOT_APPLICABLE', { clause, legalBasis: state.legalBasis! }, `${findLegalBasis(state.legalBasis!)?.citation ?? state.legalBasis} has no clause on which both states may agree to ${clause}; nothing needs agreeing under it.`);
      }
      // Two-sided: each of the two states answers for itself (the command table lets only that state send it).
      const side = agreedBy.state === state.sendingState ? 'sending' : agreedBy.state === state.receivingState ? 'receiving' : undefined;
      if (!side) throw reject('STATE_NOT_PARTY_TO_CASE', { namedState: agreedBy.state, sendingState: state.sendingState!, receivingState: state.receivingState!, field: 'agreedBy.state' });
      if (state.agreements?.[clause]?.[side] === answer) return [];
      return [event('StateAgreementRecorded', {
        ...ids, clause, answer, side, agreedBy, cites: provided.cites,
        ...(reference ? { reference } : {}), ...(explanation ? { explanation } : {}),
      })];
    }

    case 'IssueCertificate': {
      requireOpen(state);
      requireRecognitionProcedure(state);
      requireStage(state, ['requested'], 'requested');
      const { certificateReference, receivingAuthority, isJudgmentEnclosed } = command.data;
      requireReceivingState(state, receivingAuthority.state, 'receivingAuthority.state');
      if (!state.eligibility) throw stepOutOfOrder(state, 'evaluated for eligibility first');
      if (!state.opinion) throw reject('OPINION_NOT_RECORDED');
      if (!state.consent) throw reject('CONSENT_REQUIRED');
      requireStillEligible(state, context, occurredAt);
      return [event('CertificateIssued', { ...ids, certificateReference, receivingAuthority, isJudgmentEnclosed })];
    }

    case 'DecidePlacement': {
      requireOpen(state);
      const { decisionReference, decidedBy, facilityId, grounds, legalGround } = command.data;
      // Rule 18: only under a lease, only by the lessee (the sending state).
      const verdict = checkPlacementDecision({ basis: state.legalBasis!, sendingState: state.sendingState!, decidingState: decidedBy.state });
      if (verdict.outcome === 'not-met') throw rejectVerdict(verdict, { legalBasis: state.legalBasis!, namedState: decidedBy.state });
      // The case keeps the law of its request, but the lessee places no one once the lease's term is over.
      const term = checkLeaseTerm(state.legalBasis!, dayOf(occurredAt), context.catalogue);
      if (term.outcome === 'not-met') throw rejectVerdict(term, { legalBasis: state.legalBasis! });
      // A lease case recorded before Rule 18 may have had its certificate issued: it goes on under the placement.
      requireStage(state, ['requested', 'certificate-issued'], 'requested (the placement is decided once, before a place is asked for)');
      if (facilityId !== state.facilityId) {
        throw new CommandRejection('VALIDATION_FAILED', 'The placement is in the leased facility the request named.', {}, [
          { path: 'facilityId', problem: `must be the facility of the request (${state.facilityId})` },
        ]);
      }
      if (!state.eligibility) throw stepOutOfOrder(state, 'evaluated for eligibility first');
      if (!state.opinion) throw reject('OPINION_NOT_RECORDED');
      if (!state.consent) throw reject('CONSENT_REQUIRED');
      requireStillEligible(state, context, occurredAt);
      const cites = leasePlacementTerms(state.legalBasis!)!.decidedBy.cites;
      return [event('PlacementDecided', { ...ids, legalBasis: state.legalBasis!, decisionReference, decidedBy, facilityId, grounds, legalGround, cites })];
    }

    case 'AcknowledgeCertificateReceipt': {
      requireOpen(state);
      requireRecognitionProcedure(state);
      requireStage(state, ['certificate-issued'], 'certificate-issued');
      if (state.certificate?.isReceived) throw stepOutOfOrder(state, 'awaiting receipt of the certificate (it was acknowledged already)');
      requireReceivingState(state, command.data.receivedBy.state, 'receivedBy.state');
      // 2008/909 Art 12(2): 90 days from receipt of the judgment and certificate; ETS 112 sets none.
      const due = decisionDeadline(state.legalBasis!, dayOf(occurredAt));
      return [event('CertificateReceived', { ...ids, receivedBy: command.data.receivedBy, decisionDueAt: due ? endOfDay(due.dueOn) : undefined })];
    }

    case 'RecordReceivingStateDecision': {
      requireOpen(state);
      requireRecognitionProcedure(state);
      if (state.stage !== 'certificate-issued') throw reject('TRANSFER_NOT_AWAITING_DECISION', { stage: state.stage });
      const { decision, decisionReference, decidedBy, procedure, adaptedSentence, facilityId, refusalGround, explanation } = command.data;
      requireReceivingState(state, decidedBy.state, 'decidedBy.state');
      const deadline = state.deadlines['receiving-state-decision'];
      if (deadline && (deadline.status === 'open' || deadline.status === 'missed') && isLater(occurredAt, deadline.dueAt)) {
        throw reject('DEADLINE_PASSED', { deadline: deadline.kind, dueAt: deadline.dueAt });
      }
      const recorded = { ...ids, decision, decisionReference, decidedBy, procedure, adaptedSentence, facilityId, refusalGround, explanation };
      if (decision === 'refused') {
        return [event('ReceivingStateDecisionRecorded', recorded), ...compensate(state, `The receiving state refused: ${refusalGround}.`)];
      }
      const withdrawn = agreementWithdrawn(state, context, occurredAt);
      if (withdrawn) throw rejectVerdict(withdrawn);
      if (adaptedSentence) {
        // Rule 8: never harsher, never a fine, all time served deducted (pre-trial included).
        const inmate = requireInmate(context);
        const original = sentenceFacts(inmate.sentence, dayOf(occurredAt));
        const served = daysServed(original, dayOf(occurredAt));
        const verdict = checkAdaptation({
          basis: state.legalBasis!,
          original: original.length,
          daysServed: served,
          proposed: proposedSentence(adaptedSentence, original.startedOn),
        });
        if (verdict.outcome === 'not-met') throw rejectVerdict(verdict, { daysServed: served });
      }
      if (facilityId && state.facilityId && facilityId !== state.facilityId) {
        throw new CommandRejection('VALIDATION_FAILED', 'The facility named differs from the leased facility of the request.', {}, [
          { path: 'facilityId', problem: `must be the facility of the request (${state.facilityId})` },
        ]);
      }
      // 2008/909 Art 15(1): the physical transfer within 30 days of the final decision.
      const due = transferDeadline(state.legalBasis!, dayOf(occurredAt));
      return [event('ReceivingStateDecisionRecorded', { ...recorded, transferDueAt: due ? endOfDay(due.dueOn) : undefined })];
    }

    case 'ExtendDeadline': {
      requireOpen(state);
      const { deadline: kind, newDueAt, reason, noticeReference } = command.data;
      const deadline = state.deadlines[kind];
      if (!deadline || (deadline.status !== 'open' && deadline.status !== 'missed')) {
        throw reject('DEADLINE_NOT_RUNNING', { deadline: kind, status: deadline?.status ?? 'none' });
      }
      if (!isLater(newDueAt, deadline.dueAt)) {
        throw new CommandRejection('VALIDATION_FAILED', 'An extension moves the deadline later.', { dueAt: deadline.dueAt }, [
          { path: 'newDueAt', problem: `must be after the current due date ${deadline.dueAt}` },
        ]);
      }
      return [event('DeadlineExtended', { ...ids, deadline: kind, previousDueAt: deadline.dueAt, newDueAt, reason, noticeReference })];
    }

    case 'RecordMissedDeadline': {
      const { deadline: kind, dueAt } = command.data;
      const deadline = state.deadlines[kind];
      // Fired once: a deadline already missed, met, extended, suspended or closed records nothing.
      if (isEnded(state) || !deadline || deadline.status !== 'open' || deadline.dueAt !== dueAt) return [];
      if (Date.parse(occurredAt) < Date.parse(dueAt)) {
        throw reject('STEP_OUT_OF_ORDER', { deadline: kind, dueAt }, `The deadline runs until ${dueAt}; it has not passed yet.`);
      }
      return [event('DeadlineMissed', { ...ids, deadline: kind, dueAt })];
    }

    case 'ReportTransferObstacle': {
      requireOpen(state);
      requireStage(state, ['recognised', 'placement-decided', 'return-requested', 'reservation-requested', 'place-reserved', 'scheduled'], 'recognised (or placed, under a lease, or a return decided) and not yet dispatched');
      if (state.obstacle) throw stepOutOfOrder(state, 'without an open obstacle (end the current one first)');
      // An obstacle stops the dispatch under any basis; where 2008/909 Art 15 runs a deadline, it stops that too (evolve).
      return [event('TransferObstacleReported', { ...ids, description: command.data.description })];
    }

    case 'EndTransferObstacle': {
      requireOpen(state);
      if (!state.obstacle) throw stepOutOfOrder(state, 'stopped by an obstacle');
      // 2008/909 Art 15(2): within 10 days of the end of the obstacle, where a deadline was running; none otherwise.
      const wasRunning = state.deadlines['physical-transfer']?.status === 'suspended';
      const due = wasRunning ? transferDeadlineAfterObstacle(state.legalBasis!, dayOf(occurredAt)) : undefined;
      return [event('TransferObstacleEnded', { ...ids, ...(due ? { transferDueAt: endOfDay(due.dueOn) } : {}) })];
    }

    case 'RequestPlaceReservation': {
      requireOpen(state);
      // Rule 9: after a refusal that did not end the case, it is recognised (or placed) again and may ask again.
      // Rule 18: a lease case asks once the lessee decided the placement; a transfer of enforcement once recognised.
      requireStage(state, [readyForPlace(state)], readyForPlace(state) === 'placement-decided' ? 'placed by the lessee, without a reservation' : 'recognised by the receiving state, without a reservation');
      const { facilityId, reservationId, profile, expectedArrivalOn } = command.data;
      if (state.facilityId && facilityId !== state.facilityId) {
        throw new CommandRejection('VALIDATION_FAILED', 'The place must be reserved in the facility of the case.', {}, [
          { path: 'facilityId', problem: `must be ${state.facilityId}` },
        ]);
      }
      if (state.declinedReservationIds?.includes(reservationId)) {
        throw reject('RESERVATION_NOT_ACTIVE', { reservationId, status: 'declined' }, 'The facility refused this reservation; ask again under a new reservation id.');
      }
      return [event('PlaceReservationRequested', { ...ids, facilityId, reservationId, profile, expectedArrivalOn })];
    }

    case 'ConfirmPlaceReservation': {
      const { facilityId, reservationId, expiresAt } = command.data;
      if (state.reservation?.reservationId !== reservationId) throw reject('RESERVATION_NOT_FOUND', { reservationId });
      // Late answers change nothing: the case ended (and asked for the release) or it was confirmed already.
      if (isEnded(state) || state.reservation.status !== 'requested') return [];
      return [event('PlaceReservationConfirmed', { ...ids, facilityId, reservationId, expiresAt })];
    }

    case 'DeclinePlaceReservation': {
      const { facilityId, reservationId, code, reason } = command.data;
      if (state.reservation?.reservationId !== reservationId) throw reject('RESERVATION_NOT_FOUND', { reservationId });
      if (isEnded(state) || state.reservation.status === 'declined') return [];
      if (state.reservation.status !== 'requested') throw reject('RESERVATION_NOT_ACTIVE', { reservationId, status: state.reservation.status });
      return [event('PlaceReservationDeclined', { ...ids, facilityId, reservationId, code, reason, isCaseEnded: REFUSALS_ENDING_THE_CASE.has(code) })];
    }

    case 'ScheduleTransfer': {
      requireOpen(state);
      if (state.returnOf) {
        // Rule 19: a return goes to its destination in the state the person goes back to; no place is reserved there.
        requireStage(state, ['return-requested', 'scheduled'], 'return-requested');
        const { plannedDeparture, destinationFacilityId, escort, route } = command.data;
        if (destinationFacilityId !== state.facilityId) {
          throw new CommandRejection('VALIDATION_FAILED', 'A return is scheduled to the destination its decision named.', {}, [
            { path: 'destinationFacilityId', problem: `must be ${state.facilityId}` },
          ]);
        }
        return [event('TransferScheduled', { ...ids, plannedDeparture, destinationFacilityId, escort, route })];
      }
      if (state.stage === 'recognised' || state.stage === 'placement-decided' || state.stage === 'reservation-requested') throw reject('PLACE_NOT_RESERVED');
      requireStage(state, ['place-reserved', 'scheduled'], 'place-reserved');
      const { plannedDeparture, destinationFacilityId, escort, route } = command.data;
      if (destinationFacilityId !== state.reservation!.facilityId) {
        throw reject('PLACE_NOT_RESERVED', { reservedFacilityId: state.reservation!.facilityId }, 'No place is reserved at this destination facility; schedule the transfer to the facility holding the place.');
      }
      return [event('TransferScheduled', { ...ids, plannedDeparture, destinationFacilityId, escort, route })];
    }

    case 'RecordDispatch': {
      requireOpen(state);
      requireStage(state, ['scheduled'], 'scheduled');
      if (state.obstacle) throw stepOutOfOrder(state, 'free of obstacles (end the obstacle first)');
      const { dispatchedBy, escort } = command.data;
      if (dispatchedBy.state !== state.sendingState) {
        throw reject('UNAUTHORISED_ACTOR', { sendingState: state.sendingState!, namedState: dispatchedBy.state }, 'Only the sending state dispatches the person (Rule 11).');
      }
      return [event('CustodyDispatched', { ...ids, dispatchedBy, escort })];
    }

    case 'RecordReceipt': {
      requireOpen(state);
      // Rule 11: the receiving side is recorded only after the sending side.
      if (state.stage !== 'dispatched') {
        if (state.stage === 'received') throw stepOutOfOrder(state, 'dispatched (the receipt is recorded already)');
        throw reject('HAND_OVER_INCOMPLETE', { stage: state.stage });
      }
      const { receivedBy, facilityId } = command.data;
      requireReceivingState(state, receivedBy.state, 'receivedBy.state');
      if (state.returnOf && facilityId !== state.facilityId) {
        throw new CommandRejection('VALIDATION_FAILED', 'The person is received at the destination the return named.', {}, [
          { path: 'facilityId', problem: `must be ${state.facilityId}` },
        ]);
      }
      if (!state.returnOf && facilityId !== state.reservation!.facilityId) {
        throw reject('PLACE_NOT_RESERVED', { reservedFacilityId: state.reservation!.facilityId }, 'The person is received at the facility holding the place.');
      }
      return [event('CustodyReceived', { ...ids, receivedBy, facilityId })];
    }

    case 'WithdrawTransfer': {
      requireOpen(state);
      // Rule 6 and 12: enforcement begins when the receiving state takes the person into charge.
      if (state.stage === 'received') throw reject('WITHDRAWAL_TOO_LATE');
      const { reason } = command.data;
      return [event('TransferWithdrawn', { ...ids, reason }), ...compensate(state, `The transfer was withdrawn: ${reason}`)];
    }

    case 'CancelTransfer': {
      requireOpen(state);
      if (state.stage === 'received') {
        throw reject('WITHDRAWAL_TOO_LATE', {}, 'The receiving state has taken the person into charge; the case can no longer be cancelled, only completed.');
      }
      const { cancelledBy, reason } = command.data;
      return [event('TransferCancelled', { ...ids, cancelledBy, reason }), ...compensate(state, `The transfer was cancelled: ${reason}`)];
    }

    case 'CompleteTransfer': {
      const { facilityId, admissionEventId } = command.data;
      if (state.stage === 'completed' && state.ending?.admissionEventId === admissionEventId) return [];
      requireOpen(state);
      // Rule 11: no completion without both sides of the hand-over.
      if (state.stage !== 'received') throw reject('HAND_OVER_INCOMPLETE', { stage: state.stage });
      // Rule 19: a return completes when the facility the person left records their release to the receiving state.
      if (state.returnOf) {
        if (facilityId !== state.returnOf.fromFacilityId) {
          throw new CommandRejection('VALIDATION_FAILED', 'A return completes with the release by the facility the person left.', {}, [
            { path: 'facilityId', problem: `must be ${state.returnOf.fromFacilityId}` },
          ]);
        }
        return [event('TransferCompleted', { ...ids, facilityId, admissionEventId })];
      }
      if (facilityId !== state.handOver.receipt!.facilityId) {
        throw new CommandRejection('VALIDATION_FAILED', 'The admission was reported by another facility than the one that received the person.', {}, [
          { path: 'facilityId', problem: `must be ${state.handOver.receipt!.facilityId}` },
        ]);
      }
      return [event('TransferCompleted', { ...ids, facilityId, admissionEventId })];
    }
  }
}

function requestTransfer(command: Extract<TransferCommand, { type: 'RequestTransfer' }>['data'], state: TransferState, context: DecisionContext): TransferEvent[] {
  if (state.stage !== 'none') {
    throw isEnded(state) ? reject('TRANSFER_CLOSED', { stage: state.stage }) : reject('TRANSFER_ALREADY_ACTIVE', { activeTransferId: state.transferId! });
  }
  // Rule 6: one open case per inmate (and so one receiving state at a time).
  if (context.activeTransferId && context.activeTransferId !== command.transferId) {
    throw reject('TRANSFER_ALREADY_ACTIVE', { activeTransferId: context.activeTransferId });
  }
  const { transferId, inmateId, sendingState, receivingState, legalBasis, facilityId, reason } = command;
  // Rule 1: the basis fits the pair of states on the day of the request.
  const verdict = checkLegalBasis({ basis: legalBasis, sendingState, receivingState, requestReceivedOn: dayOf(command.occurredAt) }, context.catalogue);
  if (verdict.outcome === 'not-met') throw rejectVerdict(verdict);
  // Rule 6: a case only for a person this service knows from intake's registration, requested by
  // the state that registered them (a state may not open a case for another state's prisoner).
  if (!context.inmate?.sendingState) {
    throw inFlightFromIntake(context, inmateId, 'intake\'s registration of this person has not reached the transfer service yet', 'InmateRegistered')
      ?? reject('INMATE_NOT_FOUND', { inmateId }, 'Neither the transfer service nor the messages on their way to it from intake hold a registration of this person: register the person with intake first (a registration intake accepted a moment ago may not have been published yet).');
  }
  if (context.inmate.sendingState !== sendingState) {
    throw reject('SENDING_STATE_MISMATCH', { inmateId, sendingState: context.inmate.sendingState, namedState: sendingState });
  }
  if (context.inmate?.isReleased) throw reject('INMATE_ALREADY_RELEASED', { inmateId });
  return [event('TransferRequested', { transferId, inmateId, sendingState, receivingState, legalBasis, facilityId, reason })];
}

/**
 * Rule 19: the return of a person to the state that sentenced them, a case of its own naming the
 * completed case it undoes. Decided by the state responsible for the person (the lessee under a
 * lease, the administering state after a transfer of enforcement) on a ground the basis of that case
 * provides, under the law of the day of the return (its request); received by the state that
 * sentenced them, from the facility that admitted them.
 */
function requestReturn(command: Extract<TransferCommand, { type: 'RequestReturn' }>['data'], state: TransferState, context: DecisionContext): TransferEvent[] {
  if (state.stage !== 'none') {
    throw isEnded(state) ? reject('TRANSFER_CLOSED', { stage: state.stage }) : reject('TRANSFER_ALREADY_ACTIVE', { activeTransferId: state.transferId! });
  }
  // Rule 6: one open case per person, a return included.
  if (context.activeTransferId && context.activeTransferId !== command.transferId) {
    throw reject('TRANSFER_ALREADY_ACTIVE', { activeTransferId: context.activeTransferId });
  }
  const { transferId, inmateId, returnOf, ground, sendingState, receivingState, decisionReference, decidedBy, fromFacilityId, destinationFacilityId, explanation } = command;
  const original = context.returnOf;
  if (!original || original.stage === 'none' || original.inmateId !== inmateId) {
    throw reject('TRANSFER_NOT_FOUND', { transferId: returnOf }, 'No case of this person exists under the id named in returnOf.');
  }
  if (original.stage !== 'completed') throw reject('RETURN_OF_OPEN_CASE', { returnOf, stage: original.stage });
  // Rule 19: a ground the basis of the case provides, decided by the state responsible for the person.
  const verdict = checkReturn({
    basis: original.legalBasis!, ground, originalSendingState: original.sendingState!, originalReceivingState: original.receivingState!, requestedBy: sendingState,
  }, context.catalogue);
  if (verdict.outcome === 'not-met') throw rejectVerdict(verdict, { returnOf, ground, legalBasis: original.legalBasis! });
  if (decidedBy.state !== sendingState) {
    throw reject('RETURN_NOT_BY_RESPONSIBLE_STATE', { responsibleState: sendingState, namedState: decidedBy.state, field: 'decidedBy.state' });
  }
  if (receivingState !== original.sendingState) {
    throw new CommandRejection('VALIDATION_FAILED', 'A return goes back to the state that sentenced the person: the sending state of the case returned from.', {}, [
      { path: 'receivingState', problem: `must be ${original.sendingState}` },
    ]);
  }
  const heldAt = original.handOver.receipt?.facilityId ?? original.facilityId;
  if (fromFacilityId !== heldAt) {
    throw new CommandRejection('VALIDATION_FAILED', 'The person leaves the facility that admitted them at the end of the case returned from.', {}, [
      { path: 'fromFacilityId', problem: `must be ${heldAt}` },
    ]);
  }
  // Rule 6: the person is the state's they go back to, and still serving the sentence.
  if (context.inmate?.sendingState && context.inmate.sendingState !== receivingState) {
    throw reject('SENDING_STATE_MISMATCH', { inmateId, sendingState: context.inmate.sendingState, namedState: receivingState });
  }
  if (context.inmate?.isReleased) throw reject('INMATE_ALREADY_RELEASED', { inmateId });
  // Rule 17: a return follows the completion of the case it undoes.
  const early = checkStepDate('return-request', 'occurredAt', command.occurredAt, original.dates?.completion ? { completion: original.dates.completion } : {});
  if (early) throw rejectionOf(early);
  const cites = returnGround(original.legalBasis!, ground, context.catalogue)!.cites;
  return [event('ReturnRequested', {
    transferId, inmateId, returnOf, ground, legalBasis: original.legalBasis!, sendingState, receivingState, decisionReference, decidedBy,
    fromFacilityId, destinationFacilityId, cites, ...(explanation ? { explanation } : {}),
  })];
}

/** The decider for one command, with what the handler looked up: the shape the platform's write path takes. */
export function transferDecider(context: DecisionContext = {}) {
  return {
    initialState,
    evolve,
    decide: (command: TransferCommand, state: TransferState) => decide(command, state, context),
  };
}

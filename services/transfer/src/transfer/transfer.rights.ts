import { CommandRejection, type TransferCommandType } from '@custody/contracts';
import { messageRights, type CommandRight, type ResourceJurisdiction } from '@custody/security';

const SENDING = ['sending'] as const;
const RECEIVING = ['receiving'] as const;
const EITHER = ['sending', 'receiving'] as const;
const NO_STATE = [] as const;

/**
 * Which state of a case may issue each command on custody.transfer.commands, with its ministry's
 * signature: the same as over HTTP (transfer:request, transfer:decide, transfer:act). Rule 6: the
 * sending state requests, prepares (eligibility, the person's opinion and consent, the
 * certificate) and may withdraw; the receiving state acknowledges the certificate and decides.
 * Rule 11: each side records its own half of the hand-over. Rule 3 (ETS 112 Art 3(2)): each state
 * records its own answer on a clause both must agree on, and no state another's. The rest (notifications, deadline
 * extensions, obstacles, the request for a place, the schedule, cancellation) is either state's.
 * No state issues the facts the service records itself ({@link RECORDED_BY_THE_SERVICE}).
 */
export const TRANSFER_COMMAND_RIGHTS = {
  RequestTransfer: SENDING,
  EvaluateEligibility: SENDING,
  RecordInmateOpinion: SENDING,
  RecordConsent: SENDING,
  IssueCertificate: SENDING,
  // Rule 18: under a lease, the lessee (the sending state) decides the placement itself.
  DecidePlacement: SENDING,
  RecordDispatch: SENDING,
  WithdrawTransfer: SENDING,
  // Rule 19: the state responsible for the person (the return's sending state) decides a return.
  RequestReturn: SENDING,
  AcknowledgeCertificateReceipt: RECEIVING,
  RecordReceivingStateDecision: RECEIVING,
  RecordReceipt: RECEIVING,
  RecordInmateNotification: EITHER,
  // Two-sided: either state, each for itself only (the subject is the named state's side, caseSubject).
  RecordStateAgreement: EITHER,
  ExtendDeadline: EITHER,
  RecordMissedDeadline: NO_STATE,
  ReportTransferObstacle: EITHER,
  EndTransferObstacle: EITHER,
  RequestPlaceReservation: EITHER,
  ConfirmPlaceReservation: NO_STATE,
  DeclinePlaceReservation: NO_STATE,
  ScheduleTransfer: EITHER,
  CancelTransfer: EITHER,
  CompleteTransfer: NO_STATE,
} as const satisfies Record<TransferCommandType, CommandRight>;

/**
 * The commands the service records itself, from the fact that settles them: the facility's answer
 * and the admission come from custody on custody.facility.events, a missed deadline from the
 * deadline scheduler on the service's clock. A ministry may not assert them in custody's or the
 * clock's place (a place confirmed that no facility holds, a case completed without an
 * admission), so they are refused from the command topic whether or not commands are signed, and
 * have no HTTP route.
 */
export const RECORDED_BY_THE_SERVICE: Partial<Record<TransferCommandType, string>> = {
  ConfirmPlaceReservation: "custody's PlaceReserved on custody.facility.events",
  DeclinePlaceReservation: "custody's ReservationRefused on custody.facility.events",
  CompleteTransfer: "custody's InmateAdmitted on custody.facility.events",
  RecordMissedDeadline: 'its deadline scheduler',
};

/** UNAUTHORISED_ACTOR for a command the service records itself, sent by a ministry; undefined for any other. */
export function serviceRecordedRefusal(type: TransferCommandType): CommandRejection | undefined {
  const source = RECORDED_BY_THE_SERVICE[type];
  if (!source) return undefined;
  return new CommandRejection(
    'UNAUTHORISED_ACTOR',
    `${type} is recorded by the transfer service from ${source}; no ministry may send it.`,
    { commandType: type, recordedFrom: source },
  );
}

/** The states a request names for its case. */
const requested = (data: Record<string, unknown>): ResourceJurisdiction => ({
  kind: 'case',
  sendingState: data.sendingState as string,
  receivingState: data.receivingState as string,
});

/** What the decoder checks from the message alone: a request is made by the sending state it names. */
export const TRANSFER_MESSAGE_RIGHTS = messageRights(TRANSFER_COMMAND_RIGHTS, { RequestTransfer: requested, RequestReturn: requested });

/**
 * The states of the case a command is about: those the request fixed (read from the case), or for
 * a request of a new case those it names, without a sending state when the inmate is known to be
 * another state's (a state requests the transfer of the persons it holds only). Undefined when
 * the case is unknown: the decider answers TRANSFER_NOT_FOUND.
 */
export function caseSubject(
  command: { type: TransferCommandType; data: Record<string, unknown> },
  stored: { sendingState?: string; receivingState?: string } | undefined,
  inmateSendingState: string | undefined,
): ResourceJurisdiction | undefined {
  if (stored) {
    const subject = { kind: 'case' as const, sendingState: stored.sendingState, receivingState: stored.receivingState };
    return command.type === 'RecordStateAgreement' ? answeringSide(subject, command.data) : subject;
  }
  // Rule 19: a return names the state responsible for the person and the state they go back to; the decider checks both against the case returned from.
  if (command.type === 'RequestReturn') return requested(command.data);
  if (command.type !== 'RequestTransfer') return undefined;
  const subject = requested(command.data) as { kind: 'case'; sendingState?: string; receivingState?: string };
  return inmateSendingState && inmateSendingState !== subject.sendingState ? { kind: 'case', receivingState: subject.receivingState } : subject;
}

/**
 * Rule 3, a two-sided command: the case seen only as the side of the state the command names as
 * answering (`agreedBy.state`), so that the sending state may record its own answer and the
 * receiving state its own, and neither the other's. A state that is not the case's is no side.
 */
export function answeringSide(subject: { kind: 'case'; sendingState?: string; receivingState?: string }, data: Record<string, unknown>): ResourceJurisdiction {
  const named = (data.agreedBy as { state?: unknown } | undefined)?.state;
  return {
    kind: 'case',
    ...(named !== undefined && named === subject.sendingState ? { sendingState: subject.sendingState } : {}),
    ...(named !== undefined && named === subject.receivingState ? { receivingState: subject.receivingState } : {}),
  };
}

import type { TransferCommandType } from '@custody/contracts';
import { messageRights, type CommandRight, type ResourceJurisdiction } from '@custody/platform';

const SENDING = ['sending'] as const;
const RECEIVING = ['receiving'] as const;
const EITHER = ['sending', 'receiving'] as const;

/**
 * Which state of a case may issue each command on custody.transfer.commands, with its ministry's
 * signature: the same as over HTTP (transfer:request, transfer:decide, transfer:act). Rule 6: the
 * sending state requests, prepares (eligibility, the person's opinion and consent, the
 * certificate) and may withdraw; the receiving state acknowledges the certificate and decides.
 * Rule 11: each side records its own half of the hand-over. The rest (notifications, deadlines,
 * obstacles, the place, the schedule, cancellation, completion) is either state's.
 */
export const TRANSFER_COMMAND_RIGHTS = {
  RequestTransfer: SENDING,
  EvaluateEligibility: SENDING,
  RecordInmateOpinion: SENDING,
  RecordConsent: SENDING,
  IssueCertificate: SENDING,
  RecordDispatch: SENDING,
  WithdrawTransfer: SENDING,
  AcknowledgeCertificateReceipt: RECEIVING,
  RecordReceivingStateDecision: RECEIVING,
  RecordReceipt: RECEIVING,
  RecordInmateNotification: EITHER,
  ExtendDeadline: EITHER,
  RecordMissedDeadline: EITHER,
  ReportTransferObstacle: EITHER,
  EndTransferObstacle: EITHER,
  RequestPlaceReservation: EITHER,
  ConfirmPlaceReservation: EITHER,
  DeclinePlaceReservation: EITHER,
  ScheduleTransfer: EITHER,
  CancelTransfer: EITHER,
  CompleteTransfer: EITHER,
} as const satisfies Record<TransferCommandType, CommandRight>;

/** The states a request names for its case. */
const requested = (data: Record<string, unknown>): ResourceJurisdiction => ({
  kind: 'case',
  sendingState: data.sendingState as string,
  receivingState: data.receivingState as string,
});

/** What the decoder checks from the message alone: a request is made by the sending state it names. */
export const TRANSFER_MESSAGE_RIGHTS = messageRights(TRANSFER_COMMAND_RIGHTS, { RequestTransfer: requested });

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
  if (stored) return { kind: 'case', sendingState: stored.sendingState, receivingState: stored.receivingState };
  if (command.type !== 'RequestTransfer') return undefined;
  const subject = requested(command.data) as { kind: 'case'; sendingState?: string; receivingState?: string };
  return inmateSendingState && inmateSendingState !== subject.sendingState ? { kind: 'case', receivingState: subject.receivingState } : subject;
}

import { Injectable } from '@nestjs/common';
import {
  AcknowledgeCertificateReceipt, CancelTransfer, ConfirmPlaceReservation, CompleteTransfer, DecidePlacement, DeclinePlaceReservation, EndTransferObstacle,
  EvaluateEligibility, ExtendDeadline, IssueCertificate, RecordConsent, RecordDispatch, RecordInmateNotification, RecordInmateOpinion,
  RecordMissedDeadline, RecordReceipt, RecordReceivingStateDecision, RecordStateAgreement, ReportTransferObstacle, RequestPlaceReservation, RequestReturn, RequestTransfer,
  ScheduleTransfer, WithdrawTransfer, type TransferCommand, type TransferCommandType, type TransferEvent,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import type { Handled } from '@custody/event-sourcing';
import {
  type Caller, type CommandAnswer, type CommandPort, type CommandTable, commandControllers, commandMetadata, messageMetadata, refuseInHandler,
} from '@custody/platform';
import { signerStateOf } from '@custody/security';
import { TransferCommands } from './transfer.commands';
import type { TransferState } from './transfer.decider';
import { AgreementJurisdiction, CaseJurisdiction, RequestJurisdiction, ReturnJurisdiction } from './transfer.jurisdiction';
import { serviceRecordedRefusal } from './transfer.rights';

const CASE = CaseJurisdiction;

/**
 * The commands of a transfer case, each declared once: the HTTP route a ministry may call (the body
 * is the command, as on custody.transfer.commands) and, for every row, the handler of
 * custody.transfer.commands. Who may call what (docs/domain.md, Rule 6: the sending state
 * requests, the receiving state decides): `transfer:request` for the sending state's steps,
 * `transfer:decide` for the receiving state's, `transfer:act` for the steps either state takes
 * (a state's own answer under ETS 112 Art 3(2) only for the state answering: AgreementJurisdiction).
 * The facts the service records itself (a place confirmed or declined and the completion, from
 * custody's events; a missed deadline, from its scheduler) have no route, and are refused from
 * the topic: see RECORDED_BY_THE_SERVICE in transfer.rights.ts.
 */
export const TRANSFER_COMMANDS: CommandTable<TransferCommandType> = {
  name: 'Transfer', prefix: 'transfers', tag: 'transfers',
  rows: [
    { type: 'RequestTransfer', body: RequestTransfer, http: { path: '', permission: 'transfer:request', jurisdiction: RequestJurisdiction, summary: 'Requests a transfer of a person of the sending state to the receiving state (Rule 6: the sending state requests).' } },
    { type: 'EvaluateEligibility', body: EvaluateEligibility, http: { path: ':transferId/eligibility', permission: 'transfer:request', jurisdiction: CASE, summary: 'Records the evaluation of the case\'s eligibility under its legal basis.' } },
    { type: 'RecordInmateOpinion', body: RecordInmateOpinion, http: { path: ':transferId/opinion', permission: 'transfer:request', jurisdiction: CASE, summary: 'Records the person\'s opinion on the transfer.' } },
    { type: 'RecordConsent', body: RecordConsent, http: { path: ':transferId/consent', permission: 'transfer:request', jurisdiction: CASE, summary: 'Records the person\'s consent, where the legal basis requires it.' } },
    { type: 'RecordInmateNotification', body: RecordInmateNotification, http: { path: ':transferId/notifications', permission: 'transfer:act', jurisdiction: CASE, summary: 'Records that the person was notified of a step of the case.' } },
    { type: 'RecordStateAgreement', body: RecordStateAgreement, http: { path: ':transferId/agreements', permission: 'transfer:act', jurisdiction: AgreementJurisdiction, summary: 'Records one state\'s own answer on a clause both states must agree on (ETS 112 Art 3(2): less than six months left); only the state named in agreedBy may record it (Rule 3).' } },
    { type: 'IssueCertificate', body: IssueCertificate, http: { path: ':transferId/certificate', permission: 'transfer:request', jurisdiction: CASE, summary: 'Issues the certificate to the receiving state.' } },
    { type: 'AcknowledgeCertificateReceipt', body: AcknowledgeCertificateReceipt, http: { path: ':transferId/certificate-receipt', permission: 'transfer:decide', jurisdiction: CASE, summary: 'Acknowledges receipt of the certificate (the receiving state).' } },
    { type: 'RecordReceivingStateDecision', body: RecordReceivingStateDecision, http: { path: ':transferId/decision', permission: 'transfer:decide', jurisdiction: CASE, summary: 'Records the receiving state\'s decision on the request.' } },
    { type: 'DecidePlacement', body: DecidePlacement, http: { path: ':transferId/placement', permission: 'transfer:request', jurisdiction: CASE, summary: 'Records the lessee\'s own placement decision under a facility lease (Rule 18: the sending state places the person in the places it rents; nothing is recognised or adapted).' } },
    { type: 'ExtendDeadline', body: ExtendDeadline, http: { path: ':transferId/deadline-extensions', permission: 'transfer:act', jurisdiction: CASE, summary: 'Extends a running deadline of the case.' } },
    { type: 'RecordMissedDeadline', body: RecordMissedDeadline },
    { type: 'ReportTransferObstacle', body: ReportTransferObstacle, http: { path: ':transferId/obstacle', permission: 'transfer:act', jurisdiction: CASE, summary: 'Reports an obstacle that stops the case\'s deadlines.' } },
    { type: 'EndTransferObstacle', body: EndTransferObstacle, http: { path: ':transferId/obstacle-end', permission: 'transfer:act', jurisdiction: CASE, summary: 'Ends a reported obstacle.' } },
    { type: 'RequestPlaceReservation', body: RequestPlaceReservation, http: { path: ':transferId/reservation', permission: 'transfer:act', jurisdiction: CASE, summary: 'Asks custody for a place for the person in a facility.' } },
    { type: 'ConfirmPlaceReservation', body: ConfirmPlaceReservation },
    { type: 'DeclinePlaceReservation', body: DeclinePlaceReservation },
    { type: 'ScheduleTransfer', body: ScheduleTransfer, http: { path: ':transferId/schedule', permission: 'transfer:act', jurisdiction: CASE, summary: 'Schedules the hand-over.' } },
    { type: 'RecordDispatch', body: RecordDispatch, http: { path: ':transferId/dispatch', permission: 'transfer:request', jurisdiction: CASE, summary: 'Records the dispatch of the person by the sending state.' } },
    { type: 'RecordReceipt', body: RecordReceipt, http: { path: ':transferId/receipt', permission: 'transfer:decide', jurisdiction: CASE, summary: 'Records the receipt of the person by the receiving state.' } },
    { type: 'WithdrawTransfer', body: WithdrawTransfer, http: { path: ':transferId/withdrawal', permission: 'transfer:request', jurisdiction: CASE, summary: 'Withdraws the request (the sending state, before it is too late).' } },
    { type: 'CancelTransfer', body: CancelTransfer, http: { path: ':transferId/cancellation', permission: 'transfer:act', jurisdiction: CASE, summary: 'Cancels the case.' } },
    { type: 'CompleteTransfer', body: CompleteTransfer },
    { type: 'RequestReturn', body: RequestReturn, http: { path: 'returns', permission: 'transfer:request', jurisdiction: ReturnJurisdiction, summary: 'Opens the return of a person to the state that sentenced them, undoing a completed case (Rule 19: decided by the state responsible for the person, on a ground of the legal basis; a case of its own with its hand-over).' } },
  ],
};

/** How the table's commands run: over HTTP with the caller's metadata; from Kafka with the signer's rights checked and the result recorded. */
@Injectable()
export class TransferCommandPort implements CommandPort<TransferCommandType, PostgresTransaction> {
  constructor(private readonly commands: TransferCommands) {}

  async http(type: TransferCommandType, body: TransferCommand['data'], caller: Caller, answer: CommandAnswer) {
    const respond = ({ events, state, revision }: Handled<TransferEvent, TransferState>) => (
      { transferId: body.transferId, stage: state.stage, revision, events: events.map((e) => ({ id: e.id, type: e.type })) }
    );
    return respond(await this.commands.execute({ type, data: body } as TransferCommand, commandMetadata(body, caller), answer.whenApplied(respond)));
  }

  /**
   * A command of a ministry. Signed (COMMAND_SIGNATURES=required), its signer's state must be one
   * the case allows for it (transfer.rights.ts): otherwise it is answered UNAUTHORISED_ACTOR and set
   * aside in the dead-letter topic, and nothing else is written. So is a command the service
   * records itself, signed or not.
   */
  async kafka(type: TransferCommandType, event: DecodedEvent, context: HandlerContext<PostgresTransaction>): Promise<void> {
    const command = { type, data: event.data } as TransferCommand;
    const refusal = serviceRecordedRefusal(type) ?? (await this.commands.signerRefusal(context.tx, command, signerStateOf(event)));
    if (await refuseInHandler(context, event, type, refusal)) return;
    await this.commands.executeWithResult(context.tx, command, event.id, messageMetadata(event));
  }
}

export const { http: TransferCommandRoutes, kafka: TransferCommandHandlers } = commandControllers(TRANSFER_COMMANDS, TransferCommandPort);

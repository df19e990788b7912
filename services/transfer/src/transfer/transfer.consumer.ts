import { Injectable, Logger } from '@nestjs/common';
import {
  CommandRejection, type InmateAdmittedPayload, type PlaceReservedPayload, type ReservationRefusedPayload,
  type TransferCommand, type TransferCommandType,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { OnEvent, type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { messageMetadata, recordRejection, signerStateOf } from '@custody/platform';
import { TransferCommands } from './transfer.commands';
import { serviceRecordedRefusal } from './transfer.rights';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in. Commands on custody.transfer.commands (the receiving ministry records its decision
 * there) are applied with their result recorded for custody.command-results. The facility's
 * answers (a place reserved or refused) and the admission drive the case on. Everything runs in
 * the inbox transaction: a redelivered message changes nothing.
 */
@Injectable()
export class TransferConsumer {
  private readonly logger = new Logger('TransferConsumer');

  constructor(private readonly commands: TransferCommands) {}

  /**
   * A command of a ministry. Signed (COMMAND_SIGNATURES=required), its signer's state must be one
   * the case allows for it (transfer.rights.ts): otherwise it is answered UNAUTHORISED_ACTOR and set
   * aside in the dead-letter topic, and nothing else is written. So is a command the service
   * records itself (a place confirmed or declined, the completion, a missed deadline), signed or
   * not.
   */
  private async command(type: TransferCommandType, event: DecodedEvent, { tx, setAside }: Context): Promise<void> {
    const command = { type, data: event.data } as TransferCommand;
    const refusal = serviceRecordedRefusal(type) ?? (await this.commands.signerRefusal(command, signerStateOf(event)));
    if (refusal) {
      await recordRejection(tx, event.id, type, refusal, messageMetadata(event));
      setAside({ code: refusal.code, reason: refusal.message });
      return;
    }
    await this.commands.executeWithResult(tx, command, event.id, messageMetadata(event));
  }

  @OnEvent('RequestTransfer') request(e: DecodedEvent, c: Context) { return this.command('RequestTransfer', e, c); }
  @OnEvent('EvaluateEligibility') evaluate(e: DecodedEvent, c: Context) { return this.command('EvaluateEligibility', e, c); }
  @OnEvent('RecordInmateOpinion') opinion(e: DecodedEvent, c: Context) { return this.command('RecordInmateOpinion', e, c); }
  @OnEvent('RecordConsent') consent(e: DecodedEvent, c: Context) { return this.command('RecordConsent', e, c); }
  @OnEvent('RecordInmateNotification') notify(e: DecodedEvent, c: Context) { return this.command('RecordInmateNotification', e, c); }
  @OnEvent('IssueCertificate') certificate(e: DecodedEvent, c: Context) { return this.command('IssueCertificate', e, c); }
  @OnEvent('AcknowledgeCertificateReceipt') certificateReceipt(e: DecodedEvent, c: Context) { return this.command('AcknowledgeCertificateReceipt', e, c); }
  @OnEvent('RecordReceivingStateDecision') decision(e: DecodedEvent, c: Context) { return this.command('RecordReceivingStateDecision', e, c); }
  @OnEvent('ExtendDeadline') extend(e: DecodedEvent, c: Context) { return this.command('ExtendDeadline', e, c); }
  @OnEvent('RecordMissedDeadline') missed(e: DecodedEvent, c: Context) { return this.command('RecordMissedDeadline', e, c); }
  @OnEvent('ReportTransferObstacle') obstacle(e: DecodedEvent, c: Context) { return this.command('ReportTransferObstacle', e, c); }
  @OnEvent('EndTransferObstacle') endObstacle(e: DecodedEvent, c: Context) { return this.command('EndTransferObstacle', e, c); }
  @OnEvent('RequestPlaceReservation') reserve(e: DecodedEvent, c: Context) { return this.command('RequestPlaceReservation', e, c); }
  @OnEvent('ConfirmPlaceReservation') confirm(e: DecodedEvent, c: Context) { return this.command('ConfirmPlaceReservation', e, c); }
  @OnEvent('DeclinePlaceReservation') decline(e: DecodedEvent, c: Context) { return this.command('DeclinePlaceReservation', e, c); }
  @OnEvent('ScheduleTransfer') schedule(e: DecodedEvent, c: Context) { return this.command('ScheduleTransfer', e, c); }
  @OnEvent('RecordDispatch') dispatch(e: DecodedEvent, c: Context) { return this.command('RecordDispatch', e, c); }
  @OnEvent('RecordReceipt') receipt(e: DecodedEvent, c: Context) { return this.command('RecordReceipt', e, c); }
  @OnEvent('WithdrawTransfer') withdraw(e: DecodedEvent, c: Context) { return this.command('WithdrawTransfer', e, c); }
  @OnEvent('CancelTransfer') cancel(e: DecodedEvent, c: Context) { return this.command('CancelTransfer', e, c); }
  @OnEvent('CompleteTransfer') complete(e: DecodedEvent, c: Context) { return this.command('CompleteTransfer', e, c); }

  /** The facility holds the place: the case may be scheduled. */
  @OnEvent('PlaceReserved')
  placeReserved(event: DecodedEvent, context: Context) {
    const { transferId, inmateId, facilityId, reservationId, expiresAt } = event.data as PlaceReservedPayload;
    return this.effect(event, context, { type: 'ConfirmPlaceReservation', data: { ...this.base(event, 'confirm'), transferId, inmateId, facilityId, reservationId, expiresAt } });
  }

  /** The facility has no place (or may not hold the person): the case ends. */
  @OnEvent('ReservationRefused')
  reservationRefused(event: DecodedEvent, context: Context) {
    const { transferId, inmateId, facilityId, reservationId, code, reason } = event.data as ReservationRefusedPayload;
    return this.effect(event, context, { type: 'DeclinePlaceReservation', data: { ...this.base(event, 'decline'), transferId, inmateId, facilityId, reservationId, code, reason } });
  }

  /** The facility admitted the person after the two-sided hand-over: the case is complete. */
  @OnEvent('InmateAdmitted')
  admitted(event: DecodedEvent, context: Context) {
    const { transferId, inmateId, facilityId } = event.data as InmateAdmittedPayload;
    return this.effect(event, context, { type: 'CompleteTransfer', data: { ...this.base(event, 'complete'), transferId, inmateId, facilityId, admissionEventId: event.id } });
  }

  private base(event: DecodedEvent, step: string) {
    return { commandId: deterministicId(`${event.id}/${step}`), occurredAt: event.occurredAt };
  }

  /** Another service's event applied to the case; a refusal of the rules is logged, not retried (it is an answer). */
  private async effect(event: DecodedEvent, { tx }: Context, command: TransferCommand): Promise<void> {
    try {
      await this.commands.executeInTransaction(tx, command, messageMetadata(event));
    } catch (error) {
      if (!(error instanceof CommandRejection)) throw error;
      this.logger.warn(`${event.type} ${event.id} left transfer ${command.data.transferId} unchanged: ${error.code} (${error.message})`);
    }
  }
}

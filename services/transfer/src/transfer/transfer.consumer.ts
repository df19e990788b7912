import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CommandRejection, type InmateAdmittedPayload, type PlaceReservedPayload, type ReservationRefusedPayload,
  type TransferCommand, type TransferCommandType,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { messageMetadata, recordRefusedEffect, refuseCommand, signerStateOf } from '@custody/platform';
import { TransferCommands } from './transfer.commands';
import { serviceRecordedRefusal } from './transfer.rights';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in. Commands on custody.transfer.commands (the receiving ministry records its decision
 * there) are applied with their result recorded for custody.command-results. The facility's
 * answers (a place reserved or refused) and the admission drive the case on. Everything runs in
 * the inbox transaction: a redelivered message changes nothing.
 */
@Controller()
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
  private async command(type: TransferCommandType, event: DecodedEvent, context: Context): Promise<void> {
    const command = { type, data: event.data } as TransferCommand;
    const refusal = serviceRecordedRefusal(type) ?? (await this.commands.signerRefusal(context.tx, command, signerStateOf(event)));
    if (await refuseCommand(context, event, type, refusal)) return;
    await this.commands.executeWithResult(context.tx, command, event.id, messageMetadata(event));
  }

  @EventPattern('RequestTransfer') request(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RequestTransfer', e, c); }
  @EventPattern('EvaluateEligibility') evaluate(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('EvaluateEligibility', e, c); }
  @EventPattern('RecordInmateOpinion') opinion(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordInmateOpinion', e, c); }
  @EventPattern('RecordConsent') consent(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordConsent', e, c); }
  @EventPattern('RecordInmateNotification') notify(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordInmateNotification', e, c); }
  @EventPattern('IssueCertificate') certificate(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('IssueCertificate', e, c); }
  @EventPattern('AcknowledgeCertificateReceipt') certificateReceipt(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('AcknowledgeCertificateReceipt', e, c); }
  @EventPattern('RecordReceivingStateDecision') decision(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordReceivingStateDecision', e, c); }
  @EventPattern('ExtendDeadline') extend(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('ExtendDeadline', e, c); }
  @EventPattern('RecordMissedDeadline') missed(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordMissedDeadline', e, c); }
  @EventPattern('ReportTransferObstacle') obstacle(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('ReportTransferObstacle', e, c); }
  @EventPattern('EndTransferObstacle') endObstacle(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('EndTransferObstacle', e, c); }
  @EventPattern('RequestPlaceReservation') reserve(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RequestPlaceReservation', e, c); }
  @EventPattern('ConfirmPlaceReservation') confirm(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('ConfirmPlaceReservation', e, c); }
  @EventPattern('DeclinePlaceReservation') decline(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('DeclinePlaceReservation', e, c); }
  @EventPattern('ScheduleTransfer') schedule(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('ScheduleTransfer', e, c); }
  @EventPattern('RecordDispatch') dispatch(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordDispatch', e, c); }
  @EventPattern('RecordReceipt') receipt(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('RecordReceipt', e, c); }
  @EventPattern('WithdrawTransfer') withdraw(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('WithdrawTransfer', e, c); }
  @EventPattern('CancelTransfer') cancel(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('CancelTransfer', e, c); }
  @EventPattern('CompleteTransfer') complete(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.command('CompleteTransfer', e, c); }

  /** The facility holds the place: the case may be scheduled. */
  @EventPattern('PlaceReserved')
  placeReserved(@Payload() event: DecodedEvent, @Ctx() context: Context) {
    const { transferId, inmateId, facilityId, reservationId, expiresAt } = event.data as PlaceReservedPayload;
    return this.effect(event, context, { type: 'ConfirmPlaceReservation', data: { ...this.base(event, 'confirm'), transferId, inmateId, facilityId, reservationId, expiresAt } });
  }

  /** The facility has no place (or may not hold the person): the case ends. */
  @EventPattern('ReservationRefused')
  reservationRefused(@Payload() event: DecodedEvent, @Ctx() context: Context) {
    const { transferId, inmateId, facilityId, reservationId, code, reason } = event.data as ReservationRefusedPayload;
    return this.effect(event, context, { type: 'DeclinePlaceReservation', data: { ...this.base(event, 'decline'), transferId, inmateId, facilityId, reservationId, code, reason } });
  }

  /** The facility admitted the person after the two-sided hand-over: the case is complete. */
  @EventPattern('InmateAdmitted')
  admitted(@Payload() event: DecodedEvent, @Ctx() context: Context) {
    const { transferId, inmateId, facilityId } = event.data as InmateAdmittedPayload;
    return this.effect(event, context, { type: 'CompleteTransfer', data: { ...this.base(event, 'complete'), transferId, inmateId, facilityId, admissionEventId: event.id } });
  }

  private base(event: DecodedEvent, step: string) {
    return { commandId: deterministicId(`${event.id}/${step}`), occurredAt: event.occurredAt };
  }

  /**
   * Another service's event applied to the case, read and written in the inbox transaction (so a
   * refusal is never the fruit of a stale read of the case). A refusal of the rules is an answer,
   * not retried: the message is consumed and nothing is written, and the refusal is counted
   * (custody_effects_refused_total) and logged, never silent.
   */
  private async effect(event: DecodedEvent, { tx }: Context, command: TransferCommand): Promise<void> {
    try {
      await this.commands.executeInTransaction(tx, command, messageMetadata(event));
    } catch (error) {
      if (!(error instanceof CommandRejection)) throw error;
      recordRefusedEffect(event.type, command.type, error.code);
      this.logger.warn(`${event.type} ${event.id} left transfer ${command.data.transferId} unchanged: ${command.type} refused ${error.code} (${error.message})`);
    }
  }
}

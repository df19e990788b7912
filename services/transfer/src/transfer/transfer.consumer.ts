import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type InmateAdmittedPayload, type InmateReleasedPayload, type PlaceReservedPayload, type ReservationRefusedPayload, type TransferCommand } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { applyEffect, causedBy, messageMetadata } from '@custody/platform';
import { TransferCommands } from './transfer.commands';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in, other services' facts: the facility's answers (a place reserved or refused) and the
 * admission drive the case on. (The ministries' commands on custody.transfer.commands are handled
 * from the command table, transfer.command-table.ts.) Everything runs in the inbox transaction: a
 * redelivered message changes nothing.
 */
@Controller()
export class TransferConsumer {
  constructor(private readonly commands: TransferCommands) {}

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

  /**
   * Rule 19: the facility the person left released them to the state they went back to: the open
   * return of the person from that facility is complete. Any other release completes nothing here.
   */
  @EventPattern('InmateReleased')
  async released(@Payload() event: DecodedEvent, @Ctx() context: Context) {
    const { inmateId, facilityId, disposition } = event.data as InmateReleasedPayload;
    if (disposition !== 'returned-to-sending-state') return;
    const transferId = await this.commands.openReturnFrom(context.tx, inmateId, facilityId);
    if (!transferId) return;
    await this.effect(event, context, { type: 'CompleteTransfer', data: { ...this.base(event, 'complete'), transferId, inmateId, facilityId, admissionEventId: event.id } });
  }

  private base(event: DecodedEvent, step: string) {
    return { commandId: deterministicId(`${event.id}/${step}`), occurredAt: event.occurredAt };
  }

  /**
   * Another service's event applied to the case, read and written in the inbox transaction (so a
   * refusal is never the fruit of a stale read of the case); a refusal of the rules changes
   * nothing and is counted and logged (applyEffect).
   */
  private effect(event: DecodedEvent, { tx }: Context, command: TransferCommand): Promise<void> {
    return applyEffect(event, command, () => this.commands.executeInTransaction(tx, command, messageMetadata(event), { ...causedBy(event), cause: command.data.commandId }), { target: `transfer ${command.data.transferId}` });
  }
}

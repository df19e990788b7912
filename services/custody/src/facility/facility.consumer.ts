import { Inject, Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CommandRejection, type PlaceReleaseRequestedPayload, type PlaceReservationRequestedPayload } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import type { DecodedEvent, HandlerContext } from '@custody/messaging';
import { deterministicId } from '@custody/event-sourcing';
import { causedBy, messageMetadata } from '@custody/platform';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG } from '../store/store.module';
import { TransferKnowledge } from '../transfer-knowledge/transfer-knowledge';
import { FacilityCommands } from './facility.commands';
import type { FacilityCommand } from './facility.decider';
import { custodyEventIds } from '../ids';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in, for facilities: the transfer service's requests to hold or release a place. (The
 * facility commands of `custody.facility.commands` are handled from facility.command-table.ts.)
 */
@Controller()
export class FacilityConsumer {
  private readonly logger = new Logger('FacilityConsumer');

  constructor(
    private readonly commands: FacilityCommands,
    private readonly knowledge: TransferKnowledge,
    @Inject(CUSTODY_CONFIG) private readonly config: CustodyConfig,
  ) {}

  /**
   * The transfer service asks for a place: held, or refused with a recorded ReservationRefused it
   * reacts to. Every request is answered: one the facility cannot decide on (an unknown facility,
   * a reservation id taken, the person holding a place there already) is refused too, with the code.
   */
  @EventPattern('PlaceReservationRequested')
  async onPlaceRequested(@Payload() message: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    const request = message.data as PlaceReservationRequestedPayload;
    await this.knowledge.noteCase(tx, request.transferId, request.inmateId, { facility_id: request.facilityId, reservation_id: request.reservationId });
    const expiresAt = new Date(Date.parse(message.occurredAt) + this.config.RESERVATION_HOLD_HOURS * 3_600_000).toISOString();
    const command: FacilityCommand = {
      type: 'ReservePlace',
      data: {
        commandId: deterministicId(`${message.id}/reserve`),
        occurredAt: message.occurredAt,
        facilityId: request.facilityId,
        reservationId: request.reservationId,
        transferId: request.transferId,
        inmateId: request.inmateId,
        profile: request.profile,
        expiresAt,
      },
    };
    try {
      await this.commands.executeIn(tx, command, messageMetadata(message), custodyEventIds(causedBy(message)));
    } catch (error) {
      // A conflict with another writer is no answer: it is thrown as it is, and retried.
      if (!(error instanceof CommandRejection) || error.code === 'CONCURRENCY_CONFLICT') throw error;
      await this.commands.refuseRequest(tx, request, error, messageMetadata(message), custodyEventIds(causedBy(message))('refused'));
      this.logger.warn(`place ${request.reservationId} at facility ${request.facilityId} refused for transfer ${request.transferId}: ${error.code}`);
    }
  }

  /** Compensation from the transfer service: the case ended while holding a place. */
  @EventPattern('PlaceReleaseRequested')
  async onPlaceReleaseRequested(@Payload() message: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    const request = message.data as PlaceReleaseRequestedPayload;
    await this.knowledge.noteCase(tx, request.transferId, request.inmateId, { ended: 'place-release-requested' });
    await this.releaseIfHeld(tx, message, request.facilityId, request.reservationId, request.reason);
  }

  @EventPattern('TransferWithdrawn')
  onWithdrawn(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    return this.caseEnded(tx, message, 'withdrawn');
  }

  @EventPattern('TransferCancelled')
  onCancelled(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    return this.caseEnded(tx, message, 'cancelled');
  }

  private async caseEnded(tx: PostgresTransaction, message: DecodedEvent, ending: string): Promise<void> {
    const { transferId, inmateId } = message.data as { transferId: string; inmateId: string };
    await this.knowledge.noteCase(tx, transferId, inmateId, { ended: ending });
    const held = await this.knowledge.reservationOf(transferId);
    if (held) await this.releaseIfHeld(tx, message, held.facilityId, held.reservationId, `The transfer was ${ending}.`);
  }

  private async releaseIfHeld(tx: PostgresTransaction, message: DecodedEvent, facilityId: string, reservationId: string, reason: string): Promise<void> {
    const command: FacilityCommand = {
      type: 'ReleaseReservation',
      data: { commandId: deterministicId(`${message.id}/release`), occurredAt: message.occurredAt, facilityId, reservationId, reason: reason.slice(0, 1000) },
    };
    try {
      await this.commands.executeIn(tx, command, messageMetadata(message), custodyEventIds(causedBy(message)));
    } catch (error) {
      // Already released, expired or used (or never held): nothing to release.
      if (!(error instanceof CommandRejection)) throw error;
      this.logger.log(`place ${reservationId} not released: ${error.code}`);
    }
  }
}

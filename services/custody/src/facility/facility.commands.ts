import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandRejection, isRejectionCode } from '@custody/contracts';
import {
  handleCommand, inSavepoint, retryPolicy, StreamBatcher, writtenVersion, type AppliedHook, type LoadedState, type RetryPolicy,
} from '@custody/event-sourcing';
import { PostgresEventStore, type EventMetadata, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG } from '../store/store.module';
import { facilityDecider, type Facility, type FacilityCommand, type FacilityEvent } from './facility.decider';

export const facilityStream = (facilityId: string) => `facility-${facilityId}`;

/** The answer to a request for a place that reached no facility's decision (see FacilityCommands.refuseRequest). */
export const reservationRequestStream = (reservationId: string) => `reservation-${reservationId}`;

/** A facility as last read, with the revision it was read at. */
export type LoadedFacility = LoadedState<Facility>;

/**
 * The facility write path. Every command goes through the facility's one stream with the
 * expected revision, so the decider's capacity check holds whatever the number of instances.
 *
 * A facility's stream is hot (every transfer to it reserves a place): commands from HTTP go
 * through the kernel's StreamBatcher, which decides the commands queued for the same facility
 * together and appends them in one write (FACILITY_BATCH_SIZE at most), keeps the facility's
 * state in memory and reads only new events. Between instances the expected revision decides;
 * FACILITY_WRITE_MAX_ATTEMPTS attempts in all.
 */
@Injectable()
export class FacilityCommands {
  private readonly batcher: StreamBatcher<FacilityCommand, FacilityEvent, Facility>;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CUSTODY_CONFIG) config: CustodyConfig,
  ) {
    this.retry = retryPolicy({ maxAttempts: config.FACILITY_WRITE_MAX_ATTEMPTS });
    this.batcher = new StreamBatcher(store, store, facilityDecider, {
      batchSize: config.FACILITY_BATCH_SIZE,
      retry: this.retry,
      // One transaction per batch: each command's answer commits with its events.
      unitOfWork: (work) => store.transaction(work),
    });
  }

  /**
   * Applies a command; resolves with the events written (none when nothing changed), or rejects
   * with the CommandRejection of the rule that refused it. A refused reservation is recorded
   * (ReservationRefused, for the transfer service) and answered as a rejection with its code.
   * `onApplied` runs in the transaction of the command's events (the route's answer:
   * docs/adr/0010-http-idempotency-by-command-id.md).
   */
  async execute(command: FacilityCommand, metadata: EventMetadata, eventId: (index: number) => string = () => randomUUID(), onApplied?: AppliedHook): Promise<NewEvent[]> {
    // `command.clock`, when a ministry's act: the decider checks its date against it (Rule 17).
    const events = await this.batcher.execute(facilityStream(command.data.facilityId), command, metadata, eventId, onApplied);
    const refusal = refusalIn(events);
    if (refusal) throw refusal;
    return events;
  }

  /**
   * Applies a command inside a consumer's transaction (Kafka): the events commit with the inbox
   * entry and the command result. Each attempt runs in a savepoint, from the state kept in memory.
   */
  async executeIn(tx: PostgresTransaction, command: FacilityCommand, metadata: EventMetadata, eventId: (index: number) => string): Promise<NewEvent[]> {
    const { events } = await handleCommand(this.store, facilityStream(command.data.facilityId), facilityDecider, command, {
      metadata,
      eventId,
      retry: this.retry,
      unitOfWork: inSavepoint(tx),
      kept: this.batcher.kept,
      afterCommit: (keep) => tx.afterCommit(keep),
    });
    return events;
  }

  /**
   * Answers a request for a place that reached no facility's decision (the facility is not
   * registered, the reservation id is taken, the person holds a place there already): the
   * refusal is recorded as ReservationRefused with the rejection's code, in stream
   * `reservation-<reservationId>` (not the facility's, which may not exist), in the consumer's
   * transaction. Every request of the transfer service is answered (Rule 9: the case may ask again).
   */
  async refuseRequest(
    tx: PostgresTransaction,
    request: { facilityId: string; reservationId: string; transferId: string; inmateId: string },
    rejection: CommandRejection,
    metadata: EventMetadata,
    eventId: string,
  ): Promise<NewEvent> {
    const { facilityId, reservationId, transferId, inmateId } = request;
    const refused: NewEvent = {
      id: eventId,
      type: 'ReservationRefused',
      schemaVersion: writtenVersion('ReservationRefused'),
      data: { facilityId, reservationId, transferId, inmateId, code: rejection.code, reason: rejection.message.slice(0, 1000) },
      metadata,
    };
    await tx.appendToStream(reservationRequestStream(reservationId), [refused], { expectedRevision: 'any' });
    return refused;
  }

  /** The facility's current state, reading only the events after the last one seen. */
  load(stream: string): Promise<LoadedFacility> {
    return this.batcher.load(stream);
  }

  /**
   * The facility for what its registration fixed (its states, country, jurisdiction and lease,
   * which no later event changes): the state kept here once it is seen registered, without a read
   * (docs/adr/0021-commands-decided-on-kept-state.md); read otherwise. Not for its places.
   */
  async registration(stream: string): Promise<Facility> {
    const kept = this.batcher.kept.get(stream);
    if (kept?.state.status === 'registered') return kept.state;
    return (await this.load(stream)).state;
  }
}

/** A recorded refusal as the rejection a caller gets: the code of the catalogue and the reason. */
export function refusalIn(events: NewEvent[]): CommandRejection | undefined {
  const refused = events.find((e) => e.type === 'ReservationRefused');
  if (!refused) return undefined;
  const data = refused.data as { code: string; reason: string; reservationId: string; facilityId: string };
  const code = isRejectionCode(data.code) ? data.code : 'CAPACITY_EXHAUSTED';
  return new CommandRejection(code, data.reason, { facilityId: data.facilityId, reservationId: data.reservationId, refusalEventId: refused.id });
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CommandRejection, isRejectionCode } from '@custody/contracts';
import { PostgresEventStore, WrongExpectedRevisionError, type EventMetadata, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import { concurrencyConflict } from '@custody/platform';
import type { CustodyConfig } from '../config';
import { CUSTODY_CONFIG } from '../store/store.module';
import { jitter, toNewEvents, withSavepoint } from '../store/write-path';
import { facilityDecider, type Facility, type FacilityCommand, type FacilityEvent } from './facility.decider';

export const facilityStream = (facilityId: string) => `facility-${facilityId}`;

/** A facility as last read, with the revision it was read at. */
export interface LoadedFacility {
  state: Facility;
  revision: number | undefined;
}

interface Pending {
  command: FacilityCommand;
  metadata: EventMetadata;
  eventId: (index: number) => string;
  resolve: (events: NewEvent[]) => void;
  reject: (error: unknown) => void;
}

/**
 * The facility write path. Every command goes through the facility's one stream with the
 * expected revision, so the decider's capacity check holds whatever the number of instances.
 *
 * Within one instance, commands for the same facility queue up and are decided together, in
 * order, against the same state, and appended in one write (group commit): 250 simultaneous
 * reservations make a handful of appends instead of 250 racing ones. Between instances the
 * expected revision decides; the loser reads the events it missed and decides its batch again,
 * after a random pause. The facility's state is kept in memory and only new events are read.
 */
@Injectable()
export class FacilityCommands {
  private readonly queues = new Map<string, Pending[]>();
  private readonly states = new Map<string, LoadedFacility>();

  constructor(
    private readonly store: PostgresEventStore,
    @Inject(CUSTODY_CONFIG) private readonly config: CustodyConfig,
  ) {}

  /**
   * Applies a command; resolves with the events written (none when nothing changed), or rejects
   * with the CommandRejection of the rule that refused it. A refused reservation is recorded
   * (ReservationRefused, for the transfer service) and answered as a rejection with its code.
   */
  async execute(command: FacilityCommand, metadata: EventMetadata, eventId: (index: number) => string = () => randomUUID()): Promise<NewEvent[]> {
    const stream = facilityStream(command.data.facilityId);
    const events = await new Promise<NewEvent[]>((resolve, reject) => {
      const queue = this.queues.get(stream);
      const pending = { command, metadata, eventId, resolve, reject };
      if (queue) {
        queue.push(pending);
        return;
      }
      this.queues.set(stream, [pending]);
      void this.drain(stream);
    });
    const refusal = refusalIn(events);
    if (refusal) throw refusal;
    return events;
  }

  /**
   * Applies a command inside a consumer's transaction (Kafka): the events commit with the inbox
   * entry and the command result. Retries on conflict inside a savepoint.
   */
  async executeIn(tx: PostgresTransaction, command: FacilityCommand, metadata: EventMetadata, eventId: (index: number) => string): Promise<NewEvent[]> {
    const stream = facilityStream(command.data.facilityId);
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(stream);
      const events = toNewEvents(facilityDecider.decide(command, state), metadata, eventId);
      if (events.length === 0) return events;
      try {
        await withSavepoint(tx, () => tx.appendToStream(stream, events, { expectedRevision: revision ?? 'no_stream' }));
        return events;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= this.config.FACILITY_WRITE_MAX_ATTEMPTS) throw concurrencyConflict(stream, attempt);
        await jitter(attempt);
      }
    }
  }

  /** The facility's current state, reading only the events after the last one seen. */
  async load(stream: string): Promise<LoadedFacility> {
    let { state, revision } = this.states.get(stream) ?? { state: facilityDecider.initialState(), revision: undefined };
    for await (const recorded of this.store.readStream(stream, revision === undefined ? {} : { from: revision + 1 })) {
      state = facilityDecider.evolve(state, { type: recorded.type, schemaVersion: recorded.schemaVersion, data: recorded.data } as FacilityEvent);
      revision = recorded.revision;
    }
    const loaded = { state, revision };
    this.states.set(stream, loaded);
    return loaded;
  }

  private async drain(stream: string): Promise<void> {
    const queue = this.queues.get(stream)!;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.config.FACILITY_BATCH_SIZE);
        await this.applyBatch(stream, batch).catch((error: unknown) => batch.forEach((p) => p.reject(error)));
      }
    } finally {
      this.queues.delete(stream);
    }
  }

  private async applyBatch(stream: string, batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(stream);
      let current = state;
      const outcomes: Array<{ events: NewEvent[] } | { error: unknown }> = [];
      for (const pending of batch) {
        try {
          const decided = facilityDecider.decide(pending.command, current);
          current = decided.reduce(facilityDecider.evolve, current);
          outcomes.push({ events: toNewEvents(decided, pending.metadata, pending.eventId) });
        } catch (error) {
          outcomes.push({ error });
        }
      }
      const events = outcomes.flatMap((o) => ('events' in o ? o.events : []));
      try {
        if (events.length > 0) await this.store.appendToStream(stream, events, { expectedRevision: revision ?? 'no_stream' });
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= this.config.FACILITY_WRITE_MAX_ATTEMPTS) throw concurrencyConflict(stream, attempt);
        await jitter(attempt);
        continue;
      }
      batch.forEach((pending, index) => {
        const outcome = outcomes[index];
        if ('events' in outcome) pending.resolve(outcome.events);
        else pending.reject(outcome.error);
      });
      return;
    }
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

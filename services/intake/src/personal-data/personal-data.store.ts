import { Injectable } from '@nestjs/common';
import type { PersonalDataErasedPayload } from '@custody/contracts';
import { PostgresEventStore, type NewEvent, type PostgresTransaction, type ReadStreamOptions, type RecordedEvent } from '@custody/event-store';
import type { StreamReader, StreamStore } from '@custody/event-sourcing';
import { PersonalDataKeys } from '@custody/personal-data';
import { EVENTS_WITH_IDENTITY, hasClearPersonalFields, type KeyAccess, openEvent, sealEvent } from './personal-fields';

/** A recorded event as intake reads it, and whether its personal fields show as erased. */
export type OpenedEvent<E extends RecordedEvent = RecordedEvent> = E & { isPersonalDataErased: boolean };

const inmateIdOf = (data: unknown) => (data as { inmateId?: string } | undefined)?.inmateId;

/**
 * The event store as intake's write path and reads use it: events are sealed (personal fields
 * encrypted with the person's data key) before they are appended, so that the store and the
 * topic never hold them in clear, and opened (decrypted, or shown erased) when they are read.
 * The relay publishes what is stored, sealed.
 */
@Injectable()
export class PersonalDataStore implements StreamReader {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly keys: PersonalDataKeys,
  ) {}

  /** The stream's events, opened. */
  async *readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<OpenedEvent> {
    const access = new Map<string, Promise<KeyAccess>>();
    for await (const event of this.store.readStream(stream, options)) yield await this.open(event, access);
  }

  /** Opens one recorded event; `access` remembers the key of each person for a run of events. */
  async open<E extends RecordedEvent>(event: E, access: Map<string, Promise<KeyAccess>> = new Map()): Promise<OpenedEvent<E>> {
    const inmateId = inmateIdOf(event.data);
    if (!EVENTS_WITH_IDENTITY.has(event.type) || !inmateId) return { ...event, isPersonalDataErased: false };
    if (!access.has(inmateId)) access.set(inmateId, this.keys.access(inmateId));
    const opened = openEvent(event.type, event.data, await access.get(inmateId)!);
    return { ...event, data: opened.data, isPersonalDataErased: opened.isErased };
  }

  /** The events with their personal fields encrypted (the key is created on the person's first event). */
  async seal(events: NewEvent[]): Promise<NewEvent[]> {
    const sealed: NewEvent[] = [];
    for (const event of events) {
      const inmateId = inmateIdOf(event.data);
      if (!inmateId || !hasClearPersonalFields(event.type, event.data)) {
        sealed.push(event);
        continue;
      }
      sealed.push({ ...event, data: sealEvent(event.type, event.data, await this.keys.forWriting(inmateId)) });
    }
    return sealed;
  }

  /**
   * Appends through the transaction: sealed, and with the person's data key destroyed (and the
   * destruction logged) in the same transaction as PersonalDataErased, so that the key goes
   * exactly when the erasure is recorded.
   */
  writer(tx: PostgresTransaction): StreamStore {
    return {
      appendToStream: async (stream, events, options) => {
        const appended = await tx.appendToStream(stream, await this.seal(events), options);
        for (const event of events) {
          if (event.type !== 'PersonalDataErased') continue;
          const erased = event.data as PersonalDataErasedPayload;
          await this.keys.destroy(tx, {
            inmateId: erased.inmateId, sendingState: erased.sendingState, ground: erased.ground, releasedOn: erased.releasedOn,
            retentionPeriod: erased.retentionPeriod, erasableOn: erased.erasableOn, erasureEventId: event.id,
            correlationId: event.metadata.correlationId, ...(event.metadata.actor ? { actor: { ...event.metadata.actor } } : {}),
          });
        }
        return appended;
      },
    };
  }
}

import { Injectable } from '@nestjs/common';
import type { PersonalDataErasedPayload } from '@custody/contracts';
import type { NewEvent, PostgresTransaction } from '@custody/event-store';
import { hasClearFields, openFields, PersonalDataKeys, sealFields } from '@custody/personal-data';

/**
 * The person's opinion on the transfer (Rule 5: ETS 112 Art 7(1), 2008/909 Art 6(3)) is personal
 * data (Rule 16): transfer seals it under a data key of the person's own, kept in transfer's
 * schema and wrapped by the master key, before the event is stored, so that the store,
 * `custody.transfer.events` and the audit ledger never hold it in clear; it destroys that key
 * when intake erases the person (docs/personal-data.md, "Transfer: the opinion").
 */

/** The event that carries the opinion, and the path of the field sealed. */
export const OPINION_EVENT = 'InmateOpinionRecorded';
export const OPINION_FIELDS = ['opinion'] as const;

/** The opinion as transfer's reads show it: in clear, or `null` once the person's data was erased. */
export interface RecordedOpinion {
  opinion: string | null;
  language: string;
  isPersonalDataErased: boolean;
}

@Injectable()
export class PersonalOpinions {
  constructor(private readonly keys: PersonalDataKeys) {}

  /**
   * The events with the opinion sealed under the person's key (created on first use). Refused with
   * PERSONAL_DATA_ERASED once the key is destroyed: an erased person's opinion is not recorded again.
   */
  async seal(events: NewEvent[]): Promise<NewEvent[]> {
    const sealed: NewEvent[] = [];
    for (const event of events) {
      if (event.type !== OPINION_EVENT || !hasClearFields(event.data, OPINION_FIELDS)) {
        sealed.push(event);
        continue;
      }
      const { inmateId } = event.data as { inmateId: string };
      sealed.push({ ...event, data: sealFields(event.data, OPINION_FIELDS, inmateId, await this.keys.forWriting(inmateId)) });
    }
    return sealed;
  }

  /** An InmateOpinionRecorded's data opened with the person's key (`opinion` null once erased; a v1 event's clear opinion as written). */
  async open(data: unknown): Promise<RecordedOpinion> {
    const { inmateId, language } = data as { inmateId: string; language: string };
    const opened = openFields(data, OPINION_FIELDS, inmateId, await this.keys.access(inmateId));
    return { opinion: (opened.data as { opinion: string | null }).opinion, language, isPersonalDataErased: opened.isErased };
  }

  /**
   * Rule 16: intake's erasure reaches transfer's copy. Destroys transfer's key of the person and
   * logs the destruction, in the transaction of the message's inbox entry (`erasureEventId`:
   * intake's PersonalDataErased, since transfer appends no event of its own for it).
   */
  async erase(tx: PostgresTransaction, erased: PersonalDataErasedPayload, erasureEventId: string, context: { correlationId?: string; actor?: Record<string, unknown> }): Promise<void> {
    await this.keys.destroy(tx, {
      inmateId: erased.inmateId, sendingState: erased.sendingState, ground: erased.ground, releasedOn: erased.releasedOn,
      retentionPeriod: erased.retentionPeriod, erasableOn: erased.erasableOn, erasureEventId,
      ...(context.correlationId ? { correlationId: context.correlationId } : {}), ...(context.actor ? { actor: context.actor } : {}),
    });
  }
}

import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ADMISSION_PERSONAL_FIELDS, type PersonalDataErasedPayload } from '@custody/contracts';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { loadState } from '@custody/event-sourcing';
import { causedBy, withTraceparent } from '@custody/platform';
import { PersonalDataKeys } from '@custody/personal-data';
import { custodyStream } from '../custody/custody.commands';
import { custodyDecider } from '../custody/custody.decider';
import { custodyEventIds } from '../ids';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Rule 16: the sending state's erasure reaches the receiving state's copy. When intake erases a
 * person's personal data (PersonalDataErased), custody destroys its own data key for the person
 * and logs the destruction, in the transaction of the message's inbox entry; a person admitted
 * here gets CustodyPersonalDataErased in the custody stream (no personal data in it). From then
 * on the admission record's identity and health facts read as erased, in every replay.
 */
@Controller()
export class PersonalDataErasureConsumer {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly keys: PersonalDataKeys,
  ) {}

  @EventPattern('PersonalDataErased')
  async onErased(@Payload() message: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    const erased = message.data as PersonalDataErasedPayload;
    const { inmateId } = erased;
    const eventId = custodyEventIds(causedBy(message))(0);
    const keyId = await this.keys.keyId(inmateId);
    const actor = message.extensions.actor as Record<string, unknown> | undefined;
    await this.keys.destroy(tx, {
      inmateId, sendingState: erased.sendingState, ground: erased.ground, releasedOn: erased.releasedOn, retentionPeriod: erased.retentionPeriod,
      erasableOn: erased.erasableOn, erasureEventId: eventId, ...(message.correlationId ? { correlationId: message.correlationId } : {}),
      ...(actor ? { actor } : {}),
    });
    const stream = custodyStream(inmateId);
    const { state, revision } = await loadState(this.store, stream, custodyDecider);
    if (state.status === 'none' || !state.facilityId) return;
    await tx.appendToStream(stream, [{
      id: eventId,
      type: 'CustodyPersonalDataErased',
      schemaVersion: 1,
      data: {
        inmateId, facilityId: state.facilityId, ...(keyId ? { keyId } : {}), erasureEventId: message.id, sendingState: erased.sendingState,
        ground: erased.ground, erasedFields: [...ADMISSION_PERSONAL_FIELDS],
      },
      metadata: withTraceparent({ correlationId: message.correlationId ?? message.id, causationId: message.id, occurredAt: message.occurredAt }),
    }], { expectedRevision: revision ?? 'no_stream' });
  }
}

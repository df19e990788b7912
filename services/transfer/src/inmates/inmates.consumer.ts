import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { IntakeEvent, IntakeEventType, PersonalDataErasedPayload } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { PersonalOpinions } from '../personal-data/opinion';
import { InmatesRepository } from './inmates.repository';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in: the intake events that carry the facts a transfer needs (identity's nationalities,
 * residence, sentence, expulsion order, health, release), and the person's erasure, which destroys
 * transfer's key of the person (the opinion can no longer be read). Applied in the inbox
 * transaction, so a redelivered event changes nothing.
 */
@Controller()
export class InmatesConsumer {
  constructor(
    private readonly inmates: InmatesRepository,
    private readonly opinions: PersonalOpinions,
  ) {}

  private fold(type: IntakeEventType, event: DecodedEvent, { tx }: Context): Promise<void> {
    return this.inmates.apply(tx, { type, schemaVersion: event.schemaVersion, data: event.data } as IntakeEvent & { data: { inmateId: string } });
  }

  @EventPattern('InmateRegistered') registered(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('InmateRegistered', e, c); }
  @EventPattern('SentenceRecorded') sentenceRecorded(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('SentenceRecorded', e, c); }
  @EventPattern('SentenceAdjusted') sentenceAdjusted(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('SentenceAdjusted', e, c); }
  @EventPattern('ResidenceStatusRecorded') residence(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('ResidenceStatusRecorded', e, c); }
  @EventPattern('ExpulsionOrderRecorded') expulsionOrder(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('ExpulsionOrderRecorded', e, c); }
  @EventPattern('HealthAssessmentRecorded') health(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('HealthAssessmentRecorded', e, c); }
  @EventPattern('InmateRecordCorrected') corrected(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('InmateRecordCorrected', e, c); }
  @EventPattern('DomesticReleaseRecorded') released(@Payload() e: DecodedEvent, @Ctx() c: Context) { return this.fold('DomesticReleaseRecorded', e, c); }

  @EventPattern('PersonalDataErased')
  erased(@Payload() e: DecodedEvent, @Ctx() { tx }: Context) {
    const actor = e.extensions.actor as Record<string, unknown> | undefined;
    return this.opinions.erase(tx, e.data as PersonalDataErasedPayload, e.id, { ...(e.correlationId ? { correlationId: e.correlationId } : {}), ...(actor ? { actor } : {}) });
  }
}

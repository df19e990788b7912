import { Injectable } from '@nestjs/common';
import type { IntakeEvent, IntakeEventType } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { OnEvent, type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { InmatesRepository } from './inmates.repository';

type Context = HandlerContext<PostgresTransaction>;

/**
 * Kafka in: the intake events that carry the facts a transfer needs (identity's nationalities,
 * residence, sentence, expulsion order, health, release). Folded in the inbox transaction, so a
 * redelivered event changes nothing.
 */
@Injectable()
export class InmatesConsumer {
  constructor(private readonly inmates: InmatesRepository) {}

  private fold(type: IntakeEventType, event: DecodedEvent, { tx }: Context): Promise<void> {
    return this.inmates.apply(tx, { type, schemaVersion: event.schemaVersion, data: event.data } as IntakeEvent & { data: { inmateId: string } });
  }

  @OnEvent('InmateRegistered') registered(e: DecodedEvent, c: Context) { return this.fold('InmateRegistered', e, c); }
  @OnEvent('SentenceRecorded') sentenceRecorded(e: DecodedEvent, c: Context) { return this.fold('SentenceRecorded', e, c); }
  @OnEvent('SentenceAdjusted') sentenceAdjusted(e: DecodedEvent, c: Context) { return this.fold('SentenceAdjusted', e, c); }
  @OnEvent('ResidenceStatusRecorded') residence(e: DecodedEvent, c: Context) { return this.fold('ResidenceStatusRecorded', e, c); }
  @OnEvent('ExpulsionOrderRecorded') expulsionOrder(e: DecodedEvent, c: Context) { return this.fold('ExpulsionOrderRecorded', e, c); }
  @OnEvent('HealthAssessmentRecorded') health(e: DecodedEvent, c: Context) { return this.fold('HealthAssessmentRecorded', e, c); }
  @OnEvent('InmateRecordCorrected') corrected(e: DecodedEvent, c: Context) { return this.fold('InmateRecordCorrected', e, c); }
  @OnEvent('DomesticReleaseRecorded') released(e: DecodedEvent, c: Context) { return this.fold('DomesticReleaseRecorded', e, c); }
}

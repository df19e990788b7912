import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type {
  CustodyDispatchedPayload, CustodyReceivedPayload, ReceivingStateDecisionRecordedPayload, SentenceAdjustedPayload,
  SentenceRecordedPayload, TransferRequestedPayload,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { TransferKnowledge } from './transfer-knowledge';

type Context = HandlerContext<PostgresTransaction>;

/** Kafka in: what the transfer and intake services tell that an admission needs (Rule 11's hand-over, the sentence). */
@Controller()
export class TransferKnowledgeConsumer {
  constructor(private readonly knowledge: TransferKnowledge) {}

  @EventPattern('TransferRequested')
  onRequested(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as TransferRequestedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, {
      legal_basis: d.legalBasis,
      sending_state: d.sendingState,
      receiving_state: d.receivingState,
      ...(d.facilityId ? { facility_id: d.facilityId } : {}),
    });
  }

  @EventPattern('ReceivingStateDecisionRecorded')
  onDecision(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as ReceivingStateDecisionRecordedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, {
      ...(d.adaptedSentence ? { adapted_sentence: d.adaptedSentence } : {}),
      ...(d.facilityId ? { facility_id: d.facilityId } : {}),
    });
  }

  @EventPattern('CustodyDispatched')
  onDispatched(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as CustodyDispatchedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, { dispatched_at: message.occurredAt });
  }

  /** Rule 11: the receiving side recorded the hand-over; with the dispatch, admission may follow. */
  @EventPattern('CustodyReceived')
  onReceived(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as CustodyReceivedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, { received_at: message.occurredAt, received_at_facility_id: d.facilityId });
  }

  @EventPattern('SentenceRecorded')
  onSentenceRecorded(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as SentenceRecordedPayload;
    return this.knowledge.noteSentence(tx, d.inmateId, d.sentence, message.occurredAt);
  }

  @EventPattern('SentenceAdjusted')
  onSentenceAdjusted(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as SentenceAdjustedPayload;
    return this.knowledge.noteSentence(tx, d.inmateId, d.sentence, message.occurredAt);
  }
}

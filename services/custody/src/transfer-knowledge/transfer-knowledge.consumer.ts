import { Injectable } from '@nestjs/common';
import type {
  CustodyDispatchedPayload, CustodyReceivedPayload, ReceivingStateDecisionRecordedPayload, SentenceAdjustedPayload,
  SentenceRecordedPayload, TransferRequestedPayload,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { OnEvent, type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { TransferKnowledge } from './transfer-knowledge';

type Context = HandlerContext<PostgresTransaction>;

/** Kafka in: what the transfer and intake services tell that an admission needs (Rule 11's hand-over, the sentence). */
@Injectable()
export class TransferKnowledgeConsumer {
  constructor(private readonly knowledge: TransferKnowledge) {}

  @OnEvent('TransferRequested')
  onRequested(message: DecodedEvent, { tx }: Context) {
    const d = message.data as TransferRequestedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, {
      legal_basis: d.legalBasis,
      sending_state: d.sendingState,
      receiving_state: d.receivingState,
      ...(d.facilityId ? { facility_id: d.facilityId } : {}),
    });
  }

  @OnEvent('ReceivingStateDecisionRecorded')
  onDecision(message: DecodedEvent, { tx }: Context) {
    const d = message.data as ReceivingStateDecisionRecordedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, {
      ...(d.adaptedSentence ? { adapted_sentence: d.adaptedSentence } : {}),
      ...(d.facilityId ? { facility_id: d.facilityId } : {}),
    });
  }

  @OnEvent('CustodyDispatched')
  onDispatched(message: DecodedEvent, { tx }: Context) {
    const d = message.data as CustodyDispatchedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, { dispatched_at: message.occurredAt });
  }

  /** Rule 11: the receiving side recorded the hand-over; with the dispatch, admission may follow. */
  @OnEvent('CustodyReceived')
  onReceived(message: DecodedEvent, { tx }: Context) {
    const d = message.data as CustodyReceivedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, { received_at: message.occurredAt, received_at_facility_id: d.facilityId });
  }

  @OnEvent('SentenceRecorded')
  onSentenceRecorded(message: DecodedEvent, { tx }: Context) {
    const d = message.data as SentenceRecordedPayload;
    return this.knowledge.noteSentence(tx, d.inmateId, d.sentence, message.occurredAt);
  }

  @OnEvent('SentenceAdjusted')
  onSentenceAdjusted(message: DecodedEvent, { tx }: Context) {
    const d = message.data as SentenceAdjustedPayload;
    return this.knowledge.noteSentence(tx, d.inmateId, d.sentence, message.occurredAt);
  }
}

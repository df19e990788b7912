import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import {
  CommandRejection, type Command, type CustodyDispatchedPayload, type CustodyReceivedPayload, type ReceivingStateDecisionRecordedPayload, type ReturnRequestedPayload,
  type SentenceAdjustedPayload, type SentenceRecordedPayload, type TransferRequestedPayload,
} from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { deterministicId } from '@custody/event-sourcing';
import { type DecodedEvent, type HandlerContext } from '@custody/messaging';
import { causedBy, messageMetadata } from '@custody/platform';
import { CustodyCommands } from '../custody/custody.commands';
import { custodyEventIds } from '../ids';
import { TransferKnowledge } from './transfer-knowledge';

type Context = HandlerContext<PostgresTransaction>;

/** Kafka in: what the transfer and intake services tell that an admission needs (Rule 11's hand-over, the sentence). */
@Controller()
export class TransferKnowledgeConsumer {
  private readonly logger = new Logger('TransferKnowledgeConsumer');

  constructor(
    private readonly knowledge: TransferKnowledge,
    private readonly custody: CustodyCommands,
  ) {}

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

  /** Rule 19: a return was decided; kept to recognise its receipt. */
  @EventPattern('ReturnRequested')
  onReturnRequested(@Payload() message: DecodedEvent, @Ctx() { tx }: Context) {
    const d = message.data as ReturnRequestedPayload;
    return this.knowledge.noteCase(tx, d.transferId, d.inmateId, {
      legal_basis: d.legalBasis, sending_state: d.sendingState, receiving_state: d.receivingState, facility_id: d.destinationFacilityId,
      return_of: d.returnOf, return_from_facility_id: d.fromFacilityId,
    });
  }

  /**
   * Rule 11: the receiving side recorded the hand-over; with the dispatch, admission may follow. For
   * a return (Rule 19) the facility the person left releases them to the state they went back to,
   * handed to the receiving side: custody's own record of the fact the transfer service reported,
   * dated by the receipt (Rule 17), after both sides of the hand-over so that one custodian follows
   * the other (Rule 10). The transfer service completes the return from that release. A person no
   * longer held there (released already) changes nothing.
   */
  @EventPattern('CustodyReceived')
  async onReceived(@Payload() message: DecodedEvent, @Ctx() { tx }: Context): Promise<void> {
    const d = message.data as CustodyReceivedPayload;
    await this.knowledge.noteCase(tx, d.transferId, d.inmateId, { received_at: message.occurredAt, received_at_facility_id: d.facilityId });
    const ret = await this.knowledge.returnOf(tx, d.transferId);
    if (!ret) return;
    // Rule 17: a receipt recorded late gave its reason; the release it settles keeps it.
    const late = (message.extensions as { lateRecordingReason?: unknown } | undefined)?.lateRecordingReason;
    const command: Command<'ReleaseInmate'> = {
      type: 'ReleaseInmate',
      data: {
        commandId: deterministicId(`${message.id}/return-release`),
        occurredAt: message.occurredAt,
        inmateId: d.inmateId,
        facilityId: ret.fromFacilityId,
        disposition: 'returned-to-sending-state',
        ...(ret.receivingState ? { destinationState: ret.receivingState } : {}),
        handedTo: d.receivedBy,
        ...(typeof late === 'string' && late !== '' ? { lateRecordingReason: late } : {}),
      },
    } as Command<'ReleaseInmate'>;
    try {
      await this.custody.executeIn(tx, command, messageMetadata(message), custodyEventIds(causedBy(message)));
    } catch (error) {
      if (!(error instanceof CommandRejection) || error.code === 'CONCURRENCY_CONFLICT') throw error;
      this.logger.warn(`return ${d.transferId}: the release of ${d.inmateId} from facility ${ret.fromFacilityId} was refused: ${error.code}`);
    }
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

import { Module } from '@nestjs/common';
import { TransferKnowledge } from './transfer-knowledge';

/** What the transfer and intake services told: hand-overs, reservations asked for, sentences. */
@Module({
  providers: [TransferKnowledge],
  exports: [TransferKnowledge],
})
export class TransferKnowledgeModule {}

import { Module } from '@nestjs/common';
import { FacilityModule } from '../facility/facility.module';
import { TransferKnowledgeModule } from '../transfer-knowledge/transfer-knowledge.module';
import { CustodyCommands } from './custody.commands';
import { CustodyController } from './custody.controller';
import { AdmissionJurisdiction, CustodyJurisdiction } from './custody.jurisdiction';
import { CustodyProjection } from './custody.projection';

/** Each admitted person's custody, from admission to release. */
@Module({
  imports: [FacilityModule, TransferKnowledgeModule],
  controllers: [CustodyController],
  providers: [CustodyCommands, CustodyProjection, CustodyJurisdiction, AdmissionJurisdiction],
  exports: [CustodyCommands, CustodyProjection],
})
export class CustodyModule {}

import { Module } from '@nestjs/common';
import { FacilityModule } from '../facility/facility.module';
import { TransferKnowledgeModule } from '../transfer-knowledge/transfer-knowledge.module';
import { CustodyCommandPort, CustodyCommandRoutes } from './custody.command-table';
import { CustodyCommands } from './custody.commands';
import { CustodyController } from './custody.controller';
import { AdmissionJurisdiction, CustodyJurisdiction } from './custody.jurisdiction';
import { CustodyProjection } from './custody.projection';

/** Each admitted person's custody, from admission to release (commands from custody.command-table.ts). */
@Module({
  imports: [FacilityModule, TransferKnowledgeModule],
  controllers: [CustodyCommandRoutes, CustodyController],
  providers: [CustodyCommands, CustodyCommandPort, CustodyProjection, CustodyJurisdiction, AdmissionJurisdiction],
  exports: [CustodyCommands, CustodyCommandPort, CustodyProjection],
})
export class CustodyModule {}

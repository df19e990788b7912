import { Module } from '@nestjs/common';
import { TransferKnowledgeModule } from '../transfer-knowledge/transfer-knowledge.module';
import { FacilityCommandPort, FacilityCommandRoutes } from './facility.command-table';
import { FacilityCommands } from './facility.commands';
import { FacilityController } from './facility.controller';
import { FacilityJurisdiction, RegistrationJurisdiction } from './facility.jurisdiction';
import { FacilityProjection } from './facility.projection';
import { FacilityRights } from './facility.rights';
import { ReservationExpiry } from './reservation-expiry';

/** Facilities: capacity, reservations and occupancy (commands from facility.command-table.ts). */
@Module({
  imports: [TransferKnowledgeModule],
  controllers: [FacilityCommandRoutes, FacilityController],
  providers: [FacilityCommands, FacilityCommandPort, FacilityRights, FacilityProjection, ReservationExpiry, FacilityJurisdiction, RegistrationJurisdiction],
  exports: [FacilityCommands, FacilityCommandPort, FacilityRights, FacilityProjection],
})
export class FacilityModule {}

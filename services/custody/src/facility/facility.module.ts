import { Module } from '@nestjs/common';
import { TransferKnowledgeModule } from '../transfer-knowledge/transfer-knowledge.module';
import { FacilityCommands } from './facility.commands';
import { FacilityController } from './facility.controller';
import { FacilityJurisdiction, RegistrationJurisdiction } from './facility.jurisdiction';
import { FacilityProjection } from './facility.projection';
import { ReservationExpiry } from './reservation-expiry';

/** Facilities: capacity, reservations and occupancy. */
@Module({
  imports: [TransferKnowledgeModule],
  controllers: [FacilityController],
  providers: [FacilityCommands, FacilityProjection, ReservationExpiry, FacilityJurisdiction, RegistrationJurisdiction],
  exports: [FacilityCommands, FacilityProjection],
})
export class FacilityModule {}

import { Module } from '@nestjs/common';
import { CommandRefusalRecorder } from '@custody/platform';
import { DocumentRegistry } from './document-registry';
import { InmateCommandHandlers, InmateCommandPort, InmateCommandRoutes } from './inmate.command-table';
import { InmateCommands } from './inmate.commands';
import { InmateConsumer } from './inmate.consumer';
import { InmateController } from './inmate.controller';
import { InmateJurisdiction, RegistrationJurisdiction } from './inmate.jurisdiction';
import { InmateRights } from './inmate.rights';
import { TransferCases } from './transfer-cases';

@Module({
  // The consumers are controllers: the Kafka transport routes to their @EventPattern handlers.
  controllers: [InmateCommandRoutes, InmateController, InmateCommandHandlers, InmateConsumer, CommandRefusalRecorder],
  providers: [InmateCommands, InmateCommandPort, DocumentRegistry, InmateJurisdiction, RegistrationJurisdiction, InmateRights, TransferCases],
  exports: [InmateCommands, InmateJurisdiction],
})
export class InmateModule {}

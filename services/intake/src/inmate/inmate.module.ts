import { Module } from '@nestjs/common';
import { CommandRefusalRecorder } from '@custody/platform';
import { DocumentRegistry } from './document-registry';
import { InmateCommands } from './inmate.commands';
import { InmateConsumer } from './inmate.consumer';
import { InmateController } from './inmate.controller';
import { InmateJurisdiction, RegistrationJurisdiction } from './inmate.jurisdiction';
import { InmateRights } from './inmate.rights';

@Module({
  controllers: [InmateController],
  providers: [InmateCommands, DocumentRegistry, InmateConsumer, InmateJurisdiction, RegistrationJurisdiction, InmateRights, CommandRefusalRecorder],
  exports: [InmateCommands, InmateJurisdiction],
})
export class InmateModule {}

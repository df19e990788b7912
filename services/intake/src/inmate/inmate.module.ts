import { Module } from '@nestjs/common';
import { DocumentRegistry } from './document-registry';
import { InmateCommands } from './inmate.commands';
import { InmateConsumer } from './inmate.consumer';
import { InmateController } from './inmate.controller';
import { InmateJurisdiction, RegistrationJurisdiction } from './inmate.jurisdiction';

@Module({
  controllers: [InmateController],
  providers: [InmateCommands, DocumentRegistry, InmateConsumer, InmateJurisdiction, RegistrationJurisdiction],
  exports: [InmateCommands, InmateJurisdiction],
})
export class InmateModule {}

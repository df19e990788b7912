import { Module } from '@nestjs/common';
import { DocumentRegistry } from './document-registry';
import { InmateCommands } from './inmate.commands';
import { InmateConsumer } from './inmate.consumer';
import { InmateController } from './inmate.controller';

@Module({
  controllers: [InmateController],
  providers: [InmateCommands, DocumentRegistry, InmateConsumer],
  exports: [InmateCommands],
})
export class InmateModule {}

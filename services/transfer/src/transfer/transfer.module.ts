import { Module } from '@nestjs/common';
import { CommandRefusalRecorder } from '@custody/platform';
import { InmatesConsumer } from '../inmates/inmates.consumer';
import { InmatesRepository } from '../inmates/inmates.repository';
import { DeadlineScheduler } from '../deadlines/deadline.scheduler';
import { PersonalOpinions } from '../personal-data/opinion';
import { TransferCommands } from './transfer.commands';
import { TransferCommandHandlers, TransferCommandPort, TransferCommandRoutes } from './transfer.command-table';
import { TransferConsumer } from './transfer.consumer';
import { TransferController } from './transfer.controller';
import { AgreementJurisdiction, CaseJurisdiction, RequestJurisdiction, ReturnJurisdiction } from './transfer.jurisdiction';
import { TransferProjection } from './transfer.projection';

/** The transfer case: commands (HTTP and Kafka, from its command table), the inmate facts it needs, its read model and deadlines. */
@Module({
  // The consumers are controllers: the Kafka transport routes to their @EventPattern handlers.
  controllers: [TransferCommandRoutes, TransferController, TransferCommandHandlers, InmatesConsumer, TransferConsumer, CommandRefusalRecorder],
  providers: [InmatesRepository, PersonalOpinions, TransferCommands, TransferCommandPort, TransferProjection, DeadlineScheduler, CaseJurisdiction, RequestJurisdiction, AgreementJurisdiction, ReturnJurisdiction],
  exports: [TransferCommands, TransferProjection, DeadlineScheduler],
})
export class TransferModule {}

import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { contractDecoder, TopicNames } from '@custody/messaging';
import { CommandRefusalRecorder, type ServiceMessaging } from '@custody/platform';
import { commandDecoder } from '@custody/security';
import type { CustodyConfig } from './config';
import { CustodyCommandHandlers } from './custody/custody.command-table';
import { CustodyModule } from './custody/custody.module';
import { FacilityCommandHandlers } from './facility/facility.command-table';
import { FacilityConsumer } from './facility/facility.consumer';
import { FacilityModule } from './facility/facility.module';
import { CUSTODY_MESSAGE_RIGHTS } from './facility/facility.rights';
import { PersonalDataErasureConsumer } from './personal-data/personal-data.consumer';
import { TransferKnowledgeConsumer } from './transfer-knowledge/transfer-knowledge.consumer';
import { TransferKnowledgeModule } from './transfer-knowledge/transfer-knowledge.module';

/**
 * Kafka: commands in on `custody.facility.commands` (results out on `custody.command-results`),
 * the transfer and intake services' events in, and the service's events out on
 * `custody.facility.events` through the relay.
 */
export function custodyMessaging(config: CustodyConfig): ServiceMessaging {
  const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
  return {
    consumed: [TOPICS.facilityCommands, TOPICS.transferEvents, TOPICS.intakeEvents],
    produced: [TOPICS.facilityEvents, TOPICS.commandResults],
    commandsTopic: TOPICS.facilityCommands,
    // The ministries' signatures of commands (COMMAND_SIGNATURES), checked before any handler; built
    // here, so that signatures required without a key stop the service naming COMMAND_SIGNERS.
    decoder: commandDecoder(config, contractDecoder(names), names.physical(TOPICS.facilityCommands), CUSTODY_MESSAGE_RIGHTS),
    // One message per transaction: the handlers load the facility's stream through the pool, which
    // cannot see an earlier message of the same uncommitted transaction; in groups, every
    // reservation after the first of a facility conflicted 50 times.
    transactionBatchSize: 1,
  };
}

/** The Kafka consumers: controllers, the Kafka transport routes to their @EventPattern handlers. */
@Module({})
export class CustodyMessagingModule {
  static forConfig(): DynamicModule {
    return {
      module: CustodyMessagingModule,
      imports: [FacilityModule, CustodyModule, TransferKnowledgeModule],
      controllers: [FacilityCommandHandlers, CustodyCommandHandlers, FacilityConsumer, TransferKnowledgeConsumer, PersonalDataErasureConsumer, CommandRefusalRecorder],
    };
  }
}

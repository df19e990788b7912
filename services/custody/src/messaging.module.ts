import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { contractDecoder, contractRoute, MessagingModule, PostgresInbox, TopicNames } from '@custody/messaging';
import type { Pool } from 'pg';
import { commandDecoder, CommandRefusalRecorder, kafkaSettingsOf, serviceTopics } from '@custody/platform';
import type { CustodyConfig } from './config';
import { CustodyConsumer } from './custody/custody.consumer';
import { CustodyModule } from './custody/custody.module';
import { FacilityConsumer } from './facility/facility.consumer';
import { FacilityModule } from './facility/facility.module';
import { CUSTODY_MESSAGE_RIGHTS, FacilityRights } from './facility/facility.rights';
import { PersonalDataErasureConsumer } from './personal-data/personal-data.consumer';
import { DATABASE_POOL } from './store/store.module';
import { TransferKnowledgeConsumer } from './transfer-knowledge/transfer-knowledge.consumer';
import { TransferKnowledgeModule } from './transfer-knowledge/transfer-knowledge.module';

/**
 * Kafka: commands in on `custody.facility.commands` (results out on `custody.command-results`),
 * the transfer and intake services' events in, and the service's events out on
 * `custody.facility.events` through the relay.
 */
@Module({})
export class CustodyMessagingModule {
  static forConfig(config: CustodyConfig): DynamicModule {
    const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    // The ministries' signatures of commands (COMMAND_SIGNATURES), checked before any handler; built
    // here, so that signatures required without a key stop the service naming COMMAND_SIGNERS.
    const decoder = commandDecoder(config, contractDecoder(names), names.physical(TOPICS.facilityCommands), CUSTODY_MESSAGE_RIGHTS);
    return {
      module: CustodyMessagingModule,
      imports: [
        FacilityModule,
        CustodyModule,
        TransferKnowledgeModule,
        MessagingModule.forRootAsync({
          inject: [PostgresEventStore, DATABASE_POOL],
          useFactory: (store: PostgresEventStore, pool: Pool) => ({
            kafka: kafkaSettingsOf(config),
            topics: serviceTopics(config, [TOPICS.facilityCommands, TOPICS.facilityEvents, TOPICS.commandResults, TOPICS.transferEvents, TOPICS.intakeEvents], TOPICS.facilityCommands),
            relay: { name: 'custody', store, pool, schema: config.DATABASE_SCHEMA, route: contractRoute(names) },
            consumer: {
              groupId: config.KAFKA_GROUP_ID,
              topics: [TOPICS.facilityCommands, TOPICS.transferEvents, TOPICS.intakeEvents].map((t) => names.physical(t)),
              decoder,
              inbox: new PostgresInbox(store, config.DATABASE_SCHEMA),
              // One message per transaction: the handlers load the facility's stream through the
              // pool, which cannot see an earlier message of the same uncommitted transaction; in
              // groups, every reservation after the first of a facility conflicted 50 times.
              transactionBatchSize: 1,
            },
          }),
        }),
      ],
      // The consumers are controllers: the Kafka transport routes to their @EventPattern handlers.
      controllers: [FacilityConsumer, CustodyConsumer, TransferKnowledgeConsumer, PersonalDataErasureConsumer, CommandRefusalRecorder],
      providers: [FacilityRights],
    };
  }
}

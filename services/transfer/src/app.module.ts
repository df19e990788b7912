import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { contractDecoder, contractRoute, MessagingModule, PostgresInbox, TopicNames, type MessagingOptions } from '@custody/messaging';
import { AccessLogModule, commandDecoder, HealthModule, kafkaSettingsOf, SecurityModule, serviceTopics } from '@custody/platform';
import type { Pool } from 'pg';
import { TransferConfig } from './config';
import { Clock, OffsetClock } from './deadlines/clock';
import { POOL, StoreModule } from './store/store.module';
import { TransferModule } from './transfer/transfer.module';
import { TRANSFER_MESSAGE_RIGHTS } from './transfer/transfer.rights';

/** The transfer service: authentication and authorisation, the store, Kafka (relay and consumer), the case module, health. */
@Module({})
export class AppModule {
  static forRoot(config: TransferConfig, options: { clock?: Clock } = {}): DynamicModule {
    // The ministries' signatures of commands (COMMAND_SIGNATURES), checked before any handler; built
    // here, so that signatures required without a key stop the service naming COMMAND_SIGNERS.
    const topicNames = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    const decoder = commandDecoder(config, contractDecoder(topicNames), topicNames.physical(TOPICS.transferCommands), TRANSFER_MESSAGE_RIGHTS);
    return {
      module: AppModule,
      imports: [
        SecurityModule.forRoot(config),
        AccessLogModule.forRoot({ service: 'transfer', schema: config.DATABASE_SCHEMA, pool: POOL }),
        StoreModule.forRoot(config, options.clock ?? (config.CLOCK_OFFSET_MS ? new OffsetClock(config.CLOCK_OFFSET_MS) : undefined)),
        HealthModule.forService('transfer'),
        MessagingModule.forRootAsync({
          inject: [PostgresEventStore, POOL],
          useFactory: ((store: PostgresEventStore, pool: Pool): MessagingOptions => {
            const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
            const consumed = [TOPICS.transferCommands, TOPICS.intakeEvents, TOPICS.facilityEvents];
            return {
              kafka: kafkaSettingsOf(config),
              topics: serviceTopics(config, [...consumed, TOPICS.transferEvents, TOPICS.commandResults], TOPICS.transferCommands),
              relay: { name: 'transfer', store, pool, schema: config.DATABASE_SCHEMA, route: contractRoute(names) },
              consumer: {
                groupId: config.KAFKA_GROUP_ID,
                topics: consumed.map((topic) => names.physical(topic)),
                decoder,
                inbox: new PostgresInbox(store, config.DATABASE_SCHEMA),
              },
            };
          }) as never, // MessagingModule types its factory as returning MessagingOptions<never>
        }),
        TransferModule,
      ],
    };
  }
}

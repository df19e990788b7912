import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
import { contractRoute, MessagingModule, PostgresInbox, TopicNames, type MessageDecoder, type MessagingOptions } from '@custody/messaging';
import { AccessLogModule, commandDecoder, HealthModule, kafkaSettingsOf, SecurityModule, serviceTopics } from '@custody/platform';
import type { Pool } from 'pg';
import { IntakeConfig } from './config';
import { InmateModule } from './inmate/inmate.module';
import { INTAKE_MESSAGE_RIGHTS } from './inmate/inmate.rights';
import { intakeDecoder } from './inmate/intake-decoder';
import { PersonalDataModule } from './personal-data/personal-data.module';
import { ScreeningModule } from './screening/screening.module';
import { SearchModule } from './search/search.module';
import { POOL, StoreModule } from './store/store.module';

/** The Kafka side: our commands and the transfer and custody events in, our events and command results out. */
function messaging(config: IntakeConfig, store: PostgresEventStore, pool: Pool, decoder: MessageDecoder): MessagingOptions<PostgresTransaction> {
  const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
  const consumed = [TOPICS.intakeCommands, TOPICS.transferEvents, TOPICS.facilityEvents];
  return {
    kafka: kafkaSettingsOf(config),
    topics: serviceTopics(config, [...consumed, TOPICS.intakeEvents, TOPICS.commandResults], TOPICS.intakeCommands),
    relay: { name: 'intake', store, pool, schema: config.DATABASE_SCHEMA, route: contractRoute(names) },
    consumer: {
      groupId: config.KAFKA_GROUP_ID,
      topics: consumed.map((t) => names.physical(t)),
      decoder,
      inbox: new PostgresInbox(store, config.DATABASE_SCHEMA),
    },
  };
}

@Module({})
export class AppModule {
  static forRoot(config: IntakeConfig): DynamicModule {
    // The ministries' signatures of commands (COMMAND_SIGNATURES), checked before any handler; built
    // here, so that signatures required without a key stop the service naming COMMAND_SIGNERS.
    const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    const decoder = commandDecoder(config, intakeDecoder(names), names.physical(TOPICS.intakeCommands), INTAKE_MESSAGE_RIGHTS);
    return {
      module: AppModule,
      imports: [
        SecurityModule.forRoot(config),
        AccessLogModule.forRoot({ service: 'intake', schema: config.DATABASE_SCHEMA, pool: POOL }),
        HealthModule.forService('intake'),
        StoreModule.forRoot(config),
        InmateModule,
        SearchModule,
        ScreeningModule,
        PersonalDataModule,
        MessagingModule.forRootAsync({
          inject: [IntakeConfig, PostgresEventStore, POOL],
          useFactory: (c: IntakeConfig, store: PostgresEventStore, pool: Pool) => messaging(c, store, pool, decoder) as MessagingOptions<never>,
        } as Parameters<typeof MessagingModule.forRootAsync>[0]),
      ],
    };
  }
}

import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { TOPICS } from '@custody/contracts';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
import { contractDecoder, contractRoute, type MessagingOptions, MessagingModule, PostgresInbox, TopicNames } from '@custody/messaging';
import { AccessLogModule, HealthModule, kafkaSettingsOf, SecurityModule, serviceTopics } from '@custody/platform';
import { PersonAccessLogModule } from './access-log/person-access-log.module';
import { AuditConfig } from './config';
import { FindingsModule } from './findings/findings.module';
import { LEDGER_TOPICS } from './ledger/ledger.consumer';
import { LedgerModule } from './ledger/ledger.module';
import { PG_POOL, StoreModule } from './store/store.module';
import { WebModule } from './web/web.module';

@Global()
@Module({})
class ConfigModule {
  static of(config: AuditConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AuditConfig, useValue: config }], exports: [AuditConfig] };
  }
}

/** The audit service: the ledger of every events topic, its checkpoints, timelines and findings. */
@Module({})
export class AppModule {
  static forConfig(config: AuditConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.of(config),
        SecurityModule.forRoot(config),
        AccessLogModule.forRoot({ service: 'audit', schema: config.DATABASE_SCHEMA, pool: PG_POOL }),
        PersonAccessLogModule.forConfig(config),
        HealthModule.forService('audit'),
        StoreModule,
        LedgerModule,
        WebModule,
        FindingsModule,
        MessagingModule.forRootAsync<PostgresTransaction>({
          inject: [AuditConfig, PostgresEventStore, PG_POOL],
          useFactory: (cfg: AuditConfig, store: PostgresEventStore, pool: Pool) => {
            const names = new TopicNames(cfg.KAFKA_TOPIC_PREFIX);
            const consumed = LEDGER_TOPICS.map((t) => names.physical(t));
            const options: MessagingOptions<PostgresTransaction> = {
              kafka: kafkaSettingsOf(cfg),
              topics: serviceTopics(cfg, [...LEDGER_TOPICS, TOPICS.auditFindings, TOPICS.auditCheckpoints, ...LEDGER_TOPICS.map((t) => `${t}.dlq`)]),
              relay: { name: 'audit', store, pool, schema: cfg.DATABASE_SCHEMA, route: contractRoute(names) },
              consumer: {
                groupId: cfg.KAFKA_GROUP_ID,
                topics: consumed,
                decoder: contractDecoder(names),
                inbox: new PostgresInbox(store, cfg.DATABASE_SCHEMA),
              },
            };
            return options;
          },
        }),
      ],
    };
  }
}

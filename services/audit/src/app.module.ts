import { type DynamicModule, Module } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { contractDecoder, TopicNames } from '@custody/messaging';
import { PersonAccessLogModule } from './access-log/person-access-log.module';
import type { AuditConfig } from './config';
import { FindingsModule } from './findings/findings.module';
import { LEDGER_TOPICS } from './ledger/ledger.consumer';
import { LedgerModule } from './ledger/ledger.module';
import { auditStore } from './store/store.module';
import { WebModule } from './web/web.module';

/** The audit service: the ledger of every events topic, its checkpoints, timelines and findings. */
@Module({})
export class AppModule {
  static forConfig(config: AuditConfig): DynamicModule {
    const messaging = {
      consumed: LEDGER_TOPICS,
      produced: [TOPICS.auditFindings, TOPICS.auditCheckpoints, ...LEDGER_TOPICS.map((t) => `${t}.dlq`)],
      decoder: contractDecoder(new TopicNames(config.KAFKA_TOPIC_PREFIX)),
    };
    return {
      module: AppModule,
      imports: [auditStore(config, messaging), PersonAccessLogModule.forConfig(config), LedgerModule, WebModule, FindingsModule],
    };
  }
}

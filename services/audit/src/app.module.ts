import { type DynamicModule, Module } from '@nestjs/common';
import { TOPICS } from '@custody/contracts';
import { contractDecoder, TopicNames, type DecodeFailure, type InboundMessage } from '@custody/messaging';
import { PersonAccessLogModule } from './access-log/person-access-log.module';
import type { AuditConfig } from './config';
import { FindingsModule } from './findings/findings.module';
import { keepingEventSignatures, signatureRefusalOf } from './ledger/event-signatures';
import { LEDGER_TOPICS } from './ledger/ledger.consumer';
import { LedgerModule } from './ledger/ledger.module';
import { auditStore } from './store/store.module';
import { WebModule } from './web/web.module';

/** The audit service: the ledger of every events topic, its checkpoints, timelines and findings. */
@Module({})
export class AppModule {
  static forConfig(config: AuditConfig): DynamicModule {
    const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
    const messaging = {
      consumed: LEDGER_TOPICS,
      produced: [TOPICS.auditFindings, TOPICS.auditCheckpoints, ...LEDGER_TOPICS.map((t) => `${t}.dlq`)],
      // Each event's signature is kept in the ledger beside it (docs/adr/0013-signed-events.md).
      decoder: keepingEventSignatures(contractDecoder(names), names),
      // An event refused for its signature is recorded, and raised as a finding, before it is set aside.
      recordRefusal: (message: InboundMessage, failure: DecodeFailure) => signatureRefusalOf(message, failure, names),
    };
    return {
      module: AppModule,
      imports: [auditStore(config, messaging), PersonAccessLogModule.forConfig(config), LedgerModule, WebModule, FindingsModule],
    };
  }
}

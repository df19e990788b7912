import type { DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { DATABASE_POOL, ServiceModule, type ServiceMessaging } from '@custody/platform';
import { AuditConfig } from '../config';
import { LedgerRepository, migrateLedger } from '../ledger/ledger.repository';

export const PG_POOL = DATABASE_POOL;

/**
 * The service's skeleton (pool, Kafka, the event store of its own events: findings and checkpoints,
 * relayed to Kafka) and the ledger's tables beside it in the same schema.
 */
export function auditStore(config: AuditConfig, messaging: ServiceMessaging): DynamicModule {
  return ServiceModule.forService({
    name: 'audit', config, configToken: AuditConfig, messaging,
    migrate: migrateLedger,
    providers: [
      {
        provide: LedgerRepository,
        inject: [PG_POOL, PostgresEventStore],
        useFactory: (pool: Pool) => new LedgerRepository(pool, config.DATABASE_SCHEMA),
      },
    ],
    exports: [LedgerRepository],
  });
}

import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { AuditConfig } from '../config';
import { LedgerRepository, migrateLedger } from '../ledger/ledger.repository';

export const PG_POOL = Symbol('PG_POOL');

/**
 * The database: one pool, the service's event store (its own events: findings and checkpoints,
 * relayed to Kafka) and the ledger's tables beside it in the same schema.
 */
@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [AuditConfig],
      useFactory: (config: AuditConfig) => new Pool({ connectionString: config.DATABASE_URL, max: 10, idle_in_transaction_session_timeout: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS }),
    },
    {
      provide: PostgresEventStore,
      inject: [PG_POOL, AuditConfig],
      useFactory: async (pool: Pool, config: AuditConfig) => {
        const store = new PostgresEventStore({ connection: pool, schema: config.DATABASE_SCHEMA });
        await store.migrate();
        await migrateLedger(pool, config.DATABASE_SCHEMA);
        return store;
      },
    },
    {
      provide: LedgerRepository,
      inject: [PG_POOL, AuditConfig, PostgresEventStore],
      useFactory: (pool: Pool, config: AuditConfig) => new LedgerRepository(pool, config.DATABASE_SCHEMA),
    },
  ],
  exports: [PG_POOL, PostgresEventStore, LedgerRepository],
})
export class StoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  /** After messaging stopped (beforeApplicationShutdown): close the store, then the pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.pool.end();
  }
}

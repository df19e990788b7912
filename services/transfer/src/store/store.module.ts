import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { TransferConfig } from '../config';
import { Clock, SystemClock } from '../deadlines/clock';
import { TransferTables } from './transfer-tables';

/** The service's PostgreSQL pool (events, inbox, relay checkpoint, inmate facts and read model share it). */
export const POOL = Symbol('POOL');

/** Ends the pool when the application closes: after messaging stopped (beforeApplicationShutdown). */
@Injectable()
class PoolCloser implements OnApplicationShutdown {
  constructor(
    @Inject(POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.pool.end();
  }
}

/** The pool, the event store and the service's own tables in its schema (migrated on start), and the clock. */
@Global()
@Module({})
export class StoreModule {
  static forRoot(config: TransferConfig, clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        { provide: TransferConfig, useValue: config },
        { provide: Clock, useValue: clock },
        { provide: POOL, useFactory: () => new Pool({ connectionString: config.DATABASE_URL, max: 10, idle_in_transaction_session_timeout: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS }) },
        {
          provide: PostgresEventStore,
          inject: [POOL],
          useFactory: async (pool: Pool) => {
            const store = new PostgresEventStore({ connection: pool, schema: config.DATABASE_SCHEMA });
            await store.migrate();
            return store;
          },
        },
        {
          provide: TransferTables,
          inject: [POOL, PostgresEventStore],
          useFactory: async (pool: Pool) => {
            const tables = new TransferTables(pool, config.DATABASE_SCHEMA);
            await tables.migrate();
            return tables;
          },
        },
        PoolCloser,
      ],
      exports: [TransferConfig, Clock, POOL, PostgresEventStore, TransferTables],
    };
  }
}

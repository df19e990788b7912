import { Global, Inject, Module, type OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { MasterKeyRewrapJob, PersonalDataKeys } from '@custody/platform';
import type { CustodyConfig } from '../config';
import { migrateReadModels } from './read-model.schema';

export const CUSTODY_CONFIG = Symbol('CUSTODY_CONFIG');
export const DATABASE_POOL = Symbol('DATABASE_POOL');

/**
 * The service's database: one pool, the event store in the service's schema, its read-model tables,
 * and the persons' data keys with the destruction log (Rule 16), migrated on start, with the
 * rewrap of the keys after a rotation of the master key.
 */
@Global()
@Module({})
export class StoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  static forConfig(config: CustodyConfig): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        { provide: CUSTODY_CONFIG, useValue: config },
        {
          provide: DATABASE_POOL,
          useFactory: () => new Pool({
              connectionString: config.DATABASE_URL,
              max: config.DATABASE_POOL_SIZE,
              idle_in_transaction_session_timeout: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
            }),
        },
        {
          provide: PostgresEventStore,
          inject: [DATABASE_POOL],
          useFactory: async (pool: Pool) => {
            const store = new PostgresEventStore({ connection: pool, schema: config.DATABASE_SCHEMA });
            await store.migrate();
            await migrateReadModels(pool, config.DATABASE_SCHEMA);
            return store;
          },
        },
        { provide: PersonalDataKeys, inject: [DATABASE_POOL], useFactory: (pool: Pool) => new PersonalDataKeys(pool, config) },
        MasterKeyRewrapJob,
      ],
      exports: [CUSTODY_CONFIG, DATABASE_POOL, PostgresEventStore, PersonalDataKeys],
    };
  }

  /** Runs after messaging stopped (beforeApplicationShutdown): the database closes last. */
  async onApplicationShutdown(): Promise<void> {
    // The store's notification listener holds a connection of the pool: close it first.
    await this.store.close();
    await this.pool.end();
  }
}

import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { IntakeConfig } from '../config';
import { MasterKeyRewrapJob, PersonalDataKeys } from '@custody/platform';
import { DOCUMENT_INDEX } from '../inmate/document-registry';
import { PersonalDataStore } from '../personal-data/personal-data.store';

/** The service's PostgreSQL pool (events, inbox, relay checkpoint and read model share it). */
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

/**
 * The pool, the event store in the service's schema (migrated on start), and the personal data
 * store over it (persons' data keys and the documents' blind-index key; events sealed on append,
 * opened on read), with the rewrap of keys after a rotation of the master key.
 */
@Global()
@Module({})
export class StoreModule {
  static forRoot(config: IntakeConfig): DynamicModule {
    return {
      module: StoreModule,
      providers: [
        { provide: IntakeConfig, useValue: config },
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
        { provide: PersonalDataKeys, inject: [POOL], useFactory: (pool: Pool) => new PersonalDataKeys(pool, config, { indexPurposes: [DOCUMENT_INDEX] }) },
        PersonalDataStore,
        MasterKeyRewrapJob,
        PoolCloser,
      ],
      exports: [IntakeConfig, POOL, PostgresEventStore, PersonalDataKeys, PersonalDataStore],
    };
  }
}

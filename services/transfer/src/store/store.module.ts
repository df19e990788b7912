import type { DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { DATABASE_POOL, ServiceModule, type ServiceMessaging } from '@custody/platform';
import { MasterKeyRewrapJob, PersonalDataKeys } from '@custody/personal-data';
import { TransferConfig } from '../config';
import { Clock, SystemClock } from '../deadlines/clock';
import { TransferTables } from './transfer-tables';

/** The service's PostgreSQL pool (events, inbox, relay checkpoint, inmate facts and read model share it). */
export const POOL = DATABASE_POOL;

/**
 * The service's skeleton (pool, event store, Kafka), its own tables in its schema (migrated on
 * start), the clock, and the persons' data keys that seal the opinion (with the rewrap of keys
 * after a rotation of the master key).
 */
export function transferStore(config: TransferConfig, messaging: ServiceMessaging, clock: Clock = new SystemClock()): DynamicModule {
  return ServiceModule.forService({
    name: 'transfer', config, configToken: TransferConfig, messaging,
    providers: [
      { provide: Clock, useValue: clock },
      { provide: PersonalDataKeys, inject: [POOL], useFactory: (pool: Pool) => new PersonalDataKeys(pool, config) },
      MasterKeyRewrapJob,
      {
        provide: TransferTables,
        inject: [POOL, PostgresEventStore],
        useFactory: async (pool: Pool) => {
          const tables = new TransferTables(pool, config.DATABASE_SCHEMA);
          await tables.migrate();
          return tables;
        },
      },
    ],
    exports: [Clock, TransferTables, PersonalDataKeys],
  });
}

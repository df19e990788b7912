import type { DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import { DATABASE_POOL, ServiceModule, type ServiceMessaging } from '@custody/platform';
import { MasterKeyRewrapJob, PersonalDataKeys } from '@custody/personal-data';
import type { CustodyConfig } from '../config';
import { migrateReadModels } from './read-model.schema';

export const CUSTODY_CONFIG = Symbol('CUSTODY_CONFIG');
export { DATABASE_POOL };

/**
 * The service's skeleton (one pool, the event store in the service's schema, Kafka when on), its
 * read-model tables, and the persons' data keys with the destruction log (Rule 16), migrated on
 * start, with the rewrap of the keys after a rotation of the master key.
 */
export function custodyStore(config: CustodyConfig, messaging: ServiceMessaging | undefined): DynamicModule {
  return ServiceModule.forService({
    name: 'custody', config, configToken: CUSTODY_CONFIG,
    migrate: migrateReadModels,
    ...(messaging ? { messaging } : {}),
    providers: [{ provide: PersonalDataKeys, inject: [DATABASE_POOL], useFactory: (pool: Pool) => new PersonalDataKeys(pool, config) }, MasterKeyRewrapJob],
    exports: [PersonalDataKeys],
  });
}

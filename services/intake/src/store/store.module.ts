import type { DynamicModule } from '@nestjs/common';
import type { Pool } from 'pg';
import { DATABASE_POOL, ServiceModule, type ServiceMessaging } from '@custody/platform';
import { MasterKeyRewrapJob, PersonalDataKeys } from '@custody/personal-data';
import { IntakeConfig } from '../config';
import { DOCUMENT_INDEX } from '../inmate/document-registry';
import { PersonalDataStore } from '../personal-data/personal-data.store';
import { SEARCH_INDEX } from '../search/search-keys';

/** The service's PostgreSQL pool (events, inbox, relay checkpoint and read model share it). */
export const POOL = DATABASE_POOL;

/**
 * The service's skeleton (pool, event store in its schema, Kafka), and the personal data store over
 * it (persons' data keys, the blind-index keys of identity documents and of the search read model's
 * names; events sealed on append, opened on read), with the rewrap of keys after a rotation of the master key.
 */
export function intakeStore(config: IntakeConfig, messaging: ServiceMessaging): DynamicModule {
  return ServiceModule.forService({
    name: 'intake', config, configToken: IntakeConfig, messaging,
    providers: [
      { provide: PersonalDataKeys, inject: [POOL], useFactory: (pool: Pool) => new PersonalDataKeys(pool, config, { indexPurposes: [DOCUMENT_INDEX, SEARCH_INDEX] }) },
      PersonalDataStore,
      MasterKeyRewrapJob,
    ],
    exports: [PersonalDataKeys, PersonalDataStore],
  });
}

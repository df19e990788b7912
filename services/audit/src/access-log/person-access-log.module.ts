import { type DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { PostgresAccessLog } from '@custody/platform';
import type { AuditConfig } from '../config';
import { PG_POOL } from '../store/store.module';
import { parseAccessLogSources } from './access-log-sources';
import { PersonAccessLogController } from './person-access-log.controller';
import { ACCESS_LOG_SOURCES, OWN_ACCESS_LOG, PersonAccessLog } from './person-access-log';

/** A person's access history across the services (`GET /inmates/:id/access-log`). */
@Module({})
export class PersonAccessLogModule {
  /** Reads ACCESS_LOG_SOURCES now, so that a bad value stops the service naming it. */
  static forConfig(config: AuditConfig): DynamicModule {
    const sources = parseAccessLogSources(config.ACCESS_LOG_SOURCES);
    return {
      module: PersonAccessLogModule,
      controllers: [PersonAccessLogController],
      providers: [
        { provide: ACCESS_LOG_SOURCES, useValue: sources },
        { provide: OWN_ACCESS_LOG, inject: [PG_POOL], useFactory: (pool: Pool) => new PostgresAccessLog(pool, config.DATABASE_SCHEMA) },
        PersonAccessLog,
      ],
    };
  }
}

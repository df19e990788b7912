import { type DynamicModule, type InjectionToken, Module, type OnModuleInit } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Pool } from 'pg';
import { AccessLogController } from './access-log.controller';
import { ACCESS_LOG_SERVICE, AccessLogInterceptor } from './access-log.interceptor';
import { PostgresAccessLog } from './access-log.store';

export interface AccessLogOptions {
  /** The service's name, recorded in each entry. */
  service: string;
  /** The service's schema: the log is its `access_log` table. */
  schema: string;
  /** The injection token of the service's `pg` Pool. */
  pool: InjectionToken;
}

/** Migrates the table once every provider is ready (the service's store created the schema by then). */
class AccessLogMigration implements OnModuleInit {
  constructor(private readonly log: PostgresAccessLog) {}

  onModuleInit(): Promise<void> {
    return this.log.migrate();
  }
}

/**
 * The access log of a service (Directive (EU) 2016/680 Art 25): the table (migrated on start),
 * the interceptor that records every read of a route marked `@PersonalDataRead`, and
 * `GET /access-log` for auditors. Import it in the service's root module, beside SecurityModule.
 */
@Module({})
export class AccessLogModule {
  static forRoot(options: AccessLogOptions): DynamicModule {
    return {
      module: AccessLogModule,
      controllers: [AccessLogController],
      providers: [
        { provide: ACCESS_LOG_SERVICE, useValue: options.service },
        { provide: PostgresAccessLog, inject: [options.pool], useFactory: (pool: Pool) => new PostgresAccessLog(pool, options.schema) },
        { provide: AccessLogMigration, inject: [PostgresAccessLog], useFactory: (log: PostgresAccessLog) => new AccessLogMigration(log) },
        { provide: APP_INTERCEPTOR, useClass: AccessLogInterceptor },
      ],
      exports: [PostgresAccessLog],
    };
  }
}

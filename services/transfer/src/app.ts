import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@custody/platform';
import { AppModule } from './app.module';
import type { TransferConfig } from './config';
import type { Clock } from './deadlines/clock';

/** The transfer application, as main.ts starts it and integration tests boot it (a test passes its own clock). */
export function createApp(config: TransferConfig, options: { clock?: Clock; logger?: ('error' | 'warn' | 'log')[] } = {}): Promise<INestApplication> {
  return createServiceApp('transfer', config, AppModule.forRoot(config, options), {
    ...(options.logger ? { logger: options.logger } : {}),
    databaseGauges: [
      {
        name: 'custody_deadlines_missed',
        help: 'Transfer deadlines that passed without the step they required (from the read model)',
        sql: `SELECT count(*)::int AS value FROM "${config.DATABASE_SCHEMA}".transfer_deadlines WHERE status = 'missed'`,
      },
    ],
  });
}

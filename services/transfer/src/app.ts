import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { kafkaTransport } from '@custody/messaging';
import { loadConfig, logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useServiceHttp } from '@custody/platform';
import { AppModule } from './app.module';
import { TransferConfig } from './config';
import type { Clock } from './deadlines/clock';

/**
 * The transfer application, as main.ts starts it and integration tests boot it (a test passes
 * its own clock): the structured error filter and the contract's validation, globally; a body
 * size limit, security headers, authentication and authorisation (SecurityModule).
 */
export async function createApp(config: TransferConfig, options: { clock?: Clock; logger?: ('error' | 'warn' | 'log')[] } = {}): Promise<INestApplication> {
  const observability = ObservabilityModule.forService('transfer', {
    logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL),
    databaseGauges: [
      {
        name: 'custody_deadlines_missed',
        help: 'Transfer deadlines that passed without the step they required (from the read model)',
        sql: `SELECT count(*)::int AS value FROM "${config.DATABASE_SCHEMA}".transfer_deadlines WHERE status = 'missed'`,
      },
    ],
  });
  const app = await NestFactory.create<NestExpressApplication>(observe(observability, AppModule.forRoot(config, options)), {
    bodyParser: false,
    bufferLogs: true,
  });
  useServiceHttp(app, config);
  // Kafka in: the @EventPattern handlers of the consumers, through the service's consumer (inbox,
  // retries, dead letters). The application's guards, pipes, filters and interceptors apply to them
  // too, and let Kafka messages through (they act on HTTP only).
  const strategy = kafkaTransport(app);
  if (strategy) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return app;
}

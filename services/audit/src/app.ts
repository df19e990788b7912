import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { kafkaTransport } from '@custody/messaging';
import { loadConfig, logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useServiceHttp } from '@custody/platform';
import { AppModule } from './app.module';
import type { AuditConfig } from './config';

/**
 * The audit application, as main.ts starts it and the tests boot it: the structured error filter,
 * the contract's validation, a body size limit, security headers, authentication and
 * authorisation (SecurityModule in AppModule).
 */
export async function createApp(config: AuditConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const schema = `"${config.DATABASE_SCHEMA}"`;
  const observability = ObservabilityModule.forService('audit', {
    logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL),
    databaseGauges: [
      { name: 'custody_audit_findings_open', help: 'Invariant findings raised and not resolved', sql: `SELECT count(*)::int AS value FROM ${schema}.findings WHERE status = 'open'` },
      { name: 'custody_ledger_size', help: 'Entries chained in the audit ledger', sql: `SELECT size AS value FROM ${schema}.ledger_head` },
    ],
  });
  const app = await NestFactory.create<NestExpressApplication>(observe(observability, AppModule.forConfig(config)), { bodyParser: false, bufferLogs: true });
  useServiceHttp(app, config);
  // Kafka in: the @EventPattern handlers of the consumers, through the service's consumer (inbox,
  // retries, dead letters). The application's guards, pipes, filters and interceptors apply to them
  // too, and let Kafka messages through (they act on HTTP only).
  const strategy = kafkaTransport(app);
  if (strategy) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return app;
}

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { contractValidationPipe, HttpErrorsFilter, loadConfig, logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useObservability } from '@custody/platform';
import { AppModule } from './app.module';
import type { AuditConfig } from './config';

/** The audit application with its global filter and pipe (the service and the tests use it). */
export async function createApp(config: AuditConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const schema = `"${config.DATABASE_SCHEMA}"`;
  const observability = ObservabilityModule.forService('audit', {
    logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL),
    databaseGauges: [
      { name: 'custody_audit_findings_open', help: 'Invariant findings raised and not resolved', sql: `SELECT count(*)::int AS value FROM ${schema}.findings WHERE status = 'open'` },
      { name: 'custody_ledger_size', help: 'Entries chained in the audit ledger', sql: `SELECT size AS value FROM ${schema}.ledger_head` },
    ],
  });
  const app = await NestFactory.create(observe(observability, AppModule.forConfig(config)), { bufferLogs: true });
  useObservability(app);
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();
  return app;
}

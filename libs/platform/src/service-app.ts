import type { INestApplication, LogLevel, DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { kafkaTransport } from '@custody/messaging';
import { loadConfig } from '@custody/config';
import { logLevelFor, ObservabilityConfig, ObservabilityModule, observe, type DatabaseGauge } from './observability';
import type { ServiceConfig } from './service.config';
import { useServiceHttp } from './service-http';

export interface ServiceAppOptions {
  /** The log levels a test asks for (false: none); LOG_LEVEL otherwise. */
  logger?: LogLevel[] | false;
  /** The service's own gauges read from its database. */
  databaseGauges?: DatabaseGauge[];
}

/**
 * A service's application, as main.ts starts it and integration tests boot it: logs, metrics and
 * tracing around the service's module, the structured error filter, the contract's validation, a
 * body size limit, security headers and OpenAPI (useServiceHttp), then Kafka in.
 */
export async function createServiceApp(name: string, config: ServiceConfig, module: DynamicModule, options: ServiceAppOptions = {}): Promise<INestApplication> {
  const observability = ObservabilityModule.forService(name, {
    logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL),
    databaseGauges: [relayRejectedGauge(config), ...(options.databaseGauges ?? [])],
  });
  const app = await NestFactory.create<NestExpressApplication>(observe(observability, module), { bodyParser: false, bufferLogs: true });
  useServiceHttp(app, config);
  // Kafka in: the @EventPattern handlers of the consumers, through the service's consumer (inbox,
  // retries, dead letters). The application's guards, pipes, filters and interceptors apply to them
  // too, and let Kafka messages through (they act on HTTP only).
  const strategy = kafkaTransport(app);
  if (strategy) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return app;
}

/**
 * The events the service's relay could not publish, ever (rows of relay_rejected): durable across
 * restarts, unlike custody_relay_rejected_events, so the alert on it sees every rejection
 * (deploy/observability/alerts.yml; docs/operations.md, "Completeness").
 */
function relayRejectedGauge(config: ServiceConfig): DatabaseGauge {
  return {
    name: 'custody_relay_rejected_stored',
    help: 'Stored events the relay could not publish because the contract refused them: rows of relay_rejected (every instance reads the same table)',
    sql: `SELECT count(*)::int AS value FROM "${config.DATABASE_SCHEMA.replace(/"/g, '""')}".relay_rejected`,
  };
}

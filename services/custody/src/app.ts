import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { kafkaTransport } from '@custody/messaging';
import { loadConfig, logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useServiceHttp } from '@custody/platform';
import { AppModule } from './app.module';
import type { CustodyConfig } from './config';

/**
 * The application, for main and for tests: the structured error filter, the contract's validation,
 * logs, metrics and tracing, a body size limit, security headers, authentication and authorisation
 * (SecurityModule).
 */
export async function createApp(config: CustodyConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const observability = ObservabilityModule.forService('custody', { logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL) });
  const app = await NestFactory.create(observe(observability, AppModule.forConfig(config)), { bodyParser: false, bufferLogs: true });
  useServiceHttp(app, config);
  // Kafka in: the @EventPattern handlers of the consumers, through the service's consumer (inbox,
  // retries, dead letters). The application's guards, pipes, filters and interceptors apply to them
  // too, and let Kafka messages through (they act on HTTP only).
  const strategy = kafkaTransport(app);
  if (strategy) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  return app;
}

import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { kafkaTransport } from '@custody/messaging';
import { logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useServiceHttp, loadConfig } from '@custody/platform';
import { AppModule } from './app.module';
import { IntakeConfig } from './config';

/**
 * The intake application, as main.ts starts it and integration tests boot it: the structured
 * error filter, the contract's validation, a body size limit, security headers, authentication
 * and authorisation (SecurityModule), OpenAPI at /docs (useServiceHttp).
 */
export async function createApp(config: IntakeConfig, options: { logger?: LogLevel[] } = {}): Promise<INestApplication> {
  const observability = ObservabilityModule.forService('intake', { logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL) });
  const app = await NestFactory.create<NestExpressApplication>(observe(observability, AppModule.forRoot(config)), {
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

import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
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
  return app;
}

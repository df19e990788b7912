import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
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
  return app;
}

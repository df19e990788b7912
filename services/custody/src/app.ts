import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { contractValidationPipe, HttpErrorsFilter, loadConfig, logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useObservability } from '@custody/platform';
import { AppModule } from './app.module';
import type { CustodyConfig } from './config';

/** The application with its global error filter and validation, logs, metrics and tracing, for main and for tests. */
export async function createApp(config: CustodyConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const observability = ObservabilityModule.forService('custody', { logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL) });
  const app = await NestFactory.create(observe(observability, AppModule.forConfig(config)), { bufferLogs: true });
  useObservability(app);
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();
  return app;
}

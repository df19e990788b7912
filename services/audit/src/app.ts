import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { contractValidationPipe, HttpErrorsFilter } from '@custody/platform';
import { AppModule } from './app.module';
import type { AuditConfig } from './config';

/** The audit application with its global filter and pipe (the service and the tests use it). */
export async function createApp(config: AuditConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forConfig(config), { logger: options.logger ?? ['error', 'warn', 'log'] });
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();
  return app;
}

import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { contractValidationPipe, HttpErrorsFilter } from '@custody/platform';
import { AppModule } from './app.module';
import type { CustodyConfig } from './config';

/** The application with its global error filter and validation, for main and for tests. */
export async function createApp(config: CustodyConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forConfig(config), { ...(options.logger === false ? { logger: false } : {}) });
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();
  return app;
}

import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { contractValidationPipe, HttpErrorsFilter } from '@custody/platform';
import { AppModule } from './app.module';
import { TransferConfig } from './config';
import type { Clock } from './deadlines/clock';

/**
 * The transfer application, as main.ts starts it and integration tests boot it (a test passes
 * its own clock): the structured error filter and the contract's validation, globally.
 */
export async function createApp(config: TransferConfig, options: { clock?: Clock; logger?: ('error' | 'warn' | 'log')[] } = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, options), { logger: options.logger ?? ['error', 'warn', 'log'] });
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();
  return app;
}

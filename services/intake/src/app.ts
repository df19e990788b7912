import type { INestApplication, LogLevel } from '@nestjs/common';
import { createServiceApp } from '@custody/platform';
import { AppModule } from './app.module';
import type { IntakeConfig } from './config';

/** The intake application, as main.ts starts it and integration tests boot it. */
export function createApp(config: IntakeConfig, options: { logger?: LogLevel[] } = {}): Promise<INestApplication> {
  return createServiceApp('intake', config, AppModule.forRoot(config), options);
}

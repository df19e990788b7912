import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@custody/platform';
import { AppModule } from './app.module';
import type { CustodyConfig } from './config';

/** The application, for main and for tests. */
export function createApp(config: CustodyConfig, options: { logger?: false } = {}): Promise<INestApplication> {
  return createServiceApp('custody', config, AppModule.forConfig(config), options);
}

import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@custody/platform';
import { AppModule } from './app.module';
import { CustodyConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(CustodyConfig);
  await bootstrapService('custody', AppModule, config.PORT);
}

void main();

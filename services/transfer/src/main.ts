import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@custody/platform';
import { AppModule } from './app.module';
import { TransferConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(TransferConfig);
  await bootstrapService('transfer', AppModule, config.PORT);
}

void main();

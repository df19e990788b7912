import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@custody/platform';
import { AppModule } from './app.module';
import { IntakeConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(IntakeConfig);
  await bootstrapService('intake', AppModule, config.PORT);
}

void main();

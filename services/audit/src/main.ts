import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@custody/platform';
import { AppModule } from './app.module';
import { AuditConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig(AuditConfig);
  await bootstrapService('audit', AppModule, config.PORT);
}

void main();

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { InvalidConfigurationError, loadConfig } from '@custody/platform';
import { createApp } from './app';
import { CustodyConfig } from './config';

async function main(): Promise<void> {
  const logger = new Logger('custody');
  let config: CustodyConfig;
  try {
    config = loadConfig(CustodyConfig);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) {
      logger.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  logger.log(`custody listening on port ${config.PORT}`);
}

void main();

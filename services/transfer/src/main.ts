import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { InvalidConfigurationError, loadConfig } from '@custody/platform';
import { createApp } from './app';
import { TransferConfig } from './config';

async function main(): Promise<void> {
  const logger = new Logger('transfer');
  try {
    const config = loadConfig(TransferConfig);
    const app = await createApp(config);
    await app.listen(config.PORT, '0.0.0.0');
    logger.log(`transfer listening on port ${config.PORT}`);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) {
      logger.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

void main();

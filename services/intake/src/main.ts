import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { InvalidConfigurationError, loadConfig } from '@custody/platform';
import { createApp } from './app';
import { IntakeConfig } from './config';

async function main(): Promise<void> {
  const logger = new Logger('intake');
  let config: IntakeConfig;
  try {
    config = loadConfig(IntakeConfig);
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    logger.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  const app = await createApp(config);
  await app.listen(config.PORT, '0.0.0.0');
  logger.log(`intake listening on port ${config.PORT}`);
}

void main();

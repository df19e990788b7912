import { Logger, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { InvalidConfigurationError } from './config';

/**
 * Starts a service's HTTP application on `port`, with shutdown hooks so that SIGTERM closes
 * consumers before the database. A configuration error stops the process with its message.
 */
export async function bootstrapService(
  service: string,
  appModule: Type<unknown>,
  port: number,
): Promise<INestApplication> {
  const logger = new Logger(service);
  try {
    const app = await NestFactory.create(appModule, { bufferLogs: false });
    app.enableShutdownHooks();
    await app.listen(port, '0.0.0.0');
    logger.log(`${service} listening on port ${port}`);
    return app;
  } catch (error) {
    if (error instanceof InvalidConfigurationError) {
      logger.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

import { Logger, type INestApplication } from '@nestjs/common';
import { InvalidConfigurationError, loadConfig } from '@custody/config';
import { applyHeapGrowth } from './heap-growth';

/**
 * A service's main: reads and validates its configuration, builds its application, initialises
 * it, starts its Kafka transport (if createApp connected one) and listens on HTTP_HOST:PORT. An invalid configuration (an environment variable, or a setting the application
 * checks while it is built) stops the process at once with a message naming each variable,
 * and exit code 78 (EX_CONFIG).
 */
export async function runService<Config extends { PORT: number; HTTP_HOST: string; NODE_HEAP_GROWING_PERCENT?: number }>(
  service: string,
  configClass: new () => Config,
  createApp: (config: Config) => Promise<INestApplication>,
): Promise<INestApplication> {
  const logger = new Logger(service);
  try {
    const config = loadConfig(configClass);
    applyHeapGrowth(config.NODE_HEAP_GROWING_PERCENT);
    const app = await createApp(config);
    // init first: the Kafka transport (connected by createApp) consumes only once the topics exist
    // and every module's onModuleInit work is done; then the consumers, then HTTP.
    await app.init();
    await app.startAllMicroservices();
    await app.listen(config.PORT, config.HTTP_HOST);
    logger.log(`${service} listening on ${config.HTTP_HOST}:${config.PORT}`);
    return app;
  } catch (error) {
    if (error instanceof InvalidConfigurationError) {
      logger.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

import type { INestApplication } from '@nestjs/common';
import helmet from 'helmet';

/**
 * Security headers (helmet) on every answer, and no framework banner. Body size limits are set
 * where the body parser is (e.g. `app.useBodyParser('json', { limit })`); stack traces and SQL
 * never reach a client (HttpErrorsFilter answers 500 PROCESSING_FAILED and logs the error).
 */
export function hardenHttp(app: INestApplication): void {
  app.use(helmet({ contentSecurityPolicy: { useDefaults: true, directives: { 'script-src': ["'self'", "'unsafe-inline'"] } } }));
  const instance = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  instance.disable?.('x-powered-by');
}

import type { INestApplication } from '@nestjs/common';
import { hardenHttp } from '@custody/security';
import { contractValidationPipe, HttpErrorsFilter } from './http-errors.filter';
import { useObservability } from './observability/observability.module';
import { useOpenApi } from './openapi';

/**
 * What every service's HTTP application has, in this order: logs, metrics and tracing; security
 * headers and the body limit; the structured error answers; the contract's validation; shutdown
 * hooks; the OpenAPI document at /docs under the name /health reports. The application must be
 * created with `bodyParser: false` and `bufferLogs: true`.
 */
export function useServiceHttp(app: INestApplication, config: { HTTP_BODY_LIMIT_BYTES: number }): void {
  useObservability(app);
  hardenHttp(app, { bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES });
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();
  useOpenApi(app);
}

import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { REJECTIONS } from '@custody/contracts';

/**
 * Security headers (helmet) on every answer, no framework banner and, given `bodyLimitBytes`,
 * the JSON body parser with that limit: a larger body is answered 413 MESSAGE_TOO_LARGE, one that
 * is not JSON 400 VALIDATION_FAILED, like every other error. The application must be created
 * with `bodyParser: false` for the limit to be the only parser. Stack traces and SQL never reach
 * a client (HttpErrorsFilter answers 500 PROCESSING_FAILED and logs the error).
 */
export function hardenHttp(app: INestApplication, options: { bodyLimitBytes?: number } = {}): void {
  app.use(helmet({ contentSecurityPolicy: { useDefaults: true, directives: { 'script-src': ["'self'", "'unsafe-inline'"] } } }));
  const instance = app.getHttpAdapter().getInstance() as { disable?: (setting: string) => void };
  instance.disable?.('x-powered-by');
  if (options.bodyLimitBytes !== undefined) {
    (app as NestExpressApplication).useBodyParser('json', { limit: options.bodyLimitBytes });
    app.use(bodyErrors(options.bodyLimitBytes));
  }
}

/** A body over the limit (413) or that is not JSON (400) answered like every other error. */
function bodyErrors(limit: number) {
  type Reply = { status(code: number): { json(body: unknown): void } };
  return (error: { type?: string; length?: number } | undefined, _request: unknown, res: Reply, next: (error?: unknown) => void) => {
    if (error?.type === 'entity.too.large') {
      res.status(413).json({
        code: 'MESSAGE_TOO_LARGE',
        message: `The body is over the limit of ${limit} bytes; send large documents by reference, not inline.`,
        errors: [{ path: '', problem: `the body takes ${error.length ?? 'more than the limit of'} bytes; the limit is ${limit}` }],
        details: { limitBytes: limit },
      });
      return;
    }
    if (error?.type === 'entity.parse.failed') {
      res.status(400).json({ code: 'VALIDATION_FAILED', message: REJECTIONS.VALIDATION_FAILED.message, errors: [{ path: '', problem: 'the body is not valid JSON' }], details: {} });
      return;
    }
    next(error);
  };
}

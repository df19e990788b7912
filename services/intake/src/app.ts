import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { REJECTIONS } from '@custody/contracts';
import { contractValidationPipe, hardenHttp, HttpErrorsFilter, logLevelFor, ObservabilityConfig, ObservabilityModule, observe, useObservability, loadConfig } from '@custody/platform';
import { AppModule } from './app.module';
import { IntakeConfig } from './config';
import { commandSchemas } from './openapi';

/**
 * The intake application, as main.ts starts it and integration tests boot it: the structured
 * error filter, the contract's validation, a body size limit, security headers, authentication
 * and authorisation (SecurityModule), OpenAPI at /docs.
 */
export async function createApp(config: IntakeConfig, options: { logger?: LogLevel[] } = {}): Promise<INestApplication> {
  const observability = ObservabilityModule.forService('intake', { logLevel: logLevelFor(options.logger, loadConfig(ObservabilityConfig).LOG_LEVEL) });
  const app = await NestFactory.create<NestExpressApplication>(observe(observability, AppModule.forRoot(config)), {
    bodyParser: false,
    bufferLogs: true,
  });
  useObservability(app);
  hardenHttp(app);
  app.useBodyParser('json', { limit: config.HTTP_BODY_LIMIT_BYTES });
  app.use(bodyErrors(config.HTTP_BODY_LIMIT_BYTES));
  app.useGlobalFilters(new HttpErrorsFilter());
  app.useGlobalPipes(contractValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Intake: the inmate record of the sending state')
      .setDescription('Commands are the contract\'s intake commands (the same bodies as on custody.intake.commands). Errors: { code, message, errors: [{ path, problem }], details }.')
      .setVersion('1')
      .build(),
  );
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...commandSchemas() } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return app;
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

import { type ArgumentsHost, BadRequestException, Catch, type ExceptionFilter, HttpException, Logger, ValidationPipe } from '@nestjs/common';
import { CommandRejection, ContractViolation, REJECTIONS, toFieldProblems, VALIDATOR_OPTIONS } from '@custody/contracts';
import { EventStoreError } from '@custody/event-store';
import { type Observable, throwError } from 'rxjs';

/**
 * Every error as a structured answer: `{ code, message, errors: [{ path, problem }], details }`.
 * Rules' rejections carry their catalogue status; anything unexpected is a 500 with no stack
 * trace or SQL in the body (it is logged instead).
 */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(error: unknown, host: ArgumentsHost): Observable<never> | void {
    // A Kafka handler's error is the consumer's to retry or dead-letter, unchanged: not an HTTP answer.
    if (host.getType() !== 'http') return throwError(() => error);
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    const { status, body } = this.describe(error);
    response.status(status).json(body);
  }

  private describe(error: unknown): { status: number; body: Record<string, unknown> } {
    if (error instanceof CommandRejection || error instanceof ContractViolation) {
      return {
        status: error.status,
        body: { code: error.code, message: error.message, errors: error.errors, details: error instanceof CommandRejection ? error.details : {} },
      };
    }
    if (error instanceof EventStoreError) {
      return { status: 400, body: { code: 'VALIDATION_FAILED', message: error.message, errors: [], details: { storeCode: error.code } } };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const payload = error.getResponse();
      if (typeof payload === 'object' && payload !== null && 'code' in payload) return { status, body: payload as Record<string, unknown> };
      const code = status === 413 ? 'MESSAGE_TOO_LARGE' : status === 404 ? 'NOT_FOUND' : status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST';
      return { status, body: { code, message: error.message, errors: [], details: {} } };
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return { status: 500, body: { code: 'PROCESSING_FAILED', message: REJECTIONS.PROCESSING_FAILED.message, errors: [], details: {} } };
  }
}

/**
 * The validation of HTTP bodies, with the same rules as commands on Kafka (unknown fields
 * rejected); a failure lists every failing field under VALIDATION_FAILED.
 */
export function contractValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        code: 'VALIDATION_FAILED',
        message: REJECTIONS.VALIDATION_FAILED.message,
        errors: toFieldProblems(errors),
        details: {},
      }),
  });
}

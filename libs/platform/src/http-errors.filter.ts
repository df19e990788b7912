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
    const response = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void }; setHeader(name: string, value: string): void }>();
    const { status, body } = this.describe(error);
    // A rejection that asks to wait (NOT_YET_KNOWN_HERE: docs/adr/0012-not-yet-known-here.md) says how long in the standard header too.
    const retryAfter = (body.details as Record<string, unknown> | undefined)?.retryAfterSeconds;
    if (typeof retryAfter === 'number' && Number.isInteger(retryAfter) && retryAfter >= 0) response.setHeader('Retry-After', String(retryAfter));
    // The answer is JSON whatever the route would have answered (a route's own Content-Type, such
    // as the ledger export's NDJSON, is set before its handler runs and would otherwise stay).
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.status(status).json(body);
  }

  private describe(error: unknown): { status: number; body: Record<string, unknown> } {
    if (error instanceof CommandRejection || error instanceof ContractViolation) {
      return {
        status: error.status,
        body: { code: error.code, message: error.message, errors: error.errors, details: error instanceof CommandRejection ? error.details : {} },
      };
    }
    if (error instanceof EventStoreError) return this.storeFailure(error);
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

  /**
   * The store's refusal, in the catalogue's words: its message names streams and its codes are
   * internal, so they are logged, never answered. Event ids derive from the command id, so a
   * duplicate id is a command id used for another command (docs/adr/0010-http-idempotency-by-command-id.md).
   */
  private storeFailure(error: EventStoreError): { status: number; body: Record<string, unknown> } {
    const answer = (code: 'IDEMPOTENCY_KEY_REUSED' | 'MESSAGE_TOO_LARGE' | 'PROCESSING_FAILED') => ({
      status: REJECTIONS[code].status,
      body: { code, message: REJECTIONS[code].message, errors: [], details: {} },
    });
    if (error.code === 'DUPLICATE_EVENT_ID') {
      this.logger.warn(`a command's events were stored already with other content (${error.code}): ${error.message}`);
      return answer('IDEMPOTENCY_KEY_REUSED');
    }
    if (error.code === 'EVENT_TOO_LARGE') return answer('MESSAGE_TOO_LARGE');
    this.logger.error(`the event store refused a write (${error.code}): ${error.stack ?? error.message}`);
    return answer('PROCESSING_FAILED');
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

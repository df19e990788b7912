import { type CallHandler, type ExecutionContext, Inject, Injectable, Logger, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { defer, mergeMap, type Observable } from 'rxjs';
import { reject } from '@custody/contracts';
import { SECURITY_MODE, type ResourceJurisdiction, type SecureRequest } from '@custody/security';
import { currentObservation } from '../observability/context';
import type { ObservedRequest } from '../observability/logging';
import { activeIds } from '../observability/trace-context';
import { statedAccess, type StatedAccess } from './access-purpose';
import { PostgresAccessLog } from './access-log.store';
import { PERSONAL_DATA_READ, type PersonalDataReadOptions } from './personal-data-read';

export const ACCESS_LOG_SERVICE = Symbol('custody:access-log-service');

type AccessRequest = SecureRequest & Pick<ObservedRequest, 'observation'> & { route?: { path?: string }; originalUrl?: string };

/** The states a resolved resource belongs to. */
function statesOf(resource: ResourceJurisdiction | undefined): string[] {
  if (!resource) return [];
  if (resource.kind === 'facility') return [resource.operatorState, resource.lesseeState].filter((s): s is string => !!s);
  if (resource.kind === 'global') return [];
  return [resource.sendingState, resource.receivingState].filter((s): s is string => !!s);
}

const distinct = (ids: Iterable<string | null | undefined>): string[] => [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== ''))];

/**
 * The access log at the edge: on a route marked `@PersonalDataRead`, refuses a read without a
 * stated purpose before the handler runs (400 PURPOSE_REQUIRED), and appends one entry per
 * successful answer before it is sent. A disclosure that cannot be recorded is not made: the
 * answer is replaced by 503 ACCESS_LOG_UNAVAILABLE. Refused (401/403) and failed reads (404…)
 * never reach the append.
 */
@Injectable()
export class AccessLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AccessLog');

  constructor(
    private readonly reflector: Reflector,
    private readonly log: PostgresAccessLog,
    @Inject(SECURITY_MODE) private readonly mode: 'on' | 'off',
    @Inject(ACCESS_LOG_SERVICE) private readonly service: string,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const read = this.reflector.get<PersonalDataReadOptions<unknown> | undefined>(PERSONAL_DATA_READ, context.getHandler());
    if (!read) return next.handle();
    const request = context.switchToHttp().getRequest<AccessRequest>();
    return defer(() => {
      const access = statedAccess(request.headers, request.principal, this.mode);
      const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
      return next.handle().pipe(
        mergeMap(async (answer) => {
          await this.record(read, access, request, answer, status);
          return answer;
        }),
      );
    });
  }

  private async record(read: PersonalDataReadOptions<unknown>, access: StatedAccess, request: AccessRequest, answer: unknown, status: number): Promise<void> {
    const path = (request.originalUrl ?? request.url).split('?')[0];
    try {
      const principal = request.principal;
      await this.log.append({
        service: this.service,
        subject: principal?.subject ?? 'anonymous',
        issuer: principal?.issuer ?? null,
        state: principal?.state ?? null,
        organisation: principal?.organisation ?? null,
        roles: principal?.roles ?? [],
        ...access,
        method: request.method,
        route: request.route?.path ?? path,
        path,
        kind: read.kind,
        personIds: distinct(read.persons(answer, request)),
        jurisdictions: distinct([...statesOf(request.resource), ...(read.jurisdictions?.(answer, request) ?? [])]),
        status,
        traceId: request.observation?.traceId ?? activeIds().trace_id ?? null,
        correlationId: request.observation?.correlationId ?? currentObservation()?.correlationId ?? null,
      });
    } catch (error) {
      // No personal data in the line: the route and the reason only.
      this.logger.error(`disclosure not recorded, answer withheld: ${request.method} ${request.route?.path ?? path}: ${(error as Error).message}`);
      throw reject('ACCESS_LOG_UNAVAILABLE', { route: request.route?.path ?? path });
    }
  }
}

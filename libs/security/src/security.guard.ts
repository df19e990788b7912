import {
  applyDecorators, type CanActivate, createParamDecorator, type ExecutionContext, ForbiddenException, HttpException, HttpStatus, Inject, Injectable, Logger,
  SetMetadata, type Type, UnauthorizedException,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ThrottlerGuard, type ThrottlerLimitDetail, type ThrottlerRequest } from '@nestjs/throttler';
import { AuthenticationError, Authenticator } from './authenticator';
import { decide, type Action, type Principal, type ResourceJurisdiction } from './policy';
import { limitOf, trackerOf, type RateLimits } from './rate-limits';

/** The service's rate limits (RATE_LIMIT_PER_MINUTE and RATE_LIMITS_PER_ROLE). */
export const RATE_LIMITS = Symbol('RATE_LIMITS');

/** The request as the guard sees it (Express's, structurally). */
export interface SecureRequest {
  headers: Record<string, string | string[] | undefined>;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  method: string;
  url: string;
  principal?: Principal;
  /** The states of the route's resource, as its resolver found them (read by the access log). */
  resource?: ResourceJurisdiction;
}

/**
 * Finds the states a route's resource belongs to (an inmate's sending and receiving states, a
 * facility's operator and lessee). Undefined when the resource does not exist: the role is
 * still checked and the route answers its own 404 (or 400 for a body that names no state).
 */
export interface JurisdictionResolver {
  resolve(request: SecureRequest): Promise<ResourceJurisdiction | undefined> | ResourceJurisdiction | undefined;
}

export const REQUIRES = Symbol('custody:requires');
export const PUBLIC_ROUTE = Symbol('custody:public');
export const SECURITY_MODE = Symbol('custody:security-mode');

interface Requirement {
  action: Action;
  resolver?: Type<JurisdictionResolver>;
}

/** The name of the OpenAPI security scheme of bearer tokens (see openapi.ts). */
export const BEARER_SCHEME = 'bearer';

const problemAnswer = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/**
 * The action a route performs and, for scoped actions, the service's resolver of its resource's
 * states. In the OpenAPI document, the route needs a bearer token and may answer 401 or 403.
 */
export const Requires = (action: Action, resolver?: Type<JurisdictionResolver>) =>
  applyDecorators(
    SetMetadata(REQUIRES, { action, resolver } satisfies Requirement),
    ApiBearerAuth(BEARER_SCHEME),
    ApiResponse({ status: 401, ...problemAnswer('UNAUTHENTICATED: no valid bearer token of a configured issuer.') }),
    ApiResponse({ status: 403, ...problemAnswer(`FORBIDDEN: the principal's roles${resolver ? ' or state' : ''} do not allow ${action}${resolver ? ' on this resource' : ''}.`) }),
  );

/** A route anyone may call (health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The authenticated principal of the request (undefined when AUTH_MODE=off). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<SecureRequest>().principal);

const problem = (code: string, message: string, details: Record<string, unknown> = {}) => ({ code, message, errors: [], details });

/**
 * Authentication and authorisation of every route: a bearer JWT from a configured issuer
 * (401 otherwise), then the policy for the route's `@Requires` action and its resource's states
 * (403 otherwise, logged). A route without `@Requires` or `@Public` is refused: deny by default.
 */
@Injectable()
export class SecurityGuard implements CanActivate {
  private readonly logger = new Logger('Security');
  private readonly resolvers = new Map<Type<JurisdictionResolver>, Promise<JurisdictionResolver>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly moduleRef: ModuleRef,
    @Inject(SECURITY_MODE) private readonly mode: 'on' | 'off',
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http' || this.mode === 'off') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<SecureRequest>();
    const response = context.switchToHttp().getResponse<{ setHeader(name: string, value: string): void }>();
    let principal: Principal;
    try {
      const header = request.headers.authorization;
      // The rate limit, which runs first, may have verified the token already.
      principal = request.principal ?? (await this.authenticator.authenticate(Array.isArray(header) ? header[0] : header));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      this.logger.warn(`unauthenticated ${request.method} ${request.url}: ${error.reason} (${error.message})`);
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException(problem('UNAUTHENTICATED', 'A valid bearer token of a configured ministry issuer, for this audience and not expired, is required.'));
    }
    request.principal = principal;
    const requirement = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIRES, targets);
    if (!requirement) return this.refuse(principal, request, 'no action declared for this route', undefined);
    const resource = requirement.resolver ? await (await this.resolver(requirement.resolver)).resolve(request) : { kind: 'global' as const };
    request.resource = resource;
    const decision = decide(principal, requirement.action, resource ?? { kind: 'global' });
    if (decision.allow || (decision.reason === 'JURISDICTION' && resource === undefined)) return true;
    return this.refuse(principal, request, decision.reason, requirement.action, resource);
  }

  private refuse(principal: Principal, request: SecureRequest, reason: string, action: Action | undefined, resource?: ResourceJurisdiction): never {
    this.logger.warn(
      `refused ${request.method} ${request.url} (${action ?? 'no action'}) to ${principal.subject} of ${principal.state} ` +
        `[${principal.roles.join(',')}]: ${reason}${resource ? ` on ${JSON.stringify(resource)}` : ''}`,
    );
    throw new ForbiddenException(
      problem('FORBIDDEN', 'Your role or your state may not perform this action on this resource.', action ? { action } : {}),
    );
  }

  private resolver(type: Type<JurisdictionResolver>): Promise<JurisdictionResolver> {
    const cached = this.resolvers.get(type);
    if (cached) return cached;
    const found = (async (): Promise<JurisdictionResolver> => {
      try {
        return this.moduleRef.get<JurisdictionResolver>(type, { strict: false });
      } catch {
        return this.moduleRef.create<JurisdictionResolver>(type);
      }
    })();
    this.resolvers.set(type, found);
    return found;
  }
}

/**
 * Rate limiting per caller with the structured error answer (429 RATE_LIMITED and Retry-After):
 * it runs before the security guard and verifies the bearer token itself (the security guard
 * then uses that principal), so that a request counts against its principal, at the limit of the
 * principal's roles; a request with no token, or one that does not verify, counts against its
 * client address (and the security guard answers 401).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  @Inject(Authenticator) private readonly authenticator!: Authenticator;
  @Inject(SECURITY_MODE) private readonly mode!: 'on' | 'off';
  @Inject(RATE_LIMITS) private readonly limits!: RateLimits;

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() === 'http' && this.mode === 'on') await this.identify(context.switchToHttp().getRequest<SecureRequest>());
    return super.canActivate(context);
  }

  /** Kafka messages (the microservice transport) are not a client's requests: only HTTP is limited. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return trackerOf((request as unknown as SecureRequest).principal, request.ip as string | undefined);
  }

  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const principal = props.context.switchToHttp().getRequest<SecureRequest>().principal;
    return super.handleRequest({ ...props, limit: limitOf(principal, this.limits) });
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    throw new HttpException(
      problem('RATE_LIMITED', `Too many requests from this caller: ${detail.limit} a minute. Try again in ${seconds} s (Retry-After).`, { limit: detail.limit, retryAfterSeconds: seconds }),
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  private async identify(request: SecureRequest): Promise<void> {
    const header = request.headers.authorization;
    if (request.principal || !header) return;
    try {
      request.principal = await this.authenticator.authenticate(Array.isArray(header) ? header[0] : header);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
    }
  }
}

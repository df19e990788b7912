import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { InvalidConfigurationError } from '@custody/config';
import { SecurityConfig } from './security.config';
import { Authenticator, parseIssuers, type IssuerSettings } from './authenticator';
import { parseRoleLimits, type RateLimits, type RoleLimits } from './rate-limits';
import { RATE_LIMITS, RateLimitGuard, SECURITY_MODE, SecurityGuard } from './security.guard';

/**
 * Authentication, authorisation and rate limiting for every route of a service: import it once
 * in the service's root module with the service's configuration. AUTH_MODE=on (the default)
 * with no issuer configured is a configuration error, so a service never starts open by mistake.
 */
@Global()
@Module({})
export class SecurityModule {
  static forRoot(config: Pick<SecurityConfig, 'AUTH_MODE' | 'AUTH_ISSUERS' | 'AUTH_AUDIENCE' | 'RATE_LIMIT_PER_MINUTE'> & Partial<Pick<SecurityConfig, 'RATE_LIMITS_PER_ROLE'>>): DynamicModule {
    let perRole: RoleLimits;
    try {
      perRole = parseRoleLimits(config.RATE_LIMITS_PER_ROLE ?? new SecurityConfig().RATE_LIMITS_PER_ROLE);
    } catch (error) {
      throw new InvalidConfigurationError([{ variable: 'RATE_LIMITS_PER_ROLE', problem: (error as Error).message }]);
    }
    const limits: RateLimits = { perMinute: config.RATE_LIMIT_PER_MINUTE, perRole };
    let issuers: IssuerSettings[];
    try {
      issuers = parseIssuers(config.AUTH_ISSUERS);
    } catch (error) {
      throw new InvalidConfigurationError([{ variable: 'AUTH_ISSUERS', problem: (error as Error).message }]);
    }
    if (config.AUTH_MODE === 'on' && issuers.length === 0) {
      throw new InvalidConfigurationError([{ variable: 'AUTH_ISSUERS', problem: 'no issuer configured while AUTH_MODE=on (set AUTH_MODE=off only for local development)' }]);
    }
    return {
      module: SecurityModule,
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }] })],
      providers: [
        { provide: SECURITY_MODE, useValue: config.AUTH_MODE },
        { provide: RATE_LIMITS, useValue: limits },
        { provide: Authenticator, useValue: new Authenticator({ issuers, audience: config.AUTH_AUDIENCE }) },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: SecurityGuard },
      ],
      exports: [Authenticator, SECURITY_MODE],
    };
  }
}

import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';

/**
 * The security variables every service reads (a service's config class extends this one).
 * Authentication is on unless AUTH_MODE=off is set explicitly (local development only).
 */
export class SecurityConfig {
  /** `on` (default): every route but /health needs a bearer token. `off`: no checks (local development only). */
  @IsIn(['on', 'off'])
  AUTH_MODE: 'on' | 'off' = 'on';

  /**
   * The ministries' identity providers, a JSON array:
   * `[{ "issuer": "https://idp.justice.be", "state": "BE", "jwksUri": "https://idp.justice.be/jwks" }]`
   * (or `keyFile` / `publicKeyPem` / `jwks` instead of `jwksUri`).
   */
  @IsString()
  AUTH_ISSUERS = '[]';

  /** The audience tokens must name. */
  @IsString()
  AUTH_AUDIENCE = 'custody-tracking';

  /**
   * Requests a minute per caller before 429 RATE_LIMITED (with Retry-After): per authenticated
   * principal (issuer and subject), per client address for requests without a verified token.
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  /**
   * Roles whose principals get another limit than RATE_LIMIT_PER_MINUTE, a JSON object from role
   * to requests a minute (the highest of a principal's roles applies). A ministry's system
   * (`integration`) sends in batches.
   */
  @IsString()
  RATE_LIMITS_PER_ROLE = '{"integration": 6000}';
}

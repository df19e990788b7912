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

  /** Requests per client (IP) per minute before 429. */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;
}

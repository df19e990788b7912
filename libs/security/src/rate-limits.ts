import { ROLES, type Principal, type Role } from './policy';

/** Requests a minute by role, for principals of that role (a principal with several roles gets the highest). */
export type RoleLimits = Partial<Record<Role, number>>;

/** The rate limits of a service: the default and those of roles that differ (RATE_LIMITS_PER_ROLE). */
export interface RateLimits {
  perMinute: number;
  perRole: RoleLimits;
}

/**
 * RATE_LIMITS_PER_ROLE: a JSON object from role to requests a minute, e.g.
 * `{"integration": 6000}` (a ministry's system sends in batches, an officer clicks). Throws
 * naming what is wrong: not an object, an unknown role, a limit that is not a whole number ≥ 1.
 */
export function parseRoleLimits(text: string): RoleLimits {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON object from role to requests a minute, e.g. {"integration": 6000}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('must be a JSON object from role to requests a minute, e.g. {"integration": 6000}');
  const limits: RoleLimits = {};
  for (const [role, limit] of Object.entries(parsed)) {
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`names an unknown role "${role}" (roles: ${ROLES.join(', ')})`);
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1_000_000) throw new Error(`gives "${role}" ${JSON.stringify(limit)}: a whole number of requests a minute from 1 to 1000000`);
    limits[role as Role] = limit;
  }
  return limits;
}

/** The requests a minute allowed to a caller: the highest of its roles' limits, else the default. */
export function limitOf(principal: Pick<Principal, 'roles'> | undefined, limits: RateLimits): number {
  const ofRoles = (principal?.roles ?? []).map((role) => limits.perRole[role]).filter((limit): limit is number => limit !== undefined);
  return ofRoles.length > 0 ? Math.max(...ofRoles) : limits.perMinute;
}

/**
 * Whom a request counts against: the authenticated principal (its issuer and subject), so that
 * a ministry's systems behind one gateway address do not share one budget and one caller
 * cannot spend another's; the client address when no token was verified (health, a refused token).
 */
export function trackerOf(principal: Pick<Principal, 'issuer' | 'subject'> | undefined, ip: string | undefined): string {
  return principal ? `principal:${principal.issuer}:${principal.subject}` : `ip:${ip ?? 'unknown'}`;
}

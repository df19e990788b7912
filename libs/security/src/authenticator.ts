import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet, createRemoteJWKSet, decodeJwt, importSPKI, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type KeyLike,
} from 'jose';
import { ROLES, type Principal, type Role } from './policy';
import { keySourceUrlProblem } from './key-source-url';

/** The algorithms a ministry may sign tokens with. */
export const TOKEN_ALGORITHMS = ['RS256', 'ES256'] as const;

/**
 * One ministry's identity provider. The principal's state is this entry's `state`: a
 * ministry's issuer can only speak for its own state. Keys come from one of: a JWKS URL, a
 * JWKS document or PEM public key inline, or a file holding either.
 */
export interface IssuerSettings {
  issuer: string;
  state: string;
  jwksUri?: string;
  jwks?: JSONWebKeySet;
  publicKeyPem?: string;
  /** A file with a PEM public key or a JWKS document. */
  keyFile?: string;
  /** The algorithm of a PEM key (default RS256). */
  algorithm?: (typeof TOKEN_ALGORITHMS)[number];
}

export interface AuthenticatorSettings {
  issuers: IssuerSettings[];
  /** The audience every token must name (this system's API). */
  audience: string;
  /** Seconds of clock skew tolerated on exp/nbf (default 30). */
  clockToleranceSeconds?: number;
}

/** Why a request is not authenticated (answered 401 with this reason in the log only). */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: 'NO_TOKEN' | 'MALFORMED' | 'UNKNOWN_ISSUER' | 'INVALID_TOKEN' | 'NO_STATE',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

type KeySource = KeyLike | JWTVerifyGetKey;

/** Verifies bearer JWTs against the configured issuers: signature, issuer, audience, expiry. */
export class Authenticator {
  private readonly keys = new Map<string, Promise<KeySource>>();
  private readonly byIssuer: Map<string, IssuerSettings>;

  constructor(private readonly settings: AuthenticatorSettings) {
    this.byIssuer = new Map(settings.issuers.map((issuer) => [issuer.issuer, issuer]));
  }

  /** The principal of an `Authorization` header value, or an AuthenticationError. */
  async authenticate(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthenticationError('NO_TOKEN', 'no bearer token');
    const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(authorization.trim());
    if (!match) throw new AuthenticationError('MALFORMED', 'the Authorization header is not a bearer JWT');
    const token = match[1];
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new AuthenticationError('MALFORMED', 'the token cannot be decoded');
    }
    const issuer = typeof unverified.iss === 'string' ? this.byIssuer.get(unverified.iss) : undefined;
    if (!issuer) throw new AuthenticationError('UNKNOWN_ISSUER', `issuer ${String(unverified.iss)} is not configured`);
    let payload: JWTPayload;
    try {
      const key = await this.keyOf(issuer);
      const verified = await jwtVerify(token, key as JWTVerifyGetKey, {
        issuer: issuer.issuer,
        audience: this.settings.audience,
        algorithms: [...TOKEN_ALGORITHMS],
        clockTolerance: this.settings.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      });
      payload = verified.payload;
    } catch (error) {
      throw new AuthenticationError('INVALID_TOKEN', (error as Error).message);
    }
    const roles = (Array.isArray(payload.roles) ? payload.roles : []).filter((role): role is Role => ROLES.includes(role as Role));
    return {
      subject: payload.sub!,
      state: issuer.state,
      roles,
      issuer: issuer.issuer,
      ...(typeof payload.org === 'string' ? { organisation: payload.org } : {}),
    };
  }

  private keyOf(issuer: IssuerSettings): Promise<KeySource> {
    let key = this.keys.get(issuer.issuer);
    if (!key) {
      key = loadIssuerKey(issuer);
      key.catch(() => this.keys.delete(issuer.issuer));
      this.keys.set(issuer.issuer, key);
    }
    return key;
  }
}

/** The verification key (or key set) of an issuer from its settings. */
export async function loadIssuerKey(issuer: IssuerSettings): Promise<KeySource> {
  if (issuer.jwksUri) return createRemoteJWKSet(new URL(issuer.jwksUri), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000 });
  if (issuer.jwks) return createLocalJWKSet(issuer.jwks);
  const text = issuer.publicKeyPem ?? (issuer.keyFile ? readFileSync(issuer.keyFile, 'utf8') : undefined);
  if (!text) throw new AuthenticationError('UNKNOWN_ISSUER', `issuer ${issuer.issuer} has no key configured`);
  if (text.trim().startsWith('{')) return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
  return importSPKI(text, issuer.algorithm ?? 'RS256');
}

/** Parses AUTH_ISSUERS: a JSON array of IssuerSettings; throws with a sentence naming the problem. */
export function parseIssuers(json: string): IssuerSettings[] {
  const parsed: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(parsed)) throw new TypeError('AUTH_ISSUERS must be a JSON array');
  for (const [index, entry] of parsed.entries()) {
    const issuer = entry as Partial<IssuerSettings>;
    if (typeof issuer.issuer !== 'string' || !issuer.issuer) throw new TypeError(`AUTH_ISSUERS[${index}].issuer is required`);
    if (typeof issuer.state !== 'string' || !/^[A-Z]{2}$/.test(issuer.state)) throw new TypeError(`AUTH_ISSUERS[${index}].state must be an ISO 3166-1 alpha-2 code`);
    if (!issuer.jwksUri && !issuer.jwks && !issuer.publicKeyPem && !issuer.keyFile) {
      throw new TypeError(`AUTH_ISSUERS[${index}] needs jwksUri, jwks, publicKeyPem or keyFile`);
    }
    const problem = issuer.jwksUri === undefined ? undefined : keySourceUrlProblem(issuer.jwksUri);
    if (problem) throw new TypeError(`AUTH_ISSUERS[${index}].jwksUri ${problem}`);
  }
  return parsed as IssuerSettings[];
}

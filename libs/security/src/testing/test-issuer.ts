import { exportJWK, exportSPKI, generateKeyPair, importSPKI, SignJWT, type KeyLike } from 'jose';
import type { IssuerSettings } from '../authenticator';
import type { Role } from '../policy';

/**
 * A ministry's identity provider for tests: a key pair generated in memory (never written to
 * the repository) that mints bearer tokens, and the issuer settings a service verifies them with.
 */
export class TestIssuer {
  private constructor(
    readonly issuer: string,
    readonly state: string,
    readonly algorithm: 'RS256' | 'ES256',
    private readonly privateKey: KeyLike,
    readonly publicKeyPem: string,
    readonly kid: string,
  ) {}

  static async create(state: string, algorithm: 'RS256' | 'ES256' = 'ES256'): Promise<TestIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
    const kid = `${state.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}`;
    return new TestIssuer(`https://idp.justice.${state.toLowerCase()}.test`, state, algorithm, privateKey, await exportSPKI(publicKey), kid);
  }

  /** The settings of this issuer, its key given inline as a JWKS document. */
  async settings(): Promise<IssuerSettings> {
    const jwk = await exportJWK(await importPublic(this.publicKeyPem, this.algorithm));
    return { issuer: this.issuer, state: this.state, jwks: { keys: [{ ...jwk, kid: this.kid, alg: this.algorithm, use: 'sig' }] } };
  }

  /** A signed token for `roles`; `overrides` change the audience, the expiry or the issuer. */
  async token(
    roles: Role[],
    audience: string,
    overrides: { subject?: string; expiresIn?: string | number; issuedAt?: number; issuer?: string; organisation?: string } = {},
  ): Promise<string> {
    const jwt = new SignJWT({ roles, ...(overrides.organisation ? { org: overrides.organisation } : {}) })
      .setProtectedHeader({ alg: this.algorithm, kid: this.kid, typ: 'JWT' })
      .setIssuer(overrides.issuer ?? this.issuer)
      .setSubject(overrides.subject ?? `officer@${this.state.toLowerCase()}`)
      .setAudience(audience)
      .setIssuedAt(overrides.issuedAt)
      .setExpirationTime(overrides.expiresIn ?? '10m');
    return jwt.sign(this.privateKey);
  }

  /** Signs with this issuer's private key (for detached JWS of Kafka commands). */
  get signingKey(): KeyLike {
    return this.privateKey;
  }
}

function importPublic(pem: string, algorithm: string): Promise<KeyLike> {
  return importSPKI(pem, algorithm, { extractable: true });
}

import { SignJWT } from 'jose';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationError, Authenticator, parseIssuers } from './authenticator';
import { TestIssuer } from './testing/test-issuer';

const audience = 'custody-tracking';

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason;
    throw error;
  }
  return 'accepted';
}

describe('Authenticator', () => {
  let belgium: TestIssuer;
  let albania: TestIssuer;
  let authenticator: Authenticator;

  beforeAll(async () => {
    belgium = await TestIssuer.create('BE', 'RS256');
    albania = await TestIssuer.create('AL', 'ES256');
    authenticator = new Authenticator({ issuers: [await belgium.settings(), await albania.settings()], audience });
  });

  it('accepts RS256 and ES256 tokens of configured issuers; the state is the issuer\'s, not a claim', async () => {
    const principal = await authenticator.authenticate(`Bearer ${await belgium.token(['intake-officer', 'not-a-role' as never], audience, { organisation: 'FPS Justice' })}`);
    expect(principal).toEqual({ subject: 'officer@be', state: 'BE', roles: ['intake-officer'], issuer: belgium.issuer, organisation: 'FPS Justice' });
    expect((await authenticator.authenticate(`Bearer ${await albania.token(['auditor'], audience)}`)).state).toBe('AL');
  });

  it('refuses no token, a malformed header, a bad signature, a wrong audience, an expired token, an unknown issuer', async () => {
    expect(await reason(authenticator.authenticate(undefined))).toBe('NO_TOKEN');
    expect(await reason(authenticator.authenticate('Basic abc'))).toBe('MALFORMED');
    const good = await belgium.token(['intake-officer'], audience);
    const [header, payload, signature] = good.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), roles: ['auditor'] })).toString('base64url');
    expect(await reason(authenticator.authenticate(`Bearer ${header}.${tampered}.${signature}`))).toBe('INVALID_TOKEN');
    // signed by Albania's key but claiming Belgium's issuer
    expect(await reason(authenticator.authenticate(`Bearer ${await albania.token(['intake-officer'], audience, { issuer: belgium.issuer })}`))).toBe('INVALID_TOKEN');
    expect(await reason(authenticator.authenticate(`Bearer ${await belgium.token(['intake-officer'], 'another-api')}`))).toBe('INVALID_TOKEN');
    const past = Math.floor(Date.now() / 1000) - 3600;
    expect(await reason(authenticator.authenticate(`Bearer ${await belgium.token(['intake-officer'], audience, { issuedAt: past, expiresIn: past + 60 })}`))).toBe('INVALID_TOKEN');
    expect(await reason(authenticator.authenticate(`Bearer ${await belgium.token(['intake-officer'], audience, { issuer: 'https://idp.elsewhere' })}`))).toBe('UNKNOWN_ISSUER');
  });

  it('refuses an unsigned token (alg none) and HS256 signed with the public key', async () => {
    const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: belgium.issuer, sub: 'x', aud: audience, exp: 9999999999, roles: ['auditor'] })).toString('base64url')}.`;
    expect(await reason(authenticator.authenticate(`Bearer ${none}x`))).toBe('INVALID_TOKEN');
    const hs = await new SignJWT({ roles: ['auditor'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(belgium.issuer).setSubject('x').setAudience(audience).setExpirationTime('5m')
      .sign(Buffer.from(belgium.publicKeyPem));
    expect(await reason(authenticator.authenticate(`Bearer ${hs}`))).toBe('INVALID_TOKEN');
  });

  it('reads a PEM key from a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custody-keys-'));
    writeFileSync(join(dir, 'be.pem'), belgium.publicKeyPem);
    const fromFile = new Authenticator({ issuers: parseIssuers(JSON.stringify([{ issuer: belgium.issuer, state: 'BE', keyFile: join(dir, 'be.pem') }])), audience });
    expect((await fromFile.authenticate(`Bearer ${await belgium.token(['auditor'], audience)}`)).roles).toEqual(['auditor']);
  });

  it('rejects issuer settings without a state or a key', () => {
    expect(() => parseIssuers('[{"issuer":"x","state":"be","jwksUri":"https://x"}]')).toThrow(/state/);
    expect(() => parseIssuers('[{"issuer":"x","state":"BE","jwksUri":"http://idp.justice.example/jwks"}]')).toThrow(
      'AUTH_ISSUERS[0].jwksUri must be an https URL: plain http is accepted only for a loopback host (127.0.0.0/8, ::1, localhost), not idp.justice.example',
    );
    expect(parseIssuers('[{"issuer":"x","state":"BE","jwksUri":"http://127.0.0.1:4000/jwks"}]')).toHaveLength(1);
    expect(() => parseIssuers('[{"issuer":"x","state":"BE"}]')).toThrow(/jwksUri/);
    expect(() => parseIssuers('{}')).toThrow(/array/);
  });
});

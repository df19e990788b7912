// The trial stack's identity provider (tools/demo-idp, docs/operations.md "A trial stack"): the keys it
// generates are kept across starts, and what it prints is believed by the project's own checks, read the
// way the Compose services read it (the settings file sourced by a shell, keys from the data folder).
import { execFile, spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthenticationError, Authenticator, CommandSignatureVerifier, parseIssuers, parsePublisherKeys, parseSigners, ROLES, SIGNATURE_HEADER, signCommand } from '@custody/security';
import { checkCredentials } from '@custody/messaging';
import { parse } from 'yaml';

interface DemoSettings {
  dataDir: string;
  port: number;
  issuerBase: string;
}
interface DemoIdp {
  STATES: string[];
  ROLES: string[];
  SERVICES: string[];
  ensureKeys(settings: DemoSettings): Promise<unknown>;
  issueToken(request: { state: string; role: string; subject?: string; minutes?: number }, settings: DemoSettings): Promise<string>;
  serve(settings: DemoSettings, host?: string): Promise<Server>;
}
const root = join(__dirname, '..', '..');
// A plain Node tool (CommonJS, run as is in the image), outside the workspace's projects.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const idp = require(join(root, 'tools', 'demo-idp', 'demo-idp.js')) as DemoIdp;

/** Every file under a folder with its content, settings files aside (they are rewritten at each start). */
function keyFiles(dir: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) Object.assign(files, keyFiles(path, `${prefix}${name}/`));
    else if (name.endsWith('.pem') || name === 'personal-data-master-key') files[`${prefix}${name}`] = readFileSync(path, 'utf8');
  }
  return files;
}

/** A service's environment after its settings file is sourced by a shell, as the Compose command does. */
function sourced(file: string): NodeJS.ProcessEnv {
  const result = spawnSync('sh', ['-c', `. "${file}" && "${process.execPath}" -e 'process.stdout.write(JSON.stringify(process.env))'`], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as NodeJS.ProcessEnv;
}

describe('the demo identity provider', () => {
  let dataDir: string;
  let settings: DemoSettings;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-idp-'));
    settings = { dataDir, port: 0, issuerBase: 'http://127.0.0.1:0' };
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('generates every key once and keeps them at the next start', async () => {
    await idp.ensureKeys(settings);
    const first = keyFiles(dataDir);
    expect(Object.keys(first).sort()).toEqual(
      [
        ...idp.STATES.flatMap((s) => [`ministries/${s}/command-signing-key.pem`, `ministries/${s}/command-signing-key.pub.pem`, `ministries/${s}/token-signing-key.pem`]),
        ...idp.SERVICES.map((s) => `event-signing-keys/${s}.pem`),
        'audit-signing-key.pem',
        'personal-data-master-key',
      ].sort(),
    );
    expect(Buffer.from(first['personal-data-master-key'].trim(), 'base64')).toHaveLength(32);
    expect(createPrivateKey(first['audit-signing-key.pem']).asymmetricKeyType).toBe('ed25519');
    // Distinct ministries have distinct keys.
    expect(new Set(idp.STATES.map((s) => first[`ministries/${s}/token-signing-key.pem`])).size).toBe(idp.STATES.length);
    expect((statSync(join(dataDir, 'ministries', 'BE', 'token-signing-key.pem')).mode & 0o077)).toBe(0);

    await idp.ensureKeys(settings);
    expect(keyFiles(dataDir)).toEqual(first);
  });

  it('three first starts at once keep one key per ministry: the tokens all three print verify against the key set left in the folder', async () => {
    const run = () =>
      promisify(execFile)(process.execPath, [join(root, 'tools', 'demo-idp', 'demo-idp.js'), 'token', '--state', 'DK', '--role', 'auditor'], {
        env: { ...process.env, DEMO_DATA_DIR: dataDir, DEMO_IDP_ISSUER_BASE: 'http://127.0.0.1:0' },
      });
    const printed = await Promise.all([run(), run(), run()]);
    const authenticator = new Authenticator({ audience: 'custody-tracking', issuers: [{ issuer: 'http://127.0.0.1:0/DK', state: 'DK', keyFile: join(dataDir, 'ministries', 'DK', 'jwks.json') }] });
    for (const { stdout } of printed) {
      await expect(authenticator.authenticate(`Bearer ${stdout.trim()}`)).resolves.toEqual(expect.objectContaining({ state: 'DK', roles: ['auditor'] }));
    }
    expect(readdirSync(join(dataDir, 'ministries', 'DK')).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it("prints a token that the project's Authenticator accepts from the JWKS it serves, for that state and role", async () => {
    const server = await idp.serve(settings, '127.0.0.1');
    try {
      const { port } = server.address() as AddressInfo;
      const served = { ...settings, issuerBase: `http://127.0.0.1:${port}` };
      const token = await idp.issueToken({ state: 'XK', role: 'facility-officer' }, served);
      const authenticator = new Authenticator({
        audience: 'custody-tracking',
        issuers: parseIssuers(JSON.stringify(idp.STATES.map((state) => ({ issuer: `${served.issuerBase}/${state}`, state, jwksUri: `${served.issuerBase}/${state}/jwks.json` })))),
      });
      await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toEqual({
        subject: 'demo-xk-facility-officer',
        state: 'XK',
        roles: ['facility-officer'],
        issuer: `${served.issuerBase}/XK`,
      });

      // Another ministry's key set does not vouch for it: a token claiming BE's issuer but signed by XK is refused.
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      const forged = [header, Buffer.from(JSON.stringify({ ...claims, iss: `${served.issuerBase}/BE` })).toString('base64url'), signature].join('.');
      await expect(authenticator.authenticate(`Bearer ${forged}`)).rejects.toEqual(expect.objectContaining({ reason: 'INVALID_TOKEN' }));
      await expect(authenticator.authenticate(`Bearer ${forged}`)).rejects.toBeInstanceOf(AuthenticationError);

      const health = await fetch(`${served.issuerBase}/health`);
      expect(await health.json()).toEqual({ status: 'ok', states: idp.STATES });
      const unknown = await fetch(`${served.issuerBase}/FR/jwks.json`);
      expect(unknown.status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('knows the roles of the policy, and refuses a state or role it does not know, naming the allowed ones', async () => {
    expect(idp.ROLES).toEqual([...ROLES]);
    await expect(idp.issueToken({ state: 'FR', role: 'auditor' }, settings)).rejects.toThrow('--state must be one of BE, AL, DK, XK, NL (got FR)');
    await expect(idp.issueToken({ state: 'BE', role: 'caseworker' }, settings)).rejects.toThrow(/--role must be one of intake-officer, .* \(got caseworker\)/);
  });

  it("writes each service's settings so that it authenticates the ministries' tokens and verifies their command signatures", async () => {
    await idp.ensureKeys(settings);
    const intake = sourced(join(dataDir, 'settings', 'intake.env'));
    expect(intake).toEqual(expect.objectContaining({ AUTH_MODE: 'on', COMMAND_SIGNATURES: 'required', EVENT_SIGNATURES: 'required', PERSONAL_DATA_MASTER_KEY: readFileSync(join(dataDir, 'personal-data-master-key'), 'utf8').trim() }));

    // Tokens, with the issuers' keys read from the data folder (keyFile), as in Compose.
    const token = await idp.issueToken({ state: 'BE', role: 'transfer-coordinator' }, settings);
    const authenticator = new Authenticator({ audience: 'custody-tracking', issuers: parseIssuers(intake.AUTH_ISSUERS!) });
    await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toEqual(expect.objectContaining({ state: 'BE', roles: ['transfer-coordinator'] }));

    // A command signed with Albania's command key is believed as Albania's, and only as Albania's.
    const value = JSON.stringify({ id: 'cmd-1', type: 'RequestTransfer', actorState: 'AL' });
    const covered = { ce_actororganisation: 'Ministry of Justice AL', ce_correlationid: 'cmd-1' };
    const signature = await signCommand(value, createPrivateKey(readFileSync(join(dataDir, 'ministries', 'AL', 'command-signing-key.pem'), 'utf8')), {
      kid: 'demo-al-command-1', algorithm: 'ES256', commandId: 'cmd-1', commandType: 'RequestTransfer', actorOrganisation: covered.ce_actororganisation, correlationId: covered.ce_correlationid,
    });
    const verifier = new CommandSignatureVerifier(parseSigners(intake.COMMAND_SIGNERS!).keys);
    const message = { topic: 'commands', partition: 0, offset: '0', key: null, value: Buffer.from(value), headers: { ...covered, [SIGNATURE_HEADER]: signature } };
    expect(verifier.check(message, { id: 'cmd-1', type: 'RequestTransfer', actorState: 'AL' })).toEqual({ ok: true, signerState: 'AL', kid: 'demo-al-command-1' });
    expect(verifier.check(message, { id: 'cmd-1', type: 'RequestTransfer', actorState: 'BE' })).toEqual(expect.objectContaining({ ok: false, code: 'UNAUTHORISED_ACTOR' }));

    // The services' event keys: each service's own private key, every service's public key for all.
    const audit = sourced(join(dataDir, 'settings', 'audit.env'));
    expect(audit.AUDIT_SIGNING_KEY).toBe(readFileSync(join(dataDir, 'audit-signing-key.pem'), 'utf8'));
    expect(audit.EVENT_SIGNING_KEY).not.toBe(intake.EVENT_SIGNING_KEY);
    expect(parsePublisherKeys(audit.EVENT_PUBLISHER_KEYS!).map((k) => k.service).sort()).toEqual([...idp.SERVICES].sort());

    // The broker's SCRAM users: kafka-setup creates them from its settings, each service logs in as its own.
    const kafka = checkCredentials(JSON.parse(sourced(join(dataDir, 'settings', 'kafka-setup.env')).KAFKA_CREDENTIALS!));
    expect(Object.keys(kafka.ministries).sort()).toEqual([...idp.STATES].sort());
    expect({ user: intake.KAFKA_SASL_USERNAME, password: intake.KAFKA_SASL_PASSWORD }).toEqual({ user: 'intake', password: kafka.services.intake.password });
    expect(audit.KAFKA_SASL_PASSWORD).toBe(kafka.services.audit.password);
    expect(audit.KAFKA_SASL_PASSWORD).not.toBe(intake.KAFKA_SASL_PASSWORD);
  });

  it('the Compose file starts it only in the demo profile, and the services read its settings only when deploy/demo.env says so', () => {
    type Service = { profiles?: string[]; environment?: Record<string, unknown>; depends_on?: Record<string, { required?: boolean }>; volumes?: string[] };
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
    expect(compose.services['demo-idp'].profiles).toEqual(['demo']);
    expect(compose.services['demo-idp'].environment).toEqual(expect.objectContaining({ DEMO_DATA_DIR: '/demo' }));
    for (const name of idp.SERVICES) {
      const service = compose.services[name];
      expect({ name, profiles: service.profiles }).toEqual({ name, profiles: undefined });
      // Empty unless DEMO_SETTINGS is set (Compose's ${VAR:+...}): the default path reads nothing from the demo.
      expect({ name, file: service.environment?.DEMO_SETTINGS_FILE }).toEqual({ name, file: `\${DEMO_SETTINGS:+/demo/settings/${name}.env}` });
      expect({ name, dependsOnDemo: service.depends_on?.['demo-idp'] }).toEqual({ name, dependsOnDemo: { condition: 'service_healthy', required: false } });
      expect(service.volumes).toContain('demo-data:/demo:ro');
    }
    const demoEnv = readFileSync(join(root, 'deploy', 'demo.env'), 'utf8');
    expect(demoEnv).toMatch(/^COMPOSE_PROFILES=demo$/m);
    expect(demoEnv).toMatch(/^DEMO_SETTINGS=on$/m);
  });
});

// The trial stack (docker compose --env-file deploy/demo.env, docs/operations.md "A trial stack") as
// processes: the four services started with nothing but the settings the demo identity provider writes
// (sourced by a shell, as the Compose command does) over the test's topics and schemas. They start with
// authentication on, and believe the tokens `demo-idp token` prints for the state and role asked.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from './harness/http';
import { SERVICE_NAMES, type ServiceName } from './harness/service-process';
import { Stack } from './harness/stack';

const root = join(__dirname, '..', '..');
const tool = join(root, 'tools', 'demo-idp', 'demo-idp.js');

describe('the trial stack with the demo identity provider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'demo-stack-'));
  const idpEnv = { ...process.env, DEMO_DATA_DIR: dataDir, DEMO_IDP_ISSUER_BASE: 'http://demo-idp:8080' };
  let stack: Stack;

  /** What a service's settings file sets: sourced in an otherwise empty environment. */
  const settingsOf = (service: ServiceName): Record<string, string> => {
    const result = spawnSync('env', ['-i', 'sh', '-c', `. "${join(dataDir, 'settings', `${service}.env`)}" && "${process.execPath}" -e 'process.stdout.write(JSON.stringify(process.env))'`], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const env = JSON.parse(result.stdout) as Record<string, string>;
    for (const name of ['PWD', 'SHLVL', '_']) delete env[name];
    return env;
  };
  const token = async (state: string, role: string) =>
    (await promisify(execFile)(process.execPath, [tool, 'token', '--state', state, '--role', role], { env: idpEnv })).stdout.trim();

  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [tool, 'token', '--state', 'BE', '--role', 'auditor'], { env: idpEnv });
    const env = Object.fromEntries(SERVICE_NAMES.map((service) => [service, settingsOf(service)])) as Record<ServiceName, Record<string, string>>;
    expect(env.audit).toEqual(expect.objectContaining({ AUTH_MODE: 'on', EVENT_SIGNATURES: 'required' }));
    expect(env.intake).toEqual(expect.objectContaining({ COMMAND_SIGNATURES: 'required' }));
    // Each service logs in to the trial's broker as itself (SCRAM; Compose's kafka-setup creates the
    // users and the ACLs from the same credentials). The broker here is the test suite's, whose
    // loopback listener takes no login: the settings are checked, then left out. Services logging in
    // with SCRAM under the ACLs are what the secure stack test runs (secure-stack.e2e-spec.ts).
    for (const service of SERVICE_NAMES) {
      expect(env[service]).toEqual(expect.objectContaining({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: expect.any(String), KAFKA_SASL_PASSWORD: expect.stringMatching(/^[0-9a-f]{64}$/) }));
      for (const name of ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) delete env[service][name];
    }
    stack = await Stack.start({ label: 'demo', env });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('answers 401 without a token, and takes a demo ministry token for its role only', async () => {
    const auditor = { Authorization: `Bearer ${await token('NL', 'auditor')}`, 'X-Access-Purpose': 'trial of the stack' };
    const officer = { Authorization: `Bearer ${await token('NL', 'intake-officer')}`, 'X-Access-Purpose': 'trial of the stack' };
    for (const service of SERVICE_NAMES) {
      expect({ service, status: (await request('GET', `${stack.url(service)}/access-log`)).status }).toEqual({ service, status: 401 });
      expect({ service, status: (await request('GET', `${stack.url(service)}/access-log`, undefined, auditor)).status }).toEqual({ service, status: 200 });
      expect({ service, status: (await request('GET', `${stack.url(service)}/access-log`, undefined, officer)).status }).toEqual({ service, status: 403 });
    }
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { uniqueName } from '@custody/testing';
import { logLevel } from 'kafkajs';
import { createKafka } from './kafka';
import { kafkaSecurity } from './kafka-security';

const workspaceRoot = resolve(__dirname, '..', '..', '..');

const isFree = (port: number) =>
  new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

function script(name: string, env: Record<string, string>, ...args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn('bash', [join(workspaceRoot, 'deploy', 'kafka', name), ...args], { cwd: workspaceRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? done(output) : fail(new Error(`${name} exited with ${code}:\n${output}`))));
  });
}

/**
 * A broker of this test's own (never the shared one) with a SASL/SCRAM-SHA-512 listener: the
 * right credentials connect through KafkaSettings, wrong ones are refused. The user is the broker's
 * administrator (a super user of infra-up.sh's KAFKA_SUPER_USERS): what other principals may do is
 * the ACLs', tested in acl/acls.int-spec.ts.
 */
describe('SASL/SCRAM-SHA-512 to a broker of the test\'s own', () => {
  let env: Record<string, string>;
  let scramPort = 0;

  beforeAll(async () => {
    let port = 0;
    for (let i = 0; i < 50 && !port; i++) {
      const candidate = 31092 + 3 * Math.floor(Math.random() * 1500);
      if ((await isFree(candidate)) && (await isFree(candidate + 1)) && (await isFree(candidate + 2))) port = candidate;
    }
    if (!port) throw new Error('no three free ports for a test broker');
    scramPort = port + 2;
    env = {
      KAFKA_PORT: String(port),
      KAFKA_SCRAM_PORT: String(scramPort),
      KAFKA_SCRAM_USERS: 'admin:correct-horse-battery',
      KAFKA_DATA_DIR: mkdtempSync(join(tmpdir(), 'custody-kafka-scram-')),
      KAFKA_START_TIMEOUT: '240',
      KAFKA_STOP_TIMEOUT: '60',
    };
    await script('infra-up.sh', env);
  }, 400_000);

  afterAll(async () => {
    if (env) await script('infra-down.sh', env, '--wipe');
  }, 120_000);

  const client = (password: string) =>
    createKafka({
      brokers: [`127.0.0.1:${scramPort}`],
      clientId: uniqueName('scram'),
      logLevel: logLevel.NOTHING,
      ...kafkaSecurity({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'admin', KAFKA_SASL_PASSWORD: password }),
    });

  it('connects with the right credentials and is refused with wrong ones', async () => {
    const admin = client('correct-horse-battery').admin();
    await admin.connect();
    const topic = uniqueName('scram-topic');
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    expect(await admin.listTopics()).toContain(topic);
    await admin.disconnect();

    const intruder = client('wrong-password').admin();
    await expect(intruder.connect()).rejects.toThrow(/SASL|[Aa]uthentication/);
    await intruder.disconnect();
  }, 120_000);

  it('reads the SASL and TLS settings from configuration', () => {
    expect(kafkaSecurity({})).toEqual({});
    expect(kafkaSecurity({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    expect(() => kafkaSecurity({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/USERNAME/);
    expect(() => kafkaSecurity({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' })).toThrow(/MECHANISM/);
  });
});

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, uniqueName } from '@custody/testing';
import { logLevel } from 'kafkajs';
import { createKafka } from './kafka';
import { kafkaSecurity } from './kafka-security';
import { RELAY_CLIENTS, relayPublisher } from './relay-publisher-platformatic';
import { ensureTopics } from './topics';

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
 * right credentials connect through KafkaSettings, wrong ones are refused, and the relay publishes
 * through either client's publisher. The user is the broker's
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

  // The relay's publisher on each client, built from the same settings as the service's kafkajs
  // client (docs/adr/0018-relay-publisher-on-platformatic-kafka.md): a batch and its checkpoint over SCRAM.
  it.each(RELAY_CLIENTS)('publishes a relay batch and its checkpoint through the %s publisher', async (relayClient) => {
    const settings = {
      brokers: [`127.0.0.1:${scramPort}`],
      clientId: uniqueName('scram-relay'),
      logLevel: logLevel.NOTHING,
      ...kafkaSecurity({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'admin', KAFKA_SASL_PASSWORD: 'correct-horse-battery' }),
    };
    const kafka = createKafka(settings);
    const topic = uniqueName('scram-events');
    const checkpointTopic = uniqueName('scram-checkpoints');
    await ensureTopics(kafka, [{ topic, partitions: 3, replicationFactor: 1 }, { topic: checkpointTopic, partitions: 1, replicationFactor: 1 }]);
    const publisher = relayPublisher(relayClient, { kafka, settings, transactionalId: uniqueName('scram-relay'), checkpointTopic });
    const messages = Array.from({ length: 12 }, (_, i) => ({ key: `inmate-${i}`, value: `scram-${i}`, headers: { ce_id: `id-${i}` } }));
    const first = await publisher.begin();
    try {
      expect(await first.checkpoint()).toBeUndefined();
      await first.publish([{ topic, messages }], '12');
    } finally {
      await first.close();
    }
    const next = await publisher.begin();
    try {
      expect(await next.checkpoint()).toBe('12');
    } finally {
      await next.close();
    }
    const consumer = kafka.consumer({ groupId: uniqueName('scram-reader'), readUncommitted: false });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(String(message.value)) });
      await eventually(async () => (seen.length >= messages.length ? true : undefined), { timeoutMs: 60_000, message: 'the batch read back' });
    } finally {
      await consumer.disconnect();
    }
    expect(seen.sort()).toEqual(messages.map((m) => m.value).sort());
  }, 120_000);

  it('reads the SASL and TLS settings from configuration', () => {
    expect(kafkaSecurity({})).toEqual({});
    expect(kafkaSecurity({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
    expect(() => kafkaSecurity({ KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(/USERNAME/);
    expect(() => kafkaSecurity({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' })).toThrow(/MECHANISM/);
  });
});

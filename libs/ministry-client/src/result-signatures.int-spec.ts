import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, toKafkaMessage, TOPICS, type OutgoingKafkaMessage } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { eventKeyId, EventSigner, EVENT_SIGNATURE_HEADER, type PublisherKey } from '@custody/security';
import { eventually, kafkaBrokers, testKafka, uniqueName } from '@custody/testing';
import type { Consumer, Producer } from 'kafkajs';
import { run } from './cli';
import { loadSigningKey, MinistryClient, prepareCommand, ResultSignatureError } from './client';

/** A service's event-signing key pair, generated for the test, and its entry as the client's publisherKeys take it. */
function serviceKey(service: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = eventKeyId(service, publicKey);
  return {
    kid, signer: new EventSigner(kid, privateKey), key: { service, kid, key: publicKey } satisfies PublisherKey,
    /** As --publisher-keys (and the services' EVENT_PUBLISHER_KEYS) list it. */
    entry: { service, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  };
}

/**
 * The client verifies the event signature of each command result it reads on its state's results
 * topic, on the real broker (docs/security.md, "Command results are verified by the client"): the
 * results are produced here as a service's relay produces them, one signed by intake's key, and
 * forged ones before it (unsigned, signed by a key the client was not given, signed by a service
 * that publishes no results, a genuine signature over another result); the genuine one is
 * delivered, each forged one refused and reported, never delivered.
 */
describe('custody-ministry verifies the signatures of its command results (real broker)', () => {
  const prefix = `${uniqueName('ministry-results')}.`;
  const names = new TopicNames(prefix);
  const resultsTopic = names.physical('custody.command-results.BE');
  const commandsTopic = names.physical(TOPICS.intakeCommands);
  const intake = serviceKey('intake');
  const audit = serviceKey('audit');
  const stranger = serviceKey('intake');
  const belgiumPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const belgium = loadSigningKey(belgiumPem, 'be-results-test');
  const kafka = testKafka('ministry-results');
  let client: MinistryClient;
  let producer: Producer;
  let service: Consumer;
  const received = new Set<string>();

  /** The result of a command as a service's relay writes it (unsigned). */
  const resultOf = (commandId: string, eventId = randomUUID()): OutgoingKafkaMessage =>
    toKafkaMessage({
      id: randomUUID(),
      type: 'CommandAccepted',
      schemaVersion: 1,
      data: { ...(EXAMPLES.CommandAccepted as Record<string, unknown>), commandId, eventIds: [eventId] },
      metadata: { correlationId: commandId, occurredAt: '2026-12-01T10:00:00Z' },
    });

  const command = async () => prepareCommand({ type: 'RegisterInmate', data: { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId: randomUUID() } }, { state: 'BE', organisation: 'FPS Justice', signingKey: belgium }, names);

  /** Waits until the command is on its topic (the client is then reading its results topic), and produces `results` in order. */
  async function answer(commandId: string, results: OutgoingKafkaMessage[]): Promise<void> {
    await eventually(async () => (received.has(commandId) ? true : undefined), { timeoutMs: 60_000, message: `command ${commandId} on its topic` });
    await producer.send({ topic: resultsTopic, acks: -1, messages: results.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
  }

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [resultsTopic, commandsTopic].map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })) });
    } finally {
      await admin.disconnect();
    }
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    // Stands for the service: sees each command arrive.
    service = kafka.consumer({ groupId: uniqueName('ministry-results-service') });
    await service.connect();
    await service.subscribe({ topic: commandsTopic, fromBeginning: true });
    await service.run({ eachMessage: async ({ message }) => void received.add(message.headers?.ce_id?.toString() ?? '') });
    client = new MinistryClient({ brokers: kafkaBrokers(), clientId: uniqueName('ministry-results-client') }, names, 'BE', { publisherKeys: [intake.key, audit.key] });
  });

  afterAll(async () => {
    await client?.close();
    await service?.disconnect();
    await producer?.disconnect();
  });

  it('delivers the result intake signed, after refusing an unsigned one, one signed by an unknown key, one by a service that publishes no results, and one whose signature is over another result', async () => {
    const prepared = await command();
    const genuine = intake.signer.signedBatch([resultOf(prepared.commandId)])[0];
    const other = intake.signer.signedBatch([resultOf(prepared.commandId)])[0];
    const altered = { ...resultOf(prepared.commandId), headers: { ...resultOf(prepared.commandId).headers, ...Object.fromEntries(Object.entries(other.headers).filter(([name]) => name.startsWith('ce_eventsignature'))) } };
    const forged = [resultOf(prepared.commandId), stranger.signer.signedBatch([resultOf(prepared.commandId)])[0], audit.signer.signedBatch([resultOf(prepared.commandId)])[0], altered];
    const refusals: ResultSignatureError[] = [];

    const [result] = await Promise.all([
      client.send(prepared, { timeoutMs: 90_000, onRefused: (refusal) => refusals.push(refusal) }),
      answer(prepared.commandId, [...forged, genuine]),
    ]);

    expect(result).toEqual({ type: 'CommandAccepted', data: JSON.parse(genuine.value) });
    expect(refusals.map((r) => ({ code: r.code, commandId: r.commandId, type: r.type, topic: r.topic, reason: r.reason }))).toEqual([
      { code: 'RESULT_SIGNATURE_INVALID', commandId: prepared.commandId, type: 'CommandAccepted', topic: resultsTopic, reason: expect.stringContaining(`carries no signature (header ${EVENT_SIGNATURE_HEADER})`) },
      { code: 'RESULT_SIGNATURE_INVALID', commandId: prepared.commandId, type: 'CommandAccepted', topic: resultsTopic, reason: expect.stringContaining(`${stranger.kid} is not a configured publisher key`) },
      { code: 'RESULT_SIGNATURE_INVALID', commandId: prepared.commandId, type: 'CommandAccepted', topic: resultsTopic, reason: expect.stringContaining(`signed by audit (key ${audit.kid})`) },
      { code: 'RESULT_SIGNATURE_INVALID', commandId: prepared.commandId, type: 'CommandAccepted', topic: resultsTopic, reason: expect.stringContaining(`the batch signature of key ${intake.kid} does not verify`) },
    ]);
    expect(refusals.map((r) => Number(r.offset))).toEqual([...refusals.keys()].map((i) => Number(refusals[0].offset) + i));
  });

  it('rejects with a ResultSignatureError when only forged results of the command came, never delivering one', async () => {
    const prepared = await command();
    const refusals: ResultSignatureError[] = [];
    const [outcome] = await Promise.all([
      client.send(prepared, { timeoutMs: 40_000, onRefused: (refusal) => refusals.push(refusal) }).then((result) => ({ result }), (error: unknown) => ({ error })),
      answer(prepared.commandId, [stranger.signer.signedBatch([resultOf(prepared.commandId)])[0], resultOf(prepared.commandId)]),
    ]);
    expect(outcome).toEqual({ error: expect.any(ResultSignatureError) });
    const error = (outcome as { error: ResultSignatureError }).error;
    expect(error).toMatchObject({ code: 'RESULT_SIGNATURE_INVALID', commandId: prepared.commandId, topic: resultsTopic });
    expect(error.message).toMatch(new RegExp(`^RESULT_SIGNATURE_INVALID: CommandAccepted for command ${prepared.commandId} on ${resultsTopic.replace(/\./g, '\\.')} `));
    expect(refusals).toHaveLength(2);
    expect(refusals[refusals.length - 1]).toBe(error);
  });

  it('custody-ministry send prints each refused result on standard error and exits 2 when no genuine one comes, printing none as the result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'custody-ministry-results-'));
    const commandId = randomUUID();
    await writeFile(join(dir, 'be.pem'), belgiumPem);
    await writeFile(join(dir, 'register.json'), JSON.stringify({ type: 'RegisterInmate', data: { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId } }));
    let stdout = '';
    let stderr = '';
    const [code] = await Promise.all([
      run(
        ['--brokers', kafkaBrokers().join(','), '--topic-prefix', prefix, 'send', join(dir, 'register.json'), '--state', 'BE', '--organisation', 'FPS Justice',
          '--key', join(dir, 'be.pem'), '--kid', 'be-results-test', '--publisher-keys', JSON.stringify([intake.entry]), '--timeout', '40'],
        { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {} },
      ),
      answer(commandId, [stranger.signer.signedBatch([resultOf(commandId)])[0]]),
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`custody-ministry: RESULT_SIGNATURE_INVALID: CommandAccepted for command ${commandId} on ${resultsTopic}`);
    expect(stderr).toContain(`${stranger.kid} is not a configured publisher key`);
    expect(stderr).toContain(`no genuine result for command ${commandId} within 40 s`);
  });
});

import { exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_HEADERS, EXAMPLES, toKafkaMessage, TOPICS } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { eventually, uniqueName } from '@custody/testing';
import { contractDecoder } from './contract-codec';
import { EventConsumer, type ConsumerOutcome } from './consumer';
import { CommandSignatureVerifier, SIGNATURE_HEADER, signCommand, signedCommandDecoder } from './signatures';
import { Harness } from './testing/harness';
import { deadLetterTopic, ensureTopics } from './topics';

/** Signed commands over the real broker: verified before any handler, refusals dead-lettered, replays without effect. */
describe('signed commands on a commands topic (real broker and database)', () => {
  let h: Harness;
  let consumer: EventConsumer<PostgresTransaction>;
  const outcomes: ConsumerOutcome[] = [];
  const deadLetters: Array<{ id: string; code: string; reason: string }> = [];
  let stopReader = async () => undefined as unknown;

  afterAll(async () => {
    await stopReader();
    await consumer?.stop();
    await h?.close();
  });

  it('applies a signed command once, refuses unsigned, forged and unauthorised ones to the DLQ with UNAUTHORISED_ACTOR, and ignores a replay', async () => {
    h = await Harness.create('signed-commands', { partitions: 1 });
    const topic = h.names.physical(TOPICS.intakeCommands);
    await ensureTopics(h.kafka, [{ topic, partitions: 1, replicationFactor: 1 }]);
    const belgium = await generateKeyPair('ES256', { extractable: true });
    const albania = await generateKeyPair('RS256', { extractable: true });
    const verifier = new CommandSignatureVerifier(
      [
        { kid: 'be-1', state: 'BE', publicKeyPem: await exportSPKI(belgium.publicKey) },
        { kid: 'al-1', state: 'AL', publicKeyPem: await exportSPKI(albania.publicKey) },
      ],
      { RegisterInmate: (data, state) => data.sendingState === state },
    );
    consumer = new EventConsumer<PostgresTransaction>({
      kafka: h.kafka,
      groupId: uniqueName('signed'),
      topics: [topic],
      decoder: signedCommandDecoder(contractDecoder(h.names), verifier, [topic]),
      handlerFor: () => Harness.recordEffect,
      inbox: h.inbox,
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
      sessionTimeoutMs: 10_000,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    await consumer.start();
    const reader = h.kafka.consumer({ groupId: uniqueName('dlq-reader') });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic(topic), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => String(message.headers?.[name] ?? '');
        deadLetters.push({ id: header('ce_id'), code: header(DEAD_LETTER_HEADERS.code), reason: header(DEAD_LETTER_HEADERS.reason) });
      },
    });
    stopReader = () => reader.disconnect();

    const command = (state: string) => {
      const data: Record<string, unknown> = { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId: randomUUID(), inmateId: randomUUID() };
      const message = toKafkaMessage({
        id: data.commandId as string, type: 'RegisterInmate', schemaVersion: 1, data,
        metadata: { correlationId: data.commandId as string, occurredAt: data.occurredAt as string, actor: { state, organisation: `Justice ${state}` } },
      });
      return { id: data.commandId as string, message };
    };
    const signed = async (c: ReturnType<typeof command>, key: KeyLike, kid: string, algorithm: 'ES256' | 'RS256') => ({
      ...c.message,
      headers: { ...c.message.headers, [SIGNATURE_HEADER]: await signCommand(c.message.value, key, { kid, algorithm, commandId: c.id, commandType: 'RegisterInmate' }) },
    });

    const good = command('BE');
    const unsigned = command('BE');
    const forged = command('BE');
    const unauthorised = command('AL'); // Albania registering a person Belgium sends
    const goodMessage = await signed(good, belgium.privateKey, 'be-1', 'ES256');
    const forgedMessage = await signed(forged, albania.privateKey, 'be-1', 'RS256');
    const producer = await h.producer();
    for (const message of [goodMessage, unsigned.message, forgedMessage, await signed(unauthorised, albania.privateKey, 'al-1', 'RS256'), goodMessage]) {
      await producer.send({ topic, acks: -1, messages: [message] });
    }

    await eventually(() => (deadLetters.length >= 3 && outcomes.length >= 5 ? true : undefined), { message: 'three refusals and five outcomes' });
    expect((await h.effects()).map((e) => e.event_id)).toEqual([good.id]);
    expect(outcomes.filter((o) => o.kind === 'duplicate').map((o) => o.kind === 'duplicate' && o.event.id)).toEqual([good.id]);
    const byId = new Map(deadLetters.map((d) => [d.id, d]));
    expect(byId.get(unsigned.id)).toMatchObject({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringContaining('no signature') });
    expect(byId.get(forged.id)).toMatchObject({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringMatching(/algorithm|does not verify/) });
    expect(byId.get(unauthorised.id)).toMatchObject({ code: 'UNAUTHORISED_ACTOR', reason: expect.stringContaining('AL may not issue RegisterInmate') });
    expect(byId.has(good.id)).toBe(false);
  });
});

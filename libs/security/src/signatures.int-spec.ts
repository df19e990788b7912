import { exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_HEADERS, EXAMPLES, toKafkaMessage, TOPICS } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { eventually, uniqueName } from '@custody/testing';
import { COMMAND_REFUSED, contractDecoder, deadLetterTopic, ensureTopics, EventConsumer, type ConsumerOutcome, type EventHandler } from '@custody/messaging';
import { Harness } from '@custody/messaging/testing';
import { CommandSignatureVerifier, SIGNATURE_HEADER, signCommand, signedCommandDecoder, signedFieldsOf } from './signatures';

/** Signed commands over the real broker: verified before any handler, refusals answered and dead-lettered, replays without effect. */
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

  it('applies a signed command once, answers and dead-letters unsigned, forged and unauthorised ones with their codes, and ignores a replay', async () => {
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
    // A handler that finds, in what it loaded, that the signer may not act: it records its answer and sets the message aside.
    let refusedByHandler = '';
    const handler: EventHandler<PostgresTransaction> = async (event, context) => {
      await Harness.recordEffect(event, context);
      if (event.id === refusedByHandler) context.setAside({ code: 'UNAUTHORISED_ACTOR', reason: 'BE may not act on this inmate' });
    };
    consumer = new EventConsumer<PostgresTransaction>({
      kafka: h.kafka,
      groupId: uniqueName('signed'),
      topics: [topic],
      decoder: signedCommandDecoder(contractDecoder(h.names), verifier, [topic]),
      handlerFor: () => handler,
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
      headers: { ...c.message.headers, [SIGNATURE_HEADER]: await signCommand(c.message.value, key, { kid, algorithm, ...signedFieldsOf(c.message.headers) }) },
    });

    const good = command('BE');
    const unsigned = command('BE');
    const forged = command('BE');
    const unauthorised = command('AL'); // Albania registering a person Belgium sends
    const setAside = command('BE');
    refusedByHandler = setAside.id;
    const goodMessage = await signed(good, belgium.privateKey, 'be-1', 'ES256');
    const forgedMessage = await signed(forged, albania.privateKey, 'be-1', 'RS256');
    // A forged copy of the good command (same id, unsigned) sent before the genuine one must not take its place.
    const producer = await h.producer();
    for (const message of [
      good.message, goodMessage, unsigned.message, forgedMessage, await signed(unauthorised, albania.privateKey, 'al-1', 'RS256'),
      await signed(setAside, belgium.privateKey, 'be-1', 'ES256'), goodMessage,
    ]) {
      await producer.send({ topic, acks: -1, messages: [message] });
    }

    await eventually(() => (deadLetters.length >= 5 && outcomes.length >= 7 ? true : undefined), { message: 'five refusals and seven outcomes' });
    const effects = await h.effects();
    expect(effects.filter((e) => e.type === 'RegisterInmate').map((e) => e.event_id)).toEqual([good.id, setAside.id]);
    // Each refusal of the decoder was answered once, about its command.
    expect(effects.filter((e) => e.type === COMMAND_REFUSED).map((e) => e.subject)).toEqual(
      [good.id, unsigned.id, forged.id, unauthorised.id].map((id) => `command/${id}`),
    );
    expect(outcomes.filter((o) => o.kind === 'duplicate').map((o) => o.kind === 'duplicate' && o.event.id)).toEqual([good.id]);
    const codes = deadLetters.map((d) => [d.id, d.code, d.reason]);
    expect(codes).toEqual([
      [good.id, 'SIGNATURE_MISSING', expect.stringContaining('no signature')],
      [unsigned.id, 'SIGNATURE_MISSING', expect.stringContaining('no signature')],
      [forged.id, 'SIGNATURE_INVALID', expect.stringMatching(/algorithm|does not verify/)],
      [unauthorised.id, 'UNAUTHORISED_ACTOR', expect.stringContaining('AL may not issue RegisterInmate')],
      [setAside.id, 'UNAUTHORISED_ACTOR', 'BE may not act on this inmate'],
    ]);
  });
});

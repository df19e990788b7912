import { exportSPKI, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_HEADERS, EXAMPLES, toKafkaMessage, TOPICS } from '@custody/contracts';
import type { PostgresTransaction } from '@custody/event-store';
import { eventually, uniqueName } from '@custody/testing';
import { contractDecoder, deadLetterTopic, ensureTopics, EventConsumer, type ConsumerOutcome, type MessageDecoder } from '@custody/messaging';
import { Harness } from '@custody/messaging/testing';
import { CommandSignatureVerifier, SIGNATURE_HEADER, signCommand, signedCommandDecoder, signedFieldsOf } from './signatures';

/**
 * One message must not stop a consumer (real broker and database). A command whose signature's
 * protected header is JSON `null` used to throw inside the decoder: the batch failed, kafkajs
 * restarted the consumer on the same offset, again and again, and the genuine command behind it
 * was never answered. Now it is dead-lettered with its code, and so is a message on which any
 * decoder throws; the partition moves on without a single restart.
 */
describe('no message can stop a consumer', () => {
  let h: Harness;
  let consumer: EventConsumer<PostgresTransaction>;
  let stopReader = async () => undefined as unknown;

  afterAll(async () => {
    await stopReader();
    await consumer?.stop();
    await h?.close();
  });

  it('dead-letters a null protected header and a message that makes the decoder throw, and applies the signed command behind them with no consumer restart', async () => {
    h = await Harness.create('unstoppable', { partitions: 1 });
    const topic = h.names.physical(TOPICS.intakeCommands);
    await ensureTopics(h.kafka, [{ topic, partitions: 1, replicationFactor: 1 }]);
    const belgium = await generateKeyPair('ES256', { extractable: true });
    const verifier = new CommandSignatureVerifier([{ kid: 'be-1', state: 'BE', publicKeyPem: await exportSPKI(belgium.publicKey) }], {
      RegisterInmate: (data, state) => data.sendingState === state,
    });
    const signed = signedCommandDecoder(contractDecoder(h.names), verifier, [topic]);
    // A decoder with a defect on one header: whatever a decoder throws on, the consumer sets the message aside.
    const decoder: MessageDecoder = {
      decode: (message) => {
        if (message.headers['x-defect']) throw new TypeError('a decoder defect');
        return signed.decode(message);
      },
    };
    const outcomes: ConsumerOutcome[] = [];
    const errors: string[] = [];
    consumer = new EventConsumer<PostgresTransaction>({
      kafka: h.kafka,
      groupId: uniqueName('unstoppable'),
      topics: [topic],
      decoder,
      handlerFor: () => Harness.recordEffect,
      inbox: h.inbox,
      retry: { maxAttempts: 2, initialDelayMs: 20, maxDelayMs: 50 },
      sessionTimeoutMs: 10_000,
      onOutcome: (outcome) => outcomes.push(outcome),
      log: (level, message) => { if (level === 'error') errors.push(message); },
    });
    await consumer.start();

    const deadLetters: Array<{ id: string; code: string; reason: string }> = [];
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

    const command = () => {
      const data: Record<string, unknown> = { ...(EXAMPLES.RegisterInmate as Record<string, unknown>), commandId: randomUUID(), inmateId: randomUUID() };
      const message = toKafkaMessage({
        id: data.commandId as string, type: 'RegisterInmate', schemaVersion: 1, data,
        metadata: { correlationId: data.commandId as string, occurredAt: data.occurredAt as string, actor: { state: 'BE', organisation: 'Justice BE' } },
      });
      return { id: data.commandId as string, message };
    };
    const nullHeader = command();
    const defect = command();
    const genuine = command();
    const signature = await signCommand(genuine.message.value, belgium.privateKey, { kid: 'be-1', algorithm: 'ES256', ...signedFieldsOf(genuine.message.headers) });
    const producer = await h.producer();
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { ...nullHeader.message, headers: { ...nullHeader.message.headers, [SIGNATURE_HEADER]: `${Buffer.from('null').toString('base64url')}..eA` } },
        { ...defect.message, headers: { ...defect.message.headers, 'x-defect': '1' } },
        { ...genuine.message, headers: { ...genuine.message.headers, [SIGNATURE_HEADER]: signature } },
      ],
    });

    await eventually(async () => ((await h.effects()).some((e) => e.event_id === genuine.id) && deadLetters.length >= 2 ? true : undefined), {
      message: 'the genuine command applied and the two others dead-lettered',
    });
    expect(deadLetters.map((d) => [d.id, d.code, d.reason])).toEqual([
      [nullHeader.id, 'SIGNATURE_INVALID', 'the signature header is not a JSON object'],
      [defect.id, 'MESSAGE_UNREADABLE', 'the message could not be decoded (TypeError: a decoder defect)'],
    ]);
    expect((await h.effects()).filter((e) => e.type === 'RegisterInmate').map((e) => e.event_id)).toEqual([genuine.id]);
    expect(outcomes.filter((o) => o.kind === 'processed').length).toBeGreaterThanOrEqual(1);
    // Not one crash or restart of the consumer on the way.
    expect(errors).toEqual([]);
  });
});

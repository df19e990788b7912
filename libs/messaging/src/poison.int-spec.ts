import { DEAD_LETTER_HEADERS } from '@custody/contracts';
import { eventually, uniqueName } from '@custody/testing';
import type { GlobalEvent } from '@custody/event-store';
import type { IHeaders, Message } from 'kafkajs';
import { contractRoute } from './contract-codec';
import { PermanentHandlerError, type ConsumerOutcome } from './consumer';
import { deadLetterTopic } from './topics';
import { inmateRegistered } from './testing/events';
import { Harness } from './testing/harness';

interface DeadLetter {
  key: string | undefined;
  value: Buffer | null;
  headers: Record<string, string>;
}

const text = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/** A valid message of the contract for a new event, as the relay would publish it. */
function validMessage(h: Harness): { id: string; message: Message } {
  const event = inmateRegistered();
  const global = { ...event, streamName: 'inmate-x', revision: 0, position: 0n, recordedAt: new Date().toISOString(), checkpoint: '0:0' } as GlobalEvent;
  const { key, value, headers } = contractRoute(h.names)(global)!;
  return { id: event.id, message: { key, value, headers } };
}

describe('poison messages and failing handlers', () => {
  let h: Harness;
  const deadLetters: DeadLetter[] = [];
  let stopReader = async () => undefined as unknown;

  beforeAll(async () => {
    // One partition: every message below is behind the one before it. The topic takes messages
    // over the contract's 1 MiB, so that an over-size message can reach the consumer at all.
    h = await Harness.create('poison', { partitions: 1, topicConfig: { 'max.message.bytes': String(3 * 1024 * 1024) } });
  });

  afterAll(async () => {
    await stopReader();
    await h?.close();
  });

  let isReading = false;
  async function readDeadLetters(): Promise<void> {
    if (isReading) return;
    isReading = true;
    const consumer = h.kafka.consumer({ groupId: uniqueName('dlq-reader'), maxBytesPerPartition: 4 * 1024 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic(h.topic), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        deadLetters.push({ key: message.key?.toString(), value: message.value, headers: text(message.headers) });
      },
    });
    stopReader = () => consumer.disconnect();
  }

  it('bad JSON, a wrong schema, an unknown type and an over-size message go to <topic>.dlq with their reasons; the messages behind them are processed', async () => {
    const consumer = await h.startConsumer();
    await readDeadLetters();
    const producer = await h.producer();

    const before = validMessage(h);
    const badJson = validMessage(h);
    badJson.message.value = '{"inmateId": "not closed';
    const wrongSchema = validMessage(h);
    wrongSchema.message.value = JSON.stringify({ ...JSON.parse(String(wrongSchema.message.value)), nationalities: 'AL', sendingState: 42 });
    const unknownType = validMessage(h);
    (unknownType.message.headers as Record<string, string>).ce_type = 'InmateTeleported';
    const overSize = validMessage(h);
    overSize.message.value = JSON.stringify({ ...JSON.parse(String(overSize.message.value)), padding: 'x'.repeat(1024 * 1024 + 10) });
    const after = validMessage(h);
    const sequence = [before, badJson, wrongSchema, unknownType, overSize, after];
    for (const { message } of sequence) await producer.send({ topic: h.topic, acks: -1, messages: [message] });

    await eventually(async () => ((await h.effects()).length >= 2 ? true : undefined), { message: 'the valid messages to be processed' });
    expect((await h.effects()).map((e) => e.event_id)).toEqual([before.id, after.id]);
    await eventually(() => (deadLetters.length >= 4 ? true : undefined), { message: 'four dead letters' });

    const byId = new Map(deadLetters.map((d) => [d.headers.ce_id, d]));
    const expectations: Array<[typeof before, string, RegExp]> = [
      [badJson, 'INVALID_ENVELOPE', /JSON|value/i],
      [wrongSchema, 'VALIDATION_FAILED', /nationalities|sendingState/],
      [unknownType, 'UNKNOWN_MESSAGE_TYPE', /InmateTeleported/],
      [overSize, 'MESSAGE_TOO_LARGE', /limit/],
    ];
    for (const [[poison, code, reason], index] of expectations.map((e, i) => [e, i + 1] as const)) {
      const dead = byId.get(poison.id);
      expect(dead).toBeDefined();
      expect(dead!.headers[DEAD_LETTER_HEADERS.code]).toBe(code);
      expect(dead!.headers[DEAD_LETTER_HEADERS.reason]).toMatch(reason);
      expect(dead!.headers[DEAD_LETTER_HEADERS.originalTopic]).toBe(h.topic);
      expect(dead!.headers[DEAD_LETTER_HEADERS.originalPartition]).toBe('0');
      expect(dead!.headers[DEAD_LETTER_HEADERS.originalOffset]).toBe(String(index));
      expect(dead!.headers[DEAD_LETTER_HEADERS.attempts]).toBe('0');
      expect(Date.parse(dead!.headers[DEAD_LETTER_HEADERS.failedAt])).not.toBeNaN();
      // The message itself is kept unchanged for an operator to inspect or replay.
      expect(dead!.value!.equals(Buffer.from(poison.message.value as string))).toBe(true);
      expect(dead!.key).toBe(String(poison.message.key));
    }
    await consumer.stop();
  });

  it('an event of the catalogue that no handler takes is passed over undecoded, even broken; a broken one of a handled type, or of an unknown type, is still dead-lettered', async () => {
    const outcomes: ConsumerOutcome[] = [];
    const consumer = await h.startConsumer({ groupId: uniqueName('passes-over'), handles: ['InmateRegistered'], onOutcome: (o) => outcomes.push(o) });
    await readDeadLetters(); // the consumer's start created the dead-letter topic
    const producer = await h.producer();
    // Broken bodies: decoding any of them would fail.
    const notHandled = validMessage(h);
    (notHandled.message.headers as Record<string, string>).ce_type = 'ResidenceStatusRecorded';
    notHandled.message.value = '{"not": "closed';
    const handledBroken = validMessage(h);
    handledBroken.message.value = '{"not": "closed';
    const unknownBroken = validMessage(h);
    (unknownBroken.message.headers as Record<string, string>).ce_type = 'InmateVanished';
    unknownBroken.message.value = '{"not": "closed';
    const after = validMessage(h);
    for (const { message } of [notHandled, handledBroken, unknownBroken, after]) await producer.send({ topic: h.topic, acks: -1, messages: [message] });

    await eventually(() => (outcomes.some((o) => o.kind === 'processed' && o.event.id === after.id) ? true : undefined), { message: 'the valid message behind them to be processed' });
    const idOf = (o: ConsumerOutcome) => String(o.message.headers.ce_id);
    expect(outcomes.find((o) => idOf(o) === notHandled.id)).toMatchObject({ kind: 'not-handled', type: 'ResidenceStatusRecorded' });
    expect(outcomes.find((o) => idOf(o) === handledBroken.id)).toMatchObject({ kind: 'dead-lettered', code: 'INVALID_ENVELOPE' });
    expect(outcomes.find((o) => idOf(o) === unknownBroken.id)).toMatchObject({ kind: 'dead-lettered' });
    await eventually(() => (deadLetters.some((d) => d.headers.ce_id === unknownBroken.id) && deadLetters.some((d) => d.headers.ce_id === handledBroken.id) ? true : undefined), {
      message: 'the two broken messages a handler could meet in the dead-letter topic',
    });
    expect(deadLetters.some((d) => d.headers.ce_id === notHandled.id)).toBe(false);
    await consumer.stop();
  });

  it('a handler that always fails is retried a bounded number of times, then dead-lettered with HANDLER_FAILED; the partition moves on', async () => {
    const failing = validMessage(h);
    const permanent = validMessage(h);
    const next = validMessage(h);
    const attempts: number[] = [];
    await h.startConsumer({
      retry: { maxAttempts: 4, initialDelayMs: 50, maxDelayMs: 200 },
      handler: async (event, context) => {
        if (event.id === failing.id) {
          attempts.push(context.attempt);
          throw new Error('the facility register is unreachable');
        }
        if (event.id === permanent.id) throw new PermanentHandlerError('INMATE_UNKNOWN', 'no such inmate in this service');
        await Harness.recordEffect(event, context);
      },
    });
    const producer = await h.producer();
    for (const { message } of [failing, permanent, next]) await producer.send({ topic: h.topic, acks: -1, messages: [message] });

    await eventually(async () => ((await h.effects()).some((e) => e.event_id === next.id) ? true : undefined), {
      message: 'the message behind the failing ones to be processed',
    });
    expect(attempts).toEqual([1, 2, 3, 4]);
    const deadFailing = await eventually(() => deadLetters.find((d) => d.headers.ce_id === failing.id), { message: 'the HANDLER_FAILED dead letter' });
    expect(deadFailing.headers[DEAD_LETTER_HEADERS.code]).toBe('HANDLER_FAILED');
    expect(deadFailing.headers[DEAD_LETTER_HEADERS.reason]).toContain('the facility register is unreachable');
    expect(deadFailing.headers[DEAD_LETTER_HEADERS.attempts]).toBe('4');
    const deadPermanent = await eventually(() => deadLetters.find((d) => d.headers.ce_id === permanent.id), { message: 'the permanent failure dead letter' });
    expect(deadPermanent.headers[DEAD_LETTER_HEADERS.code]).toBe('INMATE_UNKNOWN');
    expect(deadPermanent.headers[DEAD_LETTER_HEADERS.attempts]).toBe('1');
    // A rolled-back attempt leaves no inbox entry and no effect behind.
    const effects = await h.effects();
    expect(effects.filter((e) => e.event_id === failing.id || e.event_id === permanent.id)).toEqual([]);
  });
});

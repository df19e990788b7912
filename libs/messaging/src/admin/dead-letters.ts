import { randomUUID } from 'node:crypto';
import { DEAD_LETTER_HEADERS } from '@custody/contracts';
import type { IHeaders, Kafka, Producer } from 'kafkajs';

/**
 * Dead letters as an operator handles them (docs/operations.md, "Dead letters"): read from a
 * `<topic>.dlq` with the reason each was set aside, and re-driven onto their original topic
 * through the normal path. A replay is the message as it first came (key, value, headers), so the
 * consumer's inbox recognises one already applied (same ce_id) and changes nothing.
 */

/** The header a replayed message carries: the dead letter it came from (`<dlq topic>/<partition>@<offset>`). */
export const REPLAYED_FROM_HEADER = 'dlq_replayed_from';

/** One message of a dead-letter topic, with why it was set aside. */
export interface DeadLetter {
  /** Where it lies in the dead-letter topic. */
  topic: string;
  partition: number;
  offset: string;
  /** When the dead-letter topic received it (ISO 8601). */
  timestamp: string;
  /** The message's ce_id and ce_type (empty when it had none). */
  id: string;
  type: string;
  /** Why: the rejection code (or HANDLER_FAILED) and the sentence. */
  code: string;
  reason: string;
  attempts: number;
  /** When it was set aside (the consumer's clock), or the timestamp when the header is missing. */
  failedAt: string;
  /** Where it was read from before it was set aside. */
  original: { topic: string; partition: number; offset: string };
  key: Buffer | null;
  value: Buffer | null;
  /** Every header, as received (the message's own and the dead-letter ones). */
  headers: IHeaders;
}

/** Which dead letters: set aside at or after `since`, with one of `ids` as ce_id, with `code`. */
export interface DeadLetterFilter {
  since?: Date;
  ids?: readonly string[];
  code?: string;
}

/** A dead letter that could not be read or re-driven as asked: the message says what to do. */
export class DeadLetterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadLetterError';
  }
}

const headerText = (value: IHeaders[string]): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  if (Buffer.isBuffer(first)) return first.toString('utf8');
  return typeof first === 'string' ? first : undefined;
};

/** A dead letter as read from its topic. */
export function deadLetterOf(topic: string, partition: number, message: { offset: string; timestamp: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders }): DeadLetter {
  const headers = message.headers ?? {};
  const get = (name: string) => headerText(headers[name]);
  const timestamp = new Date(Number(message.timestamp)).toISOString();
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp,
    id: get('ce_id') ?? '',
    type: get('ce_type') ?? '',
    code: get(DEAD_LETTER_HEADERS.code) ?? '',
    reason: get(DEAD_LETTER_HEADERS.reason) ?? '',
    attempts: Number(get(DEAD_LETTER_HEADERS.attempts) ?? 0),
    failedAt: get(DEAD_LETTER_HEADERS.failedAt) ?? timestamp,
    original: {
      topic: get(DEAD_LETTER_HEADERS.originalTopic) ?? '',
      partition: Number(get(DEAD_LETTER_HEADERS.originalPartition) ?? -1),
      offset: get(DEAD_LETTER_HEADERS.originalOffset) ?? '',
    },
    key: message.key,
    value: message.value,
    headers,
  };
}

/** Whether a dead letter passes the filter. */
export function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  if (filter.ids && filter.ids.length > 0 && !filter.ids.includes(letter.id)) return false;
  if (filter.code && letter.code !== filter.code) return false;
  if (filter.since) {
    const at = Date.parse(letter.failedAt);
    if ((Number.isNaN(at) ? Date.parse(letter.timestamp) : at) < filter.since.getTime()) return false;
  }
  return true;
}

/**
 * Reads a dead-letter topic up to its end as it is now (later dead letters are not waited for),
 * from `since` when given (by the broker's timestamps), in a consumer group of its own that
 * commits nothing and is deleted afterwards. Fails with a sentence when the topic does not exist
 * or cannot be read to its end within `timeoutMs`.
 */
export async function readDeadLetters(
  kafka: Kafka, topic: string, filter: DeadLetterFilter = {}, { timeoutMs = 60_000, groupPrefix = '' }: { timeoutMs?: number; groupPrefix?: string } = {},
): Promise<DeadLetter[]> {
  if (!topic.endsWith('.dlq')) throw new DeadLetterError(`${topic} is not a dead-letter topic: give <topic>.dlq`);
  const admin = kafka.admin();
  await admin.connect();
  const todo = new Map<number, { start: bigint; end: bigint }>();
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) throw new DeadLetterError(`there is no topic ${topic} on the broker (nothing was ever dead-lettered there, or the name or prefix is wrong)`);
    const ends = await admin.fetchTopicOffsets(topic);
    const starts = filter.since ? await admin.fetchTopicOffsetsByTimestamp(topic, filter.since.getTime()) : ends.map(({ partition, low }) => ({ partition, offset: low }));
    for (const { partition, high, low } of ends) {
      const from = starts.find((s) => s.partition === partition)?.offset ?? low;
      const start = BigInt(from) < BigInt(low) || BigInt(from) < 0n ? BigInt(low) : BigInt(from);
      if (start < BigInt(high)) todo.set(partition, { start, end: BigInt(high) });
    }
  } finally {
    await admin.disconnect();
  }
  if (todo.size === 0) return [];

  // Behind the topic prefix, as the operators' ACL names it (docs/security.md, "Kafka: topic ACLs").
  const groupId = `${groupPrefix}custody-admin-dlq-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024, retry: { retries: 5 } });
  const letters: DeadLetter[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const left = new Set(todo.keys());
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const range = todo.get(batch.partition);
        if (!range || !left.has(batch.partition)) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= range.start && offset < range.end) letters.push(deadLetterOf(topic, batch.partition, message));
        }
        if (BigInt(batch.lastOffset()) + 1n >= range.end) {
          left.delete(batch.partition);
          if (left.size === 0) finish();
        }
      },
    });
    for (const [partition, { start }] of todo) consumer.seek({ topic, partition, offset: String(start) });
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    if ((await Promise.race([finished, timedOut])) === 'timeout') {
      throw new DeadLetterError(`${topic} could not be read to its end within ${Math.round(timeoutMs / 1000)} s (partitions ${[...left].join(', ')} unread)`);
    }
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup
      .connect()
      .then(() => cleanup.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => cleanup.disconnect().catch(() => undefined));
  }
  return letters.filter((letter) => matches(letter, filter)).sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

/** Where a replayed dead letter went. */
export interface Replayed {
  letter: DeadLetter;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Re-drives dead letters onto the topic they were read from, in the order given, each as it
 * first came: its key, value and own headers (a signature stays valid, the inbox knows its
 * ce_id), without the dead-letter headers, with {@link REPLAYED_FROM_HEADER}. The topic is the
 * dead-letter topic's own (`<topic>` of `<topic>.dlq`): a dead letter naming another is refused.
 * The producer partitions by key as the services' producers do.
 */
export async function replayDeadLetters(producer: Producer, letters: readonly DeadLetter[]): Promise<Replayed[]> {
  const deadLetterHeaders = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
  const replayed: Replayed[] = [];
  for (const letter of letters) {
    const topic = letter.topic.slice(0, -'.dlq'.length);
    if (letter.original.topic !== topic) {
      throw new DeadLetterError(`the dead letter ${letter.topic}/${letter.partition}@${letter.offset} names ${letter.original.topic || 'no'} original topic, not ${topic}: not replayed`);
    }
    const headers: IHeaders = {};
    for (const [name, value] of Object.entries(letter.headers)) if (!deadLetterHeaders.has(name) && name !== REPLAYED_FROM_HEADER && value !== undefined) headers[name] = value;
    headers[REPLAYED_FROM_HEADER] = `${letter.topic}/${letter.partition}@${letter.offset}`;
    const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: letter.key, value: letter.value, headers }] });
    replayed.push({ letter, topic, partition: sent.partition, offset: sent.baseOffset ?? '' });
  }
  return replayed;
}

/** Fields of personal data: shown as [redacted] by `dlq show` unless asked (the same names the logs redact). */
const PERSONAL = new Set([
  'identity', 'names', 'name', 'givenNames', 'familyName', 'familyNames', 'surname', 'dateOfBirth', 'birthDate', 'placeOfBirth',
  'documents', 'document', 'documentNumber', 'nationality', 'nationalities', 'health', 'medical', 'address', 'photo', 'biometrics',
]);

/** The value with every personal field, at any depth, replaced by `[redacted]`. */
export function redactPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPersonalData);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, PERSONAL.has(name) ? '[redacted]' : redactPersonalData(field)]));
}

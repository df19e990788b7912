import type { Admin, ICustomPartitioner, Kafka, Message, PartitionMetadata, Producer, RecordMetadata, RetryOptions } from 'kafkajs';
import type { Checkpoint } from '@custody/event-store';
import { custodyPartitioner } from './kafka';

/** A batch as the relay sends it: messages by topic, in order. */
export type TopicMessages = Array<{ topic: string; messages: Message[] }>;

/**
 * One term of an active relay on the broker: from the moment it became the active relay of its
 * role to the moment it stood down. A term is never resumed: after any failure the relay begins
 * a new one, from the checkpoint as it then stands.
 */
export interface RelayTerm {
  /** The checkpoint the broker holds for the role (committed with the last batch), if it keeps one. */
  checkpoint(): Promise<Checkpoint | undefined>;
  /** Publishes one batch and, where the publisher can, commits `checkpoint` with it atomically. */
  publish(topicMessages: TopicMessages, checkpoint: Checkpoint): Promise<void>;
  /** Ends the term (disconnects what it opened); never throws. */
  close(): Promise<void>;
}

/** How a relay reaches the broker: a term begins each time it becomes the active relay. */
export interface RelayPublisher {
  /** 'transactional' (fenced, exactly once on the wire) or 'at-least-once'. */
  readonly mode: 'transactional' | 'at-least-once';
  /** Begins a term. A transactional publisher fences every earlier term of the role here. */
  begin(): Promise<RelayTerm>;
}

/** The broker refused this term: another relay of the role began a term since (it was fenced). */
export class RelayFencedError extends Error {
  readonly code = 'RELAY_FENCED';
  constructor(
    readonly transactionalId: string,
    cause: unknown,
  ) {
    super(`the broker fenced relay ${transactionalId}: another relay of this role began since (${(cause as Error)?.message ?? String(cause)})`, { cause });
    this.name = 'RelayFencedError';
  }
}

/** The transactional publisher's settings (docs/adr/0009-fenced-transactional-relay.md). */
export interface TransactionalPublisherOptions {
  kafka: Kafka;
  /**
   * The role's transactional id, the same on every instance of the role and stable across
   * restarts (see {@link relayTransactionalId}): a relay that begins a term fences every producer
   * of an earlier term, whose open transaction the broker aborts.
   */
  transactionalId: string;
  /**
   * An existing topic (see {@link RELAY_CHECKPOINT_TOPIC}) against whose partition 0 the checkpoint
   * is committed, as the offset of consumer group `transactionalId`, in the batch's transaction.
   * Nothing is ever written to it.
   */
  checkpointTopic: string;
  /**
   * How long the broker lets a transaction stay open before it aborts it (default 10 s). An open
   * transaction holds read_committed consumers back on its partitions: a relay that died holding
   * one, with no other instance to fence it, delays them by at most this long.
   */
  transactionTimeoutMs?: number;
  /**
   * How the producer retries a request within one transaction (default: 5 retries from 200 ms,
   * at most 5 s apart). A transaction that still fails ends the term.
   */
  retry?: RetryOptions;
}

/** The logical topic relays commit their checkpoints against; created with one partition and never written to. */
export const RELAY_CHECKPOINT_TOPIC = 'custody.relay.checkpoints';

/** The transactional id (and checkpoint group) of a relay role: one per service and topic prefix. */
export function relayTransactionalId(topicPrefix: string, name: string): string {
  return `${topicPrefix}custody.relay.${name}`;
}

/**
 * Publication through Kafka transactions with a stable transactional id per relay role, each batch
 * in one transaction together with the checkpoint it reaches (the offset of the role's group):
 * what a read_committed consumer sees and the checkpoint the next term starts from can never
 * disagree, and a relay that lost its lock is fenced by the broker when the next one begins.
 * Consumers must read read_committed (kafkajs consumers do by default).
 */
export function transactionalPublisher(options: TransactionalPublisherOptions): RelayPublisher {
  return {
    mode: 'transactional',
    begin: () => TransactionalTerm.begin(options),
  };
}

/**
 * Publication through a plain producer (give it the producer's {@link RecordingPartitioner}, so
 * that a batch acknowledged only in part is detected), acknowledged by all in-sync replicas: at-least-once on
 * the wire (a batch acknowledged before the checkpoint moved is published again by the next
 * term; the consumers' inboxes absorb it). The checkpoint lives only in the database. For
 * brokers without transactions, and for tests that stand in for a broker.
 */
export function producerPublisher(producer: Producer, routing?: RecordingPartitioner): RelayPublisher {
  return {
    mode: 'at-least-once',
    begin: async () => ({
      checkpoint: async () => undefined,
      publish: async (topicMessages) => {
        if (topicMessages.length === 0) return;
        if (!routing) {
          await producer.sendBatch({ acks: -1, topicMessages });
          return;
        }
        // A batch acknowledged in part fails: the term ends before the checkpoint moves, and the
        // next one sends the batch again (the consumers' inboxes absorb what did arrive).
        const { answer, routed } = await routing.recording(() => producer.sendBatch({ acks: -1, topicMessages }));
        const missing = unacknowledgedPartitions(routed, answer);
        if (missing.length > 0) throw new RelayPartialSendError(missing);
      },
      close: async () => undefined,
    }),
  };
}

/** A checkpoint as the offset Kafka stores: its leading number (a global position, or a KurrentDB commit position). */
export function checkpointOffset(checkpoint: Checkpoint): string {
  const match = /^(\d+)(?::\d+)?$/.exec(String(checkpoint));
  if (!match) throw new Error(`relay checkpoint "${String(checkpoint)}" is not a position`);
  return match[1];
}

/** A batch the broker acknowledged only in part (see {@link unacknowledgedPartitions}); its transaction is aborted. */
export class RelayPartialSendError extends Error {
  readonly code = 'RELAY_PARTIAL_SEND';
  constructor(readonly partitions: string[]) {
    super(`the broker acknowledged the batch without partition(s) ${partitions.join(', ')}: the transaction is aborted and the batch sent again`);
    this.name = 'RelayPartialSendError';
  }
}

/**
 * The partitions a batch was routed to that the producer's answer does not acknowledge (absent,
 * or with an error code), as `topic/partition`.
 *
 * kafkajs 2.2 can resolve a `sendBatch` without sending some of its messages: when a request to
 * one broker fails and the partition's leadership moves, during the retries, to a broker that had
 * already answered for its own partitions, the retry skips that broker, so the moved partition's
 * messages are never sent, and the answer simply has no entry for it (docs/adr/0009-fenced-transactional-relay.md).
 * Committing such a transaction would commit the checkpoint past events that were never published.
 */
export function unacknowledgedPartitions(routed: Iterable<string>, answer: readonly RecordMetadata[]): string[] {
  const acknowledged = new Set(answer.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}/${r.partition}`));
  return [...new Set(routed)].filter((key) => !acknowledged.has(key)).sort();
}

/**
 * A send that kafkajs retried after an attempt that went to more than one broker: a request of that
 * attempt may have been in flight still, and kafkajs 2.2 sends it again (with new sequence numbers,
 * so the broker takes the copy as new records of the same transaction). The transaction is aborted.
 */
export class RelayUnsafeRetryError extends Error {
  readonly code = 'RELAY_UNSAFE_RETRY';
  constructor(readonly brokers: number[]) {
    super(`the producer retried the batch after an attempt sent to brokers ${brokers.join(', ')} at once, one of whose requests may still have been in flight: the transaction is aborted and the batch sent again`);
    this.name = 'RelayUnsafeRetryError';
  }
}

/** What the partitioner saw of one send: its answer, the partitions routed to, the leaders of each attempt. */
export interface RecordedSend<T> {
  answer: T;
  /** Every partition a message was routed to, over all the attempts, as `topic/partition`. */
  routed: Set<string>;
  /**
   * The leaders (broker node ids) of the partitions routed to, attempt by attempt: kafkajs routes
   * every message again at each attempt of a send (see {@link unsafeRetry}).
   */
  leadersPerAttempt: Array<Set<number>>;
}

/**
 * The brokers of an earlier attempt of a send that was retried, when that attempt went to more
 * than one broker; undefined when the send is safe.
 *
 * kafkajs 2.2 sends an attempt to all its leaders at once and, when one request fails, begins the
 * next attempt without waiting for the others (docs/adr/0009-fenced-transactional-relay.md): a
 * broker whose request is still in flight has no answer yet, so the next attempt sends it the same
 * messages again, once the first request is done, with the next sequence numbers: the broker
 * appends them a second time, in the same transaction, and the producer's answer looks complete.
 * An attempt that went to one broker ends before the next begins, so a retry after it is safe.
 */
export function unsafeRetry(leadersPerAttempt: ReadonlyArray<ReadonlySet<number>>): number[] | undefined {
  const earlier = leadersPerAttempt.slice(0, -1).find((leaders) => leaders.size > 1);
  return earlier ? [...earlier].sort((a, b) => a - b) : undefined;
}

/**
 * A batch split by the leader of each message's partition, one part per broker (in the order of
 * the brokers' node ids), each message given its partition explicitly so that kafkajs routes it
 * as the split did. `partitionsOf` gives a topic's partitions as the producer last knew them; a
 * topic it knows nothing of goes, unrouted, into a part of its own (kafkajs loads its metadata).
 */
export function splitByLeader(topicMessages: TopicMessages, partitionsOf: (topic: string) => readonly PartitionMetadata[] | undefined): TopicMessages[] {
  const route = custodyPartitioner();
  const parts = new Map<number, Map<string, Message[]>>();
  const add = (leader: number, topic: string, message: Message) => {
    const part = parts.get(leader) ?? new Map<string, Message[]>();
    parts.set(leader, part);
    const messages = part.get(topic) ?? [];
    part.set(topic, messages);
    messages.push(message);
  };
  for (const { topic, messages } of topicMessages) {
    const partitionMetadata = [...(partitionsOf(topic) ?? [])];
    for (const message of messages) {
      if (partitionMetadata.length === 0) {
        add(Number.MIN_SAFE_INTEGER, topic, message);
        continue;
      }
      const partition = route({ topic, partitionMetadata, message });
      const leader = partitionMetadata.find((p) => p.partitionId === partition)?.leader ?? -1;
      add(leader, topic, { ...message, partition });
    }
  }
  return [...parts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, part]) => [...part.entries()].map(([topic, messages]) => ({ topic, messages })));
}

/**
 * The relay's partitioner, recording where it routes each message: the set a batch's answer must
 * cover, and the leaders each attempt of the send went to. It also keeps the partitions of each
 * topic as the producer last routed with them (for {@link splitByLeader}). A relay sends one
 * batch at a time through its producer, so one record open at a time is enough; give the producer
 * `createPartitioner: partitioner.create`.
 */
export class RecordingPartitioner {
  private current: { routed: Set<string>; attempts: Map<Message, number>; leadersPerAttempt: Array<Set<number>> } | undefined;
  private readonly partitions = new Map<string, PartitionMetadata[]>();

  readonly create: ICustomPartitioner = () => {
    const partition = custodyPartitioner();
    return (args) => {
      const chosen = partition(args);
      if (args.partitionMetadata.length > 0) this.partitions.set(args.topic, args.partitionMetadata);
      const current = this.current;
      if (current) {
        current.routed.add(`${args.topic}/${chosen}`);
        // kafkajs routes every message of the send again at each attempt (the same message objects).
        const attempt = current.attempts.get(args.message) ?? 0;
        current.attempts.set(args.message, attempt + 1);
        const leaders = (current.leadersPerAttempt[attempt] ??= new Set<number>());
        leaders.add(args.partitionMetadata.find((p) => p.partitionId === chosen)?.leader ?? -1);
      }
      return chosen;
    };
  };

  /** A topic's partitions as the producer last routed with them, if it did. */
  partitionsOf(topic: string): PartitionMetadata[] | undefined {
    return this.partitions.get(topic);
  }

  /** Sets a topic's partitions (from the broker's metadata) until the producer routes with its own. */
  remember(topic: string, partitions: PartitionMetadata[]): void {
    if (partitions.length > 0) this.partitions.set(topic, partitions);
  }

  /** Runs `send`, returning its answer, every partition a message was routed to meanwhile and the leaders of each attempt. */
  async recording<T>(send: () => Promise<T>): Promise<RecordedSend<T>> {
    const current = { routed: new Set<string>(), attempts: new Map<Message, number>(), leadersPerAttempt: [] as Array<Set<number>> };
    this.current = current;
    try {
      return { answer: await send(), routed: current.routed, leadersPerAttempt: current.leadersPerAttempt };
    } finally {
      this.current = undefined;
    }
  }
}

class TransactionalTerm implements RelayTerm {
  private constructor(
    private readonly options: TransactionalPublisherOptions,
    private readonly producer: Producer,
    private readonly admin: Admin,
    private readonly partitioner: RecordingPartitioner,
  ) {}

  static async begin(options: TransactionalPublisherOptions): Promise<TransactionalTerm> {
    const partitioner = new RecordingPartitioner();
    const producer = options.kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 10_000,
      createPartitioner: partitioner.create,
      allowAutoTopicCreation: false,
      // A failed transaction ends the term (the relay begins a new one): retries stay bounded (12,
      // from 5 ms doubling to 5 s: about 15 s in all), so that a relay that cannot reach the
      // broker stands down rather than wait for ever. The first retries come fast because the
      // commonest retriable answer is CONCURRENT_TRANSACTIONS, a transaction begun while the
      // broker still writes the previous one's markers, which clears within milliseconds: back to
      // back transactions took 11–15 ms at the median with a first retry after 5 ms, 14–27 ms
      // after 20 ms (docs/adr/0009-fenced-transactional-relay.md).
      retry: options.retry ?? { retries: 12, initialRetryTime: 5, maxRetryTime: 5_000 },
    });
    const admin = options.kafka.admin();
    try {
      await producer.connect();
      await admin.connect();
      // kafkajs asks for the producer id and epoch (InitProducerId) at the first transaction. An
      // empty one asks now: the broker fences every producer of an earlier term and completes or
      // aborts its last transaction before answering, so the checkpoint read next is final.
      const first = await producer.transaction();
      await first.abort();
      return new TransactionalTerm(options, producer, admin, partitioner);
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      throw fencedOr(options.transactionalId, error);
    }
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const [topic] = await this.admin.fetchOffsets({ groupId: this.options.transactionalId, topics: [this.options.checkpointTopic] });
    const committed = topic?.partitions.find((p) => p.partition === 0) as { offset: string; metadata: string | null } | undefined;
    if (!committed || committed.offset === '-1') return undefined;
    return committed.metadata || committed.offset;
  }

  async publish(topicMessages: TopicMessages, checkpoint: Checkpoint): Promise<void> {
    const transaction = await this.producer.transaction();
    try {
      // One broker at a time: an attempt of a send that goes to one broker ends before kafkajs
      // begins the next, so a retry cannot send its messages twice (see unsafeRetry). Should the
      // leaders have moved since the split, an attempt may still go to several brokers: its retry
      // aborts the transaction (docs/adr/0009-fenced-transactional-relay.md).
      for (const part of topicMessages.length > 0 ? await this.splitByLeader(topicMessages) : []) {
        const { answer, routed, leadersPerAttempt } = await this.partitioner.recording(() => transaction.sendBatch({ acks: -1, topicMessages: part }));
        const brokers = unsafeRetry(leadersPerAttempt);
        if (brokers) throw new RelayUnsafeRetryError(brokers);
        const missing = unacknowledgedPartitions(routed, answer);
        if (missing.length > 0) throw new RelayPartialSendError(missing);
      }
      await transaction.sendOffsets({
        consumerGroupId: this.options.transactionalId,
        topics: [
          {
            topic: this.options.checkpointTopic,
            // The exact checkpoint rides in the offset's metadata; the offset is its position.
            partitions: [{ partition: 0, offset: checkpointOffset(checkpoint), metadata: String(checkpoint) } as { partition: number; offset: string }],
          },
        ],
      });
      await transaction.commit();
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw fencedOr(this.options.transactionalId, error);
    }
  }

  /** The batch by leader, with the producer's own view of the partitions (the broker's, for a topic it has not sent to yet). */
  private async splitByLeader(topicMessages: TopicMessages): Promise<TopicMessages[]> {
    const unknown = [...new Set(topicMessages.map((t) => t.topic))].filter((topic) => !this.partitioner.partitionsOf(topic));
    if (unknown.length > 0) {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: unknown });
      for (const topic of topics) this.partitioner.remember(topic.name, topic.partitions);
    }
    return splitByLeader(topicMessages, (topic) => this.partitioner.partitionsOf(topic));
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
  }
}

/** Kafka's answers to a producer of an earlier epoch. */
const FENCED = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED']);

/** The error a publisher throws: RelayFencedError where the broker fenced the producer, else the error itself. */
export function fencedOr(transactionalId: string, error: unknown): unknown {
  return isFenced(error) ? new RelayFencedError(transactionalId, error) : error;
}

/**
 * Whether the broker fenced the producer, however the client wrapped the answer (retries exceeded,
 * several partitions): kafkajs names the error in `type`, @platformatic/kafka in `apiId`.
 */
export function isFenced(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 8) return false;
  const e = error as { type?: unknown; apiId?: unknown; cause?: unknown; originalError?: unknown; errors?: unknown };
  if (typeof e.type === 'string' && FENCED.has(e.type)) return true;
  if (typeof e.apiId === 'string' && FENCED.has(e.apiId)) return true;
  if (isFenced(e.cause, depth + 1) || isFenced(e.originalError, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.some((inner) => isFenced(inner, depth + 1));
}

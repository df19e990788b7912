import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { DecodedEvent, DecodeFailure, DecodeResult, InboundMessage, MessageDecoder } from './codec';
import { sendToDeadLetter } from './dead-letter';
import type { InboxTransaction, PostgresInbox } from './inbox';
import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
import { custodyPartitioner } from './kafka';
import { ensureDeadLetterTopics } from './topics';

/** What a handler gets besides the event: the transaction its effects must use. */
export interface HandlerContext<Tx> {
  /** The inbox transaction: append through it so the effect and the inbox commit together. */
  tx: Tx;
  message: InboundMessage;
  attempt: number;
  /**
   * Once this message's transaction has committed, copy the message to the dead-letter topic too,
   * with this code and reason: a refusal the handler answered itself (e.g. a signer whose state
   * has no right to the subject the handler loaded). A failed attempt forgets it.
   */
  setAside(failure: DecodeFailure): void;
}

export type EventHandler<Tx> = (event: DecodedEvent, context: HandlerContext<Tx>) => Promise<void>;

/** A failure that retrying cannot fix (a rule the message breaks): dead-letter at once. */
export class PermanentHandlerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentHandlerError';
  }
}

export interface EventConsumerOptions<Tx extends InboxTransaction> {
  kafka: Kafka;
  /** The consumer group, used as given (no suffix is appended). */
  groupId: string;
  topics: string[];
  decoder: MessageDecoder;
  /** The handler for an event type, or undefined for types this consumer does not act on. */
  handlerFor: (type: string) => EventHandler<Tx> | undefined;
  inbox: PostgresInbox<Tx>;
  retry?: RetryPolicy;
  /** How often a long handler heartbeats to keep its group membership. */
  heartbeatIntervalMs?: number;
  sessionTimeoutMs?: number;
  fromBeginning?: boolean;
  /**
   * How many partitions this member processes at once (default 1). Order per key holds either
   * way: a key lives on one partition, and one partition is processed one message at a time.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Most consecutive messages of a partition applied in one database transaction (default
   * 100): one commit for many messages, each behind a savepoint with its inbox entry.
   */
  transactionBatchSize?: number;
  /**
   * Longest a transaction of such a group runs before it commits (default 250 ms): an open
   * transaction holds row locks and the database's horizon, so it is bounded by time as well.
   */
  transactionMaxMs?: number;
  /** Create each topic's `<topic>.dlq` at start if missing (default true). */
  createDeadLetterTopics?: boolean;
  /** Called for each outcome (for metrics and tests). */
  onOutcome?: (outcome: ConsumerOutcome) => void;
  log?: (level: 'warn' | 'error', message: string) => void;
}

/** Where a consumer stands in its group, for readiness checks. */
export interface ConsumerStatus {
  groupId: string;
  /** Connected to the broker and running. */
  connected: boolean;
  /** Joined the group and received its assignment (possibly empty: more members than partitions). */
  joined: boolean;
  /** The partitions assigned to this member, by topic. */
  assignment: Record<string, number[]>;
}

/** How far the group's committed offset is behind the end of one partition. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export type ConsumerOutcome =
  | { kind: 'processed' | 'duplicate' | 'ignored'; event: DecodedEvent; message: InboundMessage }
  | { kind: 'dead-lettered'; code: string; reason: string; message: InboundMessage };

/**
 * A Kafka consumer that never blocks its partition: each message is decoded and validated
 * before any handler; an invalid one goes to `<topic>.dlq` with its reason. A handler that
 * fails is retried with backoff a bounded number of times, then dead-lettered. Effects are
 * applied once through the inbox. The offset is committed only after the message was
 * processed, found duplicate, ignored or dead-lettered.
 */
export class EventConsumer<Tx extends InboxTransaction> {
  private consumer?: Consumer;
  private producer?: Producer;
  private stopping = false;
  private readonly retry: RetryPolicy;
  private readonly state: ConsumerStatus;

  constructor(private readonly options: EventConsumerOptions<Tx>) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.state = { groupId: options.groupId, connected: false, joined: false, assignment: {} };
  }

  /** Connected, joined and assigned: what readiness asks of a consumer. */
  status(): ConsumerStatus {
    return { ...this.state, assignment: { ...this.state.assignment } };
  }

  /** The group's lag per partition of the consumed topics: end offset minus committed offset. */
  async lag(): Promise<PartitionLag[]> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics: this.options.topics });
      const lags: PartitionLag[] = [];
      for (const { topic, partitions } of committed) {
        const ends = await admin.fetchTopicOffsets(topic);
        for (const end of ends) {
          const offset = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const start = Number(offset) < 0 ? Number(end.low) : Number(offset);
          lags.push({ topic, partition: end.partition, lag: Math.max(0, Number(end.high) - start) });
        }
      }
      return lags;
    } finally {
      await admin.disconnect();
    }
  }

  async start(): Promise<void> {
    this.stopping = false;
    if (this.options.createDeadLetterTopics ?? true) await ensureDeadLetterTopics(this.options.kafka, this.options.topics);
    this.producer = this.options.kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
    await this.producer.connect();
    await this.startConsumer();
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CONNECT, () => {
      this.state.connected = true;
    });
    consumer.on(consumer.events.DISCONNECT, () => {
      Object.assign(this.state, { connected: false, joined: false, assignment: {} });
    });
    consumer.on(consumer.events.STOP, () => {
      Object.assign(this.state, { joined: false, assignment: {} });
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.state.joined = false;
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      Object.assign(this.state, { joined: true, assignment: { ...event.payload.memberAssignment } });
    });
    consumer.on(consumer.events.CRASH, (event) => {
      Object.assign(this.state, { joined: false, assignment: {} });
      // kafkajs restarts by itself on retriable errors; otherwise start a new consumer.
      if (!event.payload.restart && !this.stopping) {
        this.options.log?.('error', `consumer ${this.options.groupId} crashed: ${event.payload.error.message}; restarting`);
        setTimeout(() => void this.restart(), 1_000);
      }
    });
    await consumer.connect();
    for (const topic of this.options.topics) {
      await consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    try {
      await this.consumer?.disconnect();
    } catch {
      // the crashed consumer may already be gone
    }
    try {
      await this.startConsumer();
    } catch (error) {
      this.options.log?.('error', `consumer ${this.options.groupId} could not restart: ${(error as Error).message}`);
      setTimeout(() => void this.restart(), 2_000);
    }
  }

  /** Stops fetching, lets the message in flight finish, commits, and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }

  /**
   * A fetched batch of one partition, in order. Consecutive messages that have a handler are
   * applied in groups, one database transaction per group (one commit instead of one per
   * message); a message that fails inside a group is retried alone. Each offset is resolved
   * only once its message was processed, found duplicate, ignored or dead-lettered, and
   * committed by kafkajs after that.
   */
  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const beat = setInterval(() => void heartbeat().catch(() => undefined), this.options.heartbeatIntervalMs ?? 2_000);
    const groupSize = this.options.transactionBatchSize ?? 100;
    try {
      let group: Array<{ event: DecodedEvent; inbound: InboundMessage; handler: EventHandler<Tx> }> = [];
      const flush = async () => {
        while (group.length > 0) {
          const done = await this.applyGroup(group, resolveOffset);
          group = group.slice(done);
        }
      };
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        const inbound: InboundMessage = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        };
        const decoded = decodeSafely(this.options.decoder, inbound);
        const handler = decoded.ok ? this.options.handlerFor(decoded.event.type) : undefined;
        if (decoded.ok && handler) {
          group.push({ event: decoded.event, inbound, handler });
          if (group.length >= groupSize) {
            await flush();
            await commitOffsetsIfNecessary();
          }
          continue;
        }
        await flush();
        if (!decoded.ok) {
          if (decoded.answer) await this.answer(decoded.answer, inbound);
          await this.deadLetter(inbound, decoded.failure.code, decoded.failure.reason, 0);
        } else this.options.onOutcome?.({ kind: 'ignored', event: decoded.event, message: inbound });
        resolveOffset(inbound.offset);
      }
      if (isRunning() && !isStale()) await flush();
    } finally {
      clearInterval(beat);
    }
  }

  /** Applies a group in one transaction; returns how many messages of it are done (at least one). */
  private async applyGroup(
    group: Array<{ event: DecodedEvent; inbound: InboundMessage; handler: EventHandler<Tx> }>,
    resolveOffset: (offset: string) => void,
  ): Promise<number> {
    const asides: Array<DecodeFailure | undefined> = [];
    const results = await this.options.inbox.runMany(
      this.options.groupId,
      group.map(({ event, inbound, handler }, index) => ({
        eventId: event.id,
        origin: inbound,
        work: (tx: Tx) => {
          asides[index] = undefined;
          return handler(event, { tx, message: inbound, attempt: 1, setAside: (failure) => (asides[index] = failure) });
        },
      })),
      { maxMs: this.options.transactionMaxMs ?? 250 },
    );
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      const { event, inbound, handler } = group[i];
      const aside = result === 'processed' ? asides[i] : undefined;
      if (aside) {
        await this.deadLetter(inbound, aside.code, aside.reason, 1);
      } else if (typeof result === 'string') {
        this.options.onOutcome?.({ kind: result, event, message: inbound });
      } else {
        // The first attempt failed inside the group: the message alone, with retries.
        await this.retryAlone(event, inbound, handler, result.error, i > 0);
      }
      resolveOffset(inbound.offset);
    }
    return results.length;
  }

  /**
   * `afterOthersInGroup`: the first attempt ran after other messages of its group in the same
   * uncommitted transaction. A handler that reads through the pool does not see their writes, and
   * may fail for that alone (e.g. a stale expected revision reported as a permanent conflict), so
   * a PermanentHandlerError from such a first attempt is tried once alone (again as attempt 1)
   * before it sends the message to dead letters.
   */
  private async retryAlone(event: DecodedEvent, inbound: InboundMessage, handler: EventHandler<Tx>, firstError: unknown, afterOthersInGroup = false): Promise<void> {
    let lastError = firstError instanceof Error ? firstError : new Error(String(firstError));
    if (afterOthersInGroup && lastError instanceof PermanentHandlerError) {
      try {
        await this.runAlone(event, inbound, handler, 1);
        return;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
      }
    }
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      if (attempt > 1) {
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(this.retry, attempt)));
        try {
          await this.runAlone(event, inbound, handler, attempt);
          return;
        } catch (error) {
          lastError = error instanceof Error ? error : new Error(String(error));
        }
      }
      if (lastError instanceof PermanentHandlerError) {
        await this.deadLetter(inbound, lastError.code, lastError.message, attempt);
        return;
      }
      this.options.log?.('warn', `handler for ${event.type} ${event.id} failed (attempt ${attempt}): ${lastError.message}`);
    }
    await this.deadLetter(inbound, 'HANDLER_FAILED', lastError.message, this.retry.maxAttempts);
  }

  /** One attempt of one message in its own transaction; a refusal the handler set aside is dead-lettered after the commit. */
  private async runAlone(event: DecodedEvent, inbound: InboundMessage, handler: EventHandler<Tx>, attempt: number): Promise<void> {
    let aside: DecodeFailure | undefined;
    const outcome = await this.options.inbox.runOnce(this.options.groupId, event.id, inbound, (tx) => {
      aside = undefined;
      return handler(event, { tx, message: inbound, attempt, setAside: (failure) => (aside = failure) });
    });
    if (outcome === 'processed' && aside) await this.deadLetter(inbound, aside.code, aside.reason, attempt);
    else this.options.onOutcome?.({ kind: outcome, event, message: inbound });
  }

  /**
   * The answer a decoder attached to a refusal, applied once (through the inbox, with retries)
   * by the handler of its type before the message is set aside. A consumer without such a
   * handler, or an answer that keeps failing, leaves the message dead-lettered unanswered.
   */
  private async answer(event: DecodedEvent, inbound: InboundMessage): Promise<void> {
    const handler = this.options.handlerFor(event.type);
    if (!handler) {
      this.options.log?.('warn', `no handler answers ${event.type}: ${inbound.topic}/${inbound.partition}@${inbound.offset} is set aside unanswered`);
      return;
    }
    for (let attempt = 1; attempt <= this.retry.maxAttempts; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, backoffDelay(this.retry, attempt)));
      try {
        await this.options.inbox.runOnce(this.options.groupId, event.id, inbound, (tx) => handler(event, { tx, message: inbound, attempt, setAside: () => undefined }));
        return;
      } catch (error) {
        this.options.log?.('warn', `answer ${event.type} ${event.id} failed (attempt ${attempt}): ${(error as Error).message}`);
      }
    }
    this.options.log?.('error', `answer ${event.type} ${event.id} could not be recorded: ${inbound.topic}/${inbound.partition}@${inbound.offset} is set aside unanswered`);
  }

  private async deadLetter(message: InboundMessage, code: string, reason: string, attempts: number): Promise<void> {
    await sendToDeadLetter(this.producer!, message, { code, reason, attempts });
    this.options.onOutcome?.({ kind: 'dead-lettered', code, reason, message });
  }
}

/**
 * The decoder's answer, or a refusal when it throws: no message, however malformed its headers or
 * value, may stop the consumer. A decoder that throws would otherwise fail the batch, and kafkajs
 * would restart the consumer on the same offset for ever. The message goes to the dead-letter
 * topic with MESSAGE_UNREADABLE and the error; the partition moves on.
 */
export function decodeSafely(decoder: MessageDecoder, message: InboundMessage): DecodeResult {
  try {
    return decoder.decode(message);
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, failure: { code: 'MESSAGE_UNREADABLE', reason: `the message could not be decoded (${reason.slice(0, 500)})` } };
  }
}

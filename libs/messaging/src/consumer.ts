import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { findMessage } from '@custody/contracts';
import type { DecodedEvent, DecodeFailure, DecodeResult, InboundMessage, MessageDecoder } from './codec';
import { sendToDeadLetter } from './dead-letter';
import { classifyFailure, type ClassifiedFailure } from './failures';
import { messageDigest, type InboxKey, type InboxOutcome, type InboxTransaction, type PostgresInbox } from './inbox';
import { COMMAND_REFUSED } from './refusals';
import type { OutboundMessage } from './relay';
import { RevisionWatch, type RevisionGap } from './stream-revisions';
import { backoffDelay, DEFAULT_RETRY_POLICY, DEFAULT_TRANSIENT_RETRY_POLICY, jitteredDelay, type RetryPolicy, type TransientRetryPolicy } from './retry';
import { custodyPartitioner, removeGroupMember } from './kafka';
import { ensureDeadLetterTopics } from './topics';

/** The dead-letter code of an event whose (source, id) was processed before with other content (docs/adr/0014-namespaced-event-ids.md). */
export const EVENT_ID_CONFLICT = 'EVENT_ID_CONFLICT';

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

/** A failure that retrying cannot fix (a rule the message breaks): dead-letter at once (see failures.ts). */
export class PermanentHandlerError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentHandlerError';
  }
}

/**
 * Where the consumer finds the stored result of a command (docs/architecture.md, "Exactly one
 * result per command"): a command read again (a resend, a redelivery, a broken copy) is answered
 * with the result its command id already has, re-published unchanged.
 */
export interface CommandResultSource {
  /** The consumed topics that carry commands. */
  topics: string[];
  /**
   * The stored result of the command, as the message to publish; undefined when it has none yet.
   * `copy` is the command read again, when it was decoded: a copy that says something else than
   * the command answered is answered as such (docs/architecture.md, "Idempotent commands").
   */
  stored(commandId: string, copy?: DecodedEvent): Promise<OutboundMessage | undefined>;
}

/** A line for the service's log: a sentence, and fields that name what it is about. */
export type ConsumerLog = (level: 'log' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface EventConsumerOptions<Tx extends InboxTransaction> {
  kafka: Kafka;
  /** The consumer group, used as given (no suffix is appended). */
  groupId: string;
  topics: string[];
  decoder: MessageDecoder;
  /** The handler for an event type, or undefined for types this consumer does not act on. */
  handlerFor: (type: string) => EventHandler<Tx> | undefined;
  inbox: PostgresInbox<Tx>;
  /**
   * Event types whose handler runs without an inbox claim: its own writes are idempotent and tell
   * a redelivery from a conflict (docs/adr/0014-namespaced-event-ids.md, "The ledger's consumer").
   * Such a handler runs again at each delivery; the default is every type through the inbox.
   */
  withoutInbox?: (type: string) => boolean;
  /** Failures of unknown kind: attempts before the message is dead-lettered as HANDLER_FAILED. */
  retry?: RetryPolicy;
  /** Transient failures (the database or the broker out of reach): the wait between attempts, which never end. */
  transientRetry?: TransientRetryPolicy;
  /** Which failures are transient, permanent or unknown (default: classifyFailure). */
  classify?: (error: unknown) => ClassifiedFailure;
  /** The stored results of commands, to answer a command read again; absent, a duplicate is only acknowledged. */
  commandResults?: CommandResultSource;
  /**
   * How often the member heartbeats to the group's coordinator (default 3 s); a long handler
   * offers a heartbeat twice as often (every 2 s by default).
   */
  heartbeatIntervalMs?: number;
  /** How long the coordinator keeps a member it hears nothing from (default 30 s). */
  sessionTimeoutMs?: number;
  /**
   * This instance's name in the group, the same at each of its starts. When set, the member id
   * the consumer joins with is recorded under it in the inbox's database, and at the next start
   * the member so recorded is removed from the group before joining: a restart after a crash
   * then does not wait for the dead member's session to time out
   * (docs/adr/0017-restart-replaces-previous-member.md). Two running instances must never share it.
   */
  instanceId?: string;
  fromBeginning?: boolean;
  /**
   * How many partitions this member processes at once (default 1). Order per key holds either
   * way: a key lives on one partition, and one partition is processed one message at a time.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Most consecutive messages of a partition applied in one database transaction (default
   * 100): one commit for many messages, each with its inbox entry (a failed one rolls the group back and the ones before it run again).
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
  /**
   * Called when a message shows that an event of its stream never arrived (its previous published
   * revision lies beyond the last one seen): for metrics; the consumer logs it too.
   */
  onRevisionGap?: (gap: RevisionGap & { topic: string; partition: number; offset: string }) => void;
  /**
   * Called when the group's offset of a partition is committed (the next offset to read): every
   * message before it has had its effects committed (docs/adr/0012-not-yet-known-here.md).
   */
  onCommitted?: (topic: string, partition: number, offset: number) => void;
  log?: ConsumerLog;
}

/**
 * A message whose handler keeps failing for a transient reason: its partition waits on it (nothing
 * behind it is processed) and it is retried until it applies.
 */
export interface BlockedMessage {
  topic: string;
  partition: number;
  offset: string;
  /** The message's ce_id and ce_type. */
  eventId: string;
  type: string;
  /** When the first failure in a row happened. */
  since: string;
  seconds: number;
  failures: number;
  /** What failed: a SQLSTATE, an errno, a store code. */
  code: string;
  error: string;
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
  /** The messages its partitions wait on (transient failures being retried); empty when all flow. */
  blocked: BlockedMessage[];
}

/** How far the group's committed offset is behind the end of one partition. */
export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

export type ConsumerOutcome =
  | { kind: 'processed' | 'duplicate' | 'ignored'; event: DecodedEvent; message: InboundMessage }
  /** An event of the catalogue that no handler of this consumer takes, passed over undecoded. */
  | { kind: 'not-handled'; type: string; message: InboundMessage }
  | { kind: 'dead-lettered'; code: string; reason: string; message: InboundMessage };

/**
 * A Kafka consumer: each message is decoded and validated before any handler; an invalid one goes
 * to `<topic>.dlq` with its reason (and a command whose ids can be read is answered). A handler's
 * failure is classified (failures.ts): a permanent one is dead-lettered at once; a transient one
 * (the database or the broker out of reach) is retried with capped, jittered backoff until it
 * applies, the partition waiting meanwhile (`status().blocked`), never dead-lettered; one of
 * unknown kind is retried a bounded number of times, then dead-lettered as HANDLER_FAILED.
 * Effects are applied once through the inbox; a command read again is answered with its stored
 * result. The offset is committed only after the message was processed, found duplicate, ignored
 * or dead-lettered.
 */
export class EventConsumer<Tx extends InboxTransaction> {
  private consumer?: Consumer;
  private producer?: Producer;
  private stopping = false;
  private readonly retry: RetryPolicy;
  private readonly transientRetry: TransientRetryPolicy;
  private readonly classify: (error: unknown) => ClassifiedFailure;
  private readonly state: Omit<ConsumerStatus, 'blocked'>;
  /** The messages partitions wait on, by `<topic>/<partition>`. */
  private readonly blocked = new Map<string, BlockedEntry>();
  /** The last revision seen of each stream, per partition, to see one skipped (docs/architecture.md, "Completeness"). */
  private readonly revisions = new RevisionWatch();
  /** The member id last recorded for this instance (instanceId). */
  private recordedMember?: string;

  constructor(private readonly options: EventConsumerOptions<Tx>) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.transientRetry = options.transientRetry ?? DEFAULT_TRANSIENT_RETRY_POLICY;
    this.classify = options.classify ?? classifyFailure;
    this.state = { groupId: options.groupId, connected: false, joined: false, assignment: {} };
  }

  /** Connected, joined and assigned, and what its partitions wait on: what readiness asks of a consumer. */
  status(now: number = Date.now()): ConsumerStatus {
    const blocked = [...this.blocked.values()].map(({ target, since, failures, failure }) => ({
      topic: target.inbound.topic,
      partition: target.inbound.partition,
      offset: target.inbound.offset,
      eventId: target.eventId,
      type: target.type,
      since: new Date(since).toISOString(),
      seconds: Math.max(0, (now - since) / 1000),
      failures,
      code: failure.code,
      error: failure.reason,
    }));
    return { ...this.state, assignment: { ...this.state.assignment }, blocked };
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
    await this.removePreviousMember();
    await this.startConsumer();
  }

  /**
   * The member this instance's previous run joined with (recorded at its join), removed from the
   * group: after a crash it is still in the group until its session times out, and a rebalance
   * waits for it that long (docs/adr/0017-restart-replaces-previous-member.md). A failure here
   * only costs that wait: logged, and the consumer starts.
   */
  private async removePreviousMember(): Promise<void> {
    const { instanceId, groupId, inbox, kafka } = this.options;
    if (!instanceId) return;
    let memberId: string | undefined;
    try {
      memberId = await inbox.previousMember(groupId, instanceId);
      if (!memberId) return;
      const outcome = await removeGroupMember(kafka, groupId, memberId);
      if (outcome === 'removed') {
        this.options.log?.('log', `consumer ${groupId}: removed member ${memberId}, left in the group by the previous run of instance ${instanceId}`, { group_id: groupId, instance_id: instanceId, member_id: memberId });
      }
    } catch (error) {
      this.options.log?.(
        'warn',
        `consumer ${groupId}: the member of the previous run of instance ${instanceId}${memberId ? ` (${memberId})` : ''} could not be removed from the group: ${(error as Error).message}; ` +
          'if it is still there, the group waits for its session to time out',
        { group_id: groupId, instance_id: instanceId, ...(memberId ? { member_id: memberId } : {}) },
      );
    }
  }

  /** Records the member id this instance joined with, for its next start; a failure is logged, nothing more. */
  private recordMember(memberId: string): void {
    const { instanceId, groupId, inbox } = this.options;
    if (!instanceId || memberId === this.recordedMember) return;
    this.recordedMember = memberId;
    inbox.recordMember(groupId, instanceId, memberId).catch((error: unknown) => {
      this.recordedMember = undefined;
      this.options.log?.('warn', `consumer ${groupId}: member ${memberId} of instance ${instanceId} could not be recorded: ${(error as Error).message}`, { group_id: groupId, instance_id: instanceId, member_id: memberId });
    });
  }

  private async startConsumer(): Promise<void> {
    const consumer = this.options.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? 3_000,
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
    consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
      for (const { topic, partitions } of event.payload.topics) {
        for (const { partition, offset } of partitions) this.options.onCommitted?.(topic, Number(partition), Number(offset));
      }
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      Object.assign(this.state, { joined: true, assignment: { ...event.payload.memberAssignment } });
      this.recordMember(event.payload.memberId);
      // Another member may have read our former partitions meanwhile: start each stream's watch afresh.
      this.revisions.forget();
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
      // Commit as soon as an offset is resolved, also when kafkajs resolves alone a fetch of nothing
      // but a transaction's commit marker: otherwise a quiet partition's committed offset stays one
      // short of its end, and the partition never looks fully consumed (arrivals.ts,
      // docs/adr/0012-not-yet-known-here.md).
      autoCommitThreshold: 1,
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
   * committed by kafkajs after that. A message given up on (the consumer stopping, the group
   * rebalancing while it waits on a transient failure) is left unresolved, and so is everything
   * behind it: it is read again, by this member or the partition's next owner.
   */
  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const control = new BatchControl(isRunning, isStale, () => this.stopping);
    const beat = setInterval(
      () =>
        void heartbeat().catch((error: unknown) => {
          // The group is rebalancing: give up waiting, so that this member can rejoin in time.
          if (isRebalancing(error)) control.rebalancing = true;
        }),
      // Twice per heartbeat interval: kafkajs sends one only once the interval has passed.
      this.options.heartbeatIntervalMs === undefined ? 2_000 : Math.max(100, this.options.heartbeatIntervalMs / 2),
    );
    const groupSize = this.options.transactionBatchSize ?? 100;
    try {
      let group: GroupItem<Tx>[] = [];
      const flush = async (): Promise<boolean> => {
        while (group.length > 0) {
          const { done, abandoned } = await this.applyGroup(group, resolveOffset, control);
          group = group.slice(done);
          if (abandoned) return false;
        }
        return true;
      };
      for (const message of batch.messages) {
        if (control.abandoned) break;
        const inbound: InboundMessage = {
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        };
        this.watchRevision(inbound);
        const passedOver = this.notHandled(inbound);
        if (passedOver) {
          // Nothing here acts on it: neither decoded nor verified (docs/architecture.md, "Consumers").
          if (!(await flush())) return;
          this.options.onOutcome?.({ kind: 'not-handled', type: passedOver, message: inbound });
          resolveOffset(inbound.offset);
          continue;
        }
        const decoded = decodeSafely(this.options.decoder, inbound);
        const handler = decoded.ok ? this.options.handlerFor(decoded.event.type) : undefined;
        if (decoded.ok && handler) {
          group.push({ event: decoded.event, inbound, handler });
          if (group.length >= groupSize) {
            if (!(await flush())) return;
            await commitOffsetsIfNecessary();
          }
          continue;
        }
        if (!(await flush())) return;
        if (!decoded.ok) {
          if (decoded.answer && !(await this.answer(decoded.answer, inbound, control))) return;
          await this.deadLetter(inbound, decoded.failure.code, decoded.failure.reason, 0);
        } else this.options.onOutcome?.({ kind: 'ignored', event: decoded.event, message: inbound });
        resolveOffset(inbound.offset);
      }
      if (!control.abandoned) await flush();
    } finally {
      clearInterval(beat);
    }
  }

  /**
   * Applies a group in one transaction; returns how many messages of it are done (at least one
   * unless `abandoned`). A transaction that fails as a whole (no connection, a failed commit)
   * counts as a failure of its first message, retried alone; the others are grouped again.
   */
  private async applyGroup(group: GroupItem<Tx>[], resolveOffset: (offset: string) => void, control: BatchControl): Promise<{ done: number; abandoned: boolean }> {
    const asides: Array<DecodeFailure | undefined> = [];
    let results: Array<InboxOutcome | { error: unknown }>;
    try {
      results = await this.options.inbox.runMany(
        this.options.groupId,
        group.map(({ event, inbound, handler }, index) => ({
          eventId: this.inboxKey(event, inbound),
          origin: inbound,
          claim: !this.options.withoutInbox?.(event.type),
          work: (tx: Tx) => {
            asides[index] = undefined;
            return handler(event, { tx, message: inbound, attempt: 1, setAside: (failure) => (asides[index] = failure) });
          },
        })),
        { maxMs: this.options.transactionMaxMs ?? 250 },
      );
    } catch (error) {
      results = [{ error }];
    }
    for (let i = 0; i < results.length; i++) {
      const result = results[i];
      const { event, inbound, handler } = group[i];
      const aside = result === 'processed' ? asides[i] : undefined;
      if (aside) {
        await this.deadLetter(inbound, aside.code, aside.reason, 1);
      } else if (result === 'conflict' && !this.carriesCommands(inbound)) {
        await this.idConflict(event, inbound, 1);
      } else if (result === 'duplicate' || result === 'conflict') {
        if (!(await this.answerAgain(event, inbound, control))) return { done: i, abandoned: true };
        this.options.onOutcome?.({ kind: 'duplicate', event, message: inbound });
      } else if (typeof result === 'string') {
        this.options.onOutcome?.({ kind: result, event, message: inbound });
      } else if (!(await this.retryAlone(event, inbound, handler, result.error, control, i > 0))) {
        // The first attempt failed inside the group: the message alone, until it settles.
        return { done: i, abandoned: true };
      }
      resolveOffset(inbound.offset);
    }
    return { done: results.length, abandoned: false };
  }

  /**
   * A message whose first attempt failed, tried alone until it settles: applied, or dead-lettered
   * (a permanent failure at once, one of unknown kind after `retry.maxAttempts` attempts); a
   * transient failure never settles it, the partition waits. False when given up on (stopping,
   * rebalancing): nothing was settled.
   *
   * `afterOthersInGroup`: the first attempt ran after other messages of its group in the same
   * uncommitted transaction. A handler that reads through the pool does not see their writes, and
   * may fail for that alone (e.g. a stale expected revision reported as a permanent conflict), so
   * a permanent failure of such a first attempt is tried once alone (again as attempt 1) before it
   * sends the message to dead letters.
   */
  private async retryAlone(event: DecodedEvent, inbound: InboundMessage, handler: EventHandler<Tx>, firstError: unknown, control: BatchControl, afterOthersInGroup = false): Promise<boolean> {
    let error = firstError;
    if (afterOthersInGroup && this.classify(error).kind === 'permanent') {
      try {
        await this.runAlone(event, inbound, handler, 1, control);
        return true;
      } catch (again) {
        if (again instanceof GivenUp) return false;
        error = again;
      }
    }
    return this.settle(
      { inbound, eventId: event.id, type: event.type },
      control,
      error,
      (attempt) => this.runAlone(event, inbound, handler, attempt, control),
      async (failure, attempts) => this.deadLetter(inbound, failure.code, failure.reason, attempts),
    );
  }

  /** One attempt of one message in its own transaction; a refusal the handler set aside is dead-lettered after the commit. */
  private async runAlone(event: DecodedEvent, inbound: InboundMessage, handler: EventHandler<Tx>, attempt: number, control: BatchControl): Promise<void> {
    let aside: DecodeFailure | undefined;
    const outcome = await this.options.inbox.runOnce(
      this.options.groupId,
      this.inboxKey(event, inbound),
      inbound,
      (tx) => {
        aside = undefined;
        return handler(event, { tx, message: inbound, attempt, setAside: (failure) => (aside = failure) });
      },
      { claim: !this.options.withoutInbox?.(event.type) },
    );
    if (outcome === 'processed' && aside) {
      await this.deadLetter(inbound, aside.code, aside.reason, attempt);
      return;
    }
    if (outcome === 'conflict' && !this.carriesCommands(inbound)) {
      await this.idConflict(event, inbound, attempt);
      return;
    }
    if (outcome !== 'processed' && !(await this.answerAgain(event, inbound, control))) throw new GivenUp();
    this.options.onOutcome?.({ kind: outcome === 'processed' ? outcome : 'duplicate', event, message: inbound });
  }

  /**
   * Runs `attempt` (1, 2, …; the first already made when `firstError` is given) until it settles:
   * true once it succeeded or `giveUp` was called for a permanent failure, or for one of unknown
   * kind after `retry.maxAttempts` attempts. A transient failure marks the partition blocked
   * (status, log) and is retried after a capped, jittered wait, for as long as it takes. False
   * when the consumer stops or the group rebalances first: nothing was settled.
   */
  private async settle(
    target: BlockTarget,
    control: BatchControl,
    firstError: unknown,
    attempt: (attempt: number) => Promise<void>,
    giveUp: (failure: ClassifiedFailure, attempts: number) => Promise<void>,
  ): Promise<boolean> {
    let error = firstError;
    let attempts = firstError === undefined ? 0 : 1;
    let transientFailures = 0;
    let otherFailures = 0;
    for (;;) {
      if (error === undefined) {
        attempts++;
        try {
          await attempt(attempts);
          this.unblock(target, transientFailures > 0);
          return true;
        } catch (failed) {
          if (failed instanceof GivenUp) {
            this.unblock(target, false);
            return false;
          }
          error = failed ?? new Error('undefined was thrown');
        }
      }
      const failure = this.classify(error);
      let wait: number;
      if (failure.kind === 'transient') {
        transientFailures++;
        wait = jitteredDelay(this.transientRetry, transientFailures);
        this.block(target, failure, transientFailures, wait);
      } else {
        this.unblock(target, false);
        otherFailures++;
        if (failure.kind === 'permanent' || otherFailures >= this.retry.maxAttempts) {
          await giveUp(failure, attempts);
          return true;
        }
        wait = backoffDelay(this.retry, otherFailures + 1);
        this.options.log?.('warn', `handler for ${target.type} ${target.eventId} failed (attempt ${attempts}): ${failure.reason}`, this.fieldsOf(target, failure));
      }
      if (!(await control.wait(wait))) {
        this.unblock(target, false);
        return false;
      }
      error = undefined;
    }
  }

  /** Every message that arrives, handled or not: does it show an event of its stream missing? Logged and counted, never refused. */
  private watchRevision(inbound: InboundMessage): void {
    const gap = this.revisions.observe(`${inbound.topic}/${inbound.partition}`, inbound.headers);
    if (!gap) return;
    const { topic, partition, offset } = inbound;
    this.options.log?.(
      'warn',
      `consumer ${this.options.groupId}: stream ${gap.stream} of ${gap.source} went from revision ${gap.lastSeen} to ${gap.revision} on ${topic}/${partition}@${offset}, ` +
        `but its previous published event, revision ${gap.missing}, never arrived: an event is missing (the audit ledger raises EVENT_MISSING for the streams it records)`,
      { topic, partition, offset, source: gap.source, stream: gap.stream, last_seen_revision: gap.lastSeen, revision: gap.revision, missing_revision: gap.missing },
    );
    this.options.onRevisionGap?.({ ...gap, topic, partition, offset });
  }

  /** Marks the message's partition blocked on it, and logs it: at the first failure, then at most every 30 s. */
  private block(target: BlockTarget, failure: ClassifiedFailure, failures: number, waitMs: number): void {
    const key = `${target.inbound.topic}/${target.inbound.partition}`;
    const now = Date.now();
    const entry = this.blocked.get(key);
    const since = entry?.target === target ? entry.since : now;
    const loggedAt = entry?.target === target ? entry.loggedAt : 0;
    const seconds = (now - since) / 1000;
    this.blocked.set(key, { target, since, failures, failure, loggedAt: now - loggedAt >= 30_000 ? now : loggedAt });
    if (now - loggedAt >= 30_000) {
      const { topic, partition, offset } = target.inbound;
      this.options.log?.(
        'warn',
        `consumer ${this.options.groupId} waits on ${topic}/${partition}@${offset} (${target.type} ${target.eventId}) for ${Math.round(seconds)} s: ` +
          `${failure.code} ${failure.reason}; retrying in ${waitMs} ms (failure ${failures}), nothing behind it on this partition is processed meanwhile`,
        { ...this.fieldsOf(target, failure), failures, blocked_seconds: Math.round(seconds) },
      );
    }
  }

  /** The partition no longer waits on the message; `applied`: it went through after transient failures (logged). */
  private unblock(target: BlockTarget, applied: boolean): void {
    const key = `${target.inbound.topic}/${target.inbound.partition}`;
    const entry = this.blocked.get(key);
    if (entry?.target !== target) return;
    this.blocked.delete(key);
    if (applied) {
      const { topic, partition, offset } = target.inbound;
      const seconds = Math.round((Date.now() - entry.since) / 1000);
      this.options.log?.('log', `consumer ${this.options.groupId} applied ${topic}/${partition}@${offset} (${target.type} ${target.eventId}) after ${entry.failures} transient failure(s) over ${seconds} s`, {
        ...this.fieldsOf(target, entry.failure),
        failures: entry.failures,
        blocked_seconds: seconds,
      });
    }
  }

  private fieldsOf(target: BlockTarget, failure: ClassifiedFailure): Record<string, unknown> {
    const { topic, partition, offset } = target.inbound;
    return { topic, partition, offset, ce_id: target.eventId, type: target.type, code: failure.code, error: failure.reason };
  }

  /**
   * The answer a decoder attached to a refusal, applied once (through the inbox) by the handler of
   * its type before the message is set aside; or, when the command already has a result, that
   * result published again instead (one result per command). A transient failure is retried
   * until it goes through; another leaves the message dead-lettered unanswered (logged). A
   * consumer without a handler of the answer's type leaves it unanswered too. False when given up
   * on (stopping, rebalancing).
   */
  private async answer(event: DecodedEvent, inbound: InboundMessage, control: BatchControl): Promise<boolean> {
    const handler = this.options.handlerFor(event.type);
    if (!handler) {
      this.options.log?.('warn', `no handler answers ${event.type}: ${inbound.topic}/${inbound.partition}@${inbound.offset} is set aside unanswered`);
      return true;
    }
    const commandId = commandIdOf(event);
    return this.settle(
      { inbound, eventId: event.id, type: event.type },
      control,
      undefined,
      async (attempt) => {
        if (commandId && (await this.publishStoredResult(commandId, inbound))) return;
        await this.options.inbox.runOnce(this.options.groupId, this.inboxKey(event, inbound), inbound, (tx) => handler(event, { tx, message: inbound, attempt, setAside: () => undefined }));
      },
      async (failure) => {
        this.options.log?.('error', `answer ${event.type} ${event.id} could not be recorded (${failure.code}: ${failure.reason}): ${inbound.topic}/${inbound.partition}@${inbound.offset} is set aside unanswered`);
      },
    );
  }

  /**
   * A command found already processed (a resend, a redelivery) is answered again: its stored
   * result published once more, unchanged (same ce_id), so that a sender who missed it, or
   * retried after a timeout, hears the same answer. Other duplicates need nothing. False when
   * given up on (stopping, rebalancing).
   */
  private async answerAgain(event: DecodedEvent, inbound: InboundMessage, control: BatchControl): Promise<boolean> {
    const results = this.options.commandResults;
    if (!results?.topics.includes(inbound.topic)) return true;
    const commandId = commandIdOf(event);
    if (!commandId) return true;
    return this.settle(
      { inbound, eventId: event.id, type: event.type },
      control,
      undefined,
      async () => {
        if (!(await this.publishStoredResult(commandId, inbound, event))) {
          this.options.log?.('warn', `command ${commandId} was processed but has no stored result to publish again (${inbound.topic}/${inbound.partition}@${inbound.offset})`);
        }
      },
      async (failure) => {
        this.options.log?.('error', `the stored result of command ${commandId} could not be published again (${failure.code}: ${failure.reason})`);
      },
    );
  }

  /** Publishes the stored result of a command read on a commands topic; false when it has none (or the topic carries no commands). */
  private async publishStoredResult(commandId: string, inbound: InboundMessage, copy?: DecodedEvent): Promise<boolean> {
    const results = this.options.commandResults;
    if (!results?.topics.includes(inbound.topic)) return false;
    const stored = await results.stored(commandId, copy);
    if (!stored) return false;
    // Where the relay published it: its state's topic, and the shared one while results are copied there.
    for (const topic of [stored.topic, ...(stored.copiesTo ?? [])]) {
      await this.producer!.send({ topic, acks: -1, messages: [{ key: stored.key, value: stored.value, headers: stored.headers }] });
    }
    this.options.log?.('log', `command ${commandId} read again (${inbound.topic}/${inbound.partition}@${inbound.offset}): its stored result was published again`, {
      topic: inbound.topic,
      partition: inbound.partition,
      offset: inbound.offset,
      command_id: commandId,
    });
    return true;
  }

  /**
   * The inbox's key of a message: its id, its sender (ce_source) and a digest of its content
   * (docs/adr/0014-namespaced-event-ids.md).
   */
  private inboxKey(event: DecodedEvent, inbound: InboundMessage): InboxKey {
    const source = event.extensions['source'];
    return { id: event.id, source: typeof source === 'string' ? source : '', digest: messageDigest({ type: event.type, subject: event.subject, value: inbound.value }) };
  }

  /**
   * The type a message declares (its ce_type header) when that is an event of the catalogue that no
   * handler of this consumer takes, on a topic that carries no commands: such a message is passed
   * over without being decoded or its signature verified, which would cost more than everything
   * else the consumer does with it (a service reads topics whose events it mostly does not act
   * on). Anything else, an unknown type or a type it handles, is decoded: a broken one goes to the
   * dead-letter topic as before.
   */
  private notHandled(inbound: InboundMessage): string | undefined {
    if (this.carriesCommands(inbound)) return undefined;
    const type = headerText(inbound.headers.ce_type);
    if (!type || findMessage(type)?.kind !== 'event') return undefined;
    return this.options.handlerFor(type) ? undefined : type;
  }

  /**
   * Whether the message's topic carries commands: a command id reused with other content is
   * answered by the command's stored result (IDEMPOTENCY_KEY_REUSED, docs/adr/0010-http-idempotency-by-command-id.md),
   * not raised as an id conflict.
   */
  private carriesCommands(inbound: InboundMessage): boolean {
    return this.options.commandResults?.topics.includes(inbound.topic) ?? false;
  }

  /**
   * An event whose (source, id) was processed before with other content: never applied, never
   * dropped in silence. Logged at error naming the sender and the id, and set aside in the
   * dead-letter topic as EVENT_ID_CONFLICT (counted in custody_inbox_id_conflicts_total).
   */
  private async idConflict(event: DecodedEvent, inbound: InboundMessage, attempts: number): Promise<void> {
    const { id } = event;
    const source = this.inboxKey(event, inbound).source;
    const reason =
      `event ${id} from ${source || '(no ce_source)'} (${event.type}) was already processed by ${this.options.groupId} with other content: ` +
      'this one is set aside, not applied (a sender reused or forged an event id)';
    this.options.log?.('error', `consumer ${this.options.groupId}: EVENT_ID_CONFLICT on ${inbound.topic}/${inbound.partition}@${inbound.offset}: ${reason}`, {
      topic: inbound.topic, partition: inbound.partition, offset: inbound.offset, ce_id: id, ce_source: source, type: event.type, code: EVENT_ID_CONFLICT,
    });
    await this.deadLetter(inbound, EVENT_ID_CONFLICT, reason, attempts);
  }

  private async deadLetter(message: InboundMessage, code: string, reason: string, attempts: number): Promise<void> {
    await sendToDeadLetter(this.producer!, message, { code, reason, attempts });
    this.options.onOutcome?.({ kind: 'dead-lettered', code, reason, message });
  }
}

interface GroupItem<Tx> {
  event: DecodedEvent;
  inbound: InboundMessage;
  handler: EventHandler<Tx>;
}

/** The message a partition may wait on: where it lies and what it is. */
interface BlockTarget {
  inbound: InboundMessage;
  eventId: string;
  type: string;
}

interface BlockedEntry {
  target: BlockTarget;
  since: number;
  failures: number;
  failure: ClassifiedFailure;
  loggedAt: number;
}

/** Thrown through an attempt that was given up on (stopping, rebalancing) while it waited inside. */
class GivenUp extends Error {
  constructor() {
    super('given up: the consumer is stopping or its group rebalancing');
    this.name = 'GivenUp';
  }
}

/**
 * Whether the work on a fetched batch must stop: the consumer stopping or stopped, the
 * partition's position moved (a seek), or the group rebalancing (a heartbeat said so). Waits are
 * cut short by it.
 */
class BatchControl {
  rebalancing = false;

  constructor(
    private readonly isRunning: () => boolean,
    private readonly isStale: () => boolean,
    private readonly stopping: () => boolean,
  ) {}

  get abandoned(): boolean {
    return this.stopping() || this.rebalancing || !this.isRunning() || this.isStale();
  }

  /** Waits `ms`, or less when the batch is abandoned meanwhile; true when the work may go on. */
  async wait(ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (!this.abandoned) {
      const left = end - Date.now();
      if (left <= 0) return true;
      await new Promise((resolve) => setTimeout(resolve, Math.min(left, 100)));
    }
    return false;
  }
}

/** kafkajs' errors that mean the group is rebalancing (its own isRebalancing is not exported). */
function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID';
}

/** The command a message stands for: the refused command of a refusal's answer, else the message's own id. */
function commandIdOf(event: DecodedEvent): string | undefined {
  if (event.type === COMMAND_REFUSED) {
    const commandId = (event.data as { commandId?: unknown } | null)?.commandId;
    return typeof commandId === 'string' ? commandId : undefined;
  }
  return event.id;
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

/** A header's text: its first value when repeated, a Buffer read as UTF-8. */
function headerText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (Buffer.isBuffer(first)) return first.toString('utf8');
  return typeof first === 'string' ? first : undefined;
}

import type { Pool, PoolClient, QueryConfig } from 'pg';
import type { IHeaders, Message } from 'kafkajs';
import { migrateSchema, type Checkpoint, type EventStore, type GlobalEvent, migrationSet, type Subscription } from '@custody/event-store';
import type { RelayPublisher, RelayTerm, TopicMessages } from './relay-publishers';

/**
 * The relay's tables: where each relay stands in the log, and the events it could not publish.
 * Version 1 is the DDL from before versioned migrations (IF NOT EXISTS): a no-op where it ran.
 */
export const RELAY_MIGRATIONS = migrationSet('relay', ['relay checkpoints and rejected events', (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.relay_checkpoints (
          name text PRIMARY KEY,
          checkpoint text,
          updated_at timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE IF NOT EXISTS ${s}.relay_rejected (
          name text NOT NULL,
          event_id text NOT NULL,
          event_type text NOT NULL,
          checkpoint text NOT NULL,
          reason text NOT NULL,
          rejected_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (name, event_id)
        );
      `]);

/** Where an event goes on Kafka. */
export interface OutboundMessage {
  topic: string;
  key: string;
  value: Buffer | string;
  headers: IHeaders;
  /**
   * Further topics that take the same message, published with it (in the same batch and, with a
   * transactional publisher, the same transaction): the shared results topic while results move to
   * per-state topics (docs/adr/0015-command-results-per-state.md).
   */
  copiesTo?: readonly string[];
}

/**
 * Where the relay sends a stored event: its topic, key and envelope, or undefined for events that
 * are not published; throws for an event the contract refuses (recorded in relay_rejected).
 * `prepare`, when given, runs on each batch before its events are routed (contractRoute looks up
 * there what it needs of the store to tell each event's place in its stream).
 */
export interface RelayRoute {
  (event: GlobalEvent): OutboundMessage | undefined;
  prepare?(batch: readonly GlobalEvent[]): Promise<void>;
}

/** The relay's lag, for metrics. */
export interface RelayLag {
  /** Events read from the store and not yet acknowledged by the broker. */
  pendingEvents: number;
  /** Seconds between the newest acknowledged event's recording and its acknowledgement. */
  lastLagSeconds: number;
  /** When the oldest event read and not yet acknowledged was recorded (the age of the relay's backlog). */
  oldestPendingRecordedAt?: string;
  /** When the last batch was acknowledged. */
  lastPublishedAt?: Date;
  /**
   * The relay's distance to the store's head: events committed after its checkpoint, read or
   * not (undefined until first measured, or when the store cannot tell). A stalled relay, or
   * none active, shows here, where pendingEvents stays 0.
   */
  behindEvents?: number;
  /** When the oldest event not yet published was recorded (absent when caught up). */
  oldestUnpublishedAt?: string;
  /**
   * Events this instance passed on since it started: published, or internal and not for Kafka.
   * Those the contract refused are not among them: they are counted in `rejected`.
   */
  published: number;
  /**
   * Events this instance could not publish since it started: the contract refused them; each is
   * recorded in relay_rejected and logged, and its readers see its revision missing.
   */
  rejected: number;
  /** This instance holds the lock and publishes; false from the moment its lock's connection is found gone. */
  isActive: boolean;
  /** The PostgreSQL backend (pg_stat_activity.pid) of the session holding the lock, while active. */
  lockSessionPid?: number;
}

export interface RelayOptions {
  /** One name per service: the advisory lock and the checkpoint row are keyed by it. */
  name: string;
  store: EventStore;
  /** The service's own database: the checkpoint lives there, beside the events. */
  pool: Pool;
  schema: string;
  /**
   * How batches reach the broker: {@link transactionalPublisher} (the services': fenced, each batch
   * and its checkpoint in one Kafka transaction) or {@link producerPublisher} (at-least-once).
   */
  publisher: RelayPublisher;
  /** The topic, key and envelope of an event; undefined for events that are not published. */
  route: RelayRoute;
  /**
   * Signs the routed messages of a batch with the service's key, returned in the same order
   * (`eventSignatures` of @custody/security: one signature over the batch's Merkle root in
   * ce_eventsignature, each message's path in ce_eventsignaturepath; docs/adr/0013-signed-events.md).
   * Synchronous, called once per batch while it is encoded; should it throw, the term ends and the
   * batch is read and sent again.
   */
  signBatch?: (messages: OutboundMessage[]) => OutboundMessage[];
  batchSize?: number;
  /** How long a batch waits for more events once it has one. */
  lingerMs?: number;
  /** How often a standby instance tries to take over. */
  standbyPollMs?: number;
  /** How often the distance to the store's head is measured, on every instance (default 1000 ms). */
  headPollMs?: number;
  /** Longest the check that the lock is still held may take; past it the lock counts as lost (default 5000 ms). */
  lockCheckTimeoutMs?: number;
  log?: (level: 'log' | 'warn' | 'error', message: string) => void;
  /** Called after each acknowledged batch (tests, metrics). */
  onPublished?: (events: GlobalEvent[]) => void;
}

/** The advisory lock of the active relay, on a connection of its own. */
interface HeldLock {
  client: PoolClient;
  pid: number;
  /** Set when the connection reported an error or ended, or a check found the lock gone. */
  lost: boolean;
  detach(): void;
}

/** The relay's lock is gone (its connection dropped): it stops publishing and stands by. */
export class RelayLockLostError extends Error {
  readonly code = 'RELAY_LOCK_LOST';
  constructor(name: string, reason: string) {
    super(`relay ${name} no longer holds its lock (${reason})`);
    this.name = 'RelayLockLostError';
  }
}

/**
 * Store → Kafka with no dual write: tails the store's global log from a checkpoint, publishes in
 * batches keyed by subject, and moves the checkpoint only with or after the broker's
 * acknowledgement. One relay per service is active at a time: it holds a PostgreSQL session
 * advisory lock on a dedicated connection, checks that it still holds it before each send and
 * each checkpoint write, and stops the moment that connection reports an error; the others stand
 * by and take over when the lock is free (docs/architecture.md, "The relay").
 *
 * A lock can be lost while its holder still runs (its connection terminated), so the lock alone
 * does not make one publisher: with {@link transactionalPublisher}, each term as the active relay
 * begins by fencing every earlier one at the broker and reading the checkpoint the broker holds,
 * and each batch commits with its checkpoint in one Kafka transaction
 * (docs/adr/0009-fenced-transactional-relay.md). The checkpoint row in the database follows, only
 * forward, for lag metrics and for publishers without transactions.
 */
export class Relay {
  private running = false;
  private lock?: HeldLock;
  private subscription?: Subscription;
  private loop?: Promise<void>;
  private readonly lag: RelayLag = { pendingEvents: 0, lastLagSeconds: 0, published: 0, rejected: 0, isActive: false };
  private readonly table: string;
  private readonly rejectedTable: string;
  private wake?: () => void;
  private headTimer?: NodeJS.Timeout;
  private measuring?: Promise<void>;

  constructor(private readonly options: RelayOptions) {
    const schema = quoteIdentifier(options.schema);
    this.table = `${schema}.relay_checkpoints`;
    this.rejectedTable = `${schema}.relay_rejected`;
  }

  /** Starts in the background: stands by until it holds the lock, then publishes. */
  async start(): Promise<void> {
    await this.migrate();
    this.running = true;
    this.loop = this.run();
    if (this.options.store.distanceFrom) {
      this.measuring = this.measureDistance();
      this.headTimer = setInterval(() => {
        this.measuring ??= this.measureDistance();
      }, this.options.headPollMs ?? 1_000);
      this.headTimer.unref();
    }
  }

  /**
   * The distance from the checkpoint as committed (the one every instance shares) to the
   * store's head. It is measured apart from publishing, so that it rises while the relay is
   * stuck: on a broker that does not acknowledge, or with no instance active.
   */
  private async measureDistance(): Promise<void> {
    try {
      const { rows } = await this.options.pool.query<{ checkpoint: string | null }>(
        `SELECT checkpoint FROM ${this.table} WHERE name = $1`,
        [this.options.name],
      );
      const distance = await this.options.store.distanceFrom!(rows[0]?.checkpoint ?? undefined);
      this.lag.behindEvents = distance.events;
      this.lag.oldestUnpublishedAt = distance.oldestRecordedAt;
    } catch (error) {
      if (this.running) this.options.log?.('warn', `relay ${this.options.name}: cannot measure the distance to the store's head: ${(error as Error).message}`);
    } finally {
      this.measuring = undefined;
    }
  }

  /** Stops publishing, releases the lock and waits for the loop to end. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.headTimer);
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    await this.measuring;
  }

  status(): RelayLag {
    return { ...this.lag };
  }

  private async migrate(): Promise<void> {
    await migrateSchema(this.options.pool, this.options.schema, RELAY_MIGRATIONS);
  }

  /**
   * Stands by until the lock is free, then holds it for a term: the publisher's term begins (and
   * fences the earlier ones), the lock is checked once more, and batches flow until the relay
   * stops, loses its lock or fails. Whatever ends a term, the next one starts from the checkpoint.
   */
  private async run(): Promise<void> {
    const standbyPoll = this.options.standbyPollMs ?? 1_000;
    let failures = 0;
    while (this.running) {
      let term: RelayTerm | undefined;
      let pause = standbyPoll;
      try {
        if (await this.acquire()) {
          const lock = this.lock!;
          term = await this.options.publisher.begin();
          await this.assertLockHeld(lock);
          this.lag.isActive = true;
          this.lag.lockSessionPid = lock.pid;
          this.options.log?.('log', `relay ${this.options.name} is active`);
          await this.publishUntilStopped(lock, term);
          failures = 0;
        }
      } catch (error) {
        if (this.running) {
          if (error instanceof RelayLockLostError) {
            this.options.log?.('warn', `${error.message}; standing by`);
          } else {
            // A term that failed (the broker unreachable, fenced, a write refused) is not retried
            // in place: the next one starts over from the checkpoint, after a growing pause.
            failures++;
            pause = Math.min(5_000, standbyPoll * 2 ** Math.min(failures - 1, 5));
            this.options.log?.('error', `relay ${this.options.name}: ${(error as Error).message}; standing by`);
          }
        }
      } finally {
        this.lag.isActive = false;
        this.lag.lockSessionPid = undefined;
        await term?.close();
        await this.releaseLock();
      }
      if (this.running) await this.sleep(pause);
    }
  }

  private lockName(): string {
    return `relay:${this.options.schema}:${this.options.name}`;
  }

  private async acquire(): Promise<boolean> {
    const client = await this.options.pool.connect();
    const lock: HeldLock = { client, pid: 0, lost: false, detach: () => undefined };
    // A client out of the pool has no listener of the pool's: without ours, a connection that drops
    // would throw out of the process. Ours go when the client goes back, so none pile up per poll.
    const onError = (error: Error) => this.loseLock(lock, error.message);
    const onEnd = () => this.loseLock(lock, 'its connection ended');
    client.on('error', onError);
    client.on('end', onEnd);
    lock.detach = () => {
      client.off('error', onError);
      client.off('end', onEnd);
    };
    try {
      const { rows } = await client.query<{ locked: boolean; pid: number }>(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked, pg_backend_pid() AS pid',
        [this.lockName()],
      );
      if (rows[0].locked) {
        // The checkpoint need not wait for the disk: a checkpoint lost in a database crash
        // only re-publishes events (the consumers' inboxes absorb them); it never skips one.
        await client.query('SET synchronous_commit = off');
        lock.pid = rows[0].pid;
        this.lock = lock;
        return true;
      }
      lock.detach();
      client.release();
      return false;
    } catch (error) {
      // Destroyed, not returned: our listeners stay on it (they do nothing once it is not the lock).
      client.release(true);
      throw error;
    }
  }

  /** The lock's connection reported an error or ended: stop at once, without waiting for the next check. */
  private loseLock(lock: HeldLock, reason: string): void {
    if (lock.lost || this.lock !== lock) return;
    lock.lost = true;
    this.lag.isActive = false;
    this.lag.lockSessionPid = undefined;
    this.options.log?.('warn', `relay ${this.options.name} lost its lock: ${reason}`);
    void this.subscription?.stop();
    this.wake?.();
  }

  /** Before each send and each checkpoint write: the lock's session is alive and holds its advisory lock. */
  private async assertLockHeld(lock: HeldLock): Promise<void> {
    if (lock.lost) throw new RelayLockLostError(this.options.name, 'its connection dropped');
    let held: boolean;
    try {
      const { rows } = await lock.client.query<{ held: boolean }>({
        text: `SELECT ${LOCK_HELD} AS held`,
        query_timeout: this.options.lockCheckTimeoutMs ?? 5_000,
      } as QueryConfig);
      held = rows[0].held;
    } catch (error) {
      this.loseLock(lock, (error as Error).message);
      throw new RelayLockLostError(this.options.name, (error as Error).message);
    }
    if (!held) {
      this.loseLock(lock, 'its session holds no advisory lock');
      throw new RelayLockLostError(this.options.name, 'its session holds no advisory lock');
    }
  }

  /**
   * Moves the checkpoint row forward in one statement that first checks the lock is still held
   * by the session writing it: the check and the write cannot be told apart by a takeover.
   */
  private async writeCheckpointWhileHeld(lock: HeldLock, checkpoint: Checkpoint): Promise<void> {
    if (lock.lost) throw new RelayLockLostError(this.options.name, 'its connection dropped');
    let held: boolean;
    try {
      const { rows } = await lock.client.query<{ held: boolean }>({
        text: `WITH moved AS (${checkpointUpsert(this.table, `WHERE ${LOCK_HELD}`)} RETURNING 1) SELECT ${LOCK_HELD} AS held, (SELECT count(*) FROM moved) AS moved`,
        values: [this.options.name, String(checkpoint)],
        query_timeout: this.options.lockCheckTimeoutMs ?? 5_000,
      } as QueryConfig);
      held = rows[0].held;
    } catch (error) {
      this.loseLock(lock, (error as Error).message);
      throw new RelayLockLostError(this.options.name, (error as Error).message);
    }
    if (!held) {
      this.loseLock(lock, 'its session holds no advisory lock');
      throw new RelayLockLostError(this.options.name, 'its session holds no advisory lock');
    }
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    if (!lock) return;
    if (lock.lost) {
      lock.client.release(true);
      return;
    }
    try {
      await lock.client.query('SELECT pg_advisory_unlock_all()');
      await lock.client.query('RESET synchronous_commit');
      lock.detach();
      lock.client.release();
    } catch {
      lock.client.release(true);
    }
  }

  private async publishUntilStopped(lock: HeldLock, term: RelayTerm): Promise<void> {
    const { rows } = await lock.client.query<{ checkpoint: string | null }>(
      `SELECT checkpoint FROM ${this.table} WHERE name = $1`,
      [this.options.name],
    );
    // The broker's checkpoint was committed with the last batch of the last term (this term fenced
    // it first, so it is final); the database's may lag behind it, never lead it on a published event.
    const fromCheckpoint = laterCheckpoint(await term.checkpoint(), rows[0]?.checkpoint ?? undefined);
    const subscription = this.options.store.subscribeToAll({ fromCheckpoint });
    this.subscription = subscription;
    const iterator = subscription[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<GlobalEvent>> | undefined;
    const batchSize = this.options.batchSize ?? 500;
    const linger = this.options.lingerMs ?? 2;
    // One batch is sent while the next is read and encoded (pipelining): sends stay one at a
    // time and in order, and each checkpoint is written after its batch was acknowledged.
    let inFlight: Promise<void> = Promise.resolve();
    let failure: { error: unknown } | undefined;
    try {
      while (this.running && !failure && !lock.lost) {
        const batch: GlobalEvent[] = [];
        pending ??= iterator.next();
        const first = await pending;
        pending = undefined;
        if (first.done) break;
        batch.push(first.value);
        // The batch closes when it is full, or once it has lingered (one deadline per batch,
        // from its first event) and the previous batch is acknowledged: while the broker
        // works on one batch, the next one grows.
        let ready = false;
        const closes = Promise.all([
          new Promise<void>((resolve) => setTimeout(resolve, linger).unref?.()),
          inFlight,
        ]).then(() => {
          ready = true;
        });
        while (batch.length < batchSize && !ready) {
          pending ??= iterator.next();
          const next = await Promise.race([pending, closes]);
          if (!next) break;
          pending = undefined;
          if (next.done) break;
          batch.push(next.value);
        }
        await this.options.route.prepare?.(batch);
        const encoded = this.encode(batch);
        await inFlight;
        if (failure || lock.lost) break;
        inFlight = this.publishAndCheckpoint(lock, term, batch, encoded).catch((error: unknown) => {
          failure = { error };
          void subscription.stop();
        });
      }
    } catch (error) {
      this.options.log?.('warn', `relay ${this.options.name}: reading the next batch failed (${(error as Error).message}); finishing the batch in flight before standing down`);
      throw error;
    } finally {
      // Whatever ends the loop (a failed read included), the batch in flight finishes first: its
      // checkpoint goes through the lock's connection, which is released only after this.
      await inFlight;
      void pending?.catch(() => undefined);
      await subscription.stop();
      this.subscription = undefined;
    }
    if (failure) throw failure.error;
    if (lock.lost && this.running) throw new RelayLockLostError(this.options.name, 'its connection dropped');
  }

  /** The messages of a batch by topic, in order; events the contract cannot publish are set aside. */
  private encode(batch: GlobalEvent[]): { topicMessages: TopicMessages; rejected: Array<{ event: GlobalEvent; reason: string }> } {
    const byTopic = new Map<string, Message[]>();
    const rejected: Array<{ event: GlobalEvent; reason: string }> = [];
    let routed: OutboundMessage[] = [];
    for (const event of batch) {
      let message: OutboundMessage | undefined;
      try {
        message = this.options.route(event);
      } catch (error) {
        rejected.push({ event, reason: describe(error) });
        continue;
      }
      if (message) routed.push(message);
    }
    // Outside the contract's refusals: a signer that fails ends the term (the batch is sent again), it never skips an event.
    if (this.options.signBatch && routed.length > 0) {
      const signed = this.options.signBatch(routed);
      if (signed.length !== routed.length) throw new Error(`the relay's signer returned ${signed.length} messages for ${routed.length}`);
      routed = signed;
    }
    for (const message of routed) {
      for (const topic of [message.topic, ...(message.copiesTo ?? [])]) {
        const list = byTopic.get(topic) ?? [];
        list.push({ key: message.key, value: message.value, headers: message.headers });
        byTopic.set(topic, list);
      }
    }
    return { topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), rejected };
  }

  private async publishAndCheckpoint(lock: HeldLock, term: RelayTerm, batch: GlobalEvent[], encoded: ReturnType<Relay['encode']>): Promise<void> {
    this.lag.pendingEvents = batch.length;
    this.lag.oldestPendingRecordedAt = batch[0].recordedAt;
    const checkpoint = batch[batch.length - 1].checkpoint;
    for (const { event, reason } of encoded.rejected) {
      // A stored event the contract refuses would block the relay forever if it were retried:
      // it is recorded (for an operator) and skipped, and the error is logged. Recorded before
      // the batch commits: a term that begins after the commit starts beyond it.
      this.options.log?.('error', `relay ${this.options.name}: event ${event.id} (${event.type}, revision ${event.revision} of ${event.streamName}) cannot be published: ${reason}`);
      await lock.client.query(
        `INSERT INTO ${this.rejectedTable} (name, event_id, event_type, checkpoint, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name, event_id) DO NOTHING`,
        [this.options.name, event.id, event.type, event.checkpoint, reason.slice(0, 2_000)],
      );
    }
    if (encoded.topicMessages.length > 0) {
      await this.assertLockHeld(lock);
      await term.publish(encoded.topicMessages, checkpoint);
    }
    await this.writeCheckpointWhileHeld(lock, checkpoint);
    const now = Date.now();
    this.lag.pendingEvents = 0;
    this.lag.oldestPendingRecordedAt = undefined;
    this.lag.published += batch.length - encoded.rejected.length;
    this.lag.rejected += encoded.rejected.length;
    this.lag.lastPublishedAt = new Date(now);
    this.lag.lastLagSeconds = (now - Date.parse(batch[batch.length - 1].recordedAt)) / 1000;
    this.options.onPublished?.(batch);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/**
 * Moves a relay's checkpoint row forward, never back: a write of a checkpoint at or before the
 * stored one changes nothing (a late write of a relay that lost its lock cannot undo a later
 * one). From the "<transaction id>:<position>" form of before ADR 0007 to a global position
 * counts as forward. Returns whether the row moved.
 */
export async function writeRelayCheckpoint(
  db: { query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }> },
  schema: string,
  name: string,
  checkpoint: Checkpoint,
): Promise<boolean> {
  const { rowCount } = await db.query(checkpointUpsert(`${quoteIdentifier(schema)}.relay_checkpoints`), [name, String(checkpoint)]);
  return rowCount === 1;
}

/** Whether the session running the statement holds an advisory lock (the relay's is its only one). */
const LOCK_HELD = `EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted)`;

/** The forward-only upsert of checkpoint $2 for relay $1, written only when `condition` holds. */
function checkpointUpsert(table: string, condition = ''): string {
  return `INSERT INTO ${table} AS stored (name, checkpoint, updated_at) SELECT $1, $2, now() ${condition}
     ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()
     WHERE stored.checkpoint IS NULL
        OR (cardinality(string_to_array(stored.checkpoint, ':')) = 2 AND cardinality(string_to_array(EXCLUDED.checkpoint, ':')) = 1)
        OR (cardinality(string_to_array(stored.checkpoint, ':')) = cardinality(string_to_array(EXCLUDED.checkpoint, ':'))
            AND string_to_array(stored.checkpoint, ':')::numeric[] < string_to_array(EXCLUDED.checkpoint, ':')::numeric[])`;
}

/** The later of two checkpoints (the broker's first when their forms differ: it was written later). */
export function laterCheckpoint(fromBroker: Checkpoint | undefined, fromDatabase: Checkpoint | undefined): Checkpoint | undefined {
  if (fromBroker === undefined) return fromDatabase;
  if (fromDatabase === undefined) return fromBroker;
  const a = String(fromBroker).split(':').map((part) => BigInt(part));
  const b = String(fromDatabase).split(':').map((part) => BigInt(part));
  if (a.length !== b.length) return fromBroker;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return a[i] > b[i] ? fromBroker : fromDatabase;
  }
  return fromBroker;
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const fields = (error as { errors?: Array<{ path: string; problem: string }> }).errors;
    const detail = Array.isArray(fields) ? fields.map((f) => `${f.path}: ${f.problem}`).join('; ') : '';
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}

import type { Pool, PoolClient } from 'pg';
import type { IHeaders, Message, Producer } from 'kafkajs';
import { migrateSchema, type Checkpoint, type EventStore, type GlobalEvent, migrationSet, type Subscription } from '@custody/event-store';

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
  published: number;
  isActive: boolean;
}

export interface RelayOptions {
  /** One name per service: the advisory lock and the checkpoint row are keyed by it. */
  name: string;
  store: EventStore;
  /** The service's own database: the checkpoint lives there, beside the events. */
  pool: Pool;
  schema: string;
  producer: Producer;
  /** The topic, key and envelope of an event; undefined for events that are not published. */
  route: (event: GlobalEvent) => OutboundMessage | undefined;
  batchSize?: number;
  /** How long a batch waits for more events once it has one. */
  lingerMs?: number;
  /** How often a standby instance tries to take over. */
  standbyPollMs?: number;
  /** How often the distance to the store's head is measured, on every instance (default 1000 ms). */
  headPollMs?: number;
  log?: (level: 'log' | 'warn' | 'error', message: string) => void;
  /** Called after each acknowledged batch (tests, metrics). */
  onPublished?: (events: GlobalEvent[]) => void;
}

/**
 * Store → Kafka with no dual write: tails the store's global log from a checkpoint kept in
 * the same database, publishes in batches keyed by subject, and moves the checkpoint only
 * after the broker acknowledged. One relay per service is active at a time: it holds a
 * PostgreSQL session advisory lock on a dedicated connection; the others stand by and take
 * over when that connection goes (the process died). A crash between publish and checkpoint
 * re-publishes the batch: consumers' inboxes make that harmless.
 */
export class Relay {
  private running = false;
  private lockClient?: PoolClient;
  private subscription?: Subscription;
  private loop?: Promise<void>;
  private readonly lag: RelayLag = { pendingEvents: 0, lastLagSeconds: 0, published: 0, isActive: false };
  private readonly table: string;
  private readonly rejectedTable: string;
  private wake?: () => void;
  private headTimer?: NodeJS.Timeout;
  private measuring?: Promise<void>;

  constructor(private readonly options: RelayOptions) {
    const schema = `"${options.schema.replace(/"/g, '""')}"`;
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

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if (await this.acquire()) {
          this.lag.isActive = true;
          this.options.log?.('log', `relay ${this.options.name} is active`);
          await this.publishUntilStopped();
        } else {
          await this.sleep(this.options.standbyPollMs ?? 1_000);
        }
      } catch (error) {
        if (this.running) {
          this.options.log?.('error', `relay ${this.options.name}: ${(error as Error).message}; standing by`);
          await this.sleep(this.options.standbyPollMs ?? 1_000);
        }
      } finally {
        this.lag.isActive = false;
        await this.releaseLock();
      }
    }
  }

  private async acquire(): Promise<boolean> {
    const client = await this.options.pool.connect();
    let released = false;
    client.on('error', () => undefined);
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `relay:${this.options.schema}:${this.options.name}`,
      ]);
      if (rows[0].locked) {
        // The checkpoint need not wait for the disk: a checkpoint lost in a database crash
        // only re-publishes events (the consumers' inboxes absorb them); it never skips one.
        await client.query('SET synchronous_commit = off');
        this.lockClient = client;
        return true;
      }
      client.release();
      released = true;
      return false;
    } catch (error) {
      if (!released) client.release(true);
      throw error;
    }
  }

  private async releaseLock(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    if (!client) return;
    try {
      await client.query('SELECT pg_advisory_unlock_all()');
      await client.query('RESET synchronous_commit');
      client.release();
    } catch {
      client.release(true);
    }
  }

  private async publishUntilStopped(): Promise<void> {
    const client = this.lockClient!;
    const { rows } = await client.query<{ checkpoint: string | null }>(
      `SELECT checkpoint FROM ${this.table} WHERE name = $1`,
      [this.options.name],
    );
    const fromCheckpoint: Checkpoint | undefined = rows[0]?.checkpoint ?? undefined;
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
      while (this.running && !failure) {
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
        const encoded = this.encode(batch);
        await inFlight;
        if (failure) break;
        inFlight = this.publishAndCheckpoint(client, batch, encoded).catch((error: unknown) => {
          failure = { error };
          void subscription.stop();
        });
      }
      await inFlight;
      if (failure) throw failure.error;
    } finally {
      await subscription.stop();
      this.subscription = undefined;
    }
  }

  /** The messages of a batch by topic, in order; events the contract cannot publish are set aside. */
  private encode(batch: GlobalEvent[]): { topicMessages: Array<{ topic: string; messages: Message[] }>; rejected: Array<{ event: GlobalEvent; reason: string }> } {
    const byTopic = new Map<string, Message[]>();
    const rejected: Array<{ event: GlobalEvent; reason: string }> = [];
    for (const event of batch) {
      let message: OutboundMessage | undefined;
      try {
        message = this.options.route(event);
      } catch (error) {
        rejected.push({ event, reason: describe(error) });
        continue;
      }
      if (!message) continue;
      const list = byTopic.get(message.topic) ?? [];
      list.push({ key: message.key, value: message.value, headers: message.headers });
      byTopic.set(message.topic, list);
    }
    return { topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })), rejected };
  }

  private async publishAndCheckpoint(
    client: PoolClient,
    batch: GlobalEvent[],
    encoded: ReturnType<Relay['encode']>,
  ): Promise<void> {
    this.lag.pendingEvents = batch.length;
    this.lag.oldestPendingRecordedAt = batch[0].recordedAt;
    await this.publish(encoded.topicMessages);
    for (const { event, reason } of encoded.rejected) {
      // A stored event the contract refuses would block the relay forever if it were retried:
      // it is recorded (for an operator) and skipped, and the error is logged.
      this.options.log?.('error', `relay ${this.options.name}: event ${event.id} (${event.type}) cannot be published: ${reason}`);
      await client.query(
        `INSERT INTO ${this.rejectedTable} (name, event_id, event_type, checkpoint, reason) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (name, event_id) DO NOTHING`,
        [this.options.name, event.id, event.type, event.checkpoint, reason.slice(0, 2_000)],
      );
    }
    await client.query(
      `INSERT INTO ${this.table} (name, checkpoint, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()`,
      [this.options.name, batch[batch.length - 1].checkpoint],
    );
    const now = Date.now();
    this.lag.pendingEvents = 0;
    this.lag.oldestPendingRecordedAt = undefined;
    this.lag.published += batch.length;
    this.lag.lastPublishedAt = new Date(now);
    this.lag.lastLagSeconds = (now - Date.parse(batch[batch.length - 1].recordedAt)) / 1000;
    this.options.onPublished?.(batch);
  }

  /** Sends one batch (order per topic and key kept); retries until acknowledged or stopped. */
  private async publish(topicMessages: Array<{ topic: string; messages: Message[] }>): Promise<void> {
    if (topicMessages.length === 0) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.producer.sendBatch({ acks: -1, topicMessages });
        return;
      } catch (error) {
        if (!this.running) throw error;
        this.options.log?.('warn', `relay ${this.options.name}: publish failed (attempt ${attempt}): ${(error as Error).message}`);
        await this.sleep(Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
      }
    }
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

function describe(error: unknown): string {
  if (error instanceof Error) {
    const fields = (error as { errors?: Array<{ path: string; problem: string }> }).errors;
    const detail = Array.isArray(fields) ? fields.map((f) => `${f.path}: ${f.problem}`).join('; ') : '';
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}

import type { Pool, PoolClient } from 'pg';
import type { IHeaders, Producer } from 'kafkajs';
import type { Checkpoint, EventStore, GlobalEvent, Subscription } from '@custody/event-store';

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
  /** When the last batch was acknowledged. */
  lastPublishedAt?: Date;
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
  private wake?: () => void;

  constructor(private readonly options: RelayOptions) {
    this.table = `"${options.schema.replace(/"/g, '""')}".relay_checkpoints`;
  }

  /** Starts in the background: stands by until it holds the lock, then publishes. */
  async start(): Promise<void> {
    await this.migrate();
    this.running = true;
    this.loop = this.run();
  }

  /** Stops publishing, releases the lock and waits for the loop to end. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
  }

  status(): RelayLag {
    return { ...this.lag };
  }

  private async migrate(): Promise<void> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.table]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           name text PRIMARY KEY,
           checkpoint text,
           updated_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
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
    try {
      while (this.running) {
        const batch: GlobalEvent[] = [];
        pending ??= iterator.next();
        const first = await pending;
        pending = undefined;
        if (first.done) return;
        batch.push(first.value);
        while (batch.length < batchSize) {
          pending ??= iterator.next();
          const next = await Promise.race([pending, this.delay(linger)]);
          if (next === 'timeout') break;
          pending = undefined;
          if (next.done) break;
          batch.push(next.value);
        }
        this.lag.pendingEvents = batch.length;
        await this.publish(batch);
        await client.query(
          `INSERT INTO ${this.table} (name, checkpoint, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()`,
          [this.options.name, batch[batch.length - 1].checkpoint],
        );
        const now = Date.now();
        this.lag.pendingEvents = 0;
        this.lag.published += batch.length;
        this.lag.lastPublishedAt = new Date(now);
        this.lag.lastLagSeconds = (now - Date.parse(batch[batch.length - 1].recordedAt)) / 1000;
        this.options.onPublished?.(batch);
      }
    } finally {
      await subscription.stop();
      this.subscription = undefined;
    }
  }

  /** Sends one batch, keeping order per topic and key; retries until acknowledged or stopped. */
  private async publish(batch: GlobalEvent[]): Promise<void> {
    const byTopic = new Map<string, OutboundMessage[]>();
    for (const event of batch) {
      const message = this.options.route(event);
      if (!message) continue;
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    if (byTopic.size === 0) return;
    const topicMessages = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages: messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
    }));
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

  private delay(ms: number): Promise<'timeout'> {
    return new Promise((resolve) => setTimeout(() => resolve('timeout'), ms));
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

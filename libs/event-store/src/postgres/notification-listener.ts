import { Client } from 'pg';
import type { Pool } from 'pg';

const RECONNECT_DELAY_MS = 1000;
// The least time between two NOTIFYs of one store instance (see Notifier).
const DEFAULT_NOTIFY_INTERVAL_MS = 2;

/**
 * One LISTEN connection per store, outside the pool, shared by its subscriptions. When the
 * connection fails, subscriptions go on polling and the listener reconnects after a pause.
 */
export class NotificationListener {
  private readonly callbacks = new Set<() => void>();
  private client?: Client;
  private connecting?: Promise<void>;
  private reconnectTimer?: NodeJS.Timeout;
  private isClosed = false;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    /** The payload of this instance's own notifications: its subscriptions were woken in process already. */
    private readonly ownPayload?: string,
  ) {}

  /** Runs every callback now, as a notification would: this instance's own commits wake its subscriptions without a round trip. */
  wakeAll(): void {
    for (const callback of this.callbacks) callback();
  }

  add(callback: () => void): void {
    this.callbacks.add(callback);
    this.ensureConnected();
  }

  remove(callback: () => void): void {
    this.callbacks.delete(callback);
  }

  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private ensureConnected(): void {
    if (this.client || this.connecting || this.isClosed || this.reconnectTimer) return;
    this.connecting = this.connect().finally(() => {
      this.connecting = undefined;
    });
  }

  private async connect(): Promise<void> {
    const client = new Client(this.pool.options);
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      if (this.ownPayload !== undefined && message.payload === this.ownPayload) return;
      for (const callback of this.callbacks) callback();
    });
    client.on('error', () => this.drop(client));
    client.on('end', () => this.drop(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      if (this.isClosed) {
        await client.end();
        return;
      }
      this.client = client;
      // Events may have committed while nobody listened: wake everyone once.
      for (const callback of this.callbacks) callback();
    } catch {
      this.drop(client);
    }
  }

  private drop(client: Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
    if (this.isClosed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.callbacks.size > 0) this.ensureConnected();
    }, RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}

/**
 * Sends the after-commit NOTIFY at once, on one connection of its own (a pool connection would
 * queue behind appends). While one NOTIFY is on its way, appends that commit share the next:
 * at most one is in flight and one waiting, whatever the rate of commits. The next one leaves
 * no sooner than `minIntervalMs` after the previous one left: a lone commit is announced at once,
 * and under a steady stream of appends the server runs at most one NOTIFY (a transaction that
 * signals every listening session) per interval instead of one per round trip, which took a
 * tenth of the appends' throughput (docs/performance.md). When the connection fails the NOTIFY
 * goes through the pool, and the next one connects again.
 */
export class Notifier {
  private client?: Client;
  private connecting?: Promise<Client>;
  private inFlight = false;
  private isPending = false;
  private isClosed = false;
  private lastSentAt = -Infinity;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly minIntervalMs = DEFAULT_NOTIFY_INTERVAL_MS,
    /** Names the sending instance, whose listener passes over its own notifications. */
    private readonly payload = '',
  ) {}

  notify(): void {
    if (this.isClosed) return;
    if (this.inFlight || this.timer) {
      this.isPending = true;
      return;
    }
    const wait = this.lastSentAt + this.minIntervalMs - performance.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.notify();
      }, wait);
      this.timer.unref();
      return;
    }
    // This NOTIFY announces every commit made so far.
    this.isPending = false;
    this.inFlight = true;
    this.lastSentAt = performance.now();
    void this.send().finally(() => {
      this.inFlight = false;
      if (this.isPending && !this.isClosed) {
        this.isPending = false;
        this.notify();
      }
    });
  }

  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.timer);
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async send(): Promise<void> {
    // The payload is a hex instance id: nothing to quote.
    const sql = this.payload ? `NOTIFY "${this.channel}", '${this.payload}'` : `NOTIFY "${this.channel}"`;
    try {
      const client = await this.connection();
      await client.query(sql);
    } catch {
      const client = this.client;
      this.client = undefined;
      client?.end().catch(() => undefined);
      // A lost notification only delays subscribers until their next poll.
      await this.pool.query(sql).catch(() => undefined);
    }
  }

  private connection(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client(this.pool.options);
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
      } catch (error) {
        client.end().catch(() => undefined);
        throw error;
      }
      if (this.isClosed) {
        await client.end().catch(() => undefined);
        throw new Error('closed');
      }
      this.client = client;
      return client;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }
}

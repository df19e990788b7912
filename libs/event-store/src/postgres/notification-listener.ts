import { Client } from 'pg';
import type { Pool } from 'pg';

const RECONNECT_DELAY_MS = 1000;

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
  ) {}

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

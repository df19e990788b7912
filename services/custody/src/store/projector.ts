import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { GlobalEvent, PostgresEventStore, PostgresTransaction, Subscription } from '@custody/event-store';
import { quoted } from './read-model.schema';

/** A read model kept from the service's own events. */
export interface Projection {
  /** Stream categories it reads (`facility` for `facility-*`). */
  readonly categories: string[];
  apply(event: GlobalEvent, tx: PostgresTransaction): Promise<void>;
}

/**
 * Keeps the read models from the store's global log, from a stored checkpoint (from position 0
 * when there is none: drop the tables and the checkpoint to rebuild). Each event is applied with
 * the checkpoint in one transaction. One instance projects at a time (a PostgreSQL advisory lock
 * held on a dedicated connection); the others stand by and take over when it goes.
 */
export class Projector {
  private readonly logger = new Logger('Projector');
  private running = false;
  private loop?: Promise<void>;
  private subscription?: Subscription;
  private wake?: () => void;

  constructor(
    private readonly name: string,
    private readonly store: PostgresEventStore,
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly projections: Projection[],
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
  }

  private async run(): Promise<void> {
    const lockName = `${this.schema}.projector.${this.name}`;
    while (this.running) {
      const client = await this.pool.connect().catch(() => undefined);
      if (!client) {
        await this.pause(1_000);
        continue;
      }
      try {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockName]);
        if (rows[0].ok) {
          try {
            await this.follow();
          } finally {
            await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]).catch(() => undefined);
          }
        }
      } catch (error) {
        if (this.running) this.logger.error(`projection ${this.name} stopped: ${(error as Error).message}; starting again`);
      } finally {
        client.release();
      }
      if (this.running) await this.pause(500);
    }
  }

  private async follow(): Promise<void> {
    const s = quoted(this.schema);
    const { rows } = await this.pool.query<{ checkpoint: string }>(`SELECT checkpoint FROM ${s}.projection_checkpoints WHERE name = $1`, [this.name]);
    const categories = this.projections.flatMap((p) => p.categories);
    if (!this.running) return;
    this.subscription = this.store.subscribeToAll({ fromCheckpoint: rows[0]?.checkpoint, filter: { categories } });
    // stop() may have run while the checkpoint was read, before there was a subscription to stop.
    if (!this.running) await this.subscription.stop();
    for await (const event of this.subscription) {
      const category = event.streamName.slice(0, event.streamName.indexOf('-'));
      await this.store.transaction(async (tx) => {
        for (const projection of this.projections) {
          if (projection.categories.includes(category)) await projection.apply(event, tx);
        }
        await tx.query(
          `INSERT INTO ${s}.projection_checkpoints (name, checkpoint) VALUES ($1, $2)
           ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`,
          [this.name, event.checkpoint],
        );
      });
      if (!this.running) break;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { GlobalEvent, PostgresEventStore, PostgresTransaction, Subscription } from '@custody/event-store';

/** A read model kept from the service's own events. */
export interface Projection {
  /** Stream categories it reads (`facility` for `facility-*`). */
  readonly categories: readonly string[];
  /** Folds one event in, in the batch's transaction (with the checkpoint). */
  apply(event: GlobalEvent, tx: PostgresTransaction): Promise<void>;
}

export interface CheckpointedProjectorOptions {
  /** The checkpoint's row in `projection_checkpoints`, and the lock's name. */
  name: string;
  store: PostgresEventStore;
  pool: Pool;
  /** The schema of `projection_checkpoints` (the service's own migrations create it). */
  schema: string;
  projections: readonly Projection[];
  /** Most events applied in one transaction (default 100). */
  batchSize?: number;
}

export interface ProjectorStatus {
  name: string;
  /** Events applied by this instance since it started. */
  applied: number;
  /** This instance holds the lock and follows the log (the others stand by). */
  isLive: boolean;
}

// Advisory lock class of projectors (the second key is the hash of `<schema>.<name>`).
const PROJECTOR_LOCK_CLASS = 0x50524f4a;
const NOT_YET = Symbol('not yet');

/**
 * Keeps read models from the store's global log, from a stored checkpoint (from the start when
 * there is none). The events at hand are applied as one batch with the checkpoint in one
 * transaction, so a crash replays at most the batch the checkpoint does not cover. One instance
 * projects at a time (a PostgreSQL advisory lock held on a dedicated connection); the others stand
 * by and take over when it goes. A failed batch rolls back and the projection resumes from the
 * checkpoint after a pause (growing up to 5 s while it keeps failing).
 */
export class CheckpointedProjector {
  private readonly logger: Logger;
  private readonly s: string;
  private readonly categories: string[];
  private readonly batchSize: number;
  private running = false;
  private loop?: Promise<void>;
  private subscription?: Subscription;
  private wake?: () => void;
  private applied = 0;
  private isLive = false;
  private failures = 0;

  constructor(private readonly options: CheckpointedProjectorOptions) {
    this.logger = new Logger(`Projector ${options.name}`);
    this.s = `"${options.schema.replace(/"/g, '""')}"`;
    this.categories = [...new Set(options.projections.flatMap((p) => p.categories))];
    this.batchSize = options.batchSize ?? 100;
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch under way (committed or rolled back) and gives the lock back. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    this.loop = undefined;
  }

  status(): ProjectorStatus {
    return { name: this.options.name, applied: this.applied, isLive: this.isLive };
  }

  /** The stored checkpoint, undefined before the first event. */
  async checkpoint(): Promise<string | undefined> {
    const { rows } = await this.options.pool.query<{ checkpoint: string }>(`SELECT checkpoint FROM ${this.s}.projection_checkpoints WHERE name = $1`, [this.options.name]);
    return rows[0]?.checkpoint;
  }

  /** Forgets the checkpoint (in the caller's transaction, with emptying the read model): the next pass starts from the beginning. */
  async resetCheckpoint(tx: Pick<PostgresTransaction, 'query'>): Promise<void> {
    await tx.query(`DELETE FROM ${this.s}.projection_checkpoints WHERE name = $1`, [this.options.name]);
  }

  /**
   * Applies what the log holds after the checkpoint, in batches, and returns (a rebuild, while the
   * projector is stopped: it does not take the lock). Says how many events it applied and the
   * checkpoint it reached (null when there were none).
   */
  async catchUp(): Promise<{ events: number; checkpoint: string | null }> {
    let events = 0;
    let checkpoint: string | null = null;
    let from = await this.checkpoint();
    for (;;) {
      const batch: GlobalEvent[] = [];
      for await (const event of this.options.store.readAll({ from, filter: { categories: this.categories }, maxCount: this.batchSize })) batch.push(event);
      if (batch.length === 0) return { events, checkpoint };
      await this.applyBatch(batch);
      events += batch.length;
      checkpoint = from = batch[batch.length - 1].checkpoint;
      if (batch.length < this.batchSize) return { events, checkpoint };
    }
  }

  private async run(): Promise<void> {
    const lock = [PROJECTOR_LOCK_CLASS, `${this.options.schema}.${this.options.name}`];
    while (this.running) {
      const client = await this.options.pool.connect().catch(() => undefined);
      if (!client) {
        await this.pause(1_000);
        continue;
      }
      let broken: Error | undefined;
      // The lock's connection dropped while following (the database restarted): the lock is gone
      // with it, so the projector stops following and takes the lock again before it goes on; and
      // the 'error' event is never left unhandled.
      const onLost = (error: Error) => {
        broken ??= error;
        void this.subscription?.stop();
      };
      client.on('error', onLost);
      try {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', lock).catch((error: Error) => {
          broken = error;
          throw error;
        });
        if (rows[0].ok) {
          try {
            this.isLive = true;
            await this.follow();
            this.failures = 0;
          } finally {
            this.isLive = false;
            await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', lock).catch((error: Error) => {
              broken = error;
            });
          }
        }
      } catch (error) {
        if (this.running) {
          this.failures++;
          this.logger.error(`projection ${this.options.name} stopped: ${(error as Error).message}; resuming from the checkpoint`);
        }
      } finally {
        client.off('error', onLost);
        // A connection whose session failed is not given back to the pool.
        client.release(broken);
      }
      if (this.running) await this.pause(this.failures > 0 ? Math.min(5_000, 100 * 2 ** Math.min(this.failures, 6)) : 500);
    }
  }

  /** Follows the log from the checkpoint until stopped, a batch at a time. */
  private async follow(): Promise<void> {
    const fromCheckpoint = await this.checkpoint();
    if (!this.running) return;
    const subscription = this.options.store.subscribeToAll({ fromCheckpoint, filter: { categories: this.categories } });
    this.subscription = subscription;
    // stop() may have run while the checkpoint was read, before there was a subscription to stop.
    if (!this.running) await subscription.stop();
    const events = subscription[Symbol.asyncIterator]();
    try {
      let next = events.next();
      for (;;) {
        const first = await next;
        if (first.done) return;
        const batch = [first.value];
        next = events.next();
        // The batch is what the subscription has at hand: events it yields before the next turn
        // of the event loop (the rest of a page already read), never waiting for more.
        while (batch.length < this.batchSize) {
          const more = await Promise.race([next, new Promise<typeof NOT_YET>((resolve) => setImmediate(() => resolve(NOT_YET)))]);
          if (more === NOT_YET || more.done) break;
          batch.push(more.value);
          next = events.next();
        }
        await this.applyBatch(batch);
        this.failures = 0;
        if (!this.running) return;
      }
    } finally {
      await subscription.stop();
      await events.return?.(undefined);
      if (this.subscription === subscription) this.subscription = undefined;
    }
  }

  /** Applies the batch and moves the checkpoint past it, in one transaction. */
  private async applyBatch(batch: GlobalEvent[]): Promise<void> {
    await this.options.store.transaction(async (tx) => {
      for (const event of batch) {
        const category = event.streamName.slice(0, event.streamName.indexOf('-'));
        for (const projection of this.options.projections) {
          if (projection.categories.includes(category)) await projection.apply(event, tx);
        }
      }
      await tx.query(
        `INSERT INTO ${this.s}.projection_checkpoints (name, checkpoint) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`,
        [this.options.name, batch[batch.length - 1].checkpoint],
      );
    });
    this.applied += batch.length;
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

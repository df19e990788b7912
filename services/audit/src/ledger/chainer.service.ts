import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { PeriodicJob } from '@custody/platform';
import { AuditConfig } from '../config';
import { PG_POOL } from '../store/store.module';
import { Chainer, type ChainedBatch } from './chainer';

/** Called after each chained batch (invariant checks, read models). */
export type BatchListener = (batch: ChainedBatch) => Promise<void>;

/** Runs the chainer in the background: a batch whenever entries wait, else a short poll. */
@Injectable()
export class ChainerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Chainer');
  private readonly chainer: Chainer;
  private readonly listeners: BatchListener[] = [];
  private readonly job: PeriodicJob<boolean>;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    config: AuditConfig,
  ) {
    this.chainer = new Chainer(pool, config.DATABASE_SCHEMA, config.LEDGER_CHAIN_BATCH);
    // A batch whenever entries wait (again at once while batches come), else a short pause.
    this.job = new PeriodicJob({
      name: 'chaining',
      intervalMs: config.LEDGER_CHAIN_INTERVAL_MS,
      runAtStart: true,
      again: (hasChained) => hasChained,
      run: () => this.chainBatch(),
    });
  }

  onBatch(listener: BatchListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Chains everything pending now (tests and on-demand checks). */
  async chainPending(): Promise<void> {
    while (await this.chainBatch());
  }

  /** One batch; says whether it chained anything. */
  private async chainBatch(): Promise<boolean> {
    const batch = await this.chainer.chainBatch();
    if (!batch || batch.taken === 0) return false;
    await this.publish(batch);
    return true;
  }

  private async publish(batch: ChainedBatch): Promise<void> {
    if (batch.entries.length === 0) return;
    for (const listener of this.listeners) {
      try {
        await listener(batch);
      } catch (error) {
        this.logger.error(`after chaining: ${(error as Error).message}`);
      }
    }
  }
}

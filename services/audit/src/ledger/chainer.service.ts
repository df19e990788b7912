import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Pool } from 'pg';
import { MessagingHost } from '@custody/messaging';
import { lookUp, PeriodicJob } from '@custody/platform';
import { AuditConfig } from '../config';
import { PG_POOL } from '../store/store.module';
import { Chainer, type ChainedBatch } from './chainer';

/** Called after each chained batch (invariant checks, read models). */
export type BatchListener = (batch: ChainedBatch) => Promise<void>;

/**
 * Runs the chainer in the background: a batch whenever entries wait. It is woken by this
 * instance's consumer as soon as a transaction of it has recorded an entry; the poll
 * (LEDGER_CHAIN_INTERVAL_MS) remains for entries recorded by another instance.
 */
@Injectable()
export class ChainerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Chainer');
  private readonly chainer: Chainer;
  private readonly listeners: BatchListener[] = [];
  private readonly job: PeriodicJob<number>;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    config: AuditConfig,
    private readonly moduleRef: ModuleRef,
  ) {
    this.chainer = new Chainer(pool, config.DATABASE_SCHEMA, config.LEDGER_CHAIN_BATCH, config.INVARIANT_CHECK_DELAY_MS);
    // A batch whenever entries wait, else a short pause. Again at once after a full batch only:
    // after a partial one the pending entries were all taken, and what this instance's consumer
    // records meanwhile wakes the job (another instance's entries wait for the poll). Looking again
    // after every batch cost one statement per batch, most finding nothing (docs/performance.md).
    const batchSize = config.LEDGER_CHAIN_BATCH;
    this.job = new PeriodicJob({
      name: 'chaining',
      intervalMs: config.LEDGER_CHAIN_INTERVAL_MS,
      runAtStart: true,
      again: (taken) => taken >= batchSize,
      run: () => this.chainBatch(),
    });
  }

  onBatch(listener: BatchListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    // An entry is recorded by the consumer's transaction: 'processed' comes after its commit.
    // None in an application without a consumer (some tests).
    lookUp(this.moduleRef, MessagingHost)?.addOutcomeListener((outcome) => {
      if (outcome.kind === 'processed') this.job.wake();
    });
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Chains everything pending now (tests and on-demand checks). */
  async chainPending(): Promise<void> {
    while ((await this.chainBatch()) > 0);
  }

  /** One batch; says how many pending entries it took (0: none waited, or another instance holds the lock). */
  private async chainBatch(): Promise<number> {
    const batch = await this.chainer.chainBatch();
    if (!batch || batch.taken === 0) return 0;
    await this.publish(batch);
    return batch.taken;
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

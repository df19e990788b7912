import { Inject, Injectable, Logger, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
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
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    private readonly config: AuditConfig,
  ) {
    this.chainer = new Chainer(pool, config.DATABASE_SCHEMA, config.LEDGER_CHAIN_BATCH);
  }

  onBatch(listener: BatchListener): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Chains everything pending now (tests and on-demand checks). */
  async chainPending(): Promise<void> {
    for (;;) {
      const batch = await this.chainer.chainBatch();
      if (!batch || batch.taken === 0) return;
      await this.publish(batch);
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.chainer.chainBatch();
        if (batch && batch.taken > 0) {
          await this.publish(batch);
          continue;
        }
      } catch (error) {
        if (this.running) this.logger.error(`chaining failed: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.LEDGER_CHAIN_INTERVAL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
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

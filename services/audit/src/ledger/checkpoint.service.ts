import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { PeriodicJob } from '@custody/platform';
import { AuditConfig } from '../config';
import { loadSigningKey, publicKeyPem, signCheckpoint, type Checkpoint, type SigningKey } from './checkpoint';
import { readCheckpoints, recordCheckpoint } from './checkpoints';
import { PG_POOL } from '../store/store.module';
import { LedgerRepository } from './ledger.repository';

/**
 * Signs the ledger's head (Merkle root and size) with the configured Ed25519 key, periodically
 * and only when the ledger grew, into the service's event store; the relay publishes it.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Checkpoints');
  readonly key?: SigningKey;
  private readonly job: PeriodicJob<Checkpoint | undefined>;

  constructor(
    config: AuditConfig,
    private readonly ledger: LedgerRepository,
    private readonly store: PostgresEventStore,
    @Inject(PG_POOL) pool: Pool,
  ) {
    if (config.AUDIT_SIGNING_KEY) this.key = loadSigningKey(config.AUDIT_SIGNING_KEY, config.AUDIT_SIGNING_KEY_ID);
    // An unsigned ledger proves nothing to anyone outside the database: only local development runs without a key.
    else if (config.AUTH_MODE !== 'off') {
      throw new Error('AUDIT_SIGNING_KEY is required (an Ed25519 private key, PEM or base64: openssl genpkey -algorithm ed25519); only AUTH_MODE=off runs without one');
    }
    this.job = new PeriodicJob({
      name: 'ledger checkpoint',
      intervalMs: config.AUDIT_CHECKPOINT_INTERVAL_MS,
      lock: { pool, key: `${config.DATABASE_SCHEMA}.ledger-checkpoint` },
      run: () => this.signIfGrown(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.key) {
      this.logger.warn('AUDIT_SIGNING_KEY is not set (AUTH_MODE=off, local development): no checkpoint of the ledger will be signed');
      return;
    }
    await this.ledger.rememberSigningKey(this.key.keyId, publicKeyPem(this.key.publicKey));
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /** Signs the current head unless the last checkpoint already covers it; returns the checkpoint in force. */
  async signIfGrown(): Promise<Checkpoint | undefined> {
    if (!this.key) return undefined;
    const head = await this.ledger.head();
    const checkpoints = await readCheckpoints(this.store);
    const last = checkpoints[checkpoints.length - 1];
    if (head.size === 0 || (last && last.entryCount >= head.size)) return last;
    const checkpoint = signCheckpoint({ entryCount: head.size, headHash: head.headHash!, merkleRoot: head.frontier.root() }, this.key);
    await recordCheckpoint(this.store, checkpoint, new Date().toISOString());
    return checkpoint;
  }
}

import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Pool } from 'pg';
import { PeriodicJob, type PeriodicJobStatus } from '@custody/platform';
import { AuditConfig } from '../config';
import { PG_POOL } from '../store/store.module';
import { AuditLedger, type LedgerVerification } from './audit-ledger';

/**
 * The whole chain verified in the background (docs/adr/0020-background-ledger-verification.md):
 * every AUDIT_VERIFY_INTERVAL_MS, in one instance at a time (an advisory lock), the report recorded
 * in `ledger_verifications`. `GET /ledger/verify` answers the latest report, so that auditors
 * opening the page no longer each cost a scan of the ledger; `?fromPosition=N` still verifies on
 * request. A report that finds the chain broken is logged at error and shows in
 * `custody_ledger_verified_intact`.
 */
@Injectable()
export class LedgerVerificationService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LedgerVerification');
  private readonly job: PeriodicJob<LedgerVerification>;
  private readonly intervalMs: number;

  constructor(
    config: AuditConfig,
    private readonly ledger: AuditLedger,
    @Inject(PG_POOL) pool: Pool,
  ) {
    this.intervalMs = config.AUDIT_VERIFY_INTERVAL_MS;
    this.job = new PeriodicJob({
      name: 'ledger verify',
      intervalMs: this.intervalMs,
      // At start too, unless another instance (or this one before a restart) verified within the interval.
      runAtStart: this.intervalMs > 0,
      lock: { pool, key: `${config.DATABASE_SCHEMA}.ledger-verify` },
      run: (signal) => this.runUnlessRecent(signal),
    });
  }

  /** Whether verifications run in the background (AUDIT_VERIFY_INTERVAL_MS > 0). */
  get isScheduled(): boolean {
    return this.intervalMs > 0;
  }

  /** What the background job did since the service started (runs, lock turns skipped, failures). */
  status(): PeriodicJobStatus {
    return this.job.status();
  }

  onApplicationBootstrap(): void {
    this.job.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }

  /**
   * The latest whole-chain verification: the recorded one, or, when none was recorded yet, one run
   * now (requests arriving meanwhile share it) and recorded.
   */
  async latest(): Promise<LedgerVerification> {
    const last = await this.ledger.repository.lastVerification();
    if (last) return last.report as LedgerVerification;
    return this.job.runNow();
  }

  /** A scheduled turn: verifies the whole chain unless the last recorded run is younger than the interval. */
  private async runUnlessRecent(signal: AbortSignal): Promise<LedgerVerification> {
    const last = await this.ledger.repository.lastVerification();
    if (last && Date.now() - last.verifiedAt.getTime() < this.intervalMs) return last.report as LedgerVerification;
    return this.verifyAndRecord(signal);
  }

  private async verifyAndRecord(signal: AbortSignal): Promise<LedgerVerification> {
    const startedAt = new Date();
    const report = await this.ledger.verify({ fromPosition: 0, signal });
    const verifiedAt = new Date();
    const verification: LedgerVerification = { ...report, startedAt: startedAt.toISOString(), verifiedAt: verifiedAt.toISOString(), trigger: 'background' };
    await this.ledger.repository.recordVerification({ startedAt, verifiedAt, isIntact: report.isIntact, size: report.size, report: verification });
    if (report.isIntact) {
      this.logger.log(`ledger verified intact: ${report.checked} entries, ${report.checkpointsMatched} checkpoint(s) matched, in ${verifiedAt.getTime() - startedAt.getTime()} ms`);
    } else {
      this.logger.error(`ledger verification found the chain broken at position ${report.break?.position} (${report.break?.kind}): ${report.break?.message}`);
    }
    return verification;
  }
}

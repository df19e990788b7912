import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PostgresEventStore } from '@custody/event-store';
import type { Pool } from 'pg';
import { AuditConfig } from '../config';
import { LedgerJurisdictions } from '../jurisdiction/ledger-jurisdictions';
import { LedgerRepository, quoted } from '../ledger/ledger.repository';
import { PG_POOL } from '../store/store.module';
import { FindingsRepository } from './findings.repository';
import { type CheckReport, InvariantChecker } from './invariant-checker';
import { rebuildFindings, stateDigest, type StateDigest } from './state-digest';

/**
 * Runs the invariant checks in the background: every subject the chainer marked (its newly
 * chained entries), and every subject whose grace period or deadline runs out, is checked and
 * its findings reconciled. Also checks on demand, rebuilds the findings and digests the state.
 */
@Injectable()
export class FindingsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Invariants');
  readonly findings: FindingsRepository;
  readonly checker: InvariantChecker;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly config: AuditConfig,
    private readonly store: PostgresEventStore,
    ledger: LedgerRepository,
    private readonly jurisdictions: LedgerJurisdictions,
  ) {
    this.findings = new FindingsRepository(pool, config.DATABASE_SCHEMA);
    this.checker = new InvariantChecker(ledger, store, this.findings, config.DATABASE_SCHEMA, config.INVARIANT_GRACE_PERIOD_MS, config.COMMAND_LATE_RECORDING_DAYS);
  }

  async onApplicationBootstrap(): Promise<void> {
    await FindingsRepository.migrate(this.pool, this.config.DATABASE_SCHEMA);
    this.running = true;
    this.loop = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Checks every subject now due; returns how many were checked. */
  async checkDue(limit = 200): Promise<number> {
    const now = new Date().toISOString();
    const due = await this.findings.dueSubjects(limit, now);
    for (const mark of due) await this.checker.check(mark.subject, now, mark);
    return due.length;
  }

  /**
   * On demand: one person, one facility, or everyone and every facility in the ledger (only
   * those of `visible` states when given: the caller's).
   */
  async checkNow(target: { inmateId?: string; facilityId?: string } = {}, visible?: string[]): Promise<CheckReport[]> {
    const now = new Date().toISOString();
    let subjects: string[];
    if (target.inmateId || target.facilityId) {
      subjects = [...(target.inmateId ? [`inmate/${target.inmateId}`] : []), ...(target.facilityId ? [`facility/${target.facilityId}`] : [])];
    } else {
      const s = quoted(this.config.DATABASE_SCHEMA);
      const { rows } = await this.pool.query<{ subject: string }>(
        `SELECT DISTINCT 'inmate/' || inmate_id AS subject FROM ${s}.ledger WHERE inmate_id IS NOT NULL
         UNION SELECT DISTINCT subject FROM ${s}.ledger WHERE subject LIKE 'facility/%' ORDER BY subject`,
      );
      subjects = rows.map((r) => r.subject);
      if (visible) subjects = (await this.jurisdictions.visibleOnly(subjects.map((subject) => ({ subject })), visible)).map((s) => s.subject);
    }
    const reports: CheckReport[] = [];
    for (const subject of subjects) reports.push(await this.checker.check(subject, now));
    return reports;
  }

  rebuild(): Promise<StateDigest> {
    return rebuildFindings(this.pool, this.store, this.config.DATABASE_SCHEMA);
  }

  digest(): Promise<StateDigest> {
    return stateDigest(this.pool, this.config.DATABASE_SCHEMA, this.findings);
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        if ((await this.checkDue()) > 0) continue;
      } catch (error) {
        if (this.running) this.logger.error(`invariant check failed: ${(error as Error).message}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.INVARIANT_CHECK_INTERVAL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

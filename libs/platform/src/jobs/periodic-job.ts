import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';

// Advisory lock class of periodic jobs (the second key is the hash of the job's lock key).
const JOB_LOCK_CLASS = 0x4a4f4253;

export interface PeriodicJobOptions<T> {
  /** Names the job in logs and in its lock. */
  name: string;
  /** Time between the end of a run and the start of the next; 0 or less: never on its own (on demand, or once at start). */
  intervalMs: number;
  /** One run. `signal` is aborted when the job stops: a long run may end early between two steps. */
  run: (signal: AbortSignal) => Promise<T>;
  /** Also runs as soon as the job starts, not only after the first interval. */
  runAtStart?: boolean;
  /**
   * Scheduled runs only in the instance that holds this PostgreSQL advisory lock, taken for each
   * run and given back after it; an instance that finds it held skips that turn. Runs on demand
   * ({@link PeriodicJob.runNow}) do not take it: the work of a job must be safe twice anyway.
   */
  lock?: { pool: Pool; key: string };
  /** Runs again at once, without waiting for the interval, while the last run says so (e.g. a full batch). */
  again?: (result: T) => boolean;
}

/** What a job did since it started (health, tests). */
export interface PeriodicJobStatus {
  name: string;
  runs: number;
  failures: number;
  /** Scheduled turns given up because another instance held the lock. */
  skipped: number;
  isRunning: boolean;
  lastError?: string;
}

/**
 * A background job with the application: runs every `intervalMs`, one run at a time (a run asked
 * for while one is under way joins it), errors logged and counted without ending the loop.
 * `stop()` cancels the next turn and waits for the run in progress, so that the pools it uses
 * close after it (call it from beforeApplicationShutdown).
 */
export class PeriodicJob<T> {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private isStarted = false;
  private abort = new AbortController();
  private running?: Promise<T>;
  private turn?: Promise<void>;
  /** A wake-up came while a turn was under way: the next turn follows it at once. */
  private isWoken = false;
  private readonly counts = { runs: 0, failures: 0, skipped: 0 };
  private lastError?: string;

  constructor(private readonly options: PeriodicJobOptions<T>) {
    this.logger = new Logger(options.name);
  }

  get name(): string {
    return this.options.name;
  }

  start(): void {
    if (this.isStarted) return;
    this.isStarted = true;
    this.abort = new AbortController();
    if (this.options.runAtStart) this.schedule(0);
    else if (this.options.intervalMs > 0) this.schedule(this.options.intervalMs);
  }

  /** Cancels the next turn and waits for the run in progress (asked to stop through its signal). */
  async stop(): Promise<void> {
    this.isStarted = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.turn;
    await this.running?.catch(() => undefined);
  }

  /**
   * Asks for a scheduled turn now rather than after the interval: a job waiting for its next turn
   * takes it at once; a job whose turn is under way takes another as soon as it ends (what woke it
   * may have come after the turn looked). The lock, the counts and the logging are the scheduled
   * turn's. Nothing happens before start or after stop.
   */
  wake(): void {
    if (!this.isStarted) return;
    if (this.timer && !this.turn) {
      clearTimeout(this.timer);
      this.schedule(0);
      return;
    }
    this.isWoken = true;
  }

  /** One run now, or the one under way; its error is the caller's (and counted). */
  runNow(): Promise<T> {
    this.running ??= this.execute().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  status(): PeriodicJobStatus {
    return { name: this.options.name, ...this.counts, isRunning: this.running !== undefined, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  private async execute(): Promise<T> {
    try {
      const result = await this.options.run(this.abort.signal);
      this.counts.runs++;
      return result;
    } catch (error) {
      this.counts.failures++;
      this.lastError = (error as Error).message;
      throw error;
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.isWoken = false;
      this.turn = this.scheduledTurn().then((isAgain) => {
        this.turn = undefined;
        if (!this.isStarted) return;
        if (isAgain || this.isWoken) this.schedule(0);
        else if (this.options.intervalMs > 0) this.schedule(this.options.intervalMs);
      });
    }, delayMs);
    // The job never keeps the process alive on its own: the application does.
    this.timer.unref();
  }

  /** A scheduled run, under the lock when there is one; never throws. Says whether to run again at once. */
  private async scheduledTurn(): Promise<boolean> {
    try {
      const outcome = this.options.lock ? await this.underLock(() => this.runNow()) : { result: await this.runNow() };
      if (!outcome) {
        this.counts.skipped++;
        return false;
      }
      return this.options.again?.(outcome.result) ?? false;
    } catch (error) {
      if (this.isStarted) this.logger.error(`${this.options.name} failed: ${(error as Error).message}`);
      return false;
    }
  }

  /** Runs `work` while holding the job's advisory lock; undefined when another session holds it. */
  private async underLock(work: () => Promise<T>): Promise<{ result: T } | undefined> {
    const { pool, key } = this.options.lock!;
    const client = await pool.connect();
    // A connection that failed is not given back to the pool (its session, and the lock, are gone).
    let broken: Error | undefined;
    const onBroken = (error: Error) => {
      broken = error;
      throw error;
    };
    // Dropped while the work runs (the database restarted): noted, never an unhandled 'error' event.
    const onLost = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onLost);
    try {
      const { rows } = await client
        .query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [JOB_LOCK_CLASS, key])
        .catch(onBroken);
      if (!rows[0].ok) return undefined;
      try {
        return { result: await work() };
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCK_CLASS, key]).catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      client.off('error', onLost);
      client.release(broken);
    }
  }
}

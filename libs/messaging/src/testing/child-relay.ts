import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const workspaceRoot = resolve(__dirname, '..', '..', '..', '..');

export interface RelayReport {
  kind: 'started' | 'active' | 'sent' | 'acked' | 'published';
  ids?: string[];
  at: number;
}

/** A relay running as a child process (relay-process.ts), and what it reported on stdout. */
export class ChildRelay {
  readonly reports: RelayReport[] = [];
  readonly stderr: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private listeners: Array<(report: RelayReport) => void> = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'relay-process.ts')], {
      cwd: workspaceRoot,
      env: { ...env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let report: RelayReport;
      try {
        report = { ...(JSON.parse(line) as Omit<RelayReport, 'at'>), at: Date.now() };
      } catch {
        return;
      }
      this.reports.push(report);
      for (const listener of this.listeners) listener(report);
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  get pid(): number {
    return this.child.pid!;
  }

  isActive(): boolean {
    return this.reports.some((r) => r.kind === 'active');
  }

  /** Event ids sent inside a transaction (committed or not). */
  sentIds(): string[] {
    return this.reports.filter((r) => r.kind === 'sent').flatMap((r) => r.ids ?? []);
  }

  /** Event ids whose batch the broker committed (some may not be checkpointed in the database). */
  ackedIds(): string[] {
    return this.reports.filter((r) => r.kind === 'acked').flatMap((r) => r.ids ?? []);
  }

  publishedIds(): string[] {
    return this.reports.filter((r) => r.kind === 'published').flatMap((r) => r.ids ?? []);
  }

  /** Calls `listener` synchronously on each report from now on (to kill at a precise moment). */
  onReport(listener: (report: RelayReport) => void): void {
    this.listeners.push(listener);
  }

  /** SIGKILL: no chance to release anything; the database sees its connections drop. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const workspaceRoot = resolve(__dirname, '..', '..', '..', '..');

export interface ConsumerReport {
  kind: 'starting' | 'joined' | 'processed' | 'log';
  assignment?: Record<string, number[]>;
  id?: string;
  level?: string;
  message?: string;
  at: number;
}

/** A consumer running as a child process (consumer-process.ts), and what it reported on stdout. */
export class ChildConsumer {
  readonly reports: ConsumerReport[] = [];
  readonly stderr: string[] = [];
  /** When the process was spawned (Date.now()). */
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'consumer-process.ts')], {
      cwd: workspaceRoot,
      env: { ...env, SWC_NODE_PROJECT: join(workspaceRoot, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.reports.push({ ...(JSON.parse(line) as Omit<ConsumerReport, 'at'>), at: Date.now() });
      } catch {
        // not a report
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  /** The report of its joining the group with partitions, once it came. */
  joined(): ConsumerReport | undefined {
    return this.reports.find((r) => r.kind === 'joined');
  }

  /** The report of the event `id` applied, once it came. */
  processed(id: string): ConsumerReport | undefined {
    return this.reports.find((r) => r.kind === 'processed' && r.id === id);
  }

  logs(): string[] {
    return this.reports.filter((r) => r.kind === 'log').map((r) => `${r.level}: ${r.message}`);
  }

  /** SIGKILL: no chance to leave the group; the broker keeps its member until the session times out. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM: the consumer stops and leaves its group; the exit code (0 when it stopped cleanly). */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 20_000);
      const code = await this.exited;
      clearTimeout(timer);
      return code;
    }
    return this.exited;
  }
}

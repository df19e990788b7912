import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const workspaceRoot = resolve(__dirname, '..', '..', '..');

export type ServiceName = 'intake' | 'transfer' | 'custody' | 'audit';
export const SERVICE_NAMES: readonly ServiceName[] = ['intake', 'transfer', 'custody', 'audit'];

/** Every service process still alive: killed if the test process exits without stopping them. */
const alive = new Set<ChildProcess>();
process.once('exit', () => alive.forEach((child) => child.kill('SIGKILL')));

/**
 * The flags a service's Node.js runs with, as in the image (deploy/Dockerfile): the young
 * generation's semi-spaces at most 16 MB each (docs/performance.md, "Memory").
 */
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=16'];

/**
 * Compiles the services to JavaScript (`npm run build`, tools/build.mjs) once per test or benchmark
 * process, before its first service starts: what runs is always the sources of this checkout.
 */
export function buildServices(): void {
  if (process.env.CUSTODY_SERVICES_BUILT_IN === String(process.pid)) return;
  const run = spawnSync(process.execPath, [join(workspaceRoot, 'tools', 'build.mjs'), '--quiet'], { cwd: workspaceRoot, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the build of the services failed (node tools/build.mjs):\n${run.stderr || run.stdout}`);
  process.env.CUSTODY_SERVICES_BUILT_IN = String(process.pid);
}

/** A port nobody listens on now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * One service as an operating-system process of its own, started the way the image and `npm run dev`
 * start it (`node --max-semi-space-size=16 dist/js/services/<name>/src/main.js` from the repository root, built by
 * buildServices), configured only through its environment. Its output goes to a log file; the last lines are kept to explain
 * a failure.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private readonly tail: string[] = [];
  private peakRssKb = 0;
  private sampler?: NodeJS.Timeout;
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    readonly env: Record<string, string>,
    readonly logFile: string,
    readonly instance = 0,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get isRunning(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The largest resident set seen over every start (kB → MB), from the kernel's high-water mark. */
  get peakRssMb(): number {
    this.sampleRss();
    return this.peakRssKb / 1024;
  }

  /** Starts the process and waits until GET /health answers 200. */
  async start(extraEnv: Record<string, string> = {}, timeoutMs = 180_000): Promise<void> {
    if (this.isRunning) throw new Error(`${this.label} is already running`);
    this.starts++;
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`\n===== start #${this.starts} ${new Date().toISOString()} =====\n`);
    buildServices();
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, join(workspaceRoot, 'dist', 'js', 'services', this.name, 'src', 'main.js')], {
      cwd: workspaceRoot,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        ...this.env,
        ...extraEnv,
        PORT: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    alive.add(child);
    child.once('exit', () => alive.delete(child));
    for (const stream of [child.stdout!, child.stderr!]) {
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        this.log?.write(chunk);
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          this.tail.push(line);
          if (this.tail.length > 60) this.tail.shift();
        }
      });
    }
    clearInterval(this.sampler);
    this.sampler = setInterval(() => this.sampleRss(), 500);
    this.sampler.unref();
    const exited = new Promise<never>((_, fail) =>
      child.once('exit', (code, signal) => fail(new Error(`${this.label} exited (${signal ?? code}) before it was healthy:\n${this.lastLines()}`))),
    );
    exited.catch(() => undefined);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.healthy()) return;
      if (Date.now() > deadline) throw new Error(`${this.label} not healthy after ${timeoutMs} ms:\n${this.lastLines()}`);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 200))]);
    }
  }

  /** SIGKILL: the process dies at once, mid-transaction, mid-batch, without any shutdown hook. */
  kill(): Promise<void> {
    return this.signal('SIGKILL', 10_000);
  }

  /** SIGTERM (the services' shutdown hooks run), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    await this.signal('SIGTERM', graceMs).catch(() => this.signal('SIGKILL', 10_000));
  }

  async restart(extraEnv: Record<string, string> = {}): Promise<void> {
    await this.kill();
    await this.start(extraEnv);
  }

  /** Closes the log (after the last stop); resolves once everything written is in the file. */
  close(): Promise<void> {
    clearInterval(this.sampler);
    const log = this.log;
    this.log = undefined;
    return new Promise((done) => (log ? log.end(done) : done()));
  }

  lastLines(n = 40): string {
    return this.tail.slice(-n).map((l) => `  ${this.label}| ${l}`).join('\n');
  }

  get label(): string {
    return this.instance ? `${this.name}#${this.instance}` : this.name;
  }

  private async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  private signal(signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    this.sampleRss();
    return new Promise((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`${this.label} did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill(signal);
    });
  }

  private sampleRss(): void {
    const pid = this.child?.pid;
    if (!pid || !this.isRunning) return;
    try {
      const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) this.peakRssKb = Math.max(this.peakRssKb, Number(match[1]));
    } catch {
      // the process is gone, or this is not Linux: nothing to sample
    }
  }
}

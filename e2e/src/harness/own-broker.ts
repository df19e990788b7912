import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from './service-process';

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * A Kafka broker of the test's own: deploy/kafka/infra-up.sh on a free port pair, its data in a
 * temporary folder, so that the test may kill it and start it again without touching the shared
 * broker of the machine.
 */
export class OwnBroker {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  static async create(): Promise<OwnBroker> {
    for (let i = 0; i < 50; i++) {
      const port = 31092 + 2 * Math.floor(Math.random() * 1500);
      if ((await isFree(port)) && (await isFree(port + 1))) return new OwnBroker(port, mkdtempSync(join(tmpdir(), 'custody-e2e-kafka-')));
    }
    throw new Error('no free port pair for a broker of the test');
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Starts it (or waits for it) until it answers. */
  start(): Promise<string> {
    return this.script('infra-up.sh');
  }

  /** SIGKILL the broker's JVM: no controlled shutdown, log recovery on the next start. */
  kill(): void {
    const pid = Number(readFileSync(join(this.dataDir, 'broker.pid'), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
  }

  /** Stops it and deletes its data. */
  async destroy(): Promise<void> {
    await this.script('infra-down.sh', '--wipe').catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private script(name: string, ...args: string[]): Promise<string> {
    return new Promise((done, fail) => {
      const child = spawn('bash', [join(workspaceRoot, 'deploy', 'kafka', name), ...args], {
        cwd: workspaceRoot,
        env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_DATA_DIR: this.dataDir, KAFKA_START_TIMEOUT: '240', KAFKA_STOP_TIMEOUT: '60' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', fail);
      child.once('exit', (code) => (code === 0 ? done(output) : fail(new Error(`${name} exited with ${code}:\n${output}`))));
    });
  }
}

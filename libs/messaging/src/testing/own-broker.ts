import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspaceRoot = resolve(__dirname, '..', '..', '..', '..');

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/**
 * A Kafka broker of one test's own (deploy/kafka/infra-up.sh on a free port, data in a
 * temporary folder), which the test may stop and start again without disturbing the shared one.
 */
export class OwnBroker {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
  ) {}

  /** Picks a free client port (and the controller port after it) above 29092. */
  static async create(): Promise<OwnBroker> {
    for (let i = 0; i < 50; i++) {
      const port = 29092 + 2 * Math.floor(Math.random() * 2000);
      if ((await isFree(port)) && (await isFree(port + 1))) {
        return new OwnBroker(port, mkdtempSync(join(tmpdir(), 'custody-kafka-')));
      }
    }
    throw new Error('no free port pair for a test broker');
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  start(): Promise<string> {
    return this.script('infra-up.sh');
  }

  stop(): Promise<string> {
    return this.script('infra-down.sh');
  }

  /** Stops the broker and deletes its data. */
  destroy(): Promise<string> {
    return this.script('infra-down.sh', '--wipe');
  }

  private script(name: string, ...args: string[]): Promise<string> {
    return new Promise((done, fail) => {
      const child = spawn('bash', [join(workspaceRoot, 'deploy', 'kafka', name), ...args], {
        cwd: workspaceRoot,
        env: {
          ...process.env,
          KAFKA_PORT: String(this.port),
          KAFKA_DATA_DIR: this.dataDir,
          KAFKA_START_TIMEOUT: '240',
          KAFKA_STOP_TIMEOUT: '60',
        },
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

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const workspaceRoot = resolve(__dirname, '..', '..', '..');

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** What a Kafka of the test's own is started with. */
export interface OwnKafkaOptions {
  /** SCRAM-SHA-512 users stored when the storage is formatted (a node alone): `user:password` each. */
  scramUsers?: string[];
  /** The broker's heap (KAFKA_HEAP_OPTS; infra-up.sh's default when absent). */
  heap?: string;
}

/**
 * A Kafka of the test's own, one node or a three-node cluster, started by deploy/kafka/infra-up.sh
 * (the same jars and settings as `npm run infra:up`) on free loopback ports with its data in a
 * temporary folder: a test may SIGKILL a node and start it again without touching the machine's
 * shared broker. Node i listens on `port + 2(i-1)` (clients) and the port above it (controller);
 * a node alone also on `port + 2`, its SASL/SCRAM listener with the broker's ACLs ({@link scramPort}).
 */
export class OwnKafka {
  private constructor(
    readonly nodes: 1 | 3,
    readonly port: number,
    readonly dataDir: string,
    private readonly options: OwnKafkaOptions = {},
  ) {}

  static async create(nodes: 1 | 3 = 1, options: OwnKafkaOptions = {}): Promise<OwnKafka> {
    const width = nodes === 1 ? 3 : 6;
    for (let i = 0; i < 100; i++) {
      const port = 31092 + width * Math.floor(Math.random() * 1000);
      const ports = Array.from({ length: width }, (_, k) => port + k);
      if ((await Promise.all(ports.map(isFree))).every(Boolean)) return new OwnKafka(nodes, port, mkdtempSync(join(tmpdir(), 'custody-kafka-')), options);
    }
    throw new Error('no free ports for a Kafka of the test');
  }

  /** The SASL/SCRAM listener of a node alone, where clients are authorised by ACLs. */
  get scramPort(): number {
    if (this.nodes !== 1) throw new Error('a three-node Kafka of the test has no SCRAM listener');
    return this.port + 2;
  }

  /** The client port of node `node` (1-based). */
  portOf(node: number): number {
    return this.port + 2 * (node - 1);
  }

  /** Every node's address. */
  get brokerList(): string[] {
    return Array.from({ length: this.nodes }, (_, i) => `127.0.0.1:${this.portOf(i + 1)}`);
  }

  /** Every node's address, as KAFKA_BROKERS takes them. */
  get brokers(): string {
    return this.brokerList.join(',');
  }

  /** Starts every node that is not running (all of them the first time) and waits until the whole cluster answers. */
  start(): Promise<string> {
    return this.script('infra-up.sh');
  }

  /** Stops every node (SIGTERM, controlled shutdown); the data stays for the next start. */
  stop(): Promise<string> {
    return this.script('infra-down.sh');
  }

  /** SIGKILL of one node's JVM: no controlled shutdown, log recovery when it starts again. */
  kill(node = 1): void {
    const folder = this.nodes === 3 ? join(this.dataDir, `node-${node}`) : this.dataDir;
    process.kill(Number(readFileSync(join(folder, 'broker.pid'), 'utf8').trim()), 'SIGKILL');
  }

  /** Stops every node and deletes the data. */
  async destroy(): Promise<void> {
    await this.script('infra-down.sh', '--wipe').catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private script(name: string, ...args: string[]): Promise<string> {
    return new Promise((done, fail) => {
      const child = spawn('bash', [join(workspaceRoot, 'deploy', 'kafka', name), ...args], {
        cwd: workspaceRoot,
        env: {
          ...process.env,
          KAFKA_NODES: String(this.nodes),
          KAFKA_PORT: String(this.port),
          KAFKA_DATA_DIR: this.dataDir,
          KAFKA_START_TIMEOUT: '300',
          KAFKA_STOP_TIMEOUT: '60',
          ...(this.nodes === 1 ? { KAFKA_SCRAM_PORT: String(this.scramPort) } : {}),
          ...(this.options.scramUsers ? { KAFKA_SCRAM_USERS: this.options.scramUsers.join(',') } : {}),
          ...(this.options.heap ? { KAFKA_HEAP_OPTS: this.options.heap } : {}),
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

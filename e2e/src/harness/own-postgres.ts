import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Client } from 'pg';
import { freePort } from './service-process';

/** How a cluster stops: `fast` ends the sessions and writes a checkpoint; `immediate` is a crash (WAL replay at the next start). */
export type StopMode = 'fast' | 'immediate';

function run(command: string, args: string[], timeoutMs = 180_000): Promise<string> {
  return new Promise((done, fail) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) =>
      error ? fail(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stdout}${stderr}`)) : done(stdout),
    );
  });
}

/**
 * A PostgreSQL cluster of the test's own, made with the distribution's cluster tools
 * (`pg_createcluster`, `pg_ctlcluster`, `pg_dropcluster` from postgresql-common) on a free loopback
 * port, trust authentication, started by hand only (start.conf `manual`): a test may restart it or
 * stop it for a while without touching the machine's shared server. Needs the cluster tools and
 * the right to use them (root, or the postgres user).
 */
export class OwnPostgres {
  private constructor(
    readonly version: string,
    readonly name: string,
    readonly port: number,
  ) {}

  /** Creates the cluster (not started) with the newest installed server version. */
  static async create(label = 'test'): Promise<OwnPostgres> {
    const versions = readdirSync('/etc/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    if (versions.length === 0) throw new Error('no PostgreSQL server installed (no version under /etc/postgresql): the suite needs pg_createcluster');
    const cluster = new OwnPostgres(versions[0], `${label}_${randomBytes(3).toString('hex')}`, await freePort());
    await run('pg_createcluster', [
      cluster.version, cluster.name, '--port', String(cluster.port), '--start-conf', 'manual',
      '-o', 'max_connections=200',
      '--', '--auth=trust', '--no-sync',
    ]);
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Starts the cluster and waits until it accepts connections. */
  async start(): Promise<void> {
    await this.ctl('start');
    await this.ready();
  }

  /** Stops the cluster; every session ends. */
  stop(mode: StopMode = 'fast'): Promise<void> {
    return this.ctl('stop', `--mode=${mode}`).then(() => undefined);
  }

  /** Stops and starts again; resolves once it accepts connections. */
  async restart(mode: StopMode = 'fast'): Promise<void> {
    await this.stop(mode);
    await this.start();
  }

  /** Stops the cluster and deletes it with its data. */
  async destroy(): Promise<void> {
    await run('pg_dropcluster', ['--stop', this.version, this.name]).catch(() => undefined);
  }

  /** Waits until a session can run a query (the cluster is out of recovery and accepts connections). */
  async ready(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL cluster ${this.name} not ready after ${timeoutMs} ms: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  private ctl(action: string, ...options: string[]): Promise<string> {
    // Never handed to systemd: the cluster is the test's, started and stopped by it alone.
    return run('pg_ctlcluster', ['--skip-systemctl-redirect', ...options, this.version, this.name, action]);
  }
}

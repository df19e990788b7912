import { connect } from 'node:net';
import { request } from 'node:http';
import { existsSync } from 'node:fs';

/** Where the real broker and database of this test run are. */
export interface Infrastructure {
  kafkaBrokers: string[];
  databaseUrl: string;
  /** How each was found, for the test log. */
  source: { kafka: string; database: string };
}

/** Raised when a test needs a real service that cannot be found: says how to get it. */
export class MissingInfrastructureError extends Error {
  constructor(what: string, howToGetIt: string) {
    super(`${what} is not reachable. ${howToGetIt}`);
    this.name = 'MissingInfrastructureError';
  }
}

export const DEFAULT_KAFKA_BROKERS = '127.0.0.1:9092';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const HOW_TO_GET_KAFKA =
  'Start the local broker with `npm run infra:up` (Java 17 and Maven; no Docker needed) and set ' +
  `KAFKA_BROKERS=${DEFAULT_KAFKA_BROKERS}, or run where a Docker engine answers so that testcontainers can start one.`;
const HOW_TO_GET_POSTGRES =
  'Start a PostgreSQL server and set DATABASE_URL (for example ' +
  `${DEFAULT_DATABASE_URL}), or run where a Docker engine answers so that testcontainers can start one.`;

/** True when a TCP connection to host:port opens within the timeout. */
export function canConnect(hostPort: string, timeoutMs = 1500): Promise<boolean> {
  const { host, port } = parseHostPort(hostPort);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function parseHostPort(hostPort: string): { host: string; port: number } {
  const at = hostPort.lastIndexOf(':');
  if (at < 0) throw new Error(`"${hostPort}" is not host:port`);
  return { host: hostPort.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(hostPort.slice(at + 1)) };
}

function databaseHostPort(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

/** True when a Docker engine answers its ping on the usual socket (or DOCKER_HOST). */
export function dockerAnswers(timeoutMs = 1500): Promise<boolean> {
  const dockerHost = process.env.DOCKER_HOST;
  const socketPath = dockerHost?.startsWith('unix://') ? dockerHost.slice('unix://'.length) : '/var/run/docker.sock';
  if (dockerHost && !dockerHost.startsWith('unix://')) {
    const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return ping({ host: url.hostname, port: Number(url.port) }, timeoutMs);
  }
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return ping({ socketPath }, timeoutMs);
}

function ping(target: { socketPath: string } | { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

export interface StartedContainers {
  stop(): Promise<void>;
}

/**
 * Decides, once per test run, where the broker and the database are:
 * 1. the services named by KAFKA_BROKERS / DATABASE_URL;
 * 2. containers started by testcontainers when a Docker engine answers;
 * 3. the local services that `npm run infra:up` and a local PostgreSQL provide, if they answer;
 * otherwise a MissingInfrastructureError that says which command provides them.
 */
export async function resolveInfrastructure(): Promise<{ infrastructure: Infrastructure; containers: StartedContainers[] }> {
  const containers: StartedContainers[] = [];
  const kafka = await resolveKafka(containers);
  const database = await resolveDatabase(containers);
  return {
    infrastructure: {
      kafkaBrokers: kafka.brokers,
      databaseUrl: database.url,
      source: { kafka: kafka.source, database: database.source },
    },
    containers,
  };
}

async function resolveKafka(containers: StartedContainers[]): Promise<{ brokers: string[]; source: string }> {
  const named = process.env.KAFKA_BROKERS;
  if (named) {
    const brokers = named.split(',').map((b) => b.trim()).filter(Boolean);
    if (!(await canConnect(brokers[0]))) {
      throw new MissingInfrastructureError(`Kafka at KAFKA_BROKERS=${named}`, HOW_TO_GET_KAFKA);
    }
    return { brokers, source: 'KAFKA_BROKERS' };
  }
  if (await dockerAnswers()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    // Confluent Platform 8 is Apache Kafka 4 in KRaft mode: the image this module drives.
    const container = await new KafkaContainer('confluentinc/cp-kafka:8.1.0').start();
    containers.push({ stop: async () => void (await container.stop()) });
    return { brokers: [`${container.getHost()}:${container.getMappedPort(9093)}`], source: 'testcontainers' };
  }
  if (await canConnect(DEFAULT_KAFKA_BROKERS)) {
    return { brokers: [DEFAULT_KAFKA_BROKERS], source: 'local broker (npm run infra:up)' };
  }
  throw new MissingInfrastructureError('No Kafka broker', HOW_TO_GET_KAFKA);
}

async function resolveDatabase(containers: StartedContainers[]): Promise<{ url: string; source: string }> {
  const named = process.env.DATABASE_URL;
  if (named) {
    if (!(await canConnect(databaseHostPort(named)))) {
      throw new MissingInfrastructureError(`PostgreSQL at DATABASE_URL=${named}`, HOW_TO_GET_POSTGRES);
    }
    return { url: named, source: 'DATABASE_URL' };
  }
  if (await dockerAnswers()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17').start();
    containers.push({ stop: async () => void (await container.stop()) });
    return { url: container.getConnectionUri(), source: 'testcontainers' };
  }
  if (await canConnect(databaseHostPort(DEFAULT_DATABASE_URL))) {
    return { url: DEFAULT_DATABASE_URL, source: 'local PostgreSQL' };
  }
  throw new MissingInfrastructureError('No PostgreSQL server', HOW_TO_GET_POSTGRES);
}

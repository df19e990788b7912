import { Pool } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { MissingInfrastructureError } from './infrastructure';
import { uniqueName, uniqueSchemaName } from './names';

/** The broker addresses of this test run. */
export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) {
    throw new MissingInfrastructureError(
      'KAFKA_BROKERS is not set for this test',
      'Integration tests run through the int-test target, whose globalSetup finds the broker (npm test).',
    );
  }
  return brokers.split(',');
}

/** The database URL of this test run. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new MissingInfrastructureError(
      'DATABASE_URL is not set for this test',
      'Integration tests run through the int-test target, whose globalSetup finds the database (npm test).',
    );
  }
  return url;
}

/** A kafkajs client on the test broker, quiet unless something is wrong. */
export function testKafka(label = 'test'): Kafka {
  return new Kafka({ clientId: uniqueName(label), brokers: kafkaBrokers(), logLevel: logLevel.ERROR });
}

/** Creates topics that no other run uses and waits until each has a leader. */
export async function createTestTopics(
  labels: string[],
  { partitions = 1 }: { partitions?: number } = {},
): Promise<string[]> {
  const names = labels.map((label) => uniqueName(label));
  const admin = testKafka('admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: false,
      topics: names.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
    });
    // kafkajs's own wait for leaders gives up on "This server does not host this topic-partition",
    // which a loaded broker answers until its metadata has caught up with the new topic: wait here,
    // taking that answer as "not yet".
    const deadline = Date.now() + 60_000;
    for (;;) {
      let detail: string;
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: names });
        if (topics.length === names.length && topics.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0))) break;
        detail = 'some partition has no leader yet';
      } catch (error) {
        detail = (error as Error).message;
      }
      if (Date.now() > deadline) throw new Error(`the test topics ${names.join(', ')} got no leader within 60 s (${detail}): is the broker at ${kafkaBrokers().join(',')} healthy?`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
  return names;
}

/** A schema of its own in the test database, and a pool whose connections use it. Drop it when done. */
export interface TestSchema {
  schema: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** Creates a fresh schema for one test suite. */
export async function createTestSchema(label: string): Promise<TestSchema> {
  const schema = uniqueSchemaName(label);
  const admin = new Pool({ connectionString: databaseUrl(), max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.end();
  const pool = new Pool({ connectionString: databaseUrl(), options: `-c search_path="${schema}"`, max: 10 });
  return {
    schema,
    pool,
    async drop() {
      await pool.end();
      const cleanup = new Pool({ connectionString: databaseUrl(), max: 1 });
      await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await cleanup.end();
    },
  };
}

/**
 * Waits until `check` returns a value other than undefined, polling; fails after `timeoutMs`
 * with `message` (never a fixed sleep).
 */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 20_000, intervalMs = 50, message = 'condition' }: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

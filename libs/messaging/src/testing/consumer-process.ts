/**
 * A consumer as its own process, for the tests that kill it (SIGKILL) or stop it (SIGTERM) and
 * start another member of its group:
 *
 *   node -r @swc-node/register consumer-process.ts   (SWC_NODE_PROJECT=tsconfig.base.json)
 *
 * It consumes the intake events topic of its test world (TOPIC_PREFIX) in group GROUP_ID, and
 * records one effect per event in CONSUMER_SCHEMA (the harness's effects table, through the inbox).
 *
 * Environment: DATABASE_URL, KAFKA_BROKERS, CONSUMER_SCHEMA, TOPIC_PREFIX, GROUP_ID, and
 * optionally INSTANCE_ID (the consumer's instanceId: its previous run's member is removed at
 * start), SESSION_TIMEOUT_MS and HEARTBEAT_INTERVAL_MS.
 *
 * Reports on stdout, one JSON object per line: {"kind":"starting"} once its code is loaded and the
 * consumer about to start, {"kind":"joined","assignment":{…}} once it holds
 * its assignment, {"kind":"processed","id":"…"} per event applied, {"kind":"log","level","message"}
 * per line of the consumer's log. On SIGTERM it stops the consumer (leaving the group) and exits 0.
 */
import { TOPICS } from '@custody/contracts';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
import { Pool } from 'pg';
import { contractDecoder, TopicNames } from '../contract-codec';
import { EventConsumer } from '../consumer';
import { PostgresInbox } from '../inbox';
import { createKafka } from '../kafka';
import { Harness } from './harness';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const report = (line: object) => process.stdout.write(JSON.stringify(line) + '\n');
const optionalNumber = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);

async function main(): Promise<void> {
  const schema = env('CONSUMER_SCHEMA');
  const names = new TopicNames(process.env.TOPIC_PREFIX ?? '');
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 4, keepAlive: true });
  const store = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 200 });
  const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: `consumer-${process.pid}` });
  const consumer = new EventConsumer<PostgresTransaction>({
    kafka,
    groupId: env('GROUP_ID'),
    topics: [names.physical(TOPICS.intakeEvents)],
    decoder: contractDecoder(names),
    handlerFor: () => Harness.recordEffect,
    inbox: new PostgresInbox(store, schema),
    createDeadLetterTopics: false,
    sessionTimeoutMs: optionalNumber('SESSION_TIMEOUT_MS'),
    heartbeatIntervalMs: optionalNumber('HEARTBEAT_INTERVAL_MS'),
    instanceId: process.env.INSTANCE_ID || undefined,
    onOutcome: (outcome) => {
      if (outcome.kind === 'processed') report({ kind: 'processed', id: outcome.event.id });
    },
    log: (level, message) => report({ kind: 'log', level, message }),
  });
  report({ kind: 'starting' });
  await consumer.start();
  const joined = setInterval(() => {
    const status = consumer.status();
    if (status.joined && Object.values(status.assignment).some((partitions) => partitions.length > 0)) {
      clearInterval(joined);
      report({ kind: 'joined', assignment: status.assignment });
    }
  }, 20);

  process.once('SIGTERM', () => {
    void (async () => {
      clearInterval(joined);
      await consumer.stop();
      await store.close();
      await pool.end();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`consumer process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

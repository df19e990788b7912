/**
 * A relay as its own process, for the tests that kill it (SIGKILL) and start it again:
 *
 *   node -r @swc-node/register relay-process.ts   (SWC_NODE_PROJECT=tsconfig.base.json)
 *
 * It publishes through Kafka transactions as the services do (ADR 0009), with the transactional
 * id of its role in the test's world (TOPIC_PREFIX and RELAY_NAME), on the client RELAY_CLIENT
 * names (`platformatic`, the default, or `kafkajs`; ADR 0018).
 *
 * Environment: DATABASE_URL, KAFKA_BROKERS, RELAY_SCHEMA, TOPIC_PREFIX, and optionally
 * RELAY_NAME, RELAY_BATCH_SIZE, RELAY_LINGER_MS, RELAY_STANDBY_POLL_MS,
 * RELAY_PAUSE_BEFORE_COMMIT_MS (a pause with the batch sent inside its transaction and the
 * transaction not committed) and RELAY_PAUSE_AFTER_ACK_MS (a pause between the commit of a batch
 * and the checkpoint row), so that a test can kill the process inside either window.
 *
 * Reports on stdout, one JSON object per line: {"kind":"started"}, {"kind":"active"},
 * {"kind":"sent","ids":[…]} (in the open transaction), {"kind":"acked","ids":[…]} (the broker
 * committed the batch with its checkpoint; the checkpoint row is not written yet) and
 * {"kind":"published","ids":[…]} (the checkpoint row moved).
 */
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { contractRoute, TopicNames } from '../contract-codec';
import { Relay } from '../relay';
import { RELAY_CHECKPOINT_TOPIC, relayTransactionalId } from '../relay-publishers';
import { RELAY_CLIENTS, type RelayClient } from '../relay-publisher-platformatic';
import { observedPublisher, type TransactionHooks } from './observed-kafka';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const report = (line: object) => process.stdout.write(JSON.stringify(line) + '\n');
const pause = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

async function main(): Promise<void> {
  const schema = env('RELAY_SCHEMA');
  const names = new TopicNames(process.env.TOPIC_PREFIX ?? '');
  const name = process.env.RELAY_NAME ?? 'intake';
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 4, keepAlive: true });
  const store = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 200 });
  const settings = { brokers: env('KAFKA_BROKERS').split(','), clientId: `relay-${process.pid}` };
  const client = (process.env.RELAY_CLIENT ?? 'platformatic') as RelayClient;
  if (!RELAY_CLIENTS.includes(client)) throw new Error(`RELAY_CLIENT must be one of ${RELAY_CLIENTS.join(', ')}`);
  const hooks: TransactionHooks = {
    afterSend: async (ids) => {
      report({ kind: 'sent', ids });
      await pause(Number(process.env.RELAY_PAUSE_BEFORE_COMMIT_MS ?? 0));
    },
    afterCommit: async (ids) => {
      report({ kind: 'acked', ids });
      await pause(Number(process.env.RELAY_PAUSE_AFTER_ACK_MS ?? 0));
    },
  };
  const role = { transactionalId: relayTransactionalId(names.prefix, name), checkpointTopic: names.physical(RELAY_CHECKPOINT_TOPIC) };
  const publisher = observedPublisher(client, settings, role, hooks);

  const relay = new Relay({
    name,
    store,
    pool,
    schema,
    publisher,
    route: contractRoute(names, { store }),
    batchSize: Number(process.env.RELAY_BATCH_SIZE ?? 100),
    lingerMs: Number(process.env.RELAY_LINGER_MS ?? 5),
    standbyPollMs: Number(process.env.RELAY_STANDBY_POLL_MS ?? 200),
    log: (level, message) => {
      if (message.includes('is active')) report({ kind: 'active' });
      else process.stderr.write(`[relay ${level}] ${message}\n`);
    },
    onPublished: (events) => report({ kind: 'published', ids: events.map((e) => e.id) }),
  });
  await relay.start();
  report({ kind: 'started' });

  const shutdown = async () => {
    await relay.stop();
    await store.close();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`relay process failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

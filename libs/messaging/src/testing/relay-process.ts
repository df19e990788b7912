/**
 * A relay as its own process, for the tests that kill it (SIGKILL) and start it again:
 *
 *   node -r @swc-node/register relay-process.ts   (SWC_NODE_PROJECT=tsconfig.base.json)
 *
 * Environment: DATABASE_URL, KAFKA_BROKERS, RELAY_SCHEMA, TOPIC_PREFIX, and optionally
 * RELAY_NAME, RELAY_BATCH_SIZE, RELAY_LINGER_MS, RELAY_STANDBY_POLL_MS and
 * RELAY_PAUSE_AFTER_ACK_MS (a pause between the broker's acknowledgement of a batch and the
 * checkpoint, so that a test can kill the process inside that window).
 *
 * Reports on stdout, one JSON object per line: {"kind":"started"}, {"kind":"active"},
 * {"kind":"acked","ids":[…]} (the broker acknowledged, the checkpoint is not written yet) and
 * {"kind":"published","ids":[…]} (the checkpoint moved).
 */
import { Pool } from 'pg';
import type { Producer } from 'kafkajs';
import { PostgresEventStore } from '@custody/event-store';
import { contractRoute, TopicNames } from '../contract-codec';
import { createKafka, custodyPartitioner } from '../kafka';
import { Relay } from '../relay';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const report = (line: object) => process.stdout.write(JSON.stringify(line) + '\n');

async function main(): Promise<void> {
  const schema = env('RELAY_SCHEMA');
  const pool = new Pool({ connectionString: env('DATABASE_URL'), max: 4 });
  const store = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 200 });
  const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: `relay-${process.pid}` });
  const producer = kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
  await producer.connect();

  const pauseAfterAck = Number(process.env.RELAY_PAUSE_AFTER_ACK_MS ?? 0);
  let lastAcked: string[] = [];
  const observed: Producer = Object.create(producer) as Producer;
  observed.sendBatch = async (batch) => {
    const result = await producer.sendBatch(batch);
    lastAcked = batch.topicMessages!.flatMap((t) => t.messages.map((m) => String((m.headers as Record<string, unknown>).ce_id)));
    report({ kind: 'acked', ids: lastAcked });
    if (pauseAfterAck > 0) await new Promise((resolve) => setTimeout(resolve, pauseAfterAck));
    return result;
  };

  const relay = new Relay({
    name: process.env.RELAY_NAME ?? 'intake',
    store,
    pool,
    schema,
    producer: observed,
    route: contractRoute(new TopicNames(process.env.TOPIC_PREFIX ?? '')),
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
    await producer.disconnect();
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

// `npm run bench -- kafka-client`: the project's Kafka client, kafkajs 2.2, beside @platformatic/kafka
// (pure JavaScript, maintained; docs/performance.md, "Choosing the Kafka client") on the same broker in
// the same run, the two taking turns within each repetition. Both send the messages the relay sends
// (the services' events, routed and batch-signed beforehand: the same keys, values and headers as
// Buffers, each with its partition given), in batches of the relay's size, to topics of their own:
//   - one Kafka transaction per batch (acks=all), as the relay publishes;
//   - a plain idempotent-free send per batch (acks=all), the raw baseline of the relay benchmark;
//   - a consumer group reading them all back read_committed from the start.
// Figures: events/s (median of the repetitions) and the client's own CPU per event (user + system of
// this process over the run), since on two cores the client's CPU is taken from the services.
//   env: KAFKA_BROKERS (127.0.0.1:9092), KAFKA_CLIENT_BENCH_EVENTS (20000), KAFKA_CLIENT_BENCH_BATCH (500)
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Consumer as PlatformaticConsumer, FetchIsolationLevels, Producer as PlatformaticProducer, ProduceAcks } from '@platformatic/kafka';
import { logLevel } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '@custody/contracts';
import { contractRoute, createKafka, ensureTopics, TopicNames } from '@custody/messaging';
import type { OutboundMessage } from '@custody/messaging';
import { eventKeyId, EventSigner } from '@custody/security';
import { asStored, workload } from './lib/custody-workload';
import { median, writeReport } from './lib/report';
import type { Figure } from './lib/report';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const EVENTS = Number(process.env.KAFKA_CLIENT_BENCH_EVENTS ?? 20_000);
const BATCH = Number(process.env.KAFKA_CLIENT_BENCH_BATCH ?? 500);
const PARTITIONS = 6;
const REPETITIONS = 3;
const run = randomBytes(4).toString('hex');
// The relay's transactional producer's retries (libs/messaging/src/relay-publishers.ts).
const FAST_RETRY = { retries: 12, initialRetryTime: 5, maxRetryTime: 5_000 };
const log = (message: string) => process.stdout.write(`[kafka-client bench] ${message}\n`);

/** One message as both clients take it: every part a Buffer, the partition given. */
interface WireMessage {
  key: Buffer;
  value: Buffer;
  headers: Array<[string, Buffer]>;
  partition: number;
}

interface Measured {
  eventsPerSecond: number;
  cpuUsPerEvent: number;
}

/** The relay's messages for EVENTS stored events: routed by the contract, signed in batches of BATCH. */
function relayMessages(): WireMessage[] {
  const key = generateKeyPairSync('ed25519');
  const signer = new EventSigner(eventKeyId('intake', key.publicKey), key.privateKey);
  const route = contractRoute(new TopicNames('bench.'), { storedEventsChecked: true });
  const routed = asStored(workload(EVENTS)).map((e) => route(e)!);
  const signed: OutboundMessage[] = [];
  for (let i = 0; i < routed.length; i += BATCH) signed.push(...signer.signedBatch(routed.slice(i, i + BATCH)));
  return signed.map((m, i) => ({
    key: Buffer.from(m.key),
    value: Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value),
    headers: Object.entries(m.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Buffer.from(String(value))] as [string, Buffer]])),
    partition: i % PARTITIONS,
  }));
}

async function freshTopic(kafka: Kafka, label: string): Promise<string> {
  const topic = new TopicNames(`bench-client-${run}-${label}.`).physical(TOPICS.intakeEvents);
  await ensureTopics(kafka, [{ topic, partitions: PARTITIONS, replicationFactor: 1 }]);
  return topic;
}

async function timed(count: number, work: () => Promise<void>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { eventsPerSecond: count / seconds, cpuUsPerEvent: (used.user + used.system) / count };
}

const batchesOf = <T>(items: T[]): T[][] => Array.from({ length: Math.ceil(items.length / BATCH) }, (_, i) => items.slice(i * BATCH, (i + 1) * BATCH));

async function kafkajsSend(kafka: Kafka, messages: WireMessage[], topic: string, transactional: boolean): Promise<Measured> {
  const producer = transactional
    ? kafka.producer({ transactionalId: `bench-client-${run}-${randomBytes(3).toString('hex')}`, idempotent: true, maxInFlightRequests: 1, retry: FAST_RETRY })
    : kafka.producer();
  await producer.connect();
  try {
    const encoded = batchesOf(messages).map((batch) =>
      batch.map((m) => ({ key: m.key, value: m.value, partition: m.partition, headers: Object.fromEntries(m.headers) })),
    );
    return await timed(messages.length, async () => {
      for (const batch of encoded) {
        if (!transactional) {
          await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
          continue;
        }
        const transaction = await producer.transaction();
        await transaction.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch }] });
        await transaction.commit();
      }
    });
  } finally {
    await producer.disconnect();
  }
}

async function platformaticSend(messages: WireMessage[], topic: string, transactional: boolean): Promise<Measured> {
  const producer = new PlatformaticProducer({
    clientId: `bench-client-${run}`,
    bootstrapBrokers: BROKERS,
    acks: ProduceAcks.ALL,
    // The same retries as kafkajs's: the next transaction's first request is often answered
    // CONCURRENT_TRANSACTIONS while the broker completes the previous commit.
    retries: FAST_RETRY.retries,
    retryDelay: (_client, _operation, attempt) => Math.min(FAST_RETRY.maxRetryTime, FAST_RETRY.initialRetryTime * 2 ** (attempt - 1)),
    ...(transactional ? { idempotent: true, transactionalId: `bench-client-${run}-${randomBytes(3).toString('hex')}` } : {}),
  });
  try {
    const encoded = batchesOf(messages).map((batch) =>
      batch.map((m) => ({ topic, key: m.key, value: m.value, partition: m.partition, headers: new Map(m.headers.map(([k, v]) => [Buffer.from(k), v])) })),
    );
    // The first request of each client (metadata, connection, producer id) outside the clock, as kafkajs's connect().
    await producer.metadata({ topics: [topic] });
    if (transactional) await producer.initIdempotentProducer({});
    return await timed(messages.length, async () => {
      for (const batch of encoded) {
        if (!transactional) {
          await producer.send({ messages: batch });
          continue;
        }
        const transaction = await producer.beginTransaction();
        await transaction.send({ messages: batch });
        await transaction.commit();
      }
    });
  } finally {
    await producer.close();
  }
}

async function kafkajsConsume(kafka: Kafka, topic: string, count: number): Promise<Measured> {
  const consumer = kafka.consumer({ groupId: `bench-client-${run}-${randomBytes(3).toString('hex')}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    return await timed(count, async () => {
      let seen = 0;
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) if (message.headers && message.value) seen++;
              if (seen >= count) resolve();
            },
          })
          .catch(reject);
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

async function platformaticConsume(topic: string, count: number): Promise<Measured> {
  const consumer = new PlatformaticConsumer({ clientId: `bench-client-${run}`, groupId: `bench-client-${run}-${randomBytes(3).toString('hex')}`, bootstrapBrokers: BROKERS });
  let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined;
  try {
    return await timed(count, async () => {
      const messages = await consumer.consume({ topics: [topic], mode: 'earliest', isolationLevel: FetchIsolationLevels.READ_COMMITTED, autocommit: true });
      stream = messages;
      let seen = 0;
      await new Promise<void>((resolve, reject) => {
        messages.on('error', reject);
        messages.on('data', (message: { headers: Map<unknown, unknown>; value: Buffer }) => {
          if (message.headers.size > 0 && message.value) seen++;
          if (seen >= count) resolve();
        });
      });
    });
  } finally {
    await stream?.close();
    await consumer.close(true);
  }
}

function pair(id: string, what: string, unit: 'events/s' | 'µs', kafkajsRuns: Measured[], platformaticRuns: Measured[], pick: (m: Measured) => number): Figure {
  return {
    id,
    what,
    unit,
    higherIsBetter: unit === 'events/s',
    ours: median(kafkajsRuns.map(pick)),
    baseline: { name: '@platformatic/kafka 2.12 doing the same', value: median(platformaticRuns.map(pick)) },
  };
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers: BROKERS, clientId: `bench-client-${run}`, logLevel: logLevel.NOTHING });
  const messages = relayMessages();
  const bytes = messages.reduce((sum, m) => sum + m.value.length + m.key.length + m.headers.reduce((h, [k, v]) => h + k.length + v.length, 0), 0) / messages.length;
  log(`${messages.length} relay messages, ~${Math.round(bytes)} bytes each (key, value and ${messages[0].headers.length} headers), batches of ${BATCH}`);
  const runs = { txKafkajs: [] as Measured[], txPlatformatic: [] as Measured[], plainKafkajs: [] as Measured[], plainPlatformatic: [] as Measured[], readKafkajs: [] as Measured[], readPlatformatic: [] as Measured[] };
  // A warm-up of each path (connections, JIT), not counted.
  const warm = messages.slice(0, BATCH * 2);
  await kafkajsSend(kafka, warm, await freshTopic(kafka, 'warm-a'), true);
  await platformaticSend(warm, await freshTopic(kafka, 'warm-b'), true);
  for (let r = 0; r < REPETITIONS; r++) {
    runs.txKafkajs.push(await kafkajsSend(kafka, messages, await freshTopic(kafka, `tx-kafkajs-${r}`), true));
    runs.txPlatformatic.push(await platformaticSend(messages, await freshTopic(kafka, `tx-platformatic-${r}`), true));
    runs.plainKafkajs.push(await kafkajsSend(kafka, messages, await freshTopic(kafka, `plain-kafkajs-${r}`), false));
    const plainTopic = await freshTopic(kafka, `plain-platformatic-${r}`);
    runs.plainPlatformatic.push(await platformaticSend(messages, plainTopic, false));
    runs.readKafkajs.push(await kafkajsConsume(kafka, plainTopic, messages.length));
    runs.readPlatformatic.push(await platformaticConsume(plainTopic, messages.length));
    const last = (k: keyof typeof runs) => `${Math.round(runs[k][r].eventsPerSecond)}/s ${runs[k][r].cpuUsPerEvent.toFixed(1)} µs`;
    log(`run ${r + 1}: transactional kafkajs ${last('txKafkajs')}, platformatic ${last('txPlatformatic')}; plain kafkajs ${last('plainKafkajs')}, platformatic ${last('plainPlatformatic')}; read kafkajs ${last('readKafkajs')}, platformatic ${last('readPlatformatic')}`);
  }
  const tx = `${messages.length} relay messages (~${Math.round(bytes)} bytes, ${messages[0].headers.length} headers), one Kafka transaction per batch of ${BATCH}, acks=all, ${PARTITIONS} partitions; median of ${REPETITIONS}`;
  const plain = `the same messages, a plain send per batch of ${BATCH} (acks=all, not idempotent); median of ${REPETITIONS}`;
  const read = `the same messages read back by a new consumer group from the start, read_committed, group join included; median of ${REPETITIONS}`;
  const figures: Figure[] = [
    pair('kafkaClient.transactional.throughput', `kafkajs: ${tx}`, 'events/s', runs.txKafkajs, runs.txPlatformatic, (m) => m.eventsPerSecond),
    pair('kafkaClient.transactional.cpuUsPerEvent', `kafkajs: the client's CPU (user + system) per event, ${tx}`, 'µs', runs.txKafkajs, runs.txPlatformatic, (m) => m.cpuUsPerEvent),
    pair('kafkaClient.plain.throughput', `kafkajs: ${plain}`, 'events/s', runs.plainKafkajs, runs.plainPlatformatic, (m) => m.eventsPerSecond),
    pair('kafkaClient.plain.cpuUsPerEvent', `kafkajs: the client's CPU per event, ${plain}`, 'µs', runs.plainKafkajs, runs.plainPlatformatic, (m) => m.cpuUsPerEvent),
    pair('kafkaClient.consume.throughput', `kafkajs: ${read}`, 'events/s', runs.readKafkajs, runs.readPlatformatic, (m) => m.eventsPerSecond),
    pair('kafkaClient.consume.cpuUsPerEvent', `kafkajs: the client's CPU per event, ${read}`, 'µs', runs.readKafkajs, runs.readPlatformatic, (m) => m.cpuUsPerEvent),
  ];
  writeReport('kafka-client', { kafkajs: '2.2.4', platformatic: '2.12.1', events: messages.length, batch: BATCH }, figures);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`[kafka-client bench] failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);

// `npm run bench -- relay`: the relay (event store → Kafka, one transaction per batch with its
// checkpoint, as the services publish, through the default publisher, @platformatic/kafka's, and
// through kafkajs's (ADR 0018); and with a plain producer) beside a
// raw kafkajs producer sending the same messages (the same bytes: encoded and signed beforehand; and
// unsigned, beside) in the same batch sizes (baseline), on the same
// broker in the same run, the relay signing every event as the services' relays do (ADR 0013: one
// Ed25519 signature per batch over a Merkle root, each event with its path), with the cost of
// signing per event beside it; then the end-to-end lag from append to a consumer's handler at a steady
// 1,000 events/s. The store checks every event against the contract when it is appended, as the
// services' stores do (checkStoredEvent), so the relay does not validate it again; what that check
// costs an append is reported beside the relay's figures (relay.check.costUs).
// Everything runs in a schema and under topic names of its own.
//   env: KAFKA_BROKERS (127.0.0.1:9092), DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres),
//        RELAY_BENCH_EVENTS (20000), RELAY_BENCH_BATCH (500), RELAY_BENCH_LAG_SECONDS (25)
import { fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { logLevel } from 'kafkajs';
import type { Kafka, Producer } from 'kafkajs';
import { checkStoredEvent, TOPICS } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import type { GlobalEvent, NewEvent, PostgresTransaction } from '@custody/event-store';
import {
  contractDecoder,
  contractRoute,
  createKafka,
  custodyPartitioner,
  ensureTopics,
  EventConsumer,
  PostgresInbox,
  producerPublisher,
  Relay,
  RELAY_CHECKPOINT_TOPIC,
  relayPublisher,
  relayTransactionalId,
  TopicNames,
  writeRelayCheckpoint,
} from '@custody/messaging';
import type { OutboundMessage, RelayClient, RelayPublisher } from '@custody/messaging';
import { eventKeyId, EventSignatureVerifier, EventSigner } from '@custody/security';
import { inmateRegistered, inmateStream, residenceStatusRecorded } from '../libs/messaging/src/testing/events';
import { workload } from './lib/custody-workload';
import { median, percentile, writeReport } from './lib/report';
import type { Figure } from './lib/report';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.RELAY_BENCH_EVENTS ?? 20_000);
const BATCH = Number(process.env.RELAY_BENCH_BATCH ?? 500);
const LAG_SECONDS = Number(process.env.RELAY_BENCH_LAG_SECONDS ?? 25);
const LAG_WARMUP_SECONDS = 5;
const RATE = Number(process.env.RELAY_BENCH_RATE ?? 1_000);
const REPETITIONS = 3;
const PARTITIONS = 6;
const POLL_MS = Number(process.env.RELAY_BENCH_POLL_MS ?? 25);
const run = randomBytes(4).toString('hex');
const schema = `bench_relay_${run}`;

/** The signer of the bench's relays: an Ed25519 key of its own, as a service's EVENT_SIGNING_KEY. */
const signingKey = generateKeyPairSync('ed25519');
const signer = new EventSigner(eventKeyId('intake', signingKey.publicKey), signingKey.privateKey);
const signBatch = (messages: OutboundMessage[]) => signer.signedBatch(messages);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message: string) => process.stdout.write(`[relay bench] ${message}\n`);

async function appendAll(store: PostgresEventStore, events: NewEvent[]): Promise<void> {
  const byStream = new Map<string, NewEvent[]>();
  for (const e of events) {
    const stream = inmateStream((e.data as { inmateId: string }).inmateId);
    byStream.set(stream, [...(byStream.get(stream) ?? []), e]);
  }
  const streams = [...byStream];
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < streams.length; i += 8) await store.appendToStream(streams[i][0], streams[i][1]);
    }),
  );
}

async function freshTopic(kafka: Kafka, label: string): Promise<TopicNames> {
  const names = new TopicNames(`bench-relay-${run}-${label}.`);
  await ensureTopics(kafka, [
    { topic: names.physical(TOPICS.intakeEvents), partitions: PARTITIONS, replicationFactor: 1 },
    { topic: names.physical(RELAY_CHECKPOINT_TOPIC), partitions: 1, replicationFactor: 1 },
  ]);
  return names;
}

/** The services' default relay client (KAFKA_RELAY_CLIENT's default, ADR 0018). */
const DEFAULT_CLIENT: RelayClient = 'platformatic';

/** The services' publisher (Kafka transactions, ADR 0009) on `client`, or a plain producer (at-least-once). */
function publisherOf(kafka: Kafka, producer: Producer, names: TopicNames, name: string, mode: 'transactional' | 'at-least-once', client: RelayClient = DEFAULT_CLIENT): RelayPublisher {
  if (mode === 'at-least-once') return producerPublisher(producer);
  return relayPublisher(client, {
    kafka,
    settings: { brokers: BROKERS, clientId: `bench-relay-${run}` },
    transactionalId: relayTransactionalId(names.prefix, name),
    checkpointTopic: names.physical(RELAY_CHECKPOINT_TOPIC),
  });
}

/** Events/s from a store full of events to all of them acknowledged by the broker and checkpointed. */
async function relayThroughput(
  kafka: Kafka,
  producer: Producer,
  pool: Pool,
  store: PostgresEventStore,
  label: string,
  count: number,
  mode: 'transactional' | 'at-least-once' = 'transactional',
  signed = true,
  client: RelayClient = DEFAULT_CLIENT,
): Promise<number> {
  const names = await freshTopic(kafka, label);
  const name = `bench-${label}`;
  const relay = new Relay({
    name, store, pool, schema, publisher: publisherOf(kafka, producer, names, name, mode, client), route: contractRoute(names, { store, storedEventsChecked: store.checksEvents }), batchSize: BATCH, ...(signed ? { signBatch } : {}),
  });
  const started = performance.now();
  await relay.start();
  while (relay.status().published < count) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  return count / seconds;
}

/**
 * Events/s of a relay that starts where every event it reads belongs to a stream whose earlier
 * events it never read (they were published before it started): the worst case of the look back
 * through each stream for its previous published revision (ADR 0011), one read of the store per
 * stream. With `lookBack` false the route has no store: the same messages, their previous
 * revision left unknown (the baseline). Plain producer, so that the checkpoint is the database's.
 */
async function coldStreamsThroughput(kafka: Kafka, producer: Producer, pool: Pool, store: PostgresEventStore, label: string, from: string, count: number, lookBack: boolean): Promise<number> {
  const names = await freshTopic(kafka, label);
  const name = `bench-${label}`;
  await writeRelayCheckpoint(pool, schema, name, from);
  const route = lookBack ? contractRoute(names, { store, storedEventsChecked: store.checksEvents }) : contractRoute(names, { storedEventsChecked: store.checksEvents });
  const relay = new Relay({ name, store, pool, schema, publisher: producerPublisher(producer), route, batchSize: BATCH, signBatch });
  const started = performance.now();
  await relay.start();
  while (relay.status().published < count) await sleep(5);
  const seconds = (performance.now() - started) / 1000;
  await relay.stop();
  return count / seconds;
}

/**
 * Events/s of a raw producer sending the same messages the relay sends (encoded, and signed in the
 * relay's batches when `signed`: the same bytes on the wire, prepared before the clock starts) in
 * the same batches, one batch at a time: the floor of publishing them.
 */
async function rawThroughput(kafka: Kafka, producer: Producer, events: GlobalEvent[], label: string, signed = true): Promise<number> {
  const names = await freshTopic(kafka, label);
  const route = contractRoute(names, { storedEventsChecked: true });
  const routed = events.map((e) => route(e)!);
  const messages: OutboundMessage[] = [];
  for (let i = 0; i < routed.length; i += BATCH) messages.push(...(signed ? signBatch(routed.slice(i, i + BATCH)) : routed.slice(i, i + BATCH)));
  const topic = names.physical(TOPICS.intakeEvents);
  const started = performance.now();
  for (let i = 0; i < messages.length; i += BATCH) {
    const chunk = messages.slice(i, i + BATCH).map(({ key, value, headers }) => ({ key, value, headers }));
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: chunk }] });
  }
  return messages.length / ((performance.now() - started) / 1000);
}

/**
 * Microseconds per event to sign the routed messages of every stored event in batches of BATCH,
 * as the relay does (each event's canonical input, the SHA-256 of its value, its leaf and path in
 * the batch's Merkle tree, one Ed25519 signature per batch); and, for comparison, to sign each event
 * alone (the single-event form). Median of passes.
 */
function signingCostUs(events: GlobalEvent[]): { batch: number; single: number } {
  const route = contractRoute(new TopicNames('bench.'));
  const messages = events.map((e) => route(e)!);
  const batchPasses: number[] = [];
  const singlePasses: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    let started = performance.now();
    for (let i = 0; i < messages.length; i += BATCH) signer.signedBatch(messages.slice(i, i + BATCH));
    batchPasses.push(((performance.now() - started) * 1000) / messages.length);
    started = performance.now();
    for (const message of messages) signer.signed(message);
    singlePasses.push(((performance.now() - started) * 1000) / messages.length);
  }
  return { batch: median(batchPasses.slice(1)), single: median(singlePasses.slice(1)) };
}

/**
 * Microseconds per event for a consumer to verify the batch-signed events one by one, in order, as
 * read (each event's leaf, its path folded to the root, one Ed25519 verification per batch thanks
 * to the verifier's cache of verified roots). Median of passes, a fresh verifier (empty cache) each.
 */
function verifyingCostUs(events: GlobalEvent[]): number {
  const route = contractRoute(new TopicNames('bench.'));
  const signed: OutboundMessage[] = [];
  const messages = events.map((e) => route(e)!);
  for (let i = 0; i < messages.length; i += BATCH) signed.push(...signer.signedBatch(messages.slice(i, i + BATCH)));
  const passes: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const verifier = new EventSignatureVerifier([{ service: 'intake', kid: signer.kid, key: signingKey.publicKey }]);
    const started = performance.now();
    for (const message of signed) {
      if (!verifier.check(message, ['intake']).ok) throw new Error('a batch-signed event does not verify');
    }
    passes.push(((performance.now() - started) * 1000) / signed.length);
  }
  return median(passes.slice(1));
}

/** Microseconds per event to check the stored events against the contract, as the store does before an append (checkStoredEvent); median of passes. */
function checkingCostUs(events: GlobalEvent[]): number {
  const passes: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const started = performance.now();
    for (const event of events) checkStoredEvent(event);
    passes.push(((performance.now() - started) * 1000) / events.length);
  }
  return median(passes.slice(1));
}

/** Append → handler lag at a steady rate: appends spread over 8 writers, one event each. */
/**
 * The consuming service, in a process of its own (as in production): an EventConsumer with its
 * inbox in its own schema; each handler call measures now − the event's occurredAt (set to the
 * wall clock just before the append, same machine). Reports the lags to the parent at the end.
 */
async function consumerProcess(): Promise<void> {
  const prefix = process.env.RELAY_BENCH_PREFIX!;
  const consumerSchema = process.env.RELAY_BENCH_CONSUMER_SCHEMA!;
  const measureFrom = Number(process.env.RELAY_BENCH_MEASURE_FROM);
  const expected = Number(process.env.RELAY_BENCH_EXPECTED);
  const names = new TopicNames(prefix);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 8, application_name: 'relay-bench' });
  const store = new PostgresEventStore({ connection: pool, schema: consumerSchema });
  await store.migrate();
  const inbox = new PostgresInbox<PostgresTransaction>(store, consumerSchema);
  await inbox.migrate();
  const kafka = createKafka({ brokers: BROKERS, clientId: `bench-relay-consumer-${run}`, logLevel: logLevel.NOTHING });
  const lags: number[] = [];
  let handled = 0;
  const consumer = new EventConsumer<PostgresTransaction>({
    kafka,
    groupId: `bench-relay-${prefix}lag`,
    topics: [names.physical(TOPICS.intakeEvents)],
    decoder: contractDecoder(names),
    inbox,
    partitionsConsumedConcurrently: PARTITIONS,
    handlerFor: () => async (event) => {
      const appendedAt = Date.parse(event.occurredAt);
      if (appendedAt >= measureFrom) lags.push(Date.now() - appendedAt);
      handled++;
    },
  });
  await consumer.start();
  process.send!({ kind: 'ready' });
  const deadline = () => Date.now() + 60_000;
  let giveUpAt = Number.POSITIVE_INFINITY;
  process.on('message', (message: { kind: string }) => {
    if (message.kind === 'appended') giveUpAt = deadline();
  });
  while (handled < expected && Date.now() < giveUpAt) await sleep(20);
  await consumer.stop();
  await store.close();
  await pool.end();
  process.send!({ kind: 'done', lags, handled });
}

/** Append → handler lag at a steady rate: appends spread over 8 writers, one event each; the consumer in another process. */
async function lag(
  kafka: Kafka,
  producer: Producer,
  pool: Pool,
  store: PostgresEventStore,
): Promise<{ lags: number[]; ackLags: number[]; achievedRate: number; undelivered: number; longestOther: number }> {
  const names = await freshTopic(kafka, 'lag');
  const total = RATE * LAG_SECONDS;
  const measureFrom = Date.now() + 3_000 + LAG_WARMUP_SECONDS * 1000;
  const ackLags: number[] = [];
  const relay = new Relay({
    name: 'bench-lag',
    store,
    pool,
    schema,
    publisher: publisherOf(kafka, producer, names, 'bench-lag', 'transactional'),
    route: contractRoute(names, { store, storedEventsChecked: store.checksEvents }),
    batchSize: BATCH,
    signBatch,
    onPublished: (batch) => {
      const now = Date.now();
      for (const e of batch) {
        const at = Date.parse(e.metadata.occurredAt);
        if (at >= measureFrom) ackLags.push(now - at);
      }
    },
  });
  // The lag run starts at the end of the log: only events appended from now on.
  let last: string | undefined;
  for await (const e of store.readAll()) last = e.checkpoint;
  // (the checkpoint table exists: the throughput runs created it)
  await pool.query(`INSERT INTO "${schema}".relay_checkpoints (name, checkpoint) VALUES ('bench-lag', $1)`, [last ?? null]);

  const child = fork(__filename, [], {
    env: {
      ...process.env,
      RELAY_BENCH_ROLE: 'consumer',
      RELAY_BENCH_PREFIX: names.prefix,
      RELAY_BENCH_CONSUMER_SCHEMA: `${schema}_consumer`,
      RELAY_BENCH_MEASURE_FROM: String(measureFrom),
      RELAY_BENCH_EXPECTED: String(total),
    },
  });
  const messages: Array<{ kind: string; lags?: number[]; handled?: number }> = [];
  child.on('message', (m: { kind: string }) => messages.push(m));
  while (!messages.some((m) => m.kind === 'ready')) await sleep(20);
  await relay.start();
  while (Date.now() < measureFrom - LAG_WARMUP_SECONDS * 1000) await sleep(20);

  const events = Array.from({ length: total }, (_, i) => (i % 5 === 0 ? inmateRegistered() : residenceStatusRecorded(randomUUID())));
  let next = 0;
  const started = performance.now();
  const writers = Array.from({ length: 8 }, async () => {
    for (;;) {
      if (next >= total) return;
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
      if (next >= due) {
        await sleep(1);
        continue;
      }
      const event = events[next++];
      event.metadata.occurredAt = new Date().toISOString();
      await store.appendToStream(inmateStream((event.data as { inmateId: string }).inmateId), [event]);
    }
  });
  let longestOther = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await pool.query<{ seconds: number | null }>(
        `SELECT extract(epoch FROM max(now() - xact_start))::float8 AS seconds FROM pg_stat_activity
         WHERE application_name <> 'relay-bench' AND (backend_xid IS NOT NULL OR backend_xmin IS NOT NULL)`,
      );
      longestOther = Math.max(longestOther, rows[0].seconds ?? 0);
      await sleep(100);
    }
  })();
  await Promise.all(writers);
  sampling = false;
  await sampler;
  const achievedRate = total / ((performance.now() - started) / 1000);
  child.send({ kind: 'appended' });
  while (!messages.some((m) => m.kind === 'done')) await sleep(50);
  await relay.stop();
  const done = messages.find((m) => m.kind === 'done')!;
  return { lags: done.lags!, ackLags, achievedRate, undelivered: total - done.handled!, longestOther };
}

async function main(): Promise<void> {
  const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA "${schema}"`);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 12, application_name: 'relay-bench' });
  // The subscription also polls: events held back by another client's transaction (see the
  // README) are seen when it ends, which notifies nobody; a short poll bounds that wait.
  const store = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: POLL_MS, checkEvent: checkStoredEvent });
  const kafka = createKafka({ brokers: BROKERS, clientId: `bench-relay-${run}`, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    log(`appending ${EVENTS} events (${schema})`);
    await appendAll(store, workload(EVENTS));
    // Global reads hand out only events below the oldest running transaction of the whole
    // server: wait until every appended event is visible.
    let stored: GlobalEvent[] = [];
    for (;;) {
      stored = [];
      for await (const e of store.readAll()) stored.push(e);
      if (stored.length >= EVENTS) break;
      await sleep(200);
    }
    const bytes = stored.reduce((sum, e) => sum + JSON.stringify(e.data).length + JSON.stringify(e.metadata).length, 0) / stored.length;
    log(`${stored.length} events, ~${Math.round(bytes)} bytes of data + metadata each; warming up`);

    await relayThroughput(kafka, producer, pool, store, 'warm-relay', stored.length);
    await relayThroughput(kafka, producer, pool, store, 'warm-kafkajs', stored.length, 'transactional', true, 'kafkajs');
    await relayThroughput(kafka, producer, pool, store, 'warm-plain', stored.length, 'at-least-once');
    await rawThroughput(kafka, producer, stored, 'warm-raw');
    await rawThroughput(kafka, producer, stored, 'warm-raw-unsigned', false);
    const relayRuns: number[] = [];
    const kafkajsRuns: number[] = [];
    const unsignedRuns: number[] = [];
    const plainRuns: number[] = [];
    const rawRuns: number[] = [];
    const rawUnsignedRuns: number[] = [];
    for (let r = 0; r < REPETITIONS; r++) {
      rawRuns.push(await rawThroughput(kafka, producer, stored, `raw-${r}`));
      rawUnsignedRuns.push(await rawThroughput(kafka, producer, stored, `raw-unsigned-${r}`, false));
      relayRuns.push(await relayThroughput(kafka, producer, pool, store, `relay-${r}`, stored.length));
      kafkajsRuns.push(await relayThroughput(kafka, producer, pool, store, `kafkajs-${r}`, stored.length, 'transactional', true, 'kafkajs'));
      unsignedRuns.push(await relayThroughput(kafka, producer, pool, store, `unsigned-${r}`, stored.length, 'transactional', false));
      plainRuns.push(await relayThroughput(kafka, producer, pool, store, `plain-${r}`, stored.length, 'at-least-once'));
      log(`run ${r + 1}: relay ${Math.round(relayRuns[r])} events/s (transactional, signed, ${DEFAULT_CLIENT}), ${Math.round(kafkajsRuns[r])} events/s (the same on kafkajs), ${Math.round(unsignedRuns[r])} events/s unsigned, ${Math.round(plainRuns[r])} events/s (at-least-once), raw ${Math.round(rawRuns[r])} events/s (the signed messages), ${Math.round(rawUnsignedRuns[r])} events/s (unsigned)`);
    }
    const signing = signingCostUs(stored);
    const signUs = signing.batch;
    const verifyUs = verifyingCostUs(stored);
    const checkUs = checkingCostUs(stored);
    log(`signing: ${signUs.toFixed(1)} µs per event in batches of ${BATCH} (${signing.single.toFixed(1)} µs signed alone); verifying: ${verifyUs.toFixed(1)} µs per event`);

    // One more event for each stream, appended after all the others: a relay that starts after the
    // first ones reads only events whose streams it has never seen.
    const streamsOf = [...new Set(stored.map((e) => e.streamName))];
    const from = stored[stored.length - 1].checkpoint;
    await Promise.all(Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < streamsOf.length; i += 8) await store.appendToStream(streamsOf[i], [residenceStatusRecorded(streamsOf[i].slice('inmate-'.length))]);
    }));
    await coldStreamsThroughput(kafka, producer, pool, store, 'cold-warm', from, streamsOf.length, true);
    const coldRuns: number[] = [];
    const coldBaseRuns: number[] = [];
    for (let r = 0; r < REPETITIONS; r++) {
      coldBaseRuns.push(await coldStreamsThroughput(kafka, producer, pool, store, `cold-base-${r}`, from, streamsOf.length, false));
      coldRuns.push(await coldStreamsThroughput(kafka, producer, pool, store, `cold-${r}`, from, streamsOf.length, true));
      log(`cold run ${r + 1}: ${Math.round(coldRuns[r])} events/s looking back once per stream, ${Math.round(coldBaseRuns[r])} events/s without`);
    }

    log(`lag at ${RATE} events/s for ${LAG_SECONDS} s (first ${LAG_WARMUP_SECONDS} s not counted)`);
    const { lags, ackLags, achievedRate, undelivered, longestOther } = await lag(kafka, producer, pool, store);
    log(`longest transaction of other clients of the server during the run: ${longestOther.toFixed(1)} s (it holds back every global reader)`);
    log(`appended at ${Math.round(achievedRate)} events/s; ${lags.length} lags measured; ${undelivered} not delivered after the run`);
    log(`append → broker ack: p50 ${percentile(ackLags, 50).toFixed(1)} ms, p99 ${percentile(ackLags, 99).toFixed(1)} ms`);

    const figures: Figure[] = [
      {
        id: 'relay.throughput',
        what: `events/s from ${stored.length} stored events to all committed by the broker (each batch signed, one Ed25519 signature over its Merkle root in ce_eventsignature and each event's path in ce_eventsignaturepath; one Kafka transaction per batch with its checkpoint, acks=all, as the services publish, through the default publisher, ${DEFAULT_CLIENT}'s) and checkpointed, batches of ${BATCH}, ${PARTITIONS} partitions; median of ${REPETITIONS}`,
        unit: 'events/s',
        higherIsBetter: true,
        ours: median(relayRuns),
        baseline: { name: `raw kafkajs sendBatch of the same messages, encoded and signed beforehand (the same bytes on the wire), batches of ${BATCH}, acks=all`, value: median(rawRuns) },
      },
      {
        id: 'relay.throughput.vsUnsignedRaw',
        what: 'relay.throughput beside a raw producer sending the messages unsigned (without ce_eventsignature and ce_eventsignaturepath: fewer bytes on the wire than the relay sends); the cost of signing, the signature headers included',
        unit: 'events/s',
        higherIsBetter: true,
        ours: median(relayRuns),
        baseline: { name: `raw kafkajs sendBatch of the same encoded messages, unsigned, batches of ${BATCH}, acks=all`, value: median(rawUnsignedRuns) },
      },
      ...(['platformatic', 'kafkajs'] as const).flatMap((client): Figure[] => {
        const runs = client === DEFAULT_CLIENT ? relayRuns : kafkajsRuns;
        const label = client === 'platformatic' ? '@platformatic/kafka' : 'kafkajs';
        return [
          {
            id: `relay.throughput.${client}`,
            what: `as relay.throughput, through the ${label} transactional publisher${client === DEFAULT_CLIENT ? ' (the default: the same runs as relay.throughput)' : ' (KAFKA_RELAY_CLIENT=kafkajs), in the same repetitions'}`,
            unit: 'events/s',
            higherIsBetter: true,
            ours: median(runs),
            baseline: { name: `raw kafkajs sendBatch of the same messages, encoded and signed beforehand (the same bytes on the wire), batches of ${BATCH}, acks=all`, value: median(rawRuns) },
          },
          {
            id: `relay.throughput.${client}.vsUnsignedRaw`,
            what: `relay.throughput.${client} beside a raw producer sending the messages unsigned, as relay.throughput.vsUnsignedRaw`,
            unit: 'events/s',
            higherIsBetter: true,
            ours: median(runs),
            baseline: { name: `raw kafkajs sendBatch of the same encoded messages, unsigned, batches of ${BATCH}, acks=all`, value: median(rawUnsignedRuns) },
          },
        ];
      }),
      {
        id: 'relay.sign.costUs',
        what: `microseconds per event to sign the ${stored.length} routed events in batches of ${BATCH}, as the relay does (canonical input of each event's ce_* headers, key and SHA-256 of its value; RFC 6962 Merkle leaf and path; one Ed25519 signature per batch over the root, node:crypto), one core; median of 4 passes`,
        unit: 'µs',
        higherIsBetter: false,
        ours: signUs,
        baseline: { name: 'each event signed alone (the single-event form: one Ed25519 signature per event)', value: signing.single },
      },
      {
        id: 'relay.check.costUs',
        what: `microseconds per event to check an event against the contract (class-validator) before it is appended, as the services' stores do; the relay does not validate it again. One core; median of 4 passes`,
        unit: 'µs',
        higherIsBetter: false,
        ours: checkUs,
      },
      {
        id: 'relay.verify.costUs',
        what: `microseconds per event for a consumer to verify the batch-signed events one by one (leaf, path folded to the root, one Ed25519 verification per batch through the verifier's cache), one core; median of 4 passes`,
        unit: 'µs',
        higherIsBetter: false,
        ours: verifyUs,
      },
      {
        id: 'relay.throughput.unsigned',
        what: 'as relay.throughput, without signing (EVENT_SIGNING_KEY unset): the cost of the signatures is the difference',
        unit: 'events/s',
        higherIsBetter: true,
        ours: median(unsignedRuns),
        baseline: { name: `raw kafkajs sendBatch of the same encoded messages, unsigned, batches of ${BATCH}, acks=all`, value: median(rawUnsignedRuns) },
      },
      {
        id: 'relay.throughput.at-least-once',
        what: `as relay.throughput, with the baseline's plain producer instead of transactions (no fencing; the checkpoint only in the database)`,
        unit: 'events/s',
        higherIsBetter: true,
        ours: median(plainRuns),
        baseline: { name: `raw kafkajs sendBatch of the same messages, encoded and signed beforehand, batches of ${BATCH}, acks=all`, value: median(rawRuns) },
      },
      {
        id: 'relay.throughput.cold-streams',
        what: `events/s of a relay (plain producer) that starts where each of the ${streamsOf.length} events it reads belongs to a stream it has never read: it looks back through each stream in the store for the previous published revision (ADR 0011), the worst case; median of ${REPETITIONS}`,
        unit: 'events/s',
        higherIsBetter: true,
        ours: median(coldRuns),
        baseline: { name: 'the same relay and events with a route that does not look back (previous revision left unknown)', value: median(coldBaseRuns) },
      },
      {
        id: 'relay.lag.p50',
        what: `append → handler of a consumer in another process (its inbox in its own schema), at a target of ${RATE} events/s (achieved: ${Math.round(achievedRate)}; 8 writers, one event per append) for ${LAG_SECONDS} s, the first ${LAG_WARMUP_SECONDS} s not counted; wall clock, 1 ms resolution; no baseline: a raw producer has no store to tail`,
        unit: 'ms',
        higherIsBetter: false,
        ours: percentile(lags, 50),
      },
      {
        id: 'relay.lag.p99',
        what: `as relay.lag.p50, 99th percentile`,
        unit: 'ms',
        higherIsBetter: false,
        ours: percentile(lags, 99),
      },
      {
        id: 'relay.lag.rate',
        what: `the append rate the lag run achieved (target ${RATE}); below the target, the machine could not append faster`,
        unit: 'events/s',
        higherIsBetter: true,
        ours: achievedRate,
      },
      {
        id: 'relay.lag.ack.p99',
        what: 'append (commit) → the relay has the broker acknowledgement and the checkpoint, 99th percentile, same run as relay.lag.p50',
        unit: 'ms',
        higherIsBetter: false,
        ours: percentile(ackLags, 99),
      },
      {
        id: 'relay.lag.max',
        what: `as relay.lag.p50, maximum`,
        unit: 'ms',
        higherIsBetter: false,
        ours: Math.max(...lags),
      },
    ];
    writeReport('relay', { kafka: '4.x', postgres: (await admin.query('SHOW server_version')).rows[0].server_version }, figures);
    const ratio = median(relayRuns) / median(rawRuns);
    log(`relay (signed)/raw = ${ratio.toFixed(2)} (target ≥ 0.5), relay (signed)/unsigned raw: ${DEFAULT_CLIENT} ${(median(relayRuns) / median(rawUnsignedRuns)).toFixed(2)}, kafkajs ${(median(kafkajsRuns) / median(rawUnsignedRuns)).toFixed(2)}, unsigned relay/unsigned raw = ${(median(unsignedRuns) / median(rawUnsignedRuns)).toFixed(2)}, relay (signed)/unsigned raw = ${(median(relayRuns) / median(rawUnsignedRuns)).toFixed(2)}, at-least-once relay/raw = ${(median(plainRuns) / median(rawRuns)).toFixed(2)}; p99 lag ${percentile(lags, 99).toFixed(1)} ms (target < 100)`);
  } finally {
    await producer.disconnect();
    await store.close();
    await pool.end();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}_consumer" CASCADE`);
    await admin.end();
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const topics = (await kafkaAdmin.listTopics()).filter((t) => t.startsWith(`bench-relay-${run}-`));
    if (topics.length > 0) await kafkaAdmin.deleteTopics({ topics }).catch(() => undefined);
    await kafkaAdmin.disconnect();
  }
}

(process.env.RELAY_BENCH_ROLE === 'consumer' ? consumerProcess() : main()).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

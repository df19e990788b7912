// `npm run bench -- pipeline [cases] [concurrency]`: complete Belgium → Albania transfers through the
// four services as separate processes (the end-to-end harness of e2e/), on the real broker and
// database: cases per second sustained, p50/p99 from the first request to the audit ledger showing
// the admission, the latency of each step, and each service's peak memory. In the same run, on the
// same broker: a raw kafkajs produce → consume round trip (the floor of every hop between two
// services), and the same work with two instances of each service.
//   env: KAFKA_BROKERS (127.0.0.1:9092), DATABASE_URL (postgres://postgres@127.0.0.1:5432/postgres)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { BELGIUM_TO_ALBANIA, TransferCase } from '../e2e/src/harness/cases';
import { registerFacility, runCase, type CaseTimings } from '../e2e/src/harness/pipeline';
import { SERVICE_NAMES } from '../e2e/src/harness/service-process';
import { Stack } from '../e2e/src/harness/stack';
import { RECORDED_IN_TIME } from './lib/in-time';
import { isOpenLoopFigure } from './lib/open-loop';
import { median, percentile, writeReport, type Figure } from './lib/report';

const CASES = Number(process.argv[2] ?? 100);
const CONCURRENCY = Number(process.argv[3] ?? 20);
const WARMUP = 5;
const ROUND_TRIPS = 500;
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
process.env.KAFKA_BROKERS = BROKERS;
process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.TEST_RUN_ID ??= `bench${randomBytes(2).toString('hex')}`;

const log = (message: string) => process.stdout.write(`[pipeline bench] ${message}\n`);

interface Run {
  instances: number;
  casesPerSecond: number;
  endToEnd: number[];
  steps: Map<string, number[]>;
  peakRssMb: Record<string, number>;
}

/** Runs `count` cases with at most `concurrency` in flight; returns their timings. */
async function drive(stack: Stack, facilityId: string, count: number, concurrency: number): Promise<CaseTimings[]> {
  const results: CaseTimings[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      results.push(await runCase(stack, new TransferCase(BELGIUM_TO_ALBANIA, facilityId), { timeoutMs: 300_000 }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

async function measure(instances: number): Promise<Run> {
  log(`starting the four services, ${instances} instance(s) each`);
  const stack = await Stack.start({ label: `bench${instances}`, instances, env: RECORDED_IN_TIME });
  try {
    const facilityId = await registerFacility(stack, BELGIUM_TO_ALBANIA, CASES + WARMUP + 10);
    await drive(stack, facilityId, WARMUP, WARMUP);
    log(`${instances} instance(s): ${CASES} cases, ${CONCURRENCY} in flight`);
    const t0 = performance.now();
    const timings = await drive(stack, facilityId, CASES, CONCURRENCY);
    const seconds = (performance.now() - t0) / 1000;
    const steps = new Map<string, number[]>();
    for (const t of timings) {
      let previous = 0;
      for (const s of t.steps) {
        steps.set(s.name, [...(steps.get(s.name) ?? []), s.ms - previous]);
        previous = s.ms;
      }
    }
    const peakRssMb = Object.fromEntries(SERVICE_NAMES.map((name) => [name, Math.max(...stack.processes[name].map((p) => p.peakRssMb))]));
    return { instances, casesPerSecond: CASES / seconds, endToEnd: timings.map((t) => t.endToEndMs!), steps, peakRssMb };
  } finally {
    await stack.stop();
  }
}

/** The floor: one message produced and consumed back, one at a time, on the same broker (kafkajs, acks all). */
async function rawRoundTrip(): Promise<{ latencies: number[]; messagesPerSecond: number }> {
  const kafka = new Kafka({ clientId: `bench-raw-${randomBytes(3).toString('hex')}`, brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
  const topic = `bench-pipeline-raw-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 20 });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const waiting = new Map<string, () => void>();
  let consumed = 0;
  await consumer.run({
    eachMessage: async ({ message }) => {
      consumed++;
      waiting.get(message.key!.toString())?.();
    },
  });
  const roundTrip = async (key: string) => {
    const arrived = new Promise<void>((resolve) => waiting.set(key, resolve));
    const t = performance.now();
    await producer.send({ topic, acks: -1, messages: [{ key, value: JSON.stringify({ key, at: Date.now(), pad: 'x'.repeat(800) }) }] });
    await arrived;
    waiting.delete(key);
    return performance.now() - t;
  };
  for (let i = 0; i < 20; i++) await roundTrip(`warm-${i}`); // the group joined, the connections warm
  const latencies: number[] = [];
  for (let i = 0; i < ROUND_TRIPS; i++) latencies.push(await roundTrip(`rt-${i}`));
  // Throughput: 5,000 messages in batches of 100, produced and all consumed.
  const before = consumed;
  const t0 = performance.now();
  const all = new Promise<void>((resolve) => {
    const tick = setInterval(() => consumed - before >= 5000 && (clearInterval(tick), resolve()), 5);
  });
  for (let b = 0; b < 50; b++) {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ key: `t-${b}-${i}`, value: 'x'.repeat(800) })) });
  }
  await all;
  const messagesPerSecond = 5000 / ((performance.now() - t0) / 1000);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return { latencies, messagesPerSecond };
}

async function main(): Promise<void> {
  log(`raw kafkajs produce → consume on ${BROKERS}`);
  const raw = await rawRoundTrip();
  const one = await measure(1);
  const two = await measure(2);
  const rawP50 = median(raw.latencies);
  const rawP99 = percentile(raw.latencies, 99);
  const hops = 'a case crosses the broker about 20 times one after the other (commands\' events relayed, consumed by the next service, answers back)';
  const figures: Figure[] = [
    {
      id: 'pipeline.throughput', what: `complete transfers (request → admission in the audit ledger) per second, one instance of each service, ${CONCURRENCY} cases in flight`,
      unit: 'cases/s', higherIsBetter: true, ours: one.casesPerSecond,
      baseline: { name: 'raw kafkajs produce → consume, 800-byte messages in batches of 100 (messages/s, not cases: the broker\'s ceiling)', value: raw.messagesPerSecond },
    },
    {
      id: 'pipeline.throughput.x2', what: `as pipeline.throughput with two instances of each service (same schema, same consumer group)`,
      unit: 'cases/s', higherIsBetter: true, ours: two.casesPerSecond,
      baseline: { name: 'one instance of each service, same run', value: one.casesPerSecond },
    },
    {
      id: 'pipeline.latency.p50', what: `first request of a case → the audit ledger showing its admission, median; ${hops}`,
      unit: 'ms', higherIsBetter: false, ours: median(one.endToEnd),
      baseline: { name: 'one raw kafkajs produce → consume round trip, median', value: rawP50 },
    },
    {
      id: 'pipeline.latency.p99', what: 'first request of a case → the audit ledger showing its admission, 99th percentile',
      unit: 'ms', higherIsBetter: false, ours: percentile(one.endToEnd, 99),
      baseline: { name: 'one raw kafkajs produce → consume round trip, p99', value: rawP99 },
    },
    {
      id: 'pipeline.latency.p50.x2', what: 'as pipeline.latency.p50 with two instances of each service',
      unit: 'ms', higherIsBetter: false, ours: median(two.endToEnd), baseline: { name: 'one instance of each service', value: median(one.endToEnd) },
    },
    ...[...one.steps.entries()].map(([step, values]): Figure => ({
      id: `pipeline.step.${step.replace(/[^a-z0-9]+/gi, '-')}.p50`,
      what: `the step "${step}" (HTTP command accepted, or the state awaited from another service over Kafka), median, one instance each`,
      unit: 'ms', higherIsBetter: false, ours: median(values),
      ...(step === 'place reserved' || step === 'case completed' || step === 'admission in the ledger'
        ? { baseline: { name: 'one raw kafkajs round trip, median', value: rawP50 } }
        : {}),
    })),
    ...SERVICE_NAMES.map((name): Figure => ({
      id: `pipeline.peakRssMb.${name}`, what: `peak resident memory of the ${name} process (kernel high-water mark), one instance, over the run`,
      unit: 'MB', higherIsBetter: false, ours: one.peakRssMb[name],
      peer: { name: 'the same with two instances (each instance)', value: two.peakRssMb[name] },
    })),
  ];
  // The open loop's figures (pipeline-open.bench.ts) stay in the file.
  writeReport('pipeline', { kafka: BROKERS, cases: CASES, concurrency: CONCURRENCY, rawRoundTrips: ROUND_TRIPS }, figures, { replaces: (id) => !isOpenLoopFigure(id) });
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);

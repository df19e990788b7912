// `npm run bench -- pipeline-open [--rates=1,2,5,10,20,40,80] [--duration=30] [--drain=60] [--facilities=10] [--round-trips]`:
// the pipeline in an open loop. Belgium → Albania cases arrive on a fixed schedule, one rate after
// the other, whatever happened to the cases before them; each case's steps follow what the client
// learns from Kafka (the services' events topics, read_committed) and, for the last step, from the
// audit ledger's table in the benchmark's own PostgreSQL cluster: never from polling the services.
// Latency runs from each case's scheduled arrival (a client that starts it late counts against us)
// to the audit ledger showing the admission. The sweep stops after the first step that is clearly
// saturated. Figures go to bench/results/pipeline.json beside the closed loop's (docs/performance.md).
// With --round-trips, each service also counts its requests to PostgreSQL and Kafka: figures per
// case over the steps, and every statement per case in bench/results/pipeline-round-trips.json.
//   env: KAFKA_BROKERS (127.0.0.1:9092). PostgreSQL: a cluster of the benchmark's own (pg_createcluster).
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { TOPICS } from '@custody/contracts';
import { BELGIUM_TO_ALBANIA, TransferCase, type Step } from '../e2e/src/harness/cases';
import { request, type ErrorBody } from '../e2e/src/harness/http';
import { OwnPostgres } from '../e2e/src/harness/own-postgres';
import { registerFacility } from '../e2e/src/harness/pipeline';
import { SERVICE_NAMES, type ServiceName } from '../e2e/src/harness/service-process';
import { Stack } from '../e2e/src/harness/stack';
import { RECORDED_IN_TIME } from './lib/in-time';
import { HopRecorder, summarise } from './lib/hops';
import { isOpenLoopFigure } from './lib/open-loop';
import { perCase, RoundTripCounter, type RoundTrips } from './lib/round-trips';
import { median, percentile, writeReport, writeResults, type Figure } from './lib/report';

const option = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? process.env[`BENCH_${name.toUpperCase()}`] ?? fallback;
const RATES = option('rates', '1,2,5,10,20,40,80').split(',').map(Number);
const DURATION_S = Number(option('duration', '30'));
const DRAIN_S = Number(option('drain', '60'));
const FACILITIES = Number(option('facilities', '10'));
const WARMUP = Number(option('warmup', '6'));
/** Count each service's round trips to PostgreSQL and Kafka per case (bench/lib/round-trips.ts). */
const ROUND_TRIPS = process.argv.includes('--round-trips') || process.env.BENCH_ROUND_TRIPS === '1';
/** The latency bar of pipeline.saturation. */
const P99_BAR_MS = 1000;
/** The ledger's table is read this often while a case waits for it (a fixed period, no backoff). */
const LEDGER_TICK_MS = 20;
process.env.KAFKA_BROKERS ??= '127.0.0.1:9092';
process.env.TEST_RUN_ID ??= `bench${randomBytes(2).toString('hex')}`;

const log = (message: string) => process.stdout.write(`[pipeline open] ${new Date().toISOString().slice(11, 19)} ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The admission as the audit ledger shows it (not an event type: the ledger's row). */
const IN_LEDGER = 'ledger:InmateAdmitted';

class Cancelled extends Error {}

/** The per-hop budget from the events' timestamps (bench/lib/hops.ts), by service. */
const hops = new HopRecorder();
const SERVICE_OF_TOPIC: Record<string, string> = { [TOPICS.intakeEvents]: 'intake', [TOPICS.transferEvents]: 'transfer', [TOPICS.facilityEvents]: 'custody' };


/** One case of the open loop. Times are performance.now() milliseconds. */
interface OpenCase {
  c: TransferCase;
  scheduledAt: number;
  startedAt?: number;
  /** When each step was accepted (commands) or learnt (events, ledger), from the scheduled arrival. */
  marks: Map<string, number>;
  doneAt?: number;
  failure?: string;
  cancelled?: boolean;
  /** 409 NOT_YET_KNOWN_HERE answers (the server's wait ran out; docs/adr/0012-not-yet-known-here.md). */
  notYet: number;
}

/** What a case waits for: events of the two events topics, and the admission's row in the ledger. */
const AWAITED = new Set(['SentenceRecorded', 'PlaceReservationConfirmed', 'CustodyReceived', 'TransferCompleted', IN_LEDGER]);

/**
 * What the client has learnt of its cases: the awaited events read from Kafka and the ledger's
 * admissions, by person and type, and the cases waiting for one.
 */
class Learnt {
  /** Per person in flight: what was learnt before the case asked, and the waits. */
  private readonly persons = new Map<string, { seen: Map<string, number>; waiting: Map<string, { resolve: (at: number) => void; reject: (e: Error) => void }> }>();
  /** Persons whose admission was accepted and whose ledger row is awaited. */
  readonly awaitingLedger = new Set<string>();

  /** A case starts: its person's events are kept from now on. */
  follow(inmateId: string): void {
    this.persons.set(inmateId, { seen: new Map(), waiting: new Map() });
  }

  learn(inmateId: string, type: string, at: number): void {
    const person = this.persons.get(inmateId);
    if (!person || !AWAITED.has(type)) return;
    const waiter = person.waiting.get(type);
    if (waiter) {
      person.waiting.delete(type);
      waiter.resolve(at);
    } else if (!person.seen.has(type)) person.seen.set(type, at);
  }

  /** Resolves with the time the client learnt it (perhaps before it asked). */
  until(inmateId: string, type: string): Promise<number> {
    const person = this.persons.get(inmateId);
    if (!person) return Promise.reject(new Cancelled(type));
    const at = person.seen.get(type);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => person.waiting.set(type, { resolve, reject }));
  }

  /** Forgets a person (its case done or given up); its waits end with Cancelled. */
  forget(inmateId: string): void {
    const person = this.persons.get(inmateId);
    this.persons.delete(inmateId);
    this.awaitingLedger.delete(inmateId);
    for (const [type, waiter] of person?.waiting ?? []) waiter.reject(new Cancelled(type));
  }
}

/** Reads the services' events topics (read_committed, kafkajs's default) into `learnt`. */
async function eventsConsumer(stack: Stack, learnt: Learnt): Promise<Consumer> {
  const kafka = new Kafka({ clientId: `${stack.topicPrefix}bench-open`, brokers: stack.brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${stack.topicPrefix}bench-open`, maxWaitTimeInMs: 100, readUncommitted: false });
  await consumer.connect();
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  // Custody's events only for the hop budget: no step waits for one.
  await consumer.subscribe({ topics: [TOPICS.intakeEvents, TOPICS.transferEvents, TOPICS.facilityEvents].map((t) => `${stack.topicPrefix}${t}`), fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const at = performance.now();
      const wall = Date.now();
      const service = SERVICE_OF_TOPIC[batch.topic.slice(stack.topicPrefix.length)] ?? batch.topic;
      for (const message of batch.messages) {
        hops.record(service, message.headers, message.timestamp, wall);
        const type = message.headers?.ce_type;
        if (message.key && type && service !== 'custody') learnt.learn(message.key.toString(), type.toString(), at);
      }
    },
  });
  await joined;
  return consumer;
}

/**
 * Tails the audit ledger's table in the benchmark's own cluster (read-only, by position: only the
 * rows chained since the last read), every LEDGER_TICK_MS while some case waits for it. A read of
 * the table writes nothing, where the audit service's HTTP reads of a person write an access-log row.
 */
function ledgerTail(stack: Stack, learnt: Learnt): { stop: () => Promise<void>; queries: () => number } {
  let position = 0;
  let running = true;
  let queries = 0;
  const loop = (async () => {
    while (running) {
      if (learnt.awaitingLedger.size > 0) {
        queries++;
        const { rows } = await stack.pool.query<{ position: string; inmate_id: string | null; type: string }>(
          `SELECT position, inmate_id::text AS inmate_id, body::jsonb->>'type' AS type FROM "${stack.schemas.audit}".ledger WHERE position > $1 ORDER BY position LIMIT 10000`,
          [position],
        );
        const at = performance.now();
        for (const row of rows) {
          position = Math.max(position, Number(row.position));
          if (row.type === 'InmateAdmitted' && row.inmate_id) learnt.learn(row.inmate_id, IN_LEDGER, at);
        }
      }
      await sleep(LEDGER_TICK_MS);
    }
  })();
  return { stop: async () => ((running = false), await loop), queries: () => queries };
}

/** Client-side time of each POST, by step rate (ms). */
const clientHttp = new Map<number, number[]>();

async function post(stack: Stack, oc: OpenCase, step: Step, rate: number): Promise<void> {
  for (;;) {
    if (oc.cancelled) throw new Cancelled(step.name);
    const t = performance.now();
    let answer;
    try {
      answer = await request('POST', `${stack.url(step.service)}${step.path}`, step.body);
    } catch (error) {
      throw new Error(`${step.name}: ${(error as Error).message}`);
    }
    clientHttp.get(rate)!.push(performance.now() - t);
    if (answer.status < 300) {
      oc.marks.set(step.name, performance.now() - oc.scheduledAt);
      return;
    }
    const code = (answer.body as ErrorBody | undefined)?.code;
    if (answer.status === 409 && code === 'NOT_YET_KNOWN_HERE') {
      // The server waited for the other service's events and ran out of time: its Retry-After is the protocol.
      oc.notYet++;
      await sleep((answer.retryAfterSeconds ?? 1) * 1000);
      continue;
    }
    throw new Error(`${step.name}: ${answer.status} ${code ?? JSON.stringify(answer.body).slice(0, 200)}`);
  }
}

/** Waits until the client learns the case's `type`; the step counts from when the case could go on (learnt, and asked). */
async function learnt(oc: OpenCase, known: Learnt, type: string, mark: string): Promise<void> {
  const asked = performance.now();
  const at = await known.until(oc.c.inmateId, type);
  oc.marks.set(mark, Math.max(at, asked) - oc.scheduledAt);
}

/**
 * One case, every step started by what the client learnt: intake's registration and sentence; the
 * sentence on intake's events topic before transfer is asked (transfer reads it from there); the
 * legal process to the reservation; the confirmation on transfer's events topic before the schedule;
 * the hand-over; the receipt on transfer's events topic before custody's admission (custody reads
 * it from there); the admission in the audit ledger.
 */
async function runOpenCase(stack: Stack, known: Learnt, oc: OpenCase, rate: number): Promise<void> {
  const c = oc.c;
  oc.startedAt = performance.now();
  try {
    for (const step of c.intake()) await post(stack, oc, step, rate);
    await learnt(oc, known, 'SentenceRecorded', 'sentence on intake.events');
    for (const step of c.untilReservation()) await post(stack, oc, step, rate);
    await learnt(oc, known, 'PlaceReservationConfirmed', 'place reserved');
    for (const step of c.handOver()) await post(stack, oc, step, rate);
    await learnt(oc, known, 'CustodyReceived', 'receipt on transfer.events');
    known.awaitingLedger.add(c.inmateId);
    await post(stack, oc, c.admission(), rate);
    // Transfer's completion is noted when it comes, not waited for: the case ends in the ledger.
    void learnt(oc, known, 'TransferCompleted', 'case completed').catch(() => undefined);
    await learnt(oc, known, IN_LEDGER, 'admission in the ledger');
    known.awaitingLedger.delete(c.inmateId);
    oc.doneAt = oc.scheduledAt + oc.marks.get('admission in the ledger')!;
  } catch (error) {
    if (!(error instanceof Cancelled) && !oc.cancelled) oc.failure = (error as Error).message;
  } finally {
    if (oc.doneAt === undefined) known.forget(c.inmateId);
    else setTimeout(() => known.forget(c.inmateId), 5000).unref();
  }
}

/** Every POST's histogram buckets of the four services (cumulative counts by upper bound), and their CPU seconds. */
interface Scrape {
  buckets: Map<number, number>;
  byService: Record<ServiceName, Map<number, number>>;
  cpuSeconds: Record<ServiceName, number>;
}

async function scrape(stack: Stack): Promise<Scrape> {
  const all = new Map<number, number>();
  const byService = {} as Scrape['byService'];
  const cpuSeconds = {} as Scrape['cpuSeconds'];
  for (const name of SERVICE_NAMES) {
    const text = await (await fetch(`${stack.service(name).url}/metrics`)).text();
    const own = new Map<number, number>();
    for (const line of text.split('\n')) {
      if (line.startsWith('custody_http_request_duration_seconds_bucket{') && line.includes('method="POST"')) {
        const le = /le="([^"]+)"/.exec(line)![1];
        const bound = le === '+Inf' ? Infinity : Number(le);
        const count = Number(line.split(' ').pop());
        own.set(bound, (own.get(bound) ?? 0) + count);
        all.set(bound, (all.get(bound) ?? 0) + count);
      }
      if (line.startsWith('process_cpu_seconds_total')) cpuSeconds[name] = Number(line.split(' ').pop());
    }
    byService[name] = own;
  }
  return { buckets: all, byService, cpuSeconds };
}

/** The q-quantile (0–1) of a histogram's counts between two scrapes, interpolated within its bucket as Prometheus does (ms). */
function histogramQuantile(before: Map<number, number>, after: Map<number, number>, q: number): { ms: number; count: number } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cumulative = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total === 0) return { ms: NaN, count: 0 };
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (cumulative[i] >= rank) {
      if (bounds[i] === Infinity) return { ms: bounds[i - 1] * 1000, count: total }; // past the last bound: the bound
      const lower = i === 0 ? 0 : bounds[i - 1];
      const below = i === 0 ? 0 : cumulative[i - 1];
      const inBucket = cumulative[i] - below;
      return { ms: (lower + (bounds[i] - lower) * (inBucket === 0 ? 0 : (rank - below) / inBucket)) * 1000, count: total };
    }
  }
  return { ms: NaN, count: total };
}

interface StepResult {
  rate: number;
  offered: number;
  cases: OpenCase[];
  completed: number;
  failed: number;
  unfinished: number;
  /** Completions per second between the step's first and last completion (the system's pace). */
  achieved: number;
  /** Latencies: completed cases' own; unfinished (and failed) cases' age when the step gave up on them, a lower bound. */
  latencies: number[];
  lowerBounds: number;
  maxStartLagMs: number;
  clientCpuPercent: number;
  loopDelayP99Ms: number;
  inFlight: number[];
  backlogGrowing: boolean;
  saturated: boolean;
  http: { p50: number; p99: number; count: number; perService: Record<string, { p50: number; p99: number; count: number }> };
  clientHttp: { p50: number; p99: number; count: number };
  serviceCpuPercent: Record<ServiceName, number>;
  seconds: number;
  loadAverage: number;
  notYet: number;
  failures: string[];
  /** The per-hop budget over the step (bench/lib/hops.ts). */
  budget: ReturnType<typeof summarise>;
}

let facilityTurn = 0;

async function runStep(stack: Stack, known: Learnt, facilities: string[], rate: number, durationS: number, drainS: number, quiet = false): Promise<StepResult> {
  const count = Math.max(1, Math.round(rate * durationS));
  clientHttp.set(rate, []);
  hops.take();
  const before = await scrape(stack);
  const cpu0 = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const t0 = performance.now() + 50;
  const cases: OpenCase[] = [];
  const running: Promise<void>[] = [];
  const inFlight: number[] = [];
  const sampler = setInterval(() => inFlight.push(cases.filter((oc) => oc.doneAt === undefined && oc.failure === undefined).length), 1000);
  // Arrivals on the schedule: case i at t0 + i/rate s, started late if the client was busy, never skipped.
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (cases.length < count && t0 + (cases.length * 1000) / rate <= now) {
        const oc: OpenCase = {
          c: new TransferCase(BELGIUM_TO_ALBANIA, facilities[facilityTurn++ % facilities.length]),
          scheduledAt: t0 + (cases.length * 1000) / rate,
          marks: new Map(),
          notYet: 0,
        };
        known.follow(oc.c.inmateId);
        cases.push(oc);
        running.push(runOpenCase(stack, known, oc, rate));
      }
      if (cases.length >= count) return done();
      setTimeout(tick, Math.max(0, t0 + (cases.length * 1000) / rate - performance.now()));
    };
    tick();
  });
  const arrivalsEnd = t0 + (count * 1000) / rate;
  const drained = await Promise.race([Promise.all(running).then(() => true), sleep(Math.max(0, arrivalsEnd + drainS * 1000 - performance.now())).then(() => false)]);
  const end = performance.now();
  clearInterval(sampler);
  if (!drained) for (const oc of cases) if (oc.doneAt === undefined && oc.failure === undefined) oc.cancelled = true;
  for (const oc of cases) if (oc.cancelled) known.forget(oc.c.inmateId);
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  const after = await scrape(stack);
  const seconds = (end - t0) / 1000;
  const budget = summarise(hops.take());

  const done = cases.filter((oc) => oc.doneAt !== undefined);
  const failed = cases.filter((oc) => oc.failure !== undefined);
  const unfinished = cases.filter((oc) => oc.doneAt === undefined && oc.failure === undefined);
  const completions = done.map((oc) => oc.doneAt!).sort((a, b) => a - b);
  const achieved = completions.length > 1 ? (completions.length - 1) / ((completions[completions.length - 1] - completions[0]) / 1000) : 0;
  const latencies = [...done.map((oc) => oc.doneAt! - oc.scheduledAt), ...[...failed, ...unfinished].map((oc) => end - oc.scheduledAt)];
  // The samples are taken each second from the step's start: in flight halfway through the arrivals and at their end.
  const half = inFlight[Math.min(inFlight.length - 1, Math.max(0, Math.floor(durationS / 2) - 1))] ?? 0;
  const atArrivalsEnd = inFlight[Math.min(inFlight.length - 1, Math.max(0, Math.floor(durationS) - 1))] ?? 0;
  const backlogGrowing = inFlight.length >= 4 && atArrivalsEnd >= 1.5 * half + 2;
  const httpAll = { p50: histogramQuantile(before.buckets, after.buckets, 0.5), p99: histogramQuantile(before.buckets, after.buckets, 0.99) };
  const perService = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const p50 = histogramQuantile(before.byService[name], after.byService[name], 0.5);
      return [name, { p50: p50.ms, p99: histogramQuantile(before.byService[name], after.byService[name], 0.99).ms, count: p50.count }];
    }),
  );
  const ownHttp = clientHttp.get(rate)!;
  const result: StepResult = {
    rate,
    offered: count / durationS,
    cases,
    completed: done.length,
    failed: failed.length,
    unfinished: unfinished.length,
    achieved,
    latencies,
    lowerBounds: failed.length + unfinished.length,
    maxStartLagMs: Math.max(...cases.map((oc) => (oc.startedAt ?? end) - oc.scheduledAt)),
    clientCpuPercent: ((cpu.user + cpu.system) / 1000 / (end - t0)) * 100,
    loopDelayP99Ms: loop.percentile(99) / 1e6,
    inFlight,
    backlogGrowing,
    // Failed cases are the services' answers, not the pace: counted in the percentiles and reported, they do not stop the sweep.
    saturated: achieved < 0.8 * rate || unfinished.length > 0 || backlogGrowing,
    http: { p50: httpAll.p50.ms, p99: httpAll.p99.ms, count: httpAll.p50.count, perService },
    clientHttp: { p50: median(ownHttp), p99: percentile(ownHttp, 99), count: ownHttp.length },
    serviceCpuPercent: Object.fromEntries(SERVICE_NAMES.map((name) => [name, ((after.cpuSeconds[name] - before.cpuSeconds[name]) / seconds) * 100])) as Record<ServiceName, number>,
    seconds,
    loadAverage: loadavg()[0],
    notYet: cases.reduce((n, oc) => n + oc.notYet, 0),
    failures: [...new Set(failed.map((oc) => oc.failure!))].slice(0, 5),
    budget,
  };
  if (!quiet) {
    const r = (n: number) => Math.round(n);
    log(
      `${rate}/s: ${count} cases, ${done.length} done, ${failed.length} failed, ${unfinished.length} unfinished; achieved ${achieved.toFixed(2)}/s; ` +
        `p50 ${r(percentile(latencies, 50))} ms, p99 ${r(percentile(latencies, 99))} ms; in flight ${inFlight.join(',')}; ` +
        `HTTP POST p50/p99 server ${r(result.http.p50)}/${r(result.http.p99)} ms, client ${r(result.clientHttp.p50)}/${r(result.clientHttp.p99)} ms; ` +
        `client CPU ${result.clientCpuPercent.toFixed(1)} %, services CPU ${SERVICE_NAMES.map((n) => `${n} ${r(result.serviceCpuPercent[n])} %`).join(', ')}; ` +
        `load ${result.loadAverage.toFixed(2)}${result.notYet ? `; ${result.notYet} NOT_YET_KNOWN_HERE` : ''}${result.failures.length ? `; failures: ${result.failures.join(' | ')}` : ''}`,
    );
    log(`${rate}/s hops p50/p99 ms: ${budget.map((h) => `${h.part} ${h.key} ${r(h.p50)}/${r(h.p99)}`).join('; ')}`);
  }
  return result;
}

/** The median time of each step after the one before it, over the completed cases. */
function stepMedians(cases: OpenCase[]): Array<[string, number]> {
  const done = cases.filter((oc) => oc.doneAt !== undefined);
  if (done.length === 0) return [];
  const names = [...done[0].marks.keys()].filter((n) => n !== 'case completed');
  return names.map((name, i) => [name, median(done.map((oc) => oc.marks.get(name)! - (i === 0 ? 0 : oc.marks.get(names[i - 1])!)))]);
}

async function main(): Promise<void> {
  log(`rates ${RATES.join(', ')} cases/s, ${DURATION_S} s each, ${DRAIN_S} s to finish, ${FACILITIES} facilities`);
  const postgres = await OwnPostgres.create('benchopen');
  let stack: Stack | undefined;
  const steps: StepResult[] = [];
  let consumer: Consumer | undefined;
  let tail: ReturnType<typeof ledgerTail> | undefined;
  let counter: RoundTripCounter | undefined;
  try {
    await postgres.start();
    counter = ROUND_TRIPS ? RoundTripCounter.enable() : undefined;
    log(`PostgreSQL cluster of its own on port ${postgres.port}; starting the four services`);
    stack = await Stack.start({ label: 'benchopen', databaseUrl: postgres.url, env: RECORDED_IN_TIME });
    const known = new Learnt();
    consumer = await eventsConsumer(stack, known);
    tail = ledgerTail(stack, known);
    const total = RATES.reduce((n, r) => n + Math.round(r * DURATION_S), WARMUP);
    const facilities: string[] = [];
    for (let i = 0; i < FACILITIES; i++) facilities.push(await registerFacility(stack, BELGIUM_TO_ALBANIA, Math.ceil(total / FACILITIES) + 10));
    log(`warm-up: ${WARMUP} cases at 1/s`);
    const warm = await runStep(stack, known, facilities, 1, WARMUP, DRAIN_S, true);
    if (warm.completed < WARMUP) throw new Error(`the warm-up did not complete: ${warm.failures.join(' | ') || `${warm.unfinished} unfinished`}`);
    const settled = () => sleep(1_200).then(() => counter?.snapshot());
    const before = await settled();
    for (const rate of RATES) {
      const step = await runStep(stack, known, facilities, rate, DURATION_S, DRAIN_S);
      steps.push(step);
      if (step.saturated) {
        log(`${rate}/s is saturated (${step.achieved < 0.8 * rate ? 'achieved < 80 % of offered' : step.unfinished ? 'cases unfinished at the bound' : 'the backlog kept growing'}): the sweep stops`);
        break;
      }
    }
    const after = await settled();
    report(stack, steps, tail.queries(), before && after ? { before, after } : undefined);
  } finally {
    counter?.close();
    await tail?.stop().catch(() => undefined);
    await consumer?.disconnect().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    await postgres.destroy();
  }
}

function report(stack: Stack, steps: StepResult[], ledgerQueries: number, roundTrips?: { before: RoundTrips; after: RoundTrips }): void {
  const figures: Figure[] = [];
  if (roundTrips) {
    const cases = steps.reduce((n, s) => n + s.cases.length, 0);
    const counted = perCase(roundTrips.before, roundTrips.after, cases, SERVICE_NAMES);
    for (const name of SERVICE_NAMES) {
      for (const kind of ['pg', 'kafka'] as const) {
        figures.push({
          id: `pipeline.open.roundTrips.${name}.${kind}`,
          what: `requests the ${name} service sent to ${kind === 'pg' ? 'PostgreSQL (queries, BEGIN and COMMIT included)' : 'Kafka (every request of either client)'} over the steps, per case offered (${cases} cases; the warm-up not counted); each statement in bench/results/pipeline-round-trips.json`,
          unit: 'per case', higherIsBetter: false, ours: Number(counted[name][kind].toFixed(1)),
        });
      }
    }
    writeResults('pipeline-round-trips', { rates: steps.map((s) => s.rate), cases, perCase: counted });
  }
  const bound = `${DRAIN_S} s after the last arrival`;
  for (const s of steps) {
    const id = `pipeline.open.r${s.rate}`;
    const n = s.cases.length;
    const lower = s.lowerBounds ? `; ${s.lowerBounds} of ${n} cases unfinished or failed at the bound (${bound}) are counted at their age then, so this is a lower bound` : '';
    figures.push(
      { id: `${id}.achieved`, what: `cases completed per second between the step's first and last completion, ${n} cases offered at ${s.rate}/s for ${DURATION_S} s (${s.completed} completed, ${s.failed} failed, ${s.unfinished} unfinished at the bound)`, unit: 'cases/s', higherIsBetter: true, ours: s.achieved, baseline: { name: 'offered rate', value: s.offered } },
      { id: `${id}.p50`, what: `scheduled arrival → the audit ledger showing the admission, median, ${s.rate}/s${lower}`, unit: 'ms', higherIsBetter: false, ours: percentile(s.latencies, 50) },
      { id: `${id}.p99`, what: `as .p50, 99th percentile (nearest rank of ${n})${lower}`, unit: 'ms', higherIsBetter: false, ours: percentile(s.latencies, 99), baseline: { name: 'the bar of pipeline.saturation', value: P99_BAR_MS } },
      ...(n >= 1000 ? [{ id: `${id}.p999`, what: `as .p50, 99.9th percentile (${n} cases)${lower}`, unit: 'ms', higherIsBetter: false, ours: percentile(s.latencies, 99.9) }] : []),
      { id: `${id}.unfinished`, what: `cases not in the ledger ${bound} (${s.unfinished}) or failed (${s.failed}${s.failures.length ? `: ${s.failures.join(' | ')}` : ''}), ${s.rate}/s; in flight each second: ${s.inFlight.join(', ')}`, unit: 'cases', higherIsBetter: false, ours: s.lowerBounds },
      { id: `${id}.clientCpu`, what: `the benchmark client's own CPU (user + system) over the step, ${s.rate}/s; its event-loop delay p99 ${s.loopDelayP99Ms.toFixed(1)} ms, latest case start ${Math.round(s.maxStartLagMs)} ms after its schedule; load average ${s.loadAverage.toFixed(2)}`, unit: '% of one core', higherIsBetter: false, ours: s.clientCpuPercent, peer: { name: 'the four services together (process_cpu_seconds_total)', value: SERVICE_NAMES.reduce((t, name) => t + s.serviceCpuPercent[name], 0) } },
      { id: `${id}.http.p50`, what: `server-side time of the POST commands (custody_http_request_duration_seconds, all four services, bucket counts between scrapes before and after the step, interpolated within a bucket), median, ${s.rate}/s, ${s.http.count} requests`, unit: 'ms', higherIsBetter: false, ours: s.http.p50, baseline: { name: 'the same requests timed by the client', value: s.clientHttp.p50 } },
      { id: `${id}.http.p99`, what: `as .http.p50, 99th percentile`, unit: 'ms', higherIsBetter: false, ours: s.http.p99, baseline: { name: 'the same requests timed by the client', value: s.clientHttp.p99 } },
    );
  }
  const underBar = steps.filter((s) => percentile(s.latencies, 99) <= P99_BAR_MS);
  const saturation = underBar.length ? Math.max(...underBar.map((s) => s.rate)) : 0;
  const stoppedAt = steps[steps.length - 1];
  figures.unshift({
    id: 'pipeline.saturation',
    what: `the highest offered rate whose p99 (scheduled arrival → admission in the audit ledger) is ≤ ${P99_BAR_MS} ms; 0 when none is. Steps run: ${steps.map((s) => `${s.rate}/s p99 ${Math.round(percentile(s.latencies, 99))} ms`).join(', ')}${stoppedAt?.saturated ? `; the sweep stopped after ${stoppedAt.rate}/s, saturated` : ''}`,
    unit: 'cases/s', higherIsBetter: true, ours: saturation,
  });
  const at10 = steps.find((s) => s.rate === 10);
  const at = at10 ?? stoppedAt;
  if (at) {
    const where = at10 ? 'at 10 cases/s' : `at ${at.rate} cases/s, the highest rate the sweep ran (it stopped before 10/s)`;
    const lower = at.lowerBounds ? `; ${at.lowerBounds} cases unfinished or failed counted at their age at the bound: a lower bound` : '';
    figures.splice(1, 0,
      { id: 'pipeline.latency.p99.at10', what: `scheduled arrival → the audit ledger showing the admission, 99th percentile, ${where}${lower}`, unit: 'ms', higherIsBetter: false, ours: percentile(at.latencies, 99), baseline: { name: 'the same, median', value: percentile(at.latencies, 50) } },
      { id: 'pipeline.http.p50.at10', what: `server-side time of an HTTP command (POST, the four services' custody_http_request_duration_seconds between scrapes, interpolated within a bucket), median, ${where}`, unit: 'ms', higherIsBetter: false, ours: at.http.p50, baseline: { name: 'the same requests timed by the client', value: at.clientHttp.p50 } },
      { id: 'pipeline.http.p99.at10', what: `as pipeline.http.p50.at10, 99th percentile, ${where}`, unit: 'ms', higherIsBetter: false, ours: at.http.p99, baseline: { name: 'the same requests timed by the client', value: at.clientHttp.p99 } },
    );
    for (const hop of at.budget) {
      const id = `pipeline.open.hop.${hop.part}.${hop.key.replace(/[^a-z0-9]+/gi, '-')}`;
      const what = {
        relay: `the ${hop.key} service's events: recorded in its store (ce_recordedtime) → produced by its relay (the Kafka record's timestamp)`,
        delivery: `the ${hop.key} service's events: produced by its relay → handed to a read_committed consumer (the benchmark's own, fetching as the services' do)`,
        reaction: `${hop.key.replace(' → ', "'s event handed to a consumer → the ")} service's event it caused recorded in its store (consumer, handler and append)`,
      }[hop.part];
      figures.push(
        { id: `${id}.p50`, what: `${what}, median of ${hop.count}, ${where}`, unit: 'ms', higherIsBetter: false, ours: hop.p50 },
        { id: `${id}.p99`, what: `as .p50, 99th percentile`, unit: 'ms', higherIsBetter: false, ours: hop.p99 },
      );
    }
    for (const [step, ms] of stepMedians(at.cases)) {
      figures.push({ id: `pipeline.open.step.${step.replace(/[^a-z0-9]+/gi, '-')}.p50`, what: `the step "${step}" after the one before it (a command accepted, or what the client learnt from Kafka or the ledger), median of the completed cases ${where}`, unit: 'ms', higherIsBetter: false, ours: ms });
    }
  }
  for (const name of SERVICE_NAMES) {
    figures.push({ id: `pipeline.open.peakRssMb.${name}`, what: `peak resident memory of the ${name} process over the open-loop run (kernel high-water mark)`, unit: 'MB', higherIsBetter: false, ours: stack.service(name).peakRssMb });
  }
  writeReport(
    'pipeline',
    {
      'open.rates': steps.map((s) => s.rate).join(','),
      'open.durationSeconds': DURATION_S,
      'open.drainSeconds': DRAIN_S,
      'open.facilities': FACILITIES,
      'open.postgres': 'a cluster of its own',
      'open.ledgerReads': ledgerQueries,
      'open.loadAverage': steps.map((s) => s.loadAverage.toFixed(2)).join(','),
    },
    figures,
    { replaces: isOpenLoopFigure },
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);

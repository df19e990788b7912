// `npm run bench -- event-store`: the PostgreSQL event store beside plain INSERTs (baseline) and
// Emmett's PostgreSQL event store (peer), on the same server in the same run; then a replay of
// 1,000,000 events through readAll beside a raw streaming SELECT that parses the same JSON; and
// how soon a subscription delivers a committed event while another database of the server keeps
// a transaction open. Everything runs in databases of its own, dropped at the end.
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import Cursor from 'pg-cursor';
import { PostgresEventStore } from '@custody/event-store';
import type { NewEvent } from '@custody/event-store';
import { median, percentile, writeReport } from './lib/report';
import type { Figure } from './lib/report';

const SCHEMA = 'custody_events';
// The replay reads a store of its own, holding exactly the seeded events.
const REPLAY_SCHEMA = 'custody_replay';
// The wake-up figures use a store of their own too: the append workloads leave events nobody has
// read (so not numbered yet), and a reader's first run would number them all.
const WAKE_SCHEMA = 'custody_wake';
const REPETITIONS = 3;
const REPLAY_STREAMS = 100_000;
const REPLAY_EVENTS_PER_STREAM = 10;

/** A workload: `concurrency` writers on distinct streams, each append carrying `batch` events. */
interface Workload {
  id: string;
  what: string;
  concurrency: number;
  batch: number;
  appendsPerRun: number;
}

const WORKLOADS: Workload[] = [
  { id: 'append.c1.b1', what: 'single-event appends, 1 writer', concurrency: 1, batch: 1, appendsPerRun: 1500 },
  { id: 'append.c8.b1', what: 'single-event appends, 8 concurrent writers on distinct streams', concurrency: 8, batch: 1, appendsPerRun: 6000 },
  { id: 'append.c32.b1', what: 'single-event appends, 32 concurrent writers on distinct streams', concurrency: 32, batch: 1, appendsPerRun: 8000 },
  { id: 'append.c8.b10', what: '10-event appends, 8 concurrent writers on distinct streams', concurrency: 8, batch: 10, appendsPerRun: 1500 },
];

/** One writer's next append: `writer` is its index, `n` how many appends it has made in this run. */
type Append = (writer: number, n: number, events: NewEvent[]) => Promise<void>;

interface RunResult {
  eventsPerSecond: number;
  latenciesMs: number[];
}

// ~450 bytes of data + metadata, like a custody event.
function custodyEvent(): NewEvent {
  return {
    id: randomUUID(),
    type: 'InmateMovedToCell',
    schemaVersion: 1,
    data: {
      inmateId: randomUUID(),
      facilityId: 'XK-GJILAN-01',
      fromCell: 'B-214',
      toCell: 'C-017',
      reason: 'Reallocation after the quarterly capacity review of the leased wing',
      orderedBy: { state: 'DK', organisation: 'Kriminalforsorgen', officer: 'officer-3381' },
    },
    metadata: {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: '2026-03-01T10:00:00.000Z',
      actor: { state: 'DK', organisation: 'Kriminalforsorgen', officer: 'officer-3381' },
    },
  };
}

async function runWorkload(workload: Workload, append: Append): Promise<RunResult> {
  const perWriter = Math.ceil(workload.appendsPerRun / workload.concurrency);
  const latenciesMs: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workload.concurrency }, async (_, writer) => {
      for (let n = 0; n < perWriter; n++) {
        const events = Array.from({ length: workload.batch }, custodyEvent);
        const t0 = performance.now();
        await append(writer, n, events);
        latenciesMs.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSecond: (perWriter * workload.concurrency * workload.batch) / seconds, latenciesMs };
}

/** A system under test: makes an Append for a run (fresh streams per run), and cleans up. */
interface Contender {
  name: string;
  open(concurrency: number): Promise<{ appendFor(run: string): Append; close(): Promise<void> }>;
}

function ours(url: string, notify: 'after-commit' | 'in-transaction' = 'after-commit'): Contender {
  return {
    name: 'custody event store',
    async open(concurrency) {
      const pool = new Pool({ connectionString: url, max: concurrency });
      const store = new PostgresEventStore({ connection: pool, schema: SCHEMA, notify });
      await store.migrate();
      return {
        appendFor(run) {
          return async (writer, n, events) => {
            await store.appendToStream(`inmate-${run}w${writer}`, events, { expectedRevision: n === 0 ? 'no_stream' : n * events.length - 1 });
          };
        },
        async close() {
          await store.close();
          await pool.end();
        },
      };
    },
  };
}

function rawInserts(url: string): Contender {
  return {
    name: 'plain INSERT of the same rows (autocommit; one multi-row INSERT per batch)',
    async open(concurrency) {
      const pool = new Pool({ connectionString: url, max: concurrency });
      await pool.query(
        `CREATE TABLE IF NOT EXISTS raw_events (
           id bigserial PRIMARY KEY, event_id uuid NOT NULL, stream_name text NOT NULL,
           event_type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL)`,
      );
      return {
        appendFor(run) {
          return async (writer, _n, events) => {
            const values: unknown[] = [];
            const rows = events.map((e, i) => {
              values.push(e.id, `inmate-${run}w${writer}`, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
              return `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`;
            });
            await pool.query(`INSERT INTO raw_events (event_id, stream_name, event_type, data, metadata) VALUES ${rows.join(', ')}`, values);
          };
        },
        close: () => pool.end(),
      };
    },
  };
}

function emmett(url: string): Contender {
  return {
    name: 'emmett-postgresql 0.42.0',
    async open(concurrency) {
      // Loaded here, not at the top: the replay's child processes need none of it.
      const { getPostgreSQLEventStore } = await import('@event-driven-io/emmett-postgresql');
      const { STREAM_DOES_NOT_EXIST } = await import('@event-driven-io/emmett');
      const pool = new Pool({ connectionString: url, max: concurrency });
      const store = getPostgreSQLEventStore(url, { connectionOptions: { pooled: true, pool } });
      return {
        appendFor(run) {
          const versions = new Map<number, bigint>();
          return async (writer, _n, events) => {
            const result = await store.appendToStream(
              `inmate-${run}w${writer}`,
              events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata: e.metadata })),
              { expectedStreamVersion: versions.get(writer) ?? STREAM_DOES_NOT_EXIST },
            );
            versions.set(writer, result.nextExpectedStreamVersion);
          };
        },
        async close() {
          await store.close();
          await pool.end().catch(() => undefined);
        },
      };
    },
  };
}

/**
 * Runs the workload REPETITIONS times for each contender, the contenders taking turns within each
 * repetition so that a drift of the machine touches each alike; each run on a freshly opened
 * pool, after a warm-up. The median throughput, and the latencies of every run.
 */
async function measure(contenders: Contender[], workload: Workload): Promise<RunResult[]> {
  const runs: RunResult[][] = contenders.map(() => []);
  for (let r = 0; r < REPETITIONS; r++) {
    for (const [i, contender] of contenders.entries()) {
      const opened = await contender.open(workload.concurrency);
      try {
        const warmUp = { ...workload, appendsPerRun: workload.concurrency * 10 };
        await runWorkload(warmUp, opened.appendFor(`warm${randomBytes(3).toString('hex')}`));
        runs[i].push(await runWorkload(workload, opened.appendFor(`r${r}${randomBytes(3).toString('hex')}`)));
      } finally {
        await opened.close();
      }
    }
  }
  return runs.map((own) => ({ eventsPerSecond: median(own.map((r) => r.eventsPerSecond)), latenciesMs: own.flatMap((r) => r.latenciesMs) }));
}

async function appendFigures(url: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  const [raw, peer] = [rawInserts(url), emmett(url)];
  for (const workload of WORKLOADS) {
    const withNotifyVariant = workload.id === 'append.c8.b1';
    const contenders = [raw, peer, ours(url), ...(withNotifyVariant ? [ours(url, 'in-transaction')] : [])];
    const [baseline, peerResult, mine, notifying] = await measure(contenders, workload);
    log(
      `${workload.id}: ours ${mine.eventsPerSecond.toFixed(0)}/s, raw ${baseline.eventsPerSecond.toFixed(0)}/s, ` +
        `emmett ${peerResult.eventsPerSecond.toFixed(0)}/s` +
        (notifying ? `, ours with NOTIFY in the transaction ${notifying.eventsPerSecond.toFixed(0)}/s` : ''),
    );
    figures.push({
      id: workload.id,
      what: workload.what,
      unit: 'events/s',
      higherIsBetter: true,
      ours: mine.eventsPerSecond,
      baseline: { name: raw.name, value: baseline.eventsPerSecond },
      peer: { name: peer.name, value: peerResult.eventsPerSecond },
    });
    for (const p of [50, 99] as const) {
      figures.push({
        id: `${workload.id}.p${p}`,
        what: `latency of one append call, p${p}: ${workload.what}`,
        unit: 'ms',
        higherIsBetter: false,
        ours: percentile(mine.latenciesMs, p),
        baseline: { name: raw.name, value: percentile(baseline.latenciesMs, p) },
        peer: { name: peer.name, value: percentile(peerResult.latenciesMs, p) },
      });
    }
    if (notifying) {
      figures.push({
        id: 'append.c8.b1.notifyInTransaction',
        what: 'as append.c8.b1, with NOTIFY inside the appending transaction (option notify: in-transaction); baseline: the default, NOTIFY after commit',
        unit: 'events/s',
        higherIsBetter: true,
        ours: notifying.eventsPerSecond,
        baseline: { name: 'custody event store, NOTIFY after commit (default)', value: mine.eventsPerSecond },
      });
    }
  }
  return figures;
}

/** Fills the store with REPLAY_STREAMS streams of REPLAY_EVENTS_PER_STREAM events, the size of custodyEvent(). */
async function seedReplay(url: string): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  const store = new PostgresEventStore({ connection: pool, schema: REPLAY_SCHEMA });
  await store.migrate();
  const sample = custodyEvent();
  const chunk = 10_000;
  for (let from = 0; from < REPLAY_STREAMS; from += chunk) {
    // One transaction per chunk of streams: many writing transactions, as in real use.
    await pool.query(
      `WITH s AS (SELECT g AS n, 'inmate-replay' || g AS stream_name FROM generate_series($1::int, $2::int) g)
       INSERT INTO "${REPLAY_SCHEMA}".events (stream_name, category, revision, event_id, event_type, schema_version, data, metadata)
       SELECT s.stream_name, 'inmate', r, gen_random_uuid(), $3, 1,
              jsonb_set($4::jsonb, '{inmateId}', to_jsonb(gen_random_uuid()::text)),
              jsonb_set($5::jsonb, '{correlationId}', to_jsonb(gen_random_uuid()::text))
       FROM s CROSS JOIN generate_series(0, $6::int - 1) r
       ORDER BY s.n, r`,
      [from, Math.min(from + chunk, REPLAY_STREAMS) - 1, sample.type, JSON.stringify(sample.data), JSON.stringify(sample.metadata), REPLAY_EVENTS_PER_STREAM],
    );
  }
  await pool.query(
    `INSERT INTO "${REPLAY_SCHEMA}".streams (stream_name, category, revision)
     SELECT stream_name, 'inmate', max(revision) FROM "${REPLAY_SCHEMA}".events WHERE stream_name LIKE 'inmate-replay%' GROUP BY stream_name`,
  );
  // The store numbers what was inserted behind its back on the first global read: done here, so
  // that the replay measures reading only (and the sequencer's own pace is on record).
  const sequencing = performance.now();
  for await (const first of store.readAll({ maxCount: 1 })) void first;
  log(`sequencer: ${REPLAY_STREAMS * REPLAY_EVENTS_PER_STREAM} events numbered in ${((performance.now() - sequencing) / 1000).toFixed(1)} s`);
  await pool.query(`VACUUM ANALYZE "${REPLAY_SCHEMA}".events`);
  await store.close();
  await pool.end();
}

/** What a replay folds: per inmate, how many events and the last cell. */
interface InmateFold {
  events: number;
  cell?: string;
}

/** The replay itself, in a child process so that its peak memory is its own. */
async function replayChild(kind: 'ours' | 'raw', url: string): Promise<void> {
  const folded = new Map<string, InmateFold>();
  const fold = (stream: string, data: unknown) => {
    const state = folded.get(stream) ?? { events: 0 };
    state.events++;
    state.cell = (data as { toCell?: string }).toCell;
    folded.set(stream, state);
  };
  const pool = new Pool({ connectionString: url, max: 2 });
  let count = 0;
  const started = performance.now();
  if (kind === 'ours') {
    const store = new PostgresEventStore({ connection: pool, schema: REPLAY_SCHEMA });
    for await (const event of store.readAll()) {
      fold(event.streamName, event.data);
      count++;
    }
    await store.close();
  } else {
    const client = await pool.connect();
    const cursor = client.query(
      new Cursor(
        // The same columns as the store's reads, in position order without the store's visibility rule.
        `SELECT global_position::text AS global_text, position, stream_name, revision, event_id, event_type, schema_version,
                data, metadata, (recorded_at AT TIME ZONE 'UTC')::text AS recorded_text
         FROM "${REPLAY_SCHEMA}".events ORDER BY position`,
      ),
    );
    for (;;) {
      const rows = await cursor.read(1000);
      if (rows.length === 0) break;
      for (const row of rows) {
        fold(row.stream_name, row.data);
        count++;
      }
    }
    await cursor.close();
    client.release();
  }
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  process.send!({ count, eventsPerSecond: count / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, inmates: folded.size });
}

interface ReplayResult {
  count: number;
  eventsPerSecond: number;
  peakRssMb: number;
  inmates: number;
}

function replayInChild(kind: 'ours' | 'raw', url: string): Promise<ReplayResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--replay-child', kind, url], { execArgv: ['-r', '@swc-node/register'] });
    let result: ReplayResult | undefined;
    child.on('message', (message) => (result = message as ReplayResult));
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`replay child (${kind}) exited with ${code}`))));
  });
}

async function replayFigures(url: string): Promise<Figure[]> {
  const started = performance.now();
  await seedReplay(url);
  log(`seeded ${REPLAY_STREAMS * REPLAY_EVENTS_PER_STREAM} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const mine: ReplayResult[] = [];
  const raw: ReplayResult[] = [];
  for (let r = 0; r < REPETITIONS; r++) {
    raw.push(await replayInChild('raw', url));
    mine.push(await replayInChild('ours', url));
    log(`replay ${r + 1}: ours ${mine[r].eventsPerSecond.toFixed(0)}/s (${mine[r].peakRssMb.toFixed(0)} MB), raw ${raw[r].eventsPerSecond.toFixed(0)}/s (${raw[r].peakRssMb.toFixed(0)} MB)`);
  }
  for (const result of [...mine, ...raw]) {
    if (result.count !== REPLAY_STREAMS * REPLAY_EVENTS_PER_STREAM || result.inmates !== REPLAY_STREAMS) {
      throw new Error(`replay read ${result.count} events of ${result.inmates} inmates: expected every seeded event`);
    }
  }
  return [
    {
      id: 'replay.readAll',
      what: `fold ${REPLAY_STREAMS * REPLAY_EVENTS_PER_STREAM} events of ${REPLAY_STREAMS} streams through readAll; baseline: pg-cursor SELECT of the same rows (1,000-row reads, same JSON parsed, same fold)`,
      unit: 'events/s',
      higherIsBetter: true,
      ours: median(mine.map((r) => r.eventsPerSecond)),
      baseline: { name: 'pg-cursor streaming SELECT + JSON.parse', value: median(raw.map((r) => r.eventsPerSecond)) },
    },
    {
      id: 'replay.peakRssMb',
      what: 'peak resident memory of the replay process (whole process, max over runs); baseline: the raw SELECT process',
      unit: 'MB',
      higherIsBetter: false,
      ours: Math.max(...mine.map((r) => r.peakRssMb)),
      baseline: { name: 'pg-cursor streaming SELECT + JSON.parse', value: Math.max(...raw.map((r) => r.peakRssMb)) },
    },
  ];
}

const WAKE_SECONDS = 6;
// Appends at the same rate before the measured ones, not counted: the pools open their
// connections, statements get prepared and the code is compiled (a first second showed delays
// of up to 270 ms that the following six never approached).
const WAKE_WARMUP_SECONDS = 1;
const WAKE_APPENDS_PER_TICK = 10;
const WAKE_TICK_MS = 10;

/**
 * Commit → delivered to a subscription, at about 1,000 single-event appends/s, while another
 * database of the same server runs 100 ms transactions that take a transaction id, back to back
 * (each would have held every reader of the server back under the order by transaction ids).
 */
async function wakeFigures(serverUrl: string, url: string): Promise<Figure[]> {
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  const other = `custody_bench_other_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${other}`);
  const otherUrl = new URL(serverUrl);
  otherUrl.pathname = `/${other}`;
  const blocker = new Pool({ connectionString: otherUrl.toString(), max: 1 });
  // pool.end() resolves before its last connection has closed, and the DROP DATABASE … WITH
  // (FORCE) at the end terminates that connection: its error is expected, not a crash.
  blocker.on('error', () => undefined);
  const writerPool = new Pool({ connectionString: url, max: WAKE_APPENDS_PER_TICK });
  const readerPool = new Pool({ connectionString: url, max: 4 });
  const writer = new PostgresEventStore({ connection: writerPool, schema: WAKE_SCHEMA });
  const reader = new PostgresEventStore({ connection: readerPool, schema: WAKE_SCHEMA });
  await writer.migrate();
  const category = `wake${randomBytes(3).toString('hex')}`;
  const committedAt = new Map<string, number>();
  const deliveredAt = new Map<string, number>();
  const subscription = reader.subscribeToAll({ filter: { categories: [category] } });
  const reading = (async () => {
    for await (const e of subscription) deliveredAt.set(e.id, performance.now());
  })();
  let blocking = true;
  let blocked = 0;
  const blockingLoop = (async () => {
    while (blocking) {
      const client = await blocker.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_current_xact_id()');
        await client.query('SELECT pg_sleep(0.1)');
        await client.query('COMMIT');
        blocked++;
      } finally {
        client.release();
      }
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const warmupEnds = performance.now() + WAKE_WARMUP_SECONDS * 1000;
    const started = performance.now();
    let tick = 0;
    let measuredFrom = Number.POSITIVE_INFINITY;
    const appends: Array<Promise<void>> = [];
    while (performance.now() - started < (WAKE_WARMUP_SECONDS + WAKE_SECONDS) * 1000) {
      const isMeasured = performance.now() >= warmupEnds;
      if (isMeasured && measuredFrom === Number.POSITIVE_INFINITY) measuredFrom = performance.now();
      for (let i = 0; i < WAKE_APPENDS_PER_TICK; i++) {
        const event = custodyEvent();
        appends.push(
          writer.appendToStream(`${category}-${tick}-${i}`, [event]).then(() => {
            if (isMeasured) committedAt.set(event.id, performance.now());
          }),
        );
      }
      tick++;
      const next = started + tick * WAKE_TICK_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    }
    await Promise.all(appends);
    const rate = committedAt.size / ((performance.now() - measuredFrom) / 1000);
    const deadline = performance.now() + 10_000;
    while (deliveredAt.size < committedAt.size && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // A delivery may precede the writer's own acknowledgement of its commit: that is 0 ms.
    const delays = [...committedAt].map(([id, at]) => Math.max(0, (deliveredAt.get(id) ?? Number.POSITIVE_INFINITY) - at));
    const missing = delays.filter((d) => !Number.isFinite(d)).length;
    log(`read.wake: ${committedAt.size} appends measured after ${WAKE_WARMUP_SECONDS} s of warm-up (~${rate.toFixed(0)}/s), ${blocked} blocking transactions of 100 ms elsewhere, ${missing} not delivered within 10 s`);
    return [50, 99].map((p) => ({
      id: `read.wake.p${p}`,
      what: `commit → delivered to a subscription, p${p}, at ~1,000 appends/s (after ${WAKE_WARMUP_SECONDS} s of warm-up at that rate, not counted) while another database of the server runs 100 ms transactions holding a transaction id`,
      unit: 'ms',
      higherIsBetter: false,
      ours: percentile(delays, p),
    }));
  } finally {
    blocking = false;
    await blockingLoop;
    await subscription.stop();
    await reading;
    await reader.close();
    await writer.close();
    await Promise.all([writerPool.end(), readerPool.end(), blocker.end()]);
    await admin.query(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`);
    await admin.end();
  }
}

function log(line: string): void {
  process.stderr.write(`[event-store bench] ${line}\n`);
}

async function main(): Promise<void> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `custody_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  try {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    // `npm run bench -- event-store [append] [wake] [replay]` measures those parts alone (all three by default).
    const asked = process.argv.slice(2).filter((a) => ['append', 'wake', 'replay'].includes(a));
    const parts = new Set(asked.length > 0 ? asked : ['append', 'wake', 'replay']);
    // The wake-up figures come first, on a fresh database: after the append workloads the server
    // spends the next minute on their checkpoint and autovacuum, which then lands in the wake-up
    // tail (p99 40 ms there against 11-17 ms alone, measured the same day).
    const figures = [
      ...(parts.has('wake') ? await wakeFigures(serverUrl, url.toString()) : []),
      ...(parts.has('append') ? await appendFigures(url.toString()) : []),
      ...(parts.has('replay') ? await replayFigures(url.toString()) : []),
    ];
    writeReport('event-store', { postgres: rows[0].server_version.split(' ')[0] }, figures);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

if (process.argv[2] === '--replay-child') {
  replayChild(process.argv[3] as 'ours' | 'raw', process.argv[4]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

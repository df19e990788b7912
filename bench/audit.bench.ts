// `npm run bench -- audit [entries]`: the audit ledger. A person with 500 events in a ledger of
// 10,000 entries, then of 1,000,000 (timeline p50/p99: the cost should follow the person's
// history, not the ledger's size); then a full `verify` of the large ledger beside a raw baseline
// that reads the same rows with the same cursor and hashes each one, in the same run; then
// whether every history is complete (stream revisions, ADR 0011) beside a parse of every body.
// The ledger is bulk-loaded with SQL (multi-row INSERT ... unnest) into a schema of its own,
// dropped at the end.
import { hash, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import Cursor from 'pg-cursor';
import { canonicalJson } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { AuditLedger } from '../services/audit/src/ledger/audit-ledger';
import { chain, toUnchainedEntry, type LedgerEntry, type LedgerEvent } from '../services/audit/src/ledger/entry';
import { LedgerRepository, migrateLedger, quoted } from '../services/audit/src/ledger/ledger.repository';
import { MerkleFrontier } from '../services/audit/src/ledger/merkle';
import { verifyLedger } from '../services/audit/src/ledger/verify';
import { median, percentile, writeReport, type Figure } from './lib/report';

const LARGE = Number(process.argv[2] ?? 1_000_000);
const SMALL = 10_000;
const PERSON_EVENTS = 500;
const OTHER_PEOPLE = 20_000;
const TIMELINE_RUNS = 300;
const VERIFY_REPETITIONS = 3;
const LOAD_BATCH = 5_000;

const person = randomUUID();
const others = Array.from({ length: OTHER_PEOPLE }, () => randomUUID());
const facility = randomUUID();
let clock = Date.parse('2026-01-01T00:00:00Z');
// Each other person's next revision, over both loads: a person whose place the first load gave to
// the person under test starts at revision 0 in the second.
const othersSeen = new Map<string, number>();

function event(inmateId: string, n: number): LedgerEvent {
  clock += 1000;
  const at = new Date(clock).toISOString();
  const data: Record<string, unknown> =
    n === 0
      ? { inmateId, sendingState: 'BE', nationalities: ['AL'], holdingFacility: { name: 'Prison de Haren', reference: 'BE-HAR' } }
      : n % 2 === 1
        ? { inmateId, facilityId: facility, absenceId: randomUUID(), kind: 'court', destination: 'Tirana District Court', authority: { state: 'AL', organisation: 'Court police', officer: 'officer-3381' } }
        : { inmateId, facilityId: facility, absenceId: randomUUID() };
  return {
    id: randomUUID(),
    type: n === 0 ? 'InmateRegistered' : n % 2 === 1 ? 'AbsenceStarted' : 'AbsenceEnded',
    schemaVersion: n === 0 ? 2 : 1,
    subject: `inmate/${inmateId}`,
    occurredAt: at,
    recordedAt: at,
    source: '/custody/facility',
    correlationId: randomUUID(),
    actor: { state: 'AL', organisation: 'General Directorate of Prisons' },
    data,
    // Its place in custody's stream of the person, as the relays publish it (ADR 0011).
    stream: `custody-${inmateId}`,
    streamRevision: n,
    streamPrevious: n - 1,
  };
}

/** Appends `count` chained entries; the person's events are spread evenly over the first `personUpTo`. */
async function load(pool: Pool, schema: string, from: number, count: number, head: { size: number; hash: string | null }, heads: Map<string, string>, frontier: MerkleFrontier, personEvery: number, personCount: { n: number }) {
  const s = quoted(schema);
  for (let done = 0; done < count; done += LOAD_BATCH) {
    const events: LedgerEvent[] = [];
    for (let i = 0; i < Math.min(LOAD_BATCH, count - done); i++) {
      const position = from + done + i;
      if (personEvery > 0 && position % personEvery === 0 && personCount.n < PERSON_EVENTS) {
        events.push(event(person, personCount.n++));
      } else {
        const other = others[position % OTHER_PEOPLE];
        const n = othersSeen.get(other) ?? 0;
        othersSeen.set(other, n + 1);
        events.push(event(other, n));
      }
    }
    const entries: LedgerEntry[] = chain(events.map((e) => toUnchainedEntry(e)), head, heads);
    head.size += entries.length;
    head.hash = entries[entries.length - 1].hash;
    entries.forEach((e) => frontier.append(e.hash));
    await pool.query(
      `INSERT INTO ${s}.ledger (position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [entries.map((e) => e.position), entries.map((e) => e.eventId), entries.map((e) => e.subject), entries.map((e) => e.inmateId),
        entries.map((e) => e.body), entries.map((e) => e.prevHash), entries.map((e) => e.subjectPrevHash), entries.map((e) => e.hash)],
    );
    if ((done / LOAD_BATCH) % 20 === 0) process.stderr.write(`\rloaded ${from + done + entries.length}/${from + count}   `);
  }
  await pool.query(`UPDATE ${s}.ledger_head SET size = $1, head_hash = $2, frontier = $3`, [head.size, head.hash, JSON.stringify(frontier.toJson())]);
  await pool.query(`ANALYZE ${s}.ledger`);
  process.stderr.write('\n');
}

async function timelineLatencies(ledger: AuditLedger): Promise<number[]> {
  for (let i = 0; i < 30; i++) await ledger.timeline(person);
  const latencies: number[] = [];
  for (let i = 0; i < TIMELINE_RUNS; i++) {
    const started = performance.now();
    const timeline = await ledger.timeline(person);
    latencies.push(performance.now() - started);
    if (timeline.eventIds.length !== PERSON_EVENTS) throw new Error(`the timeline placed ${timeline.eventIds.length} events, not ${PERSON_EVENTS}`);
  }
  return latencies;
}

/** The floor for verify: the same rows, the same cursor and page size, one SHA-256 per row, nothing else. */
async function rawBaseline(pool: Pool, schema: string): Promise<number> {
  const client = await pool.connect();
  const started = performance.now();
  let rows = 0;
  try {
    const cursor = client.query(new Cursor(`SELECT position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash FROM ${quoted(schema)}.ledger WHERE position >= 0 ORDER BY position`));
    for (;;) {
      const page = await cursor.read(2000);
      if (page.length === 0) break;
      for (const row of page as Array<{ body: string }>) {
        hash('sha256', row.body, 'hex');
        rows++;
      }
    }
    await cursor.close();
  } finally {
    client.release();
  }
  return rows / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const pool = new Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', max: 4 });
  const schema = `bench_audit_${randomBytes(4).toString('hex')}`;
  const figures: Figure[] = [];
  try {
    await migrateLedger(pool, schema);
    const store = new PostgresEventStore({ connection: pool, schema });
    // No checkpoint is signed in this benchmark: no key needs trusting.
    const ledger = new AuditLedger(new LedgerRepository(pool, schema), store, new Map());
    const head = { size: 0, hash: null as string | null };
    const heads = new Map<string, string>();
    const frontier = new MerkleFrontier();
    const personCount = { n: 0 };

    await load(pool, schema, 0, SMALL, head, heads, frontier, Math.floor(SMALL / PERSON_EVENTS), personCount);
    const small = await timelineLatencies(ledger);
    await load(pool, schema, SMALL, LARGE - SMALL, head, heads, frontier, 0, personCount);
    const large = await timelineLatencies(ledger);
    const sizeLabel = LARGE >= 1_000_000 ? `${LARGE / 1_000_000}m` : `${LARGE / 1000}k`;
    figures.push(
      { id: 'timeline.p50.ledger10k', what: `custody timeline of one person with ${PERSON_EVENTS} events, ledger of ${SMALL} entries (ms, p50 of ${TIMELINE_RUNS})`, unit: 'ms', higherIsBetter: false, ours: percentile(small, 50) },
      { id: 'timeline.p99.ledger10k', what: `custody timeline of one person with ${PERSON_EVENTS} events, ledger of ${SMALL} entries (ms, p99 of ${TIMELINE_RUNS}); no baseline: the same person in the small ledger is the comparison`, unit: 'ms', higherIsBetter: false, ours: percentile(small, 99) },
      { id: `timeline.p50.ledger${sizeLabel}`, what: `the same person in a ledger of ${LARGE} entries (ms, p50)`, unit: 'ms', higherIsBetter: false, ours: percentile(large, 50), baseline: { name: `the same person in a ledger of ${SMALL} entries`, value: percentile(small, 50) } },
      { id: `timeline.p99.ledger${sizeLabel}`, what: `the same person in a ledger of ${LARGE} entries (ms, p99)`, unit: 'ms', higherIsBetter: false, ours: percentile(large, 99), baseline: { name: `the same person in a ledger of ${SMALL} entries`, value: percentile(small, 99) } },
    );

    const ours: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < VERIFY_REPETITIONS; i++) {
      raw.push(await rawBaseline(pool, schema));
      const started = performance.now();
      const report = await verifyLedger(new LedgerRepository(pool, schema).scan(0), { expectedSize: head.size });
      ours.push(report.checked / ((performance.now() - started) / 1000));
      if (!report.isIntact || report.merkleRoot !== frontier.root()) throw new Error(`verify found the bench ledger broken: ${JSON.stringify(report.break)}`);
      process.stderr.write(`verify run ${i + 1}: ${Math.round(ours[i])} entries/s, raw ${Math.round(raw[i])} rows/s\n`);
    }
    figures.push({
      id: 'verify.throughput',
      what: `full verify of ${LARGE} entries: each entry's hash recomputed, both links checked, the Merkle tree rebuilt (median of ${VERIFY_REPETITIONS})`,
      unit: 'entries/s',
      higherIsBetter: true,
      ours: median(ours),
      baseline: { name: 'the same rows read with the same cursor, one SHA-256 of each body', value: median(raw) },
    });
    // GET /ledger/verify (docs/adr/0020-background-ledger-verification.md): before, every request ran the whole
    // verification; now it reads the latest recorded report and the head.
    const repository = new LedgerRepository(pool, schema);
    const wholeStarted = performance.now();
    const whole = await ledger.verify({ fromPosition: 0 });
    const wholeMs = performance.now() - wholeStarted;
    await repository.recordVerification({ startedAt: new Date(), verifiedAt: new Date(), isIntact: whole.isIntact, size: whole.size, report: whole });
    const answers: number[] = [];
    for (let i = 0; i < TIMELINE_RUNS; i++) {
      const started = performance.now();
      const [latest, now] = await Promise.all([repository.lastVerification(), repository.head()]);
      if (!latest || now.size !== head.size) throw new Error('the recorded verification or the head is missing');
      answers.push(performance.now() - started);
    }
    figures.push({
      id: 'verify.route.p50',
      what: `GET /ledger/verify's work for a ledger of ${LARGE} entries: the latest recorded whole-chain verification and the head read (ms, p50 of ${TIMELINE_RUNS})`,
      unit: 'ms',
      higherIsBetter: false,
      ours: percentile(answers, 50),
      baseline: { name: 'the whole-chain verification each request ran before (AUDIT_VERIFY_INTERVAL_MS=0, or ?fromPosition=0)', value: wholeMs },
    });
    const histories: number[] = [];
    const parsed: number[] = [];
    for (let i = 0; i < VERIFY_REPETITIONS; i++) {
      let started = performance.now();
      await pool.query(`SELECT count(*) FILTER (WHERE body::jsonb ? 'stream') FROM ${quoted(schema)}.ledger`);
      parsed.push(head.size / ((performance.now() - started) / 1000));
      started = performance.now();
      const history = await ledger.history();
      histories.push(head.size / ((performance.now() - started) / 1000));
      if (!history.isComplete || history.people !== OTHER_PEOPLE + 1) throw new Error(`the bench ledger's histories: ${JSON.stringify({ ...history, incompleteFacilities: undefined })}`);
      process.stderr.write(`history run ${i + 1}: ${Math.round(histories[i])} entries/s, every body parsed ${Math.round(parsed[i])} rows/s\n`);
    }
    figures.push({
      id: 'verify.history.throughput',
      what: `whether every history of ${LARGE} entries is complete (no stream revision missing, ADR 0011), as custody-audit verify reports it: one query over every entry's body (median of ${VERIFY_REPETITIONS})`,
      unit: 'entries/s',
      higherIsBetter: true,
      ours: median(histories),
      baseline: { name: 'the same entries, each body parsed as JSON by the database and nothing else', value: median(parsed) },
    });
    const { rows } = await pool.query<{ bytes: string }>(`SELECT avg(octet_length(body))::int AS bytes FROM ${quoted(schema)}.ledger`);
    writeReport('audit', { postgres: (await pool.query<{ v: string }>('SHOW server_version')).rows[0].v, ledgerEntries: LARGE, averageBodyBytes: Number(rows[0].bytes), canonical: canonicalJson({ b: 1, a: 2 }) === '{"a":2,"b":1}' ? 'RFC 8785' : 'broken' }, figures);
    await store.close();
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
    await pool.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { randomUUID } from 'node:crypto';
import { createTestSchema, type TestSchema } from '@custody/testing';
import { Chainer } from './chainer';
import type { LedgerEntry } from './entry';
import { LedgerRepository, migrateLedger } from './ledger.repository';
import { MerkleFrontier } from './merkle';
import { verifyLedger } from './verify';

/**
 * The chainer is the ledger's single writer: several of them (one per audit instance) take turns
 * under an advisory lock while the consumers keep adding pending entries. Whatever the turns,
 * every event is chained once, positions are dense, and each entry links to the one before it,
 * globally and within its subject.
 */
describe('Chainer: several chainers and a consumer at once', () => {
  let db: TestSchema;
  let s: string;

  beforeAll(async () => {
    db = await createTestSchema('audit_chainer');
    s = `"${db.schema}"`;
    await migrateLedger(db.pool, db.schema);
  });

  afterAll(async () => {
    await db?.drop();
  });

  const subjects = Array.from({ length: 12 }, () => randomUUID());

  /** Pending entries as the ledger's consumer writes them, for random people among `subjects`. */
  async function addPending(count: number, eventIds: string[] = Array.from({ length: count }, () => randomUUID())): Promise<string[]> {
    const inmates = eventIds.map(() => subjects[Math.floor(Math.random() * subjects.length)]);
    await db.pool.query(
      `INSERT INTO ${s}.ledger_pending (event_id, subject, inmate_id, body, signature)
       SELECT unnest($1::uuid[]), 'inmate/' || unnest($2::text[]), unnest($2::uuid[]), unnest($3::text[]), unnest($4::text[])`,
      [
        eventIds,
        inmates,
        eventIds.map((id) => JSON.stringify({ id, type: 'Moved' })),
        eventIds.map((_, i) => (i % 3 === 0 ? null : `sig-${i}`)),
      ],
    );
    return eventIds;
  }

  it('chains every event once, densely, each linked globally and within its subject, and drops a redelivered one', async () => {
    const chainers = [0, 1, 2].map(() => new Chainer(db.pool, db.schema, 25));
    const written = await addPending(40);
    await chainers[0].drain();
    // A redelivery that raced the chaining: the event is chained already, and comes again as pending.
    const redelivered = written[7];
    await addPending(1, [redelivered]);

    let adding = true;
    const producer = (async () => {
      for (let round = 0; round < 15; round++) {
        written.push(...(await addPending(10 + round)));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      adding = false;
    })();
    const turns = chainers.map(async (chainer) => {
      while (adding) await chainer.chainBatch();
    });
    await Promise.all([producer, ...turns]);
    await chainers[1].drain();

    const repository = new LedgerRepository(db.pool, db.schema);
    const rows: LedgerEntry[] = [];
    for await (const page of repository.scan()) rows.push(...page);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM ${s}.ledger_pending`)).rows[0].n).toBe(0);
    expect(rows.map((r) => r.eventId).sort()).toEqual([...written].sort());
    expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i));
    // The head and its Merkle frontier describe exactly these entries.
    const frontier = new MerkleFrontier();
    for (const row of rows) frontier.append(row.hash);
    const head = await repository.head();
    expect({ size: head.size, headHash: head.headHash, frontier: head.frontier.toJson() }).toEqual({ size: rows.length, headHash: rows[rows.length - 1].hash, frontier: frontier.toJson() });
    // Every hash recomputed from its content and its links, globally and per subject.
    const report = await verifyLedger([rows], { expectedSize: rows.length });
    expect(report).toMatchObject({ isIntact: true, checked: rows.length });
  }, 60_000);
});

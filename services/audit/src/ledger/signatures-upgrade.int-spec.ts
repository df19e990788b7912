import { migrateSchema } from '@custody/event-store';
import { EventSignatureVerifier } from '@custody/security';
import { createTestSchema, type TestSchema } from '@custody/testing';
import { belgiumToAlbania } from '../testing/history';
import { serviceKey, unchainedEntries } from '../testing/signed-events';
import { Chainer } from './chainer';
import { chain, entryHashInput } from './entry';
import { SignatureTally } from './event-signatures';
import { LEDGER_MIGRATIONS, LedgerRepository, migrateLedger, quoted } from './ledger.repository';
import { MerkleFrontier } from './merkle';
import { verifyLedger } from './verify';

/**
 * A ledger chained before it kept signatures (its migrations 1 and 2), upgraded by migration 3:
 * its entries stay of version 1 and verify as they were, and the entries chained after hold their
 * events' signatures (docs/adr/0013-signed-events.md). And a ledger of migration 4, whose refusals
 * that named no one raised nothing, upgraded by migration 5 ("A forgery that names no one").
 */
describe('a ledger from before it kept event signatures, upgraded (real PostgreSQL)', () => {
  let db: TestSchema;
  const intake = serviceKey('intake');
  const transfer = serviceKey('transfer');
  const custody = serviceKey('custody');

  beforeAll(async () => {
    db = await createTestSchema('ledger_signatures_upgrade');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps the old entries of version 1, chains the new ones with their signatures, and verify checks both', async () => {
    await migrateSchema(db.pool, db.schema, { ...LEDGER_MIGRATIONS, migrations: LEDGER_MIGRATIONS.migrations.slice(0, 2) });
    // Entries as the chainer before migration 3 wrote them: no signature column.
    const old = chain(unchainedEntries(belgiumToAlbania().events), { size: 0, hash: null }, new Map());
    const s = quoted(db.schema);
    for (const e of old) {
      await db.pool.query(`INSERT INTO ${s}.ledger (position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        e.position, e.eventId, e.subject, e.inmateId, e.body, e.prevHash, e.subjectPrevHash, e.hash,
      ]);
    }
    const frontier = new MerkleFrontier();
    for (const e of old) frontier.append(e.hash);
    await db.pool.query(`UPDATE ${s}.ledger_head SET size = $1, head_hash = $2, frontier = $3`, [old.length, old[old.length - 1].hash, JSON.stringify(frontier.toJson())]);

    await migrateLedger(db.pool, db.schema);
    const repository = new LedgerRepository(db.pool, db.schema);
    const signed = unchainedEntries(belgiumToAlbania().events, { intake: intake.signer, transfer: transfer.signer, custody: custody.signer });
    for (const entry of signed) expect(await repository.recordPending((sql, params) => db.pool.query(sql, params), entry)).toBe('recorded');
    expect(await new Chainer(db.pool, db.schema).drain()).toBe(signed.length);

    const chained: Array<{ position: number; signature?: string | null; input: string }> = [];
    for await (const page of repository.scan()) for (const e of page) chained.push({ position: e.position, signature: e.signature, input: entryHashInput(e) });
    expect(chained.map((e) => [e.position, e.input.split('\n')[0], typeof e.signature])).toEqual([
      ...old.map((e) => [e.position, 'custody-ledger-entry/1', 'object']),
      ...signed.map((_, i) => [old.length + i, 'custody-ledger-entry/2', 'string']),
    ]);

    const verifier = new EventSignatureVerifier([intake, transfer, custody].map(({ service, kid, key }) => ({ service, kid, key })));
    const report = await verifyLedger(repository.scan(), { signatures: new SignatureTally(verifier), expectedSize: (await repository.head()).size });
    expect(report).toMatchObject({ isIntact: true, checked: old.length + signed.length, merkleRoot: (await repository.head()).frontier.root() });
    expect(report.signatures).toMatchObject({ checked: old.length + signed.length, valid: signed.length, missing: old.length, invalid: 0, bySigner: { intake: 1, transfer: 4, custody: 1 } });
    expect(report.signatures!.entries.map((e) => [e.position, e.status])).toEqual(old.map((e) => [e.position, 'missing']));
  });

  it('migration 5 marks the topics of the refusals recorded before that named no person or facility, so that their topic-level findings are raised; a person\'s refusal is left to the person', async () => {
    const older = await createTestSchema('ledger_refusals_upgrade');
    try {
      await migrateSchema(older.pool, older.schema, { ...LEDGER_MIGRATIONS, migrations: LEDGER_MIGRATIONS.migrations.slice(0, 4) });
      const s = quoted(older.schema);
      const person = `inmate/${belgiumToAlbania().inmateId}`;
      // As version 4 recorded them: one naming no one, one with a subject that is no person's, one about a person.
      await older.pool.query(
        `INSERT INTO ${s}.ledger_signature_refusals (topic, partition, "offset", event_id, type, source, subject, kid, reason) VALUES
           ('custody.transfer.events', 0, 7, NULL, NULL, NULL, NULL, NULL, 'the event carries no signature'),
           ('custody.facility.events', 1, 3, 'x', 'FacilityRegistered', '/custody/facility', 'nonsense', 'k', 'the signing key k is not a configured publisher key'),
           ('custody.intake.events', 0, 9, NULL, 'InmateRegistered', '/custody/intake', $1, NULL, 'the event carries no signature')`,
        [person],
      );
      await migrateLedger(older.pool, older.schema);
      const { rows } = await older.pool.query<{ subject: string }>(`SELECT subject FROM ${s}.invariant_checks_due ORDER BY subject`);
      expect(rows.map((r) => r.subject)).toEqual(['topic/custody.facility.events', 'topic/custody.transfer.events']);
      const repository = new LedgerRepository(older.pool, older.schema);
      expect((await repository.unnamedSignatureRefusals('custody.facility.events')).map((r) => [r.partition, r.offset, r.subject])).toEqual([[1, '3', 'nonsense']]);
      expect(await repository.unnamedSignatureRefusals('custody.intake.events')).toEqual([]);
    } finally {
      await older.drop();
    }
  });
});

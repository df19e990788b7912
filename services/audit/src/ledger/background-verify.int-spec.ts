import request from 'supertest';
import { eventually } from '@custody/testing';
import { belgiumToAlbania } from '../testing/history';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { AuditLedger } from './audit-ledger';
import { LedgerVerificationService } from './verification.service';

/**
 * The whole chain is verified in the background and `GET /ledger/verify` answers the latest report
 * (docs/adr/0020-background-ledger-verification.md): requests cost no scan of the ledger, the
 * report says when it ran and how many entries were chained since, a restart within the interval
 * does not verify again, a broken chain shows in the next report and in the metrics, and
 * `?fromPosition=N` (or AUDIT_VERIFY_INTERVAL_MS=0) still verifies on request.
 */
describe('audit: the ledger verified in the background (real broker and database)', () => {
  let audit: TestAudit;
  let ledger: AuditLedger;
  const people = [belgiumToAlbania(), belgiumToAlbania()];
  const total = people.reduce((n, h) => n + h.events.length, 0);
  const opened: TestAudit[] = [];
  const verify = (app: TestAudit, query = '') => request(app.app.getHttpServer()).get(`/ledger/verify${query}`).set('X-Access-Purpose', 'audit').expect(200);
  const recorded = async (app: TestAudit) =>
    (await app.schema.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${audit.schema.schema}".ledger_verifications`)).rows[0].n;

  beforeAll(async () => {
    // A long interval: the run at start, then none during the test unless it says so.
    audit = await startTestAudit('audit_bg_verify', { AUDIT_VERIFY_INTERVAL_MS: 3_600_000 });
    ledger = audit.app.get(AuditLedger);
  });
  afterAll(async () => {
    for (const app of opened) await app.close();
    await audit?.close();
  });

  it('verifies at start and records the report; requests answer it without scanning the ledger, with the entries chained since', async () => {
    await eventually(async () => ((await recorded(audit)) === 1 ? true : undefined), { timeoutMs: 30_000, message: 'the verification run at start, recorded' });
    const first = (await verify(audit)).body;
    expect(first).toMatchObject({ isIntact: true, fromPosition: 0, checked: 0, size: 0, headSize: 0, trigger: 'background', entriesSince: 0 });
    expect(Date.parse(first.verifiedAt)).toBeGreaterThanOrEqual(Date.parse(first.startedAt));

    await audit.publish(people.flatMap((h) => h.events));
    await eventually(async () => ((await ledger.repository.head()).size === total ? true : undefined), { timeoutMs: 90_000, message: `${total} chained entries` });
    const scans = jest.spyOn(ledger.repository, 'scan');
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => verify(audit)));
      for (const { body } of answers) expect(body).toEqual({ ...first, entriesSince: total });
      expect(scans).not.toHaveBeenCalled();
      // On request, from a position: a scan now, of the whole chain as it is.
      expect((await verify(audit, '?fromPosition=0')).body).toMatchObject({ isIntact: true, checked: total, size: total, headSize: total, trigger: 'request', entriesSince: 0 });
      expect(scans).toHaveBeenCalledTimes(1);
    } finally {
      jest.restoreAllMocks();
    }
    expect(await recorded(audit)).toBe(1);
  });

  it('another instance started within the interval does not verify again; one started after it does, and a broken chain shows in its report and in the metrics', async () => {
    // A second instance on the same ledger (its own topics): the last run is younger than its interval.
    const again = await startTestAudit('audit_bg_verify_b', { DATABASE_SCHEMA: audit.schema.schema, AUDIT_VERIFY_INTERVAL_MS: 3_600_000 });
    opened.push(again);
    await eventually(async () => (again.app.get(LedgerVerificationService).status().runs === 1 ? true : undefined), { timeoutMs: 30_000, message: 'the second instance\'s turn at start' });
    expect(await recorded(audit)).toBe(1);
    expect((await verify(again)).body).toMatchObject({ trigger: 'background', size: 0, headSize: 0, entriesSince: total });

    // An entry changed in the database, behind the service's back.
    const s = `"${audit.schema.schema}"`;
    const { rows } = await audit.schema.pool.query<{ position: string }>(`UPDATE ${s}.ledger SET body = replace(body, 'Haren', 'Harem') WHERE body LIKE '%Haren%' RETURNING position`);
    expect(rows.length).toBeGreaterThan(0);
    const first = Math.min(...rows.map((row) => Number(row.position)));

    // A short interval: the last run is older than it, so this instance verifies at start, and every second after.
    const frequent = await startTestAudit('audit_bg_verify_c', { DATABASE_SCHEMA: audit.schema.schema, AUDIT_VERIFY_INTERVAL_MS: 500 });
    opened.push(frequent);
    await eventually(async () => ((await recorded(audit)) >= 2 ? true : undefined), { timeoutMs: 30_000, message: 'a second verification recorded' });
    for (const app of [audit, frequent]) {
      expect((await verify(app)).body).toMatchObject({ isIntact: false, trigger: 'background', size: first, headSize: total, entriesSince: 0, break: { position: first, kind: 'hash-mismatch' } });
    }
    const metrics = (await request(audit.app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^custody_ledger_verified_intact(\{[^}]*\})? 0$/m);
    expect(metrics).toMatch(/^custody_ledger_verified_age_seconds(\{[^}]*\})? \d+(\.\d+)?(e-?\d+)?$/m);

    // Put back: the next run finds the chain intact again.
    await audit.schema.pool.query(`UPDATE ${s}.ledger SET body = replace(body, 'Harem', 'Haren') WHERE position = ANY($1::bigint[])`, [rows.map((row) => row.position)]);
    await eventually(async () => ((await verify(audit)).body.isIntact === true ? true : undefined), { timeoutMs: 30_000, message: 'a report of the chain intact again' });
    expect((await request(audit.app.getHttpServer()).get('/metrics').expect(200)).text).toMatch(/^custody_ledger_verified_intact(\{[^}]*\})? 1$/m);
  });

  it('with AUDIT_VERIFY_INTERVAL_MS=0 nothing runs in the background: each request verifies the chain as it is', async () => {
    const onRequest = await startTestAudit('audit_bg_verify_d', { DATABASE_SCHEMA: audit.schema.schema, AUDIT_VERIFY_INTERVAL_MS: 0 });
    opened.push(onRequest);
    const scans = jest.spyOn(onRequest.app.get(AuditLedger).repository, 'scan');
    try {
      expect((await verify(onRequest)).body).toMatchObject({ isIntact: true, trigger: 'request', checked: total, entriesSince: 0 });
      expect(scans).toHaveBeenCalledTimes(1);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

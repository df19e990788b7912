import request from 'supertest';
import { eventually } from '@custody/testing';
import type { Finding } from '../findings/findings.repository';
import { belgiumToAlbania } from '../testing/history';
import { startTestAudit, type TestAudit } from '../testing/test-app';
import { AuditLedger } from './audit-ledger';
import { toUnchainedEntry } from './entry';

// Issue 19 item 5 (docs/adr/0014-namespaced-event-ids.md). The collision attack: a command whose
// id made transfer's event id equal intake's event id for the same person. The ledger kept the
// first event under the id and dropped the other as a "redelivery", in silence. Now the id held
// with another body is an alarm: the second event is kept aside (never chained, the ledger
// unchanged), an EVENT_ID_CONFLICT finding (invariant event-ids-unique) is raised, and the
// custody_audit_event_id_conflicts gauge counts it. A true redelivery stays silently absorbed.
describe('an event id the ledger holds, received again with another body', () => {
  let audit: TestAudit;
  let ledger: AuditLedger;
  const person = belgiumToAlbania();
  const findingsOf = async (inmateId: string): Promise<Finding[]> =>
    (await request(audit.app.getHttpServer()).get('/findings').query({ inmateId }).expect(200)).body as Finding[];

  beforeAll(async () => {
    audit = await startTestAudit('audit_id_conflicts', { INVARIANT_GRACE_PERIOD_MS: 600_000, INVARIANT_CHECK_INTERVAL_MS: 50 });
    ledger = audit.app.get(AuditLedger);
    await audit.publish(person.events);
    await eventually(async () => ((await ledger.repository.head()).size === person.events.length ? true : undefined), {
      timeoutMs: 90_000,
      message: `${person.events.length} chained entries`,
    });
  });

  afterAll(async () => {
    await audit?.close();
  });

  it('the collision attack: transfer\'s event under the id of intake\'s event is an EVENT_ID_CONFLICT finding, not a silent drop', async () => {
    const registered = person.events.find((e) => e.type === 'InmateRegistered')!;
    const requested = person.events.find((e) => e.type === 'TransferRequested')!;
    // Another publisher (transfer, another ce_source: the inbox lets it through) under intake's event id.
    const colliding = { ...requested, id: registered.id, occurredAt: '2026-01-21T10:00:00Z' };
    await audit.publish([colliding]);

    const finding = await eventually(async () => (await findingsOf(person.inmateId)).find((f) => f.invariant === 'event-ids-unique'), {
      timeoutMs: 60_000,
      message: 'the event-ids-unique finding',
    });
    expect(finding).toMatchObject({ status: 'open', inmateId: person.inmateId, evidenceEventIds: [registered.id] });
    expect(finding.description).toMatch(/^EVENT_ID_CONFLICT: event /);
    expect(finding.description).toContain('/custody/transfer');
    expect(finding.description).toContain('/custody/intake');

    // The ledger is unchanged: the entry under the id is still intake's, nothing else was chained, it verifies.
    const { rows } = await audit.schema.pool.query<{ type: string; n: string }>(
      `SELECT body::jsonb->>'type' AS type, count(*) OVER () AS n FROM "${audit.schema.schema}".ledger WHERE event_id = $1`,
      [registered.id],
    );
    expect(rows).toEqual([{ type: 'InmateRegistered', n: '1' }]);
    expect((await ledger.repository.head()).size).toBe(person.events.length);
    expect(await ledger.verify()).toMatchObject({ isIntact: true, checked: person.events.length });

    // The metric.
    const metrics = (await request(audit.app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^custody_audit_event_id_conflicts(\{[^}]*\})? 1$/m);
  });

  it('a true redelivery (the same body under the same id) stays silently absorbed', async () => {
    const registered = person.events.find((e) => e.type === 'InmateRegistered')!;
    const { rows } = await audit.schema.pool.query<{ body: string }>(`SELECT body FROM "${audit.schema.schema}".ledger WHERE event_id = $1`, [registered.id]);
    const entry = { ...toUnchainedEntry(JSON.parse(rows[0].body)), body: rows[0].body };
    const outcome = await ledger.repository.recordPending((sql, params) => audit.schema.pool.query(sql, params), entry);
    expect(outcome).toBe('redelivery');
    const conflicts = await audit.schema.pool.query(`SELECT event_id FROM "${audit.schema.schema}".ledger_id_conflicts`);
    expect(conflicts.rowCount).toBe(1);
    expect(await ledger.repository.pendingCount()).toBe(0);
  });

  it('the same sender under the same id with another body (no inbox claim before the ledger) is kept aside and counted too, never chained', async () => {
    const registered = person.events.find((e) => e.type === 'InmateRegistered')!;
    // intake's own event again (same ce_source, same id), its content changed.
    await audit.publish([{ ...registered, occurredAt: '2026-01-09T10:00:00Z' }]);
    await eventually(async () => ((await audit.schema.pool.query(`SELECT 1 FROM "${audit.schema.schema}".ledger_id_conflicts`)).rowCount === 2 ? true : undefined), {
      timeoutMs: 60_000,
      message: 'the second conflict kept aside',
    });
    const { rows } = await audit.schema.pool.query<{ source: string }>(`SELECT source FROM "${audit.schema.schema}".ledger_id_conflicts WHERE event_id = $1 ORDER BY received_at`, [registered.id]);
    expect(rows.map((r) => r.source)).toEqual([expect.stringContaining('/custody/transfer'), expect.stringContaining('/custody/intake')]);
    expect(await ledger.repository.pendingCount()).toBe(0);
    expect((await ledger.repository.head()).size).toBe(person.events.length);
    const metrics = (await request(audit.app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^custody_audit_event_id_conflicts(\{[^}]*\})? 2$/m);
  });
});

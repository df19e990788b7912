import request from 'supertest';
import { TestIssuer } from '@custody/platform';
import { eventually } from '@custody/testing';
import { AuditLedger } from './ledger/audit-ledger';
import { ChainerService } from './ledger/chainer.service';
import { CheckpointService } from './ledger/checkpoint.service';
import { belgiumToAlbaniaCase } from './testing/shapes';
import { startTestAudit, type TestAudit } from './testing/test-app';

/**
 * The access log of the audit service (Directive (EU) 2016/680 Art 25): a person's timeline, the
 * auditor's view and the export of their ledger entries are recorded when read, with who, when,
 * why and for whom. The ledger holds a Belgium → Albania transfer, fed over Kafka.
 */
const AUDIENCE = 'custody-tracking';

describe('audit: the access log of personal data', () => {
  const belgian = belgiumToAlbaniaCase();
  let audit: TestAudit;
  let belgium: TestIssuer;
  let albania: TestIssuer;
  let netherlands: TestIssuer;
  const http = () => request(audit.app.getHttpServer());
  const auditorOf = async (issuer: TestIssuer) => `Bearer ${await issuer.token(['auditor'], AUDIENCE, { subject: `auditor@${issuer.state.toLowerCase()}` })}`;
  const entriesAfter = async (mark: string) =>
    (await audit.schema.pool.query(`SELECT * FROM "${audit.schema.schema}".access_log WHERE position > $1 ORDER BY position`, [mark])).rows;
  const mark = async () =>
    (await audit.schema.pool.query<{ position: string }>(`SELECT coalesce(max(position), 0)::text AS position FROM "${audit.schema.schema}".access_log`)).rows[0].position;

  beforeAll(async () => {
    [belgium, albania, netherlands] = await Promise.all([TestIssuer.create('BE'), TestIssuer.create('AL'), TestIssuer.create('NL')]);
    audit = await startTestAudit('audit_access_log', {
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify(await Promise.all([belgium, albania, netherlands].map((issuer) => issuer.settings()))),
    });
    await audit.publish(belgian.events);
    const ledger = audit.app.get(AuditLedger);
    await eventually(async () => ((await ledger.repository.head()).size === belgian.events.length ? true : undefined), {
      timeoutMs: 90_000, message: `${belgian.events.length} chained entries`,
    });
    // A signed checkpoint, so that an export can be made.
    await audit.app.get(ChainerService).chainPending();
    await audit.app.get(CheckpointService).signIfGrown();
  }, 180_000);

  afterAll(async () => {
    await audit?.close();
  });

  it('refuses a timeline without a stated purpose, and records the timeline, the auditor view and the export of a person', async () => {
    const path = `/inmates/${belgian.inmateId}`;
    const before = await mark();
    const refused = await http().get(`${path}/custody-timeline`).set('Authorization', await auditorOf(belgium)).expect(400);
    expect(refused.body).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    const auth = await auditorOf(belgium);
    await http().get(`${path}/custody-timeline`).set('Authorization', auth).set('X-Access-Purpose', 'inspection 2026/4').expect(200);
    await http().get(`/auditor${path}`).set('Authorization', auth).set('X-Access-Purpose', 'inspection 2026/4').expect(200);
    const exported = await http().get(`${path}/export`).set('Authorization', auth).set('X-Access-Purpose', 'evidence for the court')
      .set('X-Access-Recipient', 'Hof van beroep Brussel').expect(200);
    expect(exported.text.length).toBeGreaterThan(0);
    const entries = await entriesAfter(before);
    expect(entries.map(({ kind, route, person_ids, purpose, recipient, subject, state }) => ({ kind, route, person_ids, purpose, recipient, subject, state }))).toEqual([
      { kind: 'custody-timeline', route: '/inmates/:id/custody-timeline', person_ids: [belgian.inmateId], purpose: 'inspection 2026/4', recipient: 'BE', subject: 'auditor@be', state: 'BE' },
      { kind: 'auditor-view', route: '/auditor/inmates/:id', person_ids: [belgian.inmateId], purpose: 'inspection 2026/4', recipient: 'BE', subject: 'auditor@be', state: 'BE' },
      { kind: 'ledger-export', route: '/inmates/:id/export', person_ids: [belgian.inmateId], purpose: 'evidence for the court', recipient: 'Hof van beroep Brussel', subject: 'auditor@be', state: 'BE' },
    ]);
    expect(entries.every((e) => [...e.jurisdictions].sort().join() === 'AL,BE')).toBe(true);
  });

  it('shows the receiving state auditor the reads of its person, and a foreign auditor nothing', async () => {
    const query = `/access-log?personId=${belgian.inmateId}`;
    const ofAlbania = await http().get(query).set('Authorization', await auditorOf(albania)).set('X-Access-Purpose', 'access review').expect(200);
    expect(ofAlbania.body.items.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['custody-timeline', 'auditor-view', 'ledger-export']));
    const ofNetherlands = await http().get(query).set('Authorization', await auditorOf(netherlands)).set('X-Access-Purpose', 'access review').expect(200);
    expect(ofNetherlands.body.items).toEqual([]);
  });
});

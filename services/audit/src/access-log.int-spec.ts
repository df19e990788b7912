import { createServer, type AddressInfo } from 'node:net';
import request from 'supertest';
import { TestIssuer } from '@custody/security/testing';
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
  let silentUrl: string;
  const http = () => request(audit.app.getHttpServer());
  const auditorOf = async (issuer: TestIssuer) => `Bearer ${await issuer.token(['auditor'], AUDIENCE, { subject: `auditor@${issuer.state.toLowerCase()}` })}`;
  const entriesAfter = async (mark: string) =>
    (await audit.schema.pool.query(`SELECT * FROM "${audit.schema.schema}".access_log WHERE position > $1 ORDER BY position`, [mark])).rows;
  const mark = async () =>
    (await audit.schema.pool.query<{ position: string }>(`SELECT coalesce(max(position), 0)::text AS position FROM "${audit.schema.schema}".access_log`)).rows[0].position;

  beforeAll(async () => {
    [belgium, albania, netherlands] = await Promise.all([TestIssuer.create('BE'), TestIssuer.create('AL'), TestIssuer.create('NL')]);
    // A source that does not answer (a port nothing listens on): the history says so.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    audit = await startTestAudit('audit_access_log', {
      ACCESS_LOG_SOURCES: JSON.stringify([{ service: 'intake', url: silentUrl }]),
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

  it('gathers a person\'s access history from every service, oldest first, says which did not answer, and records the read', async () => {
    const path = `/inmates/${belgian.inmateId}/access-log`;
    expect((await http().get(path).set('Authorization', await auditorOf(albania)).expect(400)).body).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    const before = await mark();
    const history = await http().get(path).set('Authorization', await auditorOf(albania)).set('X-Access-Purpose', 'request of the person, art. 14').expect(200);
    expect(history.body.personId).toBe(belgian.inmateId);
    const kinds = history.body.items.map((e: { service: string; kind: string }) => `${e.service}:${e.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['audit:custody-timeline', 'audit:auditor-view', 'audit:ledger-export']));
    const times = history.body.items.map((e: { at: string }) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(history.body.sources).toEqual([
      { service: 'audit', entries: history.body.items.length, isComplete: true },
      { service: 'intake', entries: 0, isComplete: false, error: expect.stringMatching(/fetch failed|ECONNREFUSED/) },
    ]);
    // The history is itself a read of the person's data, recorded like any other.
    expect((await entriesAfter(before)).map(({ kind, route, person_ids, purpose }) => ({ kind, route, person_ids, purpose }))).toEqual([
      { kind: 'access-log', route: '/inmates/:id/access-log', person_ids: [belgian.inmateId], purpose: 'request of the person, art. 14' },
    ]);
    // A foreign auditor gets nothing of the audit service's own log about this person.
    const foreign = await http().get(path).set('Authorization', await auditorOf(netherlands)).set('X-Access-Purpose', 'access review').expect(200);
    expect(foreign.body.items).toEqual([]);
  });

  it('refuses to start with ACCESS_LOG_SOURCES that do not name a service and its URL, naming the variable', async () => {
    await expect(startTestAudit('audit_bad_sources', { ACCESS_LOG_SOURCES: JSON.stringify([{ service: 'intake', url: 'intake:3000' }]) }))
      .rejects.toThrow(/ACCESS_LOG_SOURCES: \[0\]\.url must be the service's base URL/);
  });
});

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { TestIssuer } from '@custody/security/testing';
import { type Role } from '@custody/security';
import { eventually } from '@custody/testing';
import { commandBodies, identity, sentence } from './inmate/inmate.examples';
import { startIntake, type IntakeTestApp } from './testing/intake-test-app';

/**
 * The access log of the intake service (Directive (EU) 2016/680 Art 25): every read of a
 * person's record, history, screening and search results is recorded with who, when, why and
 * for whom, on the real service and database, with authentication on.
 */
const AUDIENCE = 'custody-tracking';

interface Entry {
  subject: string;
  issuer: string;
  state: string;
  organisation: string | null;
  roles: string[];
  purpose: string;
  recipient: string;
  method: string;
  route: string;
  path: string;
  kind: string;
  person_ids: string[];
  jurisdictions: string[];
  status: number;
  trace_id: string | null;
  correlation_id: string | null;
  at: Date;
}

describe('intake: the access log of personal data', () => {
  let intake: IntakeTestApp;
  let pool: Pool;
  let belgium: TestIssuer;
  let netherlands: TestIssuer;
  const http = () => request(intake.app.getHttpServer());
  const bearer = async (issuer: TestIssuer, role: Role, organisation?: string) =>
    `Bearer ${await issuer.token([role], AUDIENCE, { subject: `${role}@${issuer.state.toLowerCase()}`, organisation })}`;

  /** The entries recorded after `mark` (a position), in order. */
  const entriesAfter = async (mark: string) =>
    (await pool.query<Entry>(`SELECT * FROM "${intake.config.DATABASE_SCHEMA}".access_log WHERE position > $1 ORDER BY position`, [mark])).rows;
  const mark = async () =>
    (await pool.query<{ position: string }>(`SELECT coalesce(max(position), 0)::text AS position FROM "${intake.config.DATABASE_SCHEMA}".access_log`)).rows[0].position;

  async function register(issuer: TestIssuer, sendingState: 'BE' | 'NL', withSentence = false): Promise<string> {
    const inmateId = randomUUID();
    const bodies = commandBodies(inmateId, randomUUID());
    await http().post('/inmates').set('Authorization', await bearer(issuer, 'intake-officer'))
      .send(bodies.RegisterInmate({ identity: identity(`AL-${inmateId.slice(0, 8)}`), sendingState })).expect(201);
    if (withSentence) {
      await http().post(`/inmates/${inmateId}/sentence`).set('Authorization', await bearer(issuer, 'intake-officer'))
        .send(commandBodies(inmateId, randomUUID()).RecordSentence({ sentence: sentence() })).expect(200);
    }
    return inmateId;
  }

  beforeAll(async () => {
    belgium = await TestIssuer.create('BE');
    netherlands = await TestIssuer.create('NL');
    intake = await startIntake('intake-access-log', {
      AUTH_MODE: 'on',
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify([await belgium.settings(), await netherlands.settings()]),
    });
    pool = new Pool({ connectionString: intake.config.DATABASE_URL, max: 2 });
  });

  afterAll(async () => {
    await pool.end();
    await intake.close();
  });

  it('refuses a read of a record without a stated purpose: 400 PURPOSE_REQUIRED, nothing recorded', async () => {
    const inmateId = await register(belgium, 'BE');
    const before = await mark();
    const refused = await http().get(`/inmates/${inmateId}`).set('Authorization', await bearer(belgium, 'intake-officer')).expect(400);
    expect(refused.body).toMatchObject({ code: 'PURPOSE_REQUIRED', errors: [{ path: 'headers.x-access-purpose' }] });
    expect(refused.text).not.toContain('Hoxha');
    expect(await entriesAfter(before)).toEqual([]);
  });

  it('records a read of a record once: who, when, why, the recipient, the person, the trace', async () => {
    const inmateId = await register(belgium, 'BE');
    const before = await mark();
    const started = Date.now();
    const answer = await http().get(`/inmates/${inmateId}`).set('Authorization', await bearer(belgium, 'intake-officer', 'FOD Justitie'))
      .set('X-Access-Purpose', 'case BE-2026-31: transfer request to Albania').set('X-Access-Recipient', 'Ministry of Justice of Albania')
      .set('X-Correlation-Id', 'corr-access-log-1').expect(200);
    expect(answer.body).toMatchObject({ inmateId, identity: { familyName: 'Hoxha' } });
    const entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      subject: 'intake-officer@be', issuer: belgium.issuer, state: 'BE', organisation: 'FOD Justitie', roles: ['intake-officer'],
      purpose: 'case BE-2026-31: transfer request to Albania', recipient: 'Ministry of Justice of Albania',
      method: 'GET', route: '/inmates/:id', path: `/inmates/${inmateId}`, kind: 'inmate', person_ids: [inmateId], jurisdictions: ['BE'], status: 200,
      trace_id: answer.headers['x-trace-id'], correlation_id: 'corr-access-log-1',
    });
    expect(entries[0].trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(entries[0].at.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(entries[0].at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('records the history and the screening of a person, the recipient being the reader state by default', async () => {
    const inmateId = await register(belgium, 'BE', true);
    const before = await mark();
    const auth = await bearer(belgium, 'transfer-coordinator');
    await http().get(`/inmates/${inmateId}/history`).set('Authorization', auth).set('X-Access-Purpose', 'history check').expect(200);
    await http().get(`/inmates/${inmateId}/screening?basis=ETS112&receivingState=AL&asOf=2026-03-02`).set('Authorization', auth)
      .set('X-Access-Purpose', 'screening for ETS 112').expect(200);
    expect((await entriesAfter(before)).map(({ kind, route, person_ids, purpose, recipient }) => ({ kind, route, person_ids, purpose, recipient }))).toEqual([
      { kind: 'inmate-history', route: '/inmates/:id/history', person_ids: [inmateId], purpose: 'history check', recipient: 'BE' },
      { kind: 'inmate-screening', route: '/inmates/:id/screening', person_ids: [inmateId], purpose: 'screening for ETS 112', recipient: 'BE' },
    ]);
  });

  it('records every person a search returned, and only those', async () => {
    const belgians = [await register(belgium, 'BE'), await register(belgium, 'BE'), await register(belgium, 'BE')];
    await register(netherlands, 'NL');
    const auth = await bearer(belgium, 'transfer-coordinator');
    // The read model follows the events: wait until the three are listed (these searches are recorded too).
    await eventually(async () => {
      const { body } = await http().get('/inmates?nationality=AL&limit=500').set('Authorization', auth).set('X-Access-Purpose', 'waiting for the read model');
      const listed = new Set((body.items as Array<{ inmateId: string }>).map((i) => i.inmateId));
      return belgians.every((id) => listed.has(id)) ? true : undefined;
    }, { message: 'the three Belgian inmates in the search read model' });
    const before = await mark();
    const answer = await http().get('/inmates?nationality=AL&limit=500').set('Authorization', auth).set('X-Access-Purpose', 'candidates for ETS 112').expect(200);
    const listed = (answer.body.items as Array<{ inmateId: string }>).map((i) => i.inmateId);
    expect(listed).toEqual(expect.arrayContaining(belgians));
    const [entry, ...others] = await entriesAfter(before);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ kind: 'inmate-search', route: '/inmates', path: '/inmates', purpose: 'candidates for ETS 112', jurisdictions: ['BE'] });
    expect(entry.person_ids).toEqual(listed);
  });

  it('records nothing for a refused read (403), an unknown person (404) or a missing token (401)', async () => {
    const inmateId = await register(belgium, 'BE');
    const before = await mark();
    await http().get(`/inmates/${inmateId}`).set('Authorization', await bearer(netherlands, 'intake-officer')).set('X-Access-Purpose', 'curiosity').expect(403);
    await http().get(`/inmates/${inmateId}/history`).set('Authorization', await bearer(belgium, 'operator')).set('X-Access-Purpose', 'curiosity').expect(403);
    await http().get(`/inmates/${randomUUID()}`).set('Authorization', await bearer(belgium, 'intake-officer')).set('X-Access-Purpose', 'lookup').expect(404);
    await http().get(`/inmates/${inmateId}`).set('X-Access-Purpose', 'lookup').expect(401);
    expect(await entriesAfter(before)).toEqual([]);
  });

  it('answers an auditor on GET /access-log with the reads of a person; a non-auditor gets 403', async () => {
    const inmateId = await register(belgium, 'BE');
    await http().get(`/inmates/${inmateId}`).set('Authorization', await bearer(belgium, 'intake-officer')).set('X-Access-Purpose', 'file review').expect(200);
    const audit = await http().get(`/access-log?personId=${inmateId}`).set('Authorization', await bearer(belgium, 'auditor'))
      .set('X-Access-Purpose', 'quarterly access review').expect(200);
    expect(audit.body).toEqual({
      items: [expect.objectContaining({ service: 'intake', subject: 'intake-officer@be', state: 'BE', purpose: 'file review', personIds: [inmateId], kind: 'inmate' })],
      nextAfter: null,
    });
    // The Netherlands' auditor sees neither the read by Belgium nor Belgium's person.
    const foreign = await http().get(`/access-log?personId=${inmateId}`).set('Authorization', await bearer(netherlands, 'auditor'))
      .set('X-Access-Purpose', 'quarterly access review').expect(200);
    expect(foreign.body.items).toEqual([]);
    for (const role of ['intake-officer', 'transfer-coordinator', 'operator'] as const) {
      const refused = await http().get('/access-log').set('Authorization', await bearer(belgium, role)).set('X-Access-Purpose', 'review').expect(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});

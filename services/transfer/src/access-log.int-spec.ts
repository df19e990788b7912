import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import request from 'supertest';
import { TestIssuer } from '@custody/security/testing';
import { type Role } from '@custody/security';
import { databaseUrl, eventually } from '@custody/testing';
import { bootTransferApp, dropSchema, newEnvironment, registerInmate, TestProducer } from './testing/transfer-test-app';

/**
 * The access log of the transfer service (Directive (EU) 2016/680 Art 25): reading a case or a
 * list of cases discloses the persons they concern, and is recorded with who, when, why and for whom.
 */
const AUDIENCE = 'custody-tracking';

describe('transfer: the access log of personal data', () => {
  const env = newEnvironment();
  let app: INestApplication;
  let producer: TestProducer;
  let pool: Pool;
  let belgium: TestIssuer;
  let albania: TestIssuer;
  const ids = { transferId: randomUUID(), inmateId: randomUUID() };
  const http = () => request(app.getHttpServer());
  const bearer = async (issuer: TestIssuer, role: Role) => `Bearer ${await issuer.token([role], AUDIENCE, { subject: `${role}@${issuer.state.toLowerCase()}` })}`;
  const entriesAfter = async (mark: string) =>
    (await pool.query(`SELECT * FROM "${env.schema}".access_log WHERE position > $1 ORDER BY position`, [mark])).rows;
  const mark = async () => (await pool.query<{ position: string }>(`SELECT coalesce(max(position), 0)::text AS position FROM "${env.schema}".access_log`)).rows[0].position;

  beforeAll(async () => {
    belgium = await TestIssuer.create('BE');
    albania = await TestIssuer.create('AL');
    app = await bootTransferApp(env, undefined, {
      AUTH_MODE: 'on',
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify([await belgium.settings(), await albania.settings()]),
    });
    pool = new Pool({ connectionString: databaseUrl(), max: 2 });
    producer = new TestProducer(env.prefix);
    await registerInmate(producer, ids.inmateId, { nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE' }, app);
    await http().post('/transfers').set('Authorization', await bearer(belgium, 'transfer-coordinator'))
      .send({ ...ids, commandId: randomUUID(), occurredAt: '2026-03-02T09:00:00Z', sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' })
      .expect(201);
  });

  afterAll(async () => {
    await producer?.close();
    await app?.close();
    await pool?.end();
    await dropSchema(env.schema);
  });

  it('refuses to show a case without a stated purpose, and records a read of the case by the receiving state', async () => {
    const before = await mark();
    const refused = await http().get(`/transfers/${ids.transferId}`).set('Authorization', await bearer(albania, 'transfer-coordinator')).expect(400);
    expect(refused.body).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    await http().get(`/transfers/${ids.transferId}`).set('Authorization', await bearer(albania, 'transfer-coordinator'))
      .set('X-Access-Purpose', 'recognition of the Belgian judgment').expect(200);
    const entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      service: 'transfer', subject: 'transfer-coordinator@al', state: 'AL', roles: ['transfer-coordinator'], purpose: 'recognition of the Belgian judgment',
      recipient: 'AL', route: '/transfers/:id', kind: 'case', person_ids: [ids.inmateId], jurisdictions: ['BE', 'AL'], status: 200,
    });
  });

  it('records every person of a list of cases', async () => {
    const auth = await bearer(belgium, 'transfer-coordinator');
    await eventually(async () => {
      const { body } = await http().get('/transfers?limit=999').set('Authorization', auth).set('X-Access-Purpose', 'waiting for the read model');
      return (body.items as Array<{ transferId: string }>).some((item) => item.transferId === ids.transferId) ? true : undefined;
    }, { message: 'the case in the read model' });
    const before = await mark();
    const answer = await http().get('/transfers?limit=999').set('Authorization', auth).set('X-Access-Purpose', 'open cases of the week').expect(200);
    const [entry, ...others] = await entriesAfter(before);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ kind: 'case-list', route: '/transfers', purpose: 'open cases of the week' });
    expect(entry.person_ids).toEqual((answer.body.items as Array<{ inmateId: string }>).map((item) => item.inmateId));
    expect(entry.person_ids).toContain(ids.inmateId);
  });

  it('shows the receiving state auditor the reads of its case, and refuses a coordinator', async () => {
    const { body } = await http().get(`/access-log?personId=${ids.inmateId}`).set('Authorization', await bearer(albania, 'auditor'))
      .set('X-Access-Purpose', 'access review').expect(200);
    expect(body.items.map((e: { kind: string; state: string }) => `${e.kind} by ${e.state}`)).toEqual(expect.arrayContaining(['case by AL', 'case-list by BE']));
    await http().get('/access-log').set('Authorization', await bearer(albania, 'transfer-coordinator')).set('X-Access-Purpose', 'access review').expect(403);
  });
});

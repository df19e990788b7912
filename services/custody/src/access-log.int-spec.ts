import { Pool } from 'pg';
import request from 'supertest';
import { PostgresEventStore } from '@custody/event-store';
import { TestIssuer } from '@custody/security/testing';
import { type Role } from '@custody/security';
import { eventually } from '@custody/testing';
import { admissionRecord, eligibleProfile, fierPrison, id } from './spec/fixtures';
import { startCustody, testConfig, type RunningCustody } from './spec/test-app';
import { TransferKnowledge } from './transfer-knowledge/transfer-knowledge';

/**
 * The access log of the custody service (Directive (EU) 2016/680 Art 25): the custody record of a
 * person and a facility's occupancy (its reservations name the persons a place is held for) are
 * recorded when read, with who, when, why and for whom. Fier prison, Albania, holds a person
 * Belgium transferred, and a place is held there for another.
 */
const AUDIENCE = 'custody-tracking';

describe('custody: the access log of personal data', () => {
  let custody: RunningCustody;
  let pool: Pool;
  let albania: TestIssuer;
  let belgium: TestIssuer;
  const facilityId = id();
  const held = { inmateId: id(), transferId: id() };
  const reserved = { inmateId: id(), transferId: id(), reservationId: id() };
  const http = () => request(custody.url);
  const bearer = async (issuer: TestIssuer, role: Role) => `Bearer ${await issuer.token([role], AUDIENCE, { subject: `${role}@${issuer.state.toLowerCase()}` })}`;
  const table = () => `"${custody.config.DATABASE_SCHEMA}".access_log`;
  const entriesAfter = async (mark: string) => (await pool.query(`SELECT * FROM ${table()} WHERE position > $1 ORDER BY position`, [mark])).rows;
  const mark = async () => (await pool.query<{ position: string }>(`SELECT coalesce(max(position), 0)::text AS position FROM ${table()}`)).rows[0].position;

  beforeAll(async () => {
    albania = await TestIssuer.create('AL');
    belgium = await TestIssuer.create('BE');
    custody = await startCustody(testConfig({
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify([await albania.settings(), await belgium.settings()]),
    }));
    pool = new Pool({ connectionString: custody.config.DATABASE_URL, max: 2 });
    const officer = await bearer(albania, 'facility-officer');
    await http().post('/facilities').set('Authorization', officer).send({ commandId: id(), occurredAt: '2026-03-01T08:00:00Z', ...fierPrison, facilityId }).expect(201);
    await http().post(`/facilities/${facilityId}/reservations`).set('Authorization', officer).send({
      commandId: id(), occurredAt: '2026-03-01T09:00:00Z', facilityId, reservationId: reserved.reservationId,
      transferId: reserved.transferId, inmateId: reserved.inmateId, profile: eligibleProfile, expiresAt: '2026-04-01T00:00:00Z',
    }).expect(201);
    // What the transfer service told: the Belgium → Albania case of the person held, handed over at Fier.
    await custody.app.get(PostgresEventStore).transaction(async (tx) => {
      await custody.app.get(TransferKnowledge).noteCase(tx, held.transferId, held.inmateId, {
        legal_basis: 'ETS112', sending_state: 'BE', receiving_state: 'AL', facility_id: facilityId,
        dispatched_at: '2026-03-02T08:00:00Z', received_at: '2026-03-02T09:00:00Z', received_at_facility_id: facilityId,
      });
    });
    await http().post(`/custody/${held.inmateId}/admission`).set('Authorization', officer).send({
      commandId: id(), occurredAt: '2026-03-02T10:00:00Z', ...held, facilityId, admission: { ...admissionRecord, admittedAt: '2026-03-02T09:30:00Z' },
    }).expect(201);
    await eventually(async () => {
      const answer = await http().get(`/custody/${held.inmateId}`).set('Authorization', officer).set('X-Access-Purpose', 'waiting for the read model');
      return answer.status === 200 ? true : undefined;
    }, { timeoutMs: 30_000, message: 'the custody record in the read model' });
  });

  afterAll(async () => {
    await custody?.app.close();
    await pool?.query(`DROP SCHEMA IF EXISTS "${custody.config.DATABASE_SCHEMA}" CASCADE`);
    await pool?.end();
  });

  it('refuses a custody record without a stated purpose, and records a read by the sending state', async () => {
    const before = await mark();
    const refused = await http().get(`/custody/${held.inmateId}`).set('Authorization', await bearer(belgium, 'facility-officer')).expect(400);
    expect(refused.body).toMatchObject({ code: 'PURPOSE_REQUIRED' });
    await http().get(`/custody/${held.inmateId}`).set('Authorization', await bearer(belgium, 'facility-officer'))
      .set('X-Access-Purpose', 'report on the enforcement of the sentence').set('X-Access-Recipient', 'Tribunal de première instance de Bruxelles').expect(200);
    const entries = await entriesAfter(before);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      service: 'custody', subject: 'facility-officer@be', state: 'BE', purpose: 'report on the enforcement of the sentence',
      recipient: 'Tribunal de première instance de Bruxelles', route: '/custody/:inmateId', kind: 'custody', person_ids: [held.inmateId],
      jurisdictions: ['BE', 'AL'], status: 200,
    });
  });

  it('records the persons named by the reservations of an occupancy read', async () => {
    const before = await mark();
    const answer = await http().get(`/facilities/${facilityId}/occupancy`).set('Authorization', await bearer(albania, 'facility-officer'))
      .set('X-Access-Purpose', 'daily occupancy').expect(200);
    expect(answer.body.reservations).toEqual([expect.objectContaining({ inmateId: reserved.inmateId })]);
    expect(await entriesAfter(before)).toEqual([
      expect.objectContaining({ kind: 'facility-occupancy', route: '/facilities/:facilityId/occupancy', person_ids: [reserved.inmateId], jurisdictions: ['AL'] }),
    ]);
  });

  it('lets Belgium\'s auditor see the reads of the person Belgium sent, and refuses a facility officer', async () => {
    const { body } = await http().get(`/access-log?personId=${held.inmateId}`).set('Authorization', await bearer(belgium, 'auditor'))
      .set('X-Access-Purpose', 'access review').expect(200);
    expect(body.items).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'custody', state: 'BE', purpose: 'report on the enforcement of the sentence' })]));
    expect(body.items.map((e: { state: string }) => e.state)).toContain('AL');
    await http().get('/access-log').set('Authorization', await bearer(albania, 'facility-officer')).set('X-Access-Purpose', 'access review').expect(403);
  });
});

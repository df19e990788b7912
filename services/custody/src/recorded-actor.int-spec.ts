import request from 'supertest';
import { Pool } from 'pg';
import { PostgresEventStore, type RecordedEvent } from '@custody/event-store';
import { TestIssuer } from '@custody/security/testing';
import { facilityStream } from './facility/facility.commands';
import { fierPrison, id } from './spec/fixtures';
import { startCustody, testConfig, type RunningCustody } from './spec/test-app';

const AUDIENCE = 'custody-tracking';

/** Headers a caller could set to pass for another state's officer: the record must not believe them. */
const FORGED_ACTOR = { 'X-Actor-State': 'NL', 'X-Actor-Organisation': 'Dienst Justitiële Inrichtingen', 'X-Actor-Officer': 'someone-else' };

describe('custody: who acted is who was authenticated', () => {
  let albania: TestIssuer;
  let custody: RunningCustody;

  beforeAll(async () => {
    albania = await TestIssuer.create('AL');
    custody = await startCustody(testConfig({ AUTH_AUDIENCE: AUDIENCE, AUTH_ISSUERS: JSON.stringify([await albania.settings()]) }));
  });

  afterAll(async () => {
    await custody?.app.close();
    if (!custody) return;
    const pool = new Pool({ connectionString: custody.config.DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${custody.config.DATABASE_SCHEMA}" CASCADE`);
    await pool.end();
  });

  it('records the token\'s principal (the issuer\'s state, its subject, organisation and roles), not the X-Actor-* headers', async () => {
    const facilityId = id();
    const token = await albania.token(['facility-officer'], AUDIENCE, { subject: 'warden-fier', organisation: 'General Directorate of Prisons' });
    await request(custody.url).post('/facilities').set('Authorization', `Bearer ${token}`).set(FORGED_ACTOR)
      .send({ commandId: id(), occurredAt: '2026-03-01T08:00:00Z', ...fierPrison, facilityId })
      .expect(201);
    const events: RecordedEvent[] = [];
    for await (const event of custody.app.get(PostgresEventStore).readStream(facilityStream(facilityId))) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['FacilityRegistered']);
    expect(events[0].metadata.actor).toEqual({
      state: 'AL', organisation: 'General Directorate of Prisons', subject: 'warden-fier', roles: ['facility-officer'], verifiedBy: 'bearer-token',
    });
  });
});

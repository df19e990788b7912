import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { generateMasterKey } from '@custody/personal-data';
import { databaseUrl, eventually, uniqueSchemaName } from '@custody/testing';
import { commandBodies, identity } from '../inmate/inmate.examples';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';

/**
 * A rotation of the master key, with the real database and broker: a person registered under
 * master key A is still read, and their passport still found, after intake restarts with B
 * current and A retired; the keys are rewrapped under B in the background, after which intake
 * runs with B alone.
 */
describe('personal data: rotating the master key across restarts (real PostgreSQL and Kafka)', () => {
  const schema = uniqueSchemaName('intake-rotation');
  const A = { id: 'master-a', key: generateMasterKey() };
  const B = { id: 'master-b', key: generateMasterKey() };
  let intake: IntakeTestApp | undefined;
  let pool: Pool;

  const start = (current: { id: string; key: string }, retired = '') => startIntake('intake-rotation', {
    DATABASE_SCHEMA: schema, RETENTION_SCAN_INTERVAL_MS: '0',
    PERSONAL_DATA_MASTER_KEY: current.key, PERSONAL_DATA_MASTER_KEY_ID: current.id, PERSONAL_DATA_RETIRED_MASTER_KEYS: retired,
  });
  const http = () => request(intake!.app.getHttpServer());
  const read = (inmateId: string) => http().get(`/inmates/${inmateId}`).set('X-Access-Purpose', 'rotation test');
  const register = (inmateId: string, passport: string) => http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport) }));
  const heldByMaster = async () => Object.fromEntries((await pool.query<{ master_key_id: string; n: number }>(
    `SELECT master_key_id, count(*)::int AS n FROM "${schema}".personal_data_keys WHERE wrapped_key IS NOT NULL GROUP BY master_key_id`,
  )).rows.map((row) => [row.master_key_id, row.n]));

  beforeAll(() => {
    pool = new Pool({ connectionString: databaseUrl(), max: 1 });
  });

  afterAll(async () => {
    await intake?.close(); // drops the schema
    await pool?.end();
  });

  it('reads a person registered under A, and finds their passport, after restarting with B current and A retired, then with B alone', async () => {
    const inmateId = randomUUID();
    const passport = `R${randomUUID().slice(0, 8).toUpperCase()}`;
    intake = await start(A);
    await register(inmateId, passport).expect(201);
    await intake.app.close();

    intake = await start(B, `${A.id}=${A.key}`);
    expect((await read(inmateId).expect(200)).body).toMatchObject({ identity: identity(passport), isPersonalDataErased: false });
    // The document's stream is named by the same blind index: the passport is still held by the person.
    const again = await register(randomUUID(), passport).expect(409);
    expect(again.body).toMatchObject({ code: 'INMATE_ALREADY_REGISTERED', details: { existingInmateId: inmateId } });
    await eventually(async () => ('master-a' in (await heldByMaster()) ? undefined : true), { message: 'every key rewrapped under B' });
    expect(await heldByMaster()).toEqual({ 'master-b': 1 });
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^custody_personal_data_keys_under_retired_master_key\{[^}]*master_key_id="master-a"[^}]*\} 0$/m);
    await intake.app.close();

    intake = await start(B);
    expect((await read(inmateId).expect(200)).body).toMatchObject({ identity: identity(passport) });
    expect((await register(randomUUID(), passport).expect(409)).body.code).toBe('INMATE_ALREADY_REGISTERED');
  });
});

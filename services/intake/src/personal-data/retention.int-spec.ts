import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { commandScope, deterministicId, eventIds } from '@custody/event-sourcing';
import { UNAUTHENTICATED_ACTOR } from '@custody/platform';
import { eventually } from '@custody/testing';
import { commandBodies, identity } from '../inmate/inmate.examples';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';

/**
 * The retention job with the real database: it lists who is due, erases only those due and not
 * under a legal hold, and records each destruction in the destruction log; it also runs on its
 * own timer.
 */
describe('the retention job (real PostgreSQL and Kafka)', () => {
  const apps: IntakeTestApp[] = [];
  let pool: Pool;

  const tools = (intake: IntakeTestApp) => {
    const http = () => request(intake.app.getHttpServer());
    const register = async (sendingState: 'BE' | 'NL' = 'BE') => {
      const inmateId = randomUUID();
      // Registered in 2019, so that a release years ago follows the registration (Rule 17).
      const body = commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`R${randomUUID().slice(0, 8)}`), sendingState, occurredAt: '2019-06-03T09:00:00Z' });
      await http().post('/inmates').send(body).expect(201);
      return inmateId;
    };
    const release = (inmateId: string, occurredAt: string) =>
      http().post(`/inmates/${inmateId}/domestic-release`).send(commandBodies(inmateId, randomUUID(), occurredAt).RecordDomesticRelease()).expect(200);
    const wrappedKey = async (inmateId: string) =>
      (await pool.query(`SELECT wrapped_key FROM "${intake.config.DATABASE_SCHEMA}".personal_data_keys WHERE inmate_id = $1`, [inmateId])).rows[0]?.wrapped_key as string | null;
    return { http, register, release, wrappedKey };
  };

  beforeAll(async () => {
    pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await pool.end();
  });

  it('lists who is due, erases those not under a legal hold, and logs each destruction', async () => {
    const intake = await startIntake('intake-retention', { RETENTION_PERIODS: '{"BE":"P1Y"}', RETENTION_DEFAULT_PERIOD: 'P50Y', RETENTION_SCAN_INTERVAL_MS: '0' });
    apps.push(intake);
    const { http, register, release, wrappedKey } = tools(intake);

    const due = await register();
    await release(due, '2021-04-01T08:00:00Z');
    const held = await register();
    await release(held, '2021-04-01T08:00:00Z');
    await http().post(`/inmates/${held}/legal-holds`).send(commandBodies(held, randomUUID()).PlaceLegalHold()).expect(200);
    const recent = await register();
    await release(recent, new Date().toISOString());
    const longer = await register('NL');
    await release(longer, '2021-04-01T08:00:00Z');
    const notReleased = await register();

    const listed = await http().get('/personal-data/retention/due').expect(200);
    expect(listed.body.due).toEqual([
      expect.objectContaining({ inmateId: expect.any(String), isDue: true }),
      expect.objectContaining({ inmateId: expect.any(String), isDue: true }),
    ]);
    expect(new Set(listed.body.due.map((s: { inmateId: string }) => s.inmateId))).toEqual(new Set([due, held]));
    expect(listed.body.due.find((s: { inmateId: string }) => s.inmateId === held)).toMatchObject({
      legalHolds: ['BE-PAR-2026-0412'], releasedOn: '2021-04-01', retentionPeriod: 'P1Y', erasableOn: '2022-04-01',
    });
    // A later day shows who will be due then: the recent release a year on, the Dutch one under the default only in 2071.
    const nextYear = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    const later = (await http().get(`/personal-data/retention/due?asOf=${nextYear}`).expect(200)).body.due.map((s: { inmateId: string }) => s.inmateId);
    expect(later).toEqual(expect.arrayContaining([due, held, recent]));
    expect(later).not.toContain(longer);

    const run = await http().post('/admin/personal-data/retention/run').expect(200);
    expect(run.body).toMatchObject({ erased: [{ inmateId: due, eventIds: [expect.any(String)] }], held: [{ inmateId: held, legalHolds: ['BE-PAR-2026-0412'] }], refused: [] });

    expect(await wrappedKey(due)).toBeNull();
    for (const kept of [held, recent, longer, notReleased]) expect(await wrappedKey(kept)).toEqual(expect.any(String));
    const record = await http().get(`/inmates/${due}`).set('X-Access-Purpose', 'retention test').expect(200);
    expect(record.body).toMatchObject({ isPersonalDataErased: true, identity: { familyName: null, dateOfBirth: null } });
    const history = await http().get(`/inmates/${due}/history`).set('X-Access-Purpose', 'retention test').expect(200);
    expect(history.body.events.at(-1)).toMatchObject({
      type: 'PersonalDataErased', eventId: run.body.erased[0].eventIds[0], actor: { system: 'intake-retention-job', state: 'BE' },
    });

    const log = (await http().get('/personal-data/destructions').expect(200)).body.entries;
    expect(log).toEqual([expect.objectContaining({ inmateId: due, ground: 'retention-expired', erasureEventId: run.body.erased[0].eventIds[0], actor: { system: 'intake-retention-job', state: 'BE' } })]);

    // A second run has nothing left to do but the held person.
    const again = await http().post('/admin/personal-data/retention/run').expect(200);
    expect(again.body).toMatchObject({ erased: [], held: [{ inmateId: held }] });
    expect((await http().get('/personal-data/destructions').expect(200)).body.entries).toHaveLength(1);
  });

  // Issue 19 item 5 (docs/adr/0014-namespaced-event-ids.md): the erasure's command id is
  // predictable from the inmate id, and event ids were derived from the command id alone, so a
  // command sent first with that id took the erasure's event id (the ledger and custody's inbox
  // then kept the wrong event under it, and custody never destroyed the person's key). Event ids
  // now carry the service and who caused them: the chosen id reproduces nothing.
  it('the id collision attack: a command whose id is chosen from the inmate id cannot take the erasure\'s event id', async () => {
    const intake = await startIntake('intake-id-collision', { RETENTION_PERIODS: '{"BE":"P1Y"}', RETENTION_SCAN_INTERVAL_MS: '0' });
    apps.push(intake);
    const { http, register, release, wrappedKey } = tools(intake);
    const due = await register();
    await release(due, '2021-04-01T08:00:00Z');

    // The attacker predicts the retention job's command id and sends a command with it first.
    const chosen = deterministicId(`retention/${due}`);
    const other = randomUUID();
    const registration = await http().post('/inmates')
      .send(commandBodies(other, chosen).RegisterInmate({ identity: identity(`C${randomUUID().slice(0, 8)}`), occurredAt: '2019-06-03T09:00:00Z' }))
      .expect(201);
    const taken: string[] = registration.body.eventIds;
    expect(taken).toHaveLength(1);

    const run = await http().post('/admin/personal-data/retention/run').expect(200);
    expect(run.body).toMatchObject({ erased: [{ inmateId: due, eventIds: [expect.any(String)] }], refused: [] });
    const erasure: string = run.body.erased[0].eventIds[0];
    expect(taken).not.toContain(erasure);
    // Not the id the old derivation gave every service for that command id, nor another service's or state's.
    expect(erasure).not.toBe(deterministicId(`${chosen}/0`));
    for (const service of ['transfer', 'custody']) expect(eventIds(service, commandScope(chosen, { state: 'NL' }))(0)).not.toBe(erasure);
    // The registration's id is intake's, for its sender (unauthenticated in this test app), and the command id.
    expect(eventIds('intake', commandScope(chosen, UNAUTHENTICATED_ACTOR))(0)).toBe(taken[0]);

    // Both facts stand, each under its own id: the person is erased, the other registered.
    expect(await wrappedKey(due)).toBeNull();
    const history = await http().get(`/inmates/${due}/history`).set('X-Access-Purpose', 'collision test').expect(200);
    expect(history.body.events.at(-1)).toMatchObject({ type: 'PersonalDataErased', eventId: erasure });
    const otherHistory = await http().get(`/inmates/${other}/history`).set('X-Access-Purpose', 'collision test').expect(200);
    expect(otherHistory.body.events.map((e: { type: string; eventId: string }) => [e.type, e.eventId])).toEqual([['InmateRegistered', taken[0]]]);
  });

  it('runs on its own every RETENTION_SCAN_INTERVAL_MS', async () => {
    const intake = await startIntake('intake-retention-timer', { RETENTION_PERIODS: '{"BE":"P1Y"}', RETENTION_SCAN_INTERVAL_MS: '500' });
    apps.push(intake);
    const { register, release, wrappedKey } = tools(intake);
    const inmateId = await register();
    await release(inmateId, '2020-02-02T08:00:00Z');
    await eventually(async () => ((await wrappedKey(inmateId)) === null ? true : undefined), { timeoutMs: 30_000, message: 'the retention job to erase the person on its own' });
  });
});

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { TOPICS } from '@custody/contracts';
import { PostgresEventStore } from '@custody/event-store';
import { TopicNames } from '@custody/messaging';
import { eventually } from '@custody/testing';
import { commandBodies, identity } from '../inmate/inmate.examples';
import { KafkaProbe } from '../testing/kafka-probe';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';

/**
 * Crypto-shredding with the real database and broker: personal fields never reach the store or
 * the topic in clear; intake's reads decrypt them; erasure destroys the person's key, after
 * which every read and replay shows them as null while the stored bytes stay as they were.
 */
describe('personal data: encrypted at rest and on the topic, erased by destroying the key (real PostgreSQL and Kafka)', () => {
  let intake: IntakeTestApp;
  let probe: KafkaProbe;
  let pool: Pool;
  let topic: (t: string) => string;
  const http = () => request(intake.app.getHttpServer());
  const schema = () => `"${intake.config.DATABASE_SCHEMA}"`;
  const CLEAR = (passport: string) => ['Arben', 'Hoxha', '1988-05-14', 'Durrës', passport];

  const register = async () => {
    const inmateId = randomUUID();
    const passport = `P${randomUUID().slice(0, 8).toUpperCase()}`;
    // Registered in 2019, so that a release years ago follows the registration (Rule 17).
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport), occurredAt: '2019-06-03T09:00:00Z' })).expect(201);
    return { inmateId, passport };
  };
  const releasedOn = async (inmateId: string, occurredAt: string) => {
    await http().post(`/inmates/${inmateId}/domestic-release`).send(commandBodies(inmateId, randomUUID(), occurredAt).RecordDomesticRelease()).expect(200);
  };
  const erase = (inmateId: string) => http().post(`/inmates/${inmateId}/personal-data/erasure`).send(commandBodies(inmateId, randomUUID()).ErasePersonalData());
  const stored = async (inmateId: string) =>
    (await pool.query<{ type: string; data: string }>(`SELECT event_type AS type, data::text AS data FROM ${schema()}.events WHERE stream_name = $1 ORDER BY revision`, [`inmate-${inmateId}`])).rows;
  const keyRow = async (inmateId: string) =>
    (await pool.query(`SELECT key_id, master_key_id, wrapped_key, destroyed_at FROM ${schema()}.personal_data_keys WHERE inmate_id = $1`, [inmateId])).rows[0];
  const read = (path: string) => http().get(path).set('X-Access-Purpose', 'personal data test');
  const published = (inmateId: string, type: string) =>
    probe.waitFor(`${type} of ${inmateId} on custody.intake.events`, (s) => s.topic === topic(TOPICS.intakeEvents) && s.key === inmateId && s.headers.ce_type === type);

  beforeAll(async () => {
    intake = await startIntake('intake-personal-data', { RETENTION_PERIODS: '{"BE":"P1Y"}', RETENTION_SCAN_INTERVAL_MS: '0' });
    pool = new Pool({ connectionString: intake.config.DATABASE_URL, max: 2 });
    const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
    topic = (t) => names.physical(t);
    probe = new KafkaProbe();
    await probe.start([topic(TOPICS.intakeEvents), topic(TOPICS.commandResults)]);
  });

  afterAll(async () => {
    await probe?.stop();
    await pool?.end();
    await intake?.close();
  });

  it('stores and publishes names, birth and documents encrypted, and shows them in clear in intake\'s reads', async () => {
    const { inmateId, passport } = await register();
    const rows = await stored(inmateId);
    expect(rows.map((r) => r.type)).toEqual(['InmateRegistered']);
    for (const clear of CLEAR(passport)) expect(rows[0].data).not.toContain(clear);
    expect(JSON.parse(rows[0].data).identity).toMatchObject({ familyName: { enc: 'A256GCM' }, documents: { enc: 'A256GCM' }, sex: 'male' });
    expect(JSON.parse(rows[0].data)).toMatchObject({ nationalities: ['AL'], sendingState: 'BE' });

    const message = await published(inmateId, 'InmateRegistered');
    const bytes = JSON.stringify(message.value);
    for (const clear of CLEAR(passport)) expect(bytes).not.toContain(clear);
    expect(message.value).toMatchObject({ nationalities: ['AL'], identity: { givenNames: { enc: 'A256GCM', kid: (await keyRow(inmateId)).key_id } } });

    const record = await read(`/inmates/${inmateId}`).expect(200);
    expect(record.body).toMatchObject({ identity: identity(passport), isPersonalDataErased: false, legalHolds: [] });
    const history = await read(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events[0]).toMatchObject({ type: 'InmateRegistered', schemaVersion: 3, isPersonalDataErased: false, data: { identity: identity(passport) } });
    const search = await eventually(async () => {
      const page = await read('/inmates?sendingState=BE&limit=500').expect(200);
      return (page.body.items as Array<{ inmateId: string }>).find((item) => item.inmateId === inmateId);
    }, { message: 'the inmate in the search read model' });
    expect(search).toMatchObject({ familyName: 'Hoxha', givenNames: 'Arben' });
  });

  it('erases after the retention period: the key is destroyed, replays and the read model show null, the stored bytes are untouched', async () => {
    const { inmateId, passport } = await register();
    await releasedOn(inmateId, '2024-01-10T10:00:00Z');
    const before = await stored(inmateId);
    const key = await keyRow(inmateId);
    expect(key.wrapped_key).toEqual(expect.any(String));
    // Found by name before the erasure (any case: the search keys are normalised).
    await eventually(async () => ((await read('/inmates?familyName=hoxha&givenNames=ARBEN&limit=500').expect(200)).body.items as Array<{ inmateId: string; familyName: string }>)
      .find((item) => item.inmateId === inmateId && item.familyName === 'Hoxha'), { message: 'the person found by name' });

    const answer = await erase(inmateId).expect(200);
    expect(answer.body.eventIds).toHaveLength(1);

    // The wrapped key is gone, and the row says when; nothing stored before changed.
    expect(await keyRow(inmateId)).toMatchObject({ key_id: key.key_id, wrapped_key: null, destroyed_at: expect.any(Date) });
    const after = await stored(inmateId);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((r) => r.type)).toEqual(['InmateRegistered', 'DomesticReleaseRecorded', 'PersonalDataErased']);
    for (const clear of CLEAR(passport)) expect(after[2].data).not.toContain(clear);

    const erasedIdentity = { givenNames: null, familyName: null, dateOfBirth: null, placeOfBirth: null, documents: null, sex: 'male' };
    const record = await read(`/inmates/${inmateId}`).expect(200);
    expect(record.body).toMatchObject({ identity: erasedIdentity, isPersonalDataErased: true, status: 'released', releasedOn: '2024-01-10' });
    const history = await read(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events[0]).toMatchObject({ type: 'InmateRegistered', isPersonalDataErased: true, data: { identity: erasedIdentity, nationalities: ['AL'] } });
    expect(history.body.events[2]).toMatchObject({
      type: 'PersonalDataErased', isPersonalDataErased: false,
      data: { inmateId, sendingState: 'BE', ground: 'retention-expired', releasedOn: '2024-01-10', retentionPeriod: 'P1Y', erasableOn: '2025-01-10', keyId: key.key_id },
    });

    const erasure = await published(inmateId, 'PersonalDataErased');
    expect(erasure.value).toMatchObject({ inmateId, keyId: key.key_id });

    const log = await read('/personal-data/destructions?limit=500').expect(200);
    expect(log.body.entries).toContainEqual(expect.objectContaining({
      inmateId, sendingState: 'BE', keyId: key.key_id, masterKeyId: 'master-1', ground: 'retention-expired', releasedOn: '2024-01-10',
      erasureEventId: answer.body.eventIds[0], destroyedAt: expect.any(String),
    }));
    // The destruction log names the person: reading it is recorded like any other disclosure.
    const reads = await pool.query<{ kind: string; purpose: string }>(
      `SELECT kind, purpose FROM ${schema()}.access_log WHERE route = '/personal-data/destructions' AND $1 = ANY (person_ids)`, [inmateId],
    );
    expect(reads.rows).toEqual([{ kind: 'destruction-log', purpose: 'personal data test' }]);

    // The read model forgets the names live, and a rebuild from position 0 cannot bring them back:
    // the row keeps neither the sealed names nor their search keys, so no name finds the person.
    const searched = async () => ((await read('/inmates?sendingState=BE&limit=500').expect(200)).body.items as Array<{ inmateId: string; familyName: string | null }>)
      .find((item) => item.inmateId === inmateId);
    const byName = async () => ((await read('/inmates?familyName=hoxha&givenNames=ARBEN&limit=500').expect(200)).body.items as Array<{ inmateId: string }>)
      .some((item) => item.inmateId === inmateId);
    const searchRow = async () => (await pool.query(
      `SELECT family_name_sealed, given_names_sealed, family_name_key, given_names_key FROM ${schema()}.inmate_search WHERE inmate_id = $1`, [inmateId],
    )).rows[0];
    const noNames = { family_name_sealed: null, given_names_sealed: null, family_name_key: null, given_names_key: null };
    await eventually(async () => ((await searched())?.familyName === null ? true : undefined), { message: 'the names gone from the search read model' });
    expect(await byName()).toBe(false);
    expect(await searchRow()).toEqual(noNames);
    await http().post('/admin/projections/inmates/rebuild').expect(200);
    expect(await searched()).toMatchObject({ familyName: null, givenNames: null });
    expect(await byName()).toBe(false);
    expect(await searchRow()).toEqual(noNames);

    // Erasing again changes nothing; an identity cannot be recorded again under the destroyed key.
    expect((await erase(inmateId).expect(200)).body.eventIds).toEqual([]);
    const correction = await http().post(`/inmates/${inmateId}/corrections`)
      .send(commandBodies(inmateId, randomUUID()).CorrectInmateRecord({ identity: identity(passport), nationalities: undefined })).expect(409);
    expect(correction.body.code).toBe('PERSONAL_DATA_ERASED');

    // The erased record holds its identity documents no more: the person can be registered anew.
    const again = randomUUID();
    await http().post('/inmates').send(commandBodies(again, randomUUID()).RegisterInmate({ identity: identity(passport) })).expect(201);
  });

  it('refuses before the final release and before the period has run, and while a legal hold stands', async () => {
    const { inmateId } = await register();
    const early = await erase(inmateId).expect(409);
    expect(early.body).toMatchObject({ code: 'RETENTION_NOT_EXPIRED', details: { isReleased: false, retentionPeriod: 'P1Y' } });

    const today = new Date().toISOString();
    await releasedOn(inmateId, today);
    const soon = await erase(inmateId).expect(409);
    expect(soon.body).toMatchObject({ code: 'RETENTION_NOT_EXPIRED', details: { releasedOn: today.slice(0, 10), erasableOn: expect.any(String) } });
    expect(soon.body.details.erasableOn > today.slice(0, 10)).toBe(true);

    const held = await register();
    await releasedOn(held.inmateId, '2020-05-04T08:00:00Z');
    await http().post(`/inmates/${held.inmateId}/legal-holds`).send(commandBodies(held.inmateId, randomUUID()).PlaceLegalHold()).expect(200);
    const refused = await erase(held.inmateId).expect(409);
    expect(refused.body).toMatchObject({ code: 'LEGAL_HOLD_ACTIVE', details: { legalHolds: 'BE-PAR-2026-0412' } });
    expect((await keyRow(held.inmateId)).wrapped_key).toEqual(expect.any(String));
    expect((await read(`/inmates/${held.inmateId}`).expect(200)).body).toMatchObject({ legalHolds: [{ reference: 'BE-PAR-2026-0412' }], identity: { familyName: 'Hoxha' } });

    const unknown = await http().post(`/inmates/${held.inmateId}/legal-holds/lifts`)
      .send(commandBodies(held.inmateId, randomUUID()).LiftLegalHold({ reference: 'NO-SUCH-HOLD' })).expect(404);
    expect(unknown.body.code).toBe('LEGAL_HOLD_NOT_FOUND');
    await http().post(`/inmates/${held.inmateId}/legal-holds/lifts`).send(commandBodies(held.inmateId, randomUUID()).LiftLegalHold()).expect(200);
    await erase(held.inmateId).expect(200);
    expect((await keyRow(held.inmateId)).wrapped_key).toBeNull();
  });

  it('answers an erasure sent on custody.intake.commands on custody.command-results', async () => {
    const { inmateId } = await register();
    const body = commandBodies(inmateId, randomUUID()).ErasePersonalData();
    await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('ErasePersonalData', body));
    const result = await probe.waitFor('the result of the erasure', (s) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === body.commandId);
    expect(result.headers.ce_type).toBe('CommandRejected');
    expect(result.value).toMatchObject({ commandType: 'ErasePersonalData', code: 'RETENTION_NOT_EXPIRED', details: { inmateId, isReleased: false, retentionPeriod: 'P1Y' } });
  });

  it('keeps the destruction log append-only', async () => {
    const { inmateId } = await register();
    await releasedOn(inmateId, '2023-02-01T12:00:00Z');
    await erase(inmateId).expect(200);
    const log = `${schema()}.personal_data_destructions`;
    await expect(pool.query(`UPDATE ${log} SET ground = 'other' WHERE inmate_id = $1`, [inmateId])).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM ${log} WHERE inmate_id = $1`, [inmateId])).rejects.toThrow(/append-only/);
    await expect(pool.query(`TRUNCATE ${log}`)).rejects.toThrow(/append-only/);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${log} WHERE inmate_id = $1`, [inmateId])).rows[0].n).toBe(1);
  });

  it('reads an event stored in clear before personal fields were encrypted, and shows it erased after erasure', async () => {
    const inmateId = randomUUID();
    const passport = `L${randomUUID().slice(0, 8).toUpperCase()}`;
    const { commandId: _c, occurredAt: _o, ...registration } = commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport) });
    const store = intake.app.get(PostgresEventStore);
    const metadata = (occurredAt: string) => ({ correlationId: randomUUID(), occurredAt });
    await store.appendToStream(`inmate-${inmateId}`, [
      { id: randomUUID(), type: 'InmateRegistered', schemaVersion: 2, data: registration, metadata: metadata('2021-03-02T09:30:00Z') },
      { id: randomUUID(), type: 'DomesticReleaseRecorded', schemaVersion: 1, data: { inmateId, reason: 'sentence-served' }, metadata: metadata('2022-03-02T09:30:00Z') },
    ], { expectedRevision: 'no_stream' });
    expect((await read(`/inmates/${inmateId}`).expect(200)).body).toMatchObject({ identity: identity(passport), isPersonalDataErased: false });

    await erase(inmateId).expect(200);
    expect((await read(`/inmates/${inmateId}`).expect(200)).body.identity).toMatchObject({ familyName: null, documents: null });
    const history = await read(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events[0]).toMatchObject({ schemaVersion: 2, isPersonalDataErased: true, data: { identity: { givenNames: null, dateOfBirth: null } } });
    expect(await keyRow(inmateId)).toMatchObject({ key_id: null, wrapped_key: null, destroyed_at: expect.any(Date) });
  });
});

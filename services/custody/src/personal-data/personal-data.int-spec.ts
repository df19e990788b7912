import request from 'supertest';
import { Pool } from 'pg';
import type { Consumer, Producer } from 'kafkajs';
import { TOPICS, toKafkaMessage } from '@custody/contracts';
import { eventually, testKafka, uniqueName } from '@custody/testing';
import { admissionRecord, eligibleProfile, gjilan, id } from '../spec/fixtures';
import { startCustody, testConfig, type RunningCustody } from '../spec/test-app';

/**
 * Rule 16 in custody, over the real broker and database: the admission record's identity and
 * health facts are encrypted with custody's own data key for the person (in the store and on
 * custody.facility.events), the custody record shows them in clear; when intake's
 * PersonalDataErased arrives, custody destroys its key and logs it, and every read, a rebuild of
 * the read model included, shows them erased.
 */
describe('custody: the admission record\'s personal data, encrypted and erased', () => {
  let running: RunningCustody;
  let producer: Producer;
  let consumer: Consumer;
  let pool: Pool;
  const seen: Array<{ type: string; raw: string }> = [];
  const topic = (name: string) => `${running.config.KAFKA_TOPIC_PREFIX}${name}`;
  const schema = () => `"${running.config.DATABASE_SCHEMA}"`;

  beforeAll(async () => {
    running = await startCustody(testConfig({ KAFKA: 'on' }));
    pool = new Pool({ connectionString: running.config.DATABASE_URL, max: 2 });
    const kafka = testKafka('custody-personal-data-test');
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = kafka.consumer({ groupId: uniqueName('custody-personal-data-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic(TOPICS.facilityEvents)], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { seen.push({ type: String(message.headers?.ce_type), raw: String(message.value) }); } });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await running?.app.close();
    await pool?.query(`DROP SCHEMA IF EXISTS ${schema()} CASCADE`);
    await pool?.end();
  });

  // A command's envelope id is its commandId, and a command names who sends it.
  const actor = { state: 'XK', organisation: 'Kosovo Correctional Service' };
  const send = async (on: string, type: string, data: Record<string, unknown>, occurredAt: string, messageId = typeof data.commandId === 'string' ? data.commandId : id()) => {
    await producer.send({ topic: topic(on), messages: [toKafkaMessage({ id: messageId, type, schemaVersion: 1, data, metadata: { correlationId: id(), occurredAt, actor } })] });
    return messageId;
  };
  const published = (type: string, inmateId: string) =>
    eventually(() => seen.find((m) => m.type === type && m.raw.includes(inmateId)), { timeoutMs: 60_000, intervalMs: 100, message: `${type} on Kafka` });
  const person = async (inmateId: string) => (await request(running.url).get(`/custody/${inmateId}`).expect(200)).body;

  it('stores and publishes the identity and health facts encrypted, shows them to custody\'s reads, and erases them when intake erases the person', async () => {
    const facilityId = id();
    const [inmateId, transferId, reservationId] = [id(), id(), id()];
    const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T09:00:00Z`;
    const injury = 'Healing cut above the left eyebrow, 2 cm';
    const summary = 'Asthma; uses a salbutamol inhaler.';
    const need = 'Salbutamol inhaler within reach at night';
    // The placement on admission: its medical needs, languages and need of an interpreter are sealed like the rest of the record.
    const placement = { securityLevel: 'high', medicalNeeds: [need], languages: ['ar', 'fr'], needsInterpreter: true };
    const record = { ...admissionRecord, admittedAt: at(5), hasVisibleInjuries: true, visibleInjuries: [injury], health: { ...admissionRecord.health, summary }, placement };
    const { familyName, givenNames, dateOfBirth } = record.identity;
    const passport = record.identity.documents[0].number;

    await send(TOPICS.facilityCommands, 'RegisterFacility', { commandId: id(), occurredAt: at(1), ...gjilan, facilityId }, at(1));
    await published('FacilityRegistered', facilityId);
    await send(TOPICS.transferEvents, 'TransferRequested', { transferId, inmateId, sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', facilityId }, at(2));
    await send(TOPICS.transferEvents, 'PlaceReservationRequested', { transferId, inmateId, facilityId, reservationId, profile: eligibleProfile }, at(2));
    await published('PlaceReserved', reservationId);
    const side = { state: 'XK', organisation: 'Kosovo Correctional Service', officer: 'Officer B. Krasniqi', place: 'Gjilan facility gate' };
    await send(TOPICS.transferEvents, 'CustodyDispatched', { transferId, inmateId, dispatchedBy: { ...side, state: 'DK', organisation: 'Danish Prison and Probation Service' }, escort: { state: 'DK', organisation: 'Danish Police', leadOfficer: 'K. Madsen' } }, at(5));
    await send(TOPICS.transferEvents, 'CustodyReceived', { transferId, inmateId, receivedBy: side, facilityId }, at(5));
    const admission = { commandId: id(), occurredAt: at(5), inmateId, facilityId, transferId, reservationId, admission: record };
    await eventually(async () => ((await request(running.url).post(`/custody/${inmateId}/admission`).send({ ...admission, commandId: id() })).status === 201 ? true : undefined),
      { timeoutMs: 60_000, intervalMs: 250, message: 'the admission to be accepted once the hand-over was consumed' });

    // The bytes custody stored and published: no name, birth date, document, injury or health summary in clear.
    const clear = [familyName, givenNames, dateOfBirth, passport, injury, summary, need];
    const stored = (await pool.query<{ version: number; data: string }>(
      `SELECT schema_version AS version, data::text AS data FROM ${schema()}.events WHERE stream_name = $1 AND event_type = 'InmateAdmitted'`, [`custody-${inmateId}`],
    )).rows;
    expect(stored).toHaveLength(1);
    expect(stored[0].version).toBe(2);
    const onTopic = (await published('InmateAdmitted', inmateId)).raw;
    for (const bytes of [stored[0].data, onTopic]) {
      for (const value of clear) expect(bytes).not.toContain(value);
      const data = JSON.parse(bytes) as { admission: Record<string, Record<string, unknown>> } | { data: { admission: Record<string, Record<string, unknown>> } };
      const admitted = 'data' in data ? data.data.admission : data.admission;
      expect(admitted.identity).toMatchObject({ familyName: { enc: 'A256GCM' }, dateOfBirth: { enc: 'A256GCM' }, documents: { enc: 'A256GCM' }, sex: 'male' });
      expect(admitted).toMatchObject({ visibleInjuries: { enc: 'A256GCM' }, hasVisibleInjuries: { enc: 'A256GCM' }, health: { summary: { enc: 'A256GCM' }, isFitForDetention: { enc: 'A256GCM' } } });
      expect(admitted.commitment).toMatchObject({ warrantReference: 'DK-KRIM-2026-7781' });
      expect(admitted.placement).toEqual({
        securityLevel: 'high', medicalNeeds: expect.objectContaining({ enc: 'A256GCM' }), languages: expect.objectContaining({ enc: 'A256GCM' }), needsInterpreter: expect.objectContaining({ enc: 'A256GCM' }),
      });
    }

    // Custody's own read decrypts them.
    const shown = await eventually(async () => {
      const { status, body } = await request(running.url).get(`/custody/${inmateId}`);
      return status === 200 ? body : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, message: 'the custody record of the admitted person' });
    expect(shown).toMatchObject({
      isPersonalDataErased: false,
      admission: { identity: { familyName, givenNames, dateOfBirth, documents: record.identity.documents }, hasVisibleInjuries: true, visibleInjuries: [injury], health: { summary, isFitForDetention: true }, placement },
    });

    // Intake erases the person: custody destroys its key, logs it and records the erasure.
    const erasureId = await send(TOPICS.intakeEvents, 'PersonalDataErased', {
      inmateId, sendingState: 'DK', keyId: id(), ground: 'retention-expired', releasedOn: '2026-03-25', retentionPeriod: 'P0D', erasableOn: '2026-03-25',
      erasedFields: ['identity.givenNames', 'identity.familyName', 'identity.dateOfBirth', 'identity.placeOfBirth', 'identity.documents'],
    }, at(26));
    const erasedView = {
      isPersonalDataErased: true,
      status: 'in-custody',
      admission: {
        identity: { familyName: null, givenNames: null, dateOfBirth: null, documents: null, sex: 'male' },
        hasVisibleInjuries: null, visibleInjuries: null, health: { summary: null, isFitForDetention: null, examinedBy: record.health.examinedBy },
        commitment: record.commitment,
        placement: { securityLevel: 'high', medicalNeeds: null, languages: null, needsInterpreter: null },
      },
    };
    const erased = await eventually(async () => {
      const body = await person(inmateId);
      return body.timeline.some((e: { type: string }) => e.type === 'CustodyPersonalDataErased') ? body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, message: 'the custody record to show CustodyPersonalDataErased' });
    expect(erased).toMatchObject(erasedView);
    for (const value of clear) expect(JSON.stringify(erased)).not.toContain(value);

    const key = (await pool.query(`SELECT wrapped_key, destroyed_at FROM ${schema()}.personal_data_keys WHERE inmate_id = $1`, [inmateId])).rows;
    expect(key).toEqual([{ wrapped_key: null, destroyed_at: expect.any(Date) }]);
    const log = (await pool.query(`SELECT sending_state, ground, released_on::text AS released_on FROM ${schema()}.personal_data_destructions WHERE inmate_id = $1`, [inmateId])).rows;
    expect(log).toEqual([{ sending_state: 'DK', ground: 'retention-expired', released_on: '2026-03-25' }]);
    const notice = JSON.parse((await published('CustodyPersonalDataErased', inmateId)).raw) as { data?: Record<string, unknown> } & Record<string, unknown>;
    expect(notice.data ?? notice).toMatchObject({ inmateId, facilityId, erasureEventId: erasureId, sendingState: 'DK', ground: 'retention-expired' });

    // A second delivery of the same erasure changes nothing (the inbox): one destruction in the log, checked below.
    await send(TOPICS.intakeEvents, 'PersonalDataErased', { inmateId, sendingState: 'DK', ground: 'retention-expired', releasedOn: '2026-03-25', retentionPeriod: 'P0D', erasableOn: '2026-03-25', erasedFields: [] }, at(26), erasureId);

    // Rebuild: the read model dropped and projected again from position 0 over the encrypted events, never failing.
    await running.app.close();
    const readModels = ['facilities', 'facility_reservations', 'facility_refusals', 'facility_occupancy_history', 'custody_persons'];
    await pool.query(`TRUNCATE ${readModels.map((table) => `${schema()}.${table}`).join(', ')}`);
    await pool.query(`DELETE FROM ${schema()}.projection_checkpoints`);
    running = await startCustody(running.config);
    const rebuilt = await eventually(async () => {
      const { status, body } = await request(running.url).get(`/custody/${inmateId}`);
      return status === 200 && body.timeline.some((e: { type: string }) => e.type === 'CustodyPersonalDataErased') ? body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200, message: 'the rebuilt read model to show the person again' });
    expect(rebuilt).toMatchObject(erasedView);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema()}.personal_data_destructions WHERE inmate_id = $1`, [inmateId])).rows[0].n).toBe(1);
  });
});

import request from 'supertest';
import { Pool } from 'pg';
import { PostgresEventStore } from '@custody/event-store';
import { admissionRecord, eligibleProfile, fierPrison, id } from './spec/fixtures';
import { startCustody, testConfig, type RunningCustody } from './spec/test-app';
import { TransferKnowledge } from './transfer-knowledge/transfer-knowledge';

/**
 * A command sent again over HTTP is answered as it was the first time, and runs once
 * (docs/adr/0010-http-idempotency-by-command-id.md): the facilities' commands (through the batched
 * write path of a hot stream) and a person's, on one instance and on two sharing the database.
 */
describe('custody: a command sent again (real PostgreSQL)', () => {
  let first: RunningCustody;
  let second: RunningCustody;
  const http = () => request(first.url);
  const types = async (stream: string) => {
    const found: string[] = [];
    for await (const event of first.app.get(PostgresEventStore).readStream(stream)) found.push(event.type);
    return found;
  };
  const registration = () => ({ commandId: id(), occurredAt: '2026-03-01T08:00:00Z', ...fierPrison, facilityId: id() });
  const reservation = (facilityId: string) => ({
    commandId: id(), occurredAt: '2026-03-01T09:00:00Z', facilityId, reservationId: id(), transferId: id(), inmateId: id(),
    profile: eligibleProfile, expiresAt: '2026-04-01T00:00:00Z',
  });
  const registered = async () => {
    const body = registration();
    await http().post('/facilities').send(body).expect(201);
    return body.facilityId;
  };
  const expectNothingInternal = (text: string) => {
    for (const internal of ['facility-', 'reservation-', 'custody-', 'command-', 'DUPLICATE_EVENT_ID', 'storeCode', 'command_answers', 'INSERT', first.config.DATABASE_SCHEMA]) {
      expect(text).not.toContain(internal);
    }
  };

  beforeAll(async () => {
    const config = testConfig();
    first = await startCustody(config);
    second = await startCustody({ ...config });
  });

  afterAll(async () => {
    await first?.app.close();
    await second?.app.close();
    const pool = new Pool({ connectionString: first.config.DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${first.config.DATABASE_SCHEMA}" CASCADE`);
    await pool.end();
  });

  it('RegisterFacility sent twice: 201 twice with the same body, one registration', async () => {
    const body = registration();
    const once = await http().post('/facilities').send(body);
    const twice = await http().post('/facilities').send(body);
    expect([once.status, twice.status]).toEqual([201, 201]);
    expect(twice.text).toBe(once.text);
    expect(once.body).toMatchObject({ commandId: body.commandId, facilityId: body.facilityId, events: [{ type: 'FacilityRegistered' }] });
    expect(twice.headers['idempotent-replayed']).toBe('true');
    expect(await types(`facility-${body.facilityId}`)).toEqual(['FacilityRegistered']);
  });

  it('ReservePlace sent twice, the second time to another instance: 201 twice with the same body, one place held', async () => {
    const facilityId = await registered();
    const body = reservation(facilityId);
    const once = await http().post(`/facilities/${facilityId}/reservations`).send(body);
    const twice = await request(second.url).post(`/facilities/${facilityId}/reservations`).send(body);
    expect([once.status, twice.status]).toEqual([201, 201]);
    expect(twice.text).toBe(once.text);
    expect(await types(`facility-${facilityId}`)).toEqual(['FacilityRegistered', 'PlaceReserved']);
  });

  it('a reservation refused for want of a place, sent again once a place is free: the same 409, one refusal recorded', async () => {
    const facilityId = await registered();
    const held = [reservation(facilityId), reservation(facilityId)];
    for (const body of held) await http().post(`/facilities/${facilityId}/reservations`).send(body).expect(201);
    const refused = reservation(facilityId);
    const once = await http().post(`/facilities/${facilityId}/reservations`).send(refused).expect(409);
    expect(once.body.code).toBe('CAPACITY_EXHAUSTED');
    await http().post(`/facilities/${facilityId}/reservations/${held[0].reservationId}/release`)
      .send({ commandId: id(), occurredAt: '2026-03-01T10:00:00Z', facilityId, reservationId: held[0].reservationId, reason: 'The case was withdrawn.' })
      .expect(200);
    const twice = await http().post(`/facilities/${facilityId}/reservations`).send(refused).expect(409);
    expect(twice.text).toBe(once.text);
    expect(await types(`facility-${facilityId}`)).toEqual(['FacilityRegistered', 'PlaceReserved', 'PlaceReserved', 'ReservationRefused', 'ReservationReleased']);
  });

  it('answers the same commandId with other content 422 IDEMPOTENCY_KEY_REUSED, naming nothing internal', async () => {
    const body = registration();
    await http().post('/facilities').send(body).expect(201);
    const reused = await http().post('/facilities').send({ ...body, capacity: 3 }).expect(422);
    expect(reused.body).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), errors: [{ path: 'commandId', problem: expect.any(String) }], details: {} });
    expectNothingInternal(reused.text);
    const elsewhere = await http().post(`/facilities/${body.facilityId}/reservations`).send({ ...reservation(body.facilityId), commandId: body.commandId }).expect(422);
    expectNothingInternal(elsewhere.text);
    expect(await types(`facility-${body.facilityId}`)).toEqual(['FacilityRegistered']);
  });

  it('10 identical registrations at once, on two instances: one registration, ten identical 201s', async () => {
    const body = registration();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => request((n % 2 === 0 ? first : second).url).post('/facilities').send(body)));
    expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(answers[0].status).toBe(201);
    expect(await types(`facility-${body.facilityId}`)).toEqual(['FacilityRegistered']);
  });

  it('10 identical reservations at once among others, on two instances: one place held, ten identical 201s, the others served', async () => {
    const facilityId = await registered();
    const body = reservation(facilityId);
    const others = [reservation(facilityId)];
    const sends = [...Array.from({ length: 10 }, () => body), ...others].map((b, n) => request((n % 2 === 0 ? first : second).url).post(`/facilities/${facilityId}/reservations`).send(b));
    const answers = await Promise.all(sends);
    const same = answers.slice(0, 10);
    expect(new Set(same.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(same[0].status).toBe(201);
    expect(answers[10].status).toBe(201);
    expect((await types(`facility-${facilityId}`)).sort()).toEqual(['FacilityRegistered', 'PlaceReserved', 'PlaceReserved']);
  });

  it('AdmitInmate sent twice: 201 twice with the same body, one admission and one place taken; a refused admission is refused again alike', async () => {
    const facilityId = await registered();
    const [inmateId, transferId] = [id(), id()];
    await first.app.get(PostgresEventStore).transaction((tx) => first.app.get(TransferKnowledge).noteCase(tx, transferId, inmateId, {
      legal_basis: 'ETS112', sending_state: 'BE', receiving_state: 'AL', facility_id: facilityId,
      dispatched_at: '2026-03-02T08:00:00Z', received_at: '2026-03-02T09:00:00Z', received_at_facility_id: facilityId,
    }));
    const admission = { commandId: id(), occurredAt: '2026-03-02T10:00:00Z', inmateId, facilityId, transferId, admission: { ...admissionRecord, admittedAt: '2026-03-02T09:30:00Z' } };
    const once = await http().post(`/custody/${inmateId}/admission`).send(admission);
    const twice = await request(second.url).post(`/custody/${inmateId}/admission`).send(admission);
    expect([once.status, twice.status]).toEqual([201, 201]);
    expect(twice.text).toBe(once.text);
    expect(once.body.events.map((e: { type: string }) => e.type)).toEqual(['InmateAdmitted', 'SentenceToServeNoted', 'PlaceOccupied']);
    expect(await types(`custody-${inmateId}`)).toEqual(['InmateAdmitted', 'SentenceToServeNoted']);
    expect(await types(`facility-${facilityId}`)).toEqual(['FacilityRegistered', 'PlaceOccupied']);

    const stranger = id();
    const escape = { commandId: id(), occurredAt: '2026-03-03T10:00:00Z', inmateId: stranger, facilityId, circumstances: 'Not found at the evening count.' };
    const refused = await http().post(`/custody/${stranger}/escape`).send(escape);
    expect([refused.status, refused.body.code]).toEqual([409, 'INMATE_NOT_IN_CUSTODY']);
    const again = await request(second.url).post(`/custody/${stranger}/escape`).send(escape);
    expect([again.status, again.text]).toEqual([refused.status, refused.text]);
  });
});

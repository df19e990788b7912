import request from 'supertest';
import { Pool } from 'pg';
import type { Consumer, Producer } from 'kafkajs';
import { TOPICS, toKafkaMessage } from '@custody/contracts';
import { eventually, sendUntilKnownHere, testKafka, uniqueName } from '@custody/testing';
import { admissionRecord, eligibleProfile, gjilan, id } from '../spec/fixtures';
import { startCustody, testConfig, type RunningCustody } from '../spec/test-app';

/**
 * Over the real broker: the transfer service's events reserve a place and complete the hand-over;
 * the person is admitted; commands on custody.facility.commands answer on custody.command-results;
 * the reports owed to the sending state come out on custody.facility.events.
 */
describe('custody over Kafka and HTTP', () => {
  let running: RunningCustody;
  let producer: Producer;
  let consumer: Consumer;
  const seen: Array<{ topic: string; type: string; data: Record<string, unknown> }> = [];
  const topic = (name: string) => `${running.config.KAFKA_TOPIC_PREFIX}${name}`;

  beforeAll(async () => {
    // An admission waits for transfer's events on their way (ADR 0012), as long as a loaded machine may need.
    running = await startCustody(testConfig({ KAFKA: 'on', NOT_YET_KNOWN_WAIT_MS: '30000' }));
    const kafka = testKafka('custody-test');
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = kafka.consumer({ groupId: uniqueName('custody-test-reader') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic(TOPICS.facilityEvents), topic(TOPICS.commandResults), `${topic(TOPICS.transferEvents)}.dlq`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic: from, message }) => {
        seen.push({ topic: from, type: String(message.headers?.ce_type), data: JSON.parse(String(message.value)) });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await running?.app.close();
    const pool = new Pool({ connectionString: running.config.DATABASE_URL, max: 1 });
    await pool.query(`DROP SCHEMA IF EXISTS "${running.config.DATABASE_SCHEMA}" CASCADE`);
    await pool.end();
  });

  // A command's envelope id is its commandId, and a command names who sends it.
  const actor = { state: 'XK', organisation: 'Kosovo Correctional Service' };
  const send = async (on: string, type: string, data: Record<string, unknown>, occurredAt: string) => {
    const messageId = typeof data.commandId === 'string' ? data.commandId : id();
    const message = toKafkaMessage({ id: messageId, type, schemaVersion: 1, data, metadata: { correlationId: id(), occurredAt, actor } });
    await producer.send({ topic: topic(on), messages: [message] });
    return messageId;
  };
  const published = (type: string, match: (data: Record<string, unknown>) => boolean = () => true) =>
    eventually(() => seen.find((m) => m.type === type && match(m.data)), { timeoutMs: 60_000, intervalMs: 100, message: `${type} on Kafka (seen: ${seen.map((m) => m.type).join(', ') || 'nothing'})` });

  it('reserves on request, admits after the hand-over, answers commands and reports an escape to the sending state', async () => {
    const facilityId = id();
    const [inmateId, transferId, reservationId] = [id(), id(), id()];
    const at = (day: number) => `2026-03-${String(day).padStart(2, '0')}T09:00:00Z`;

    // The facility, registered over Kafka: the result comes back on custody.command-results.
    const registration = await send(TOPICS.facilityCommands, 'RegisterFacility', { commandId: id(), occurredAt: at(1), ...gjilan, facilityId }, at(1));
    await published('CommandAccepted', (d) => d.commandId === registration);
    await published('FacilityRegistered', (d) => d.facilityId === facilityId);

    // The transfer service asks for a place: it is held and published.
    await send(TOPICS.transferEvents, 'TransferRequested', { transferId, inmateId, sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', facilityId }, at(2));
    await send(TOPICS.transferEvents, 'PlaceReservationRequested', { transferId, inmateId, facilityId, reservationId, profile: eligibleProfile }, at(2));
    const reserved = await published('PlaceReserved', (d) => d.reservationId === reservationId);
    expect(reserved.data.expiresAt).toBe('2026-04-01T09:00:00.000Z');

    // Without the hand-over, no admission.
    const admission = { commandId: id(), occurredAt: at(5), inmateId, facilityId, transferId, reservationId, admission: { ...admissionRecord, admittedAt: at(5) } };
    // (While transfer's events of the person are still being committed here, 409 NOT_YET_KNOWN_HERE: waited out.)
    const early = await sendUntilKnownHere(() => request(running.url).post(`/custody/${inmateId}/admission`).send(admission));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('ADMISSION_WITHOUT_HAND_OVER');

    // Both sides of the hand-over (Rule 11), from the transfer service.
    const side = { state: 'XK', organisation: 'Kosovo Correctional Service', officer: 'Officer B. Krasniqi', place: 'Gjilan facility gate' };
    await send(TOPICS.transferEvents, 'CustodyDispatched', { transferId, inmateId, dispatchedBy: { ...side, state: 'DK', organisation: 'Danish Prison and Probation Service' }, escort: { state: 'DK', organisation: 'Danish Police', leadOfficer: 'K. Madsen' } }, at(5));
    const receipt = await send(TOPICS.transferEvents, 'CustodyReceived', { transferId, inmateId, receivedBy: side, facilityId }, at(5));
    // Sent at once: the request waits until the consumer has applied the hand-over it knows is on its way.
    const taken = await request(running.url).post(`/custody/${inmateId}/admission`).send({ ...admission, commandId: id() });
    expect({ receipt, status: taken.status, code: taken.body.code }).toEqual({ receipt, status: 201, code: undefined });
    const admitted = taken.body;
    expect(admitted.events.map((e: { type: string }) => e.type)).toEqual(['InmateAdmitted', 'SentenceToServeNoted', 'PlaceOccupied']);
    expect((await published('InmateAdmitted', (d) => d.inmateId === inmateId)).data.governingState).toBe('DK');
    await published('PlaceOccupied', (d) => d.inmateId === inmateId);
    expect(seen.some((m) => m.type === 'SentenceToServeNoted')).toBe(false);

    // A command on Kafka, with its result.
    const cell = await send(TOPICS.facilityCommands, 'AssignCell', { commandId: id(), occurredAt: at(6), inmateId, facilityId, cell: 'A-112', unitId: 'A' }, at(6));
    await published('CommandAccepted', (d) => d.commandId === cell);
    const refused = await send(TOPICS.facilityCommands, 'RecordRecapture', { commandId: id(), occurredAt: at(6), inmateId, facilityId, recapturedBy: { state: 'XK', organisation: 'Kosovo Police' }, place: 'Ferizaj', stateFoundIn: 'XK' }, at(6));
    expect((await published('CommandRejected', (d) => d.commandId === refused)).data.code).toBe('INMATE_NOT_ESCAPED');

    // Rule 13: an escape is reported to the sending state on custody.facility.events.
    await request(running.url).post(`/custody/${inmateId}/escape`).send({ commandId: id(), occurredAt: at(7), inmateId, facilityId, circumstances: 'Missing at the 16:00 count.' }).expect(200);
    await published('InmateEscaped', (d) => d.inmateId === inmateId);

    // The read models: whose law governs, where the person is, the occupancy.
    const person = await eventually(
      async () => {
        const { body, status } = await request(running.url).get(`/custody/${inmateId}`);
        return status === 200 && body.whereabouts === 'escaped' ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'the custody read model to show the escape' },
    );
    expect(person).toMatchObject({
      status: 'in-custody',
      cell: 'A-112',
      law: { governingState: 'DK', governedBy: 'sending-state' },
      reportsToSendingState: [expect.objectContaining({ type: 'InmateEscaped' })],
    });
    const occupancy = await request(running.url).get(`/facilities/${facilityId}/occupancy`).expect(200);
    expect(occupancy.body).toMatchObject({ capacity: 300, occupied: 1, reserved: 0, free: 299 });
    expect(occupancy.body.reservations[0]).toMatchObject({ reservationId, status: 'used' });
    const list = await request(running.url).get('/facilities').expect(200);
    expect(list.body.facilities).toEqual([expect.objectContaining({ facilityId, governingState: 'DK', occupied: 1 })]);
  });

  it('answers a request for a place at a facility it does not know with ReservationRefused (FACILITY_NOT_FOUND), and holds the place asked for again once the facility is registered', async () => {
    const facilityId = id();
    const [inmateId, transferId, first, second] = [id(), id(), id(), id()];
    const at = (day: number) => `2026-04-${String(day).padStart(2, '0')}T09:00:00Z`;
    await send(TOPICS.transferEvents, 'TransferRequested', { transferId, inmateId, sendingState: 'DK', receivingState: 'XK', legalBasis: 'LEASE_DK_XK_2022', facilityId }, at(2));
    await send(TOPICS.transferEvents, 'PlaceReservationRequested', { transferId, inmateId, facilityId, reservationId: first, profile: eligibleProfile }, at(2));

    // Answered on custody.facility.events (keyed by the facility), as any refusal of a place.
    const refused = await published('ReservationRefused', (d) => d.reservationId === first);
    expect(refused.data).toMatchObject({ facilityId, reservationId: first, transferId, inmateId, code: 'FACILITY_NOT_FOUND', reason: expect.any(String) });

    // The facility is registered later; the case asks again (a new reservation id) and the place is held.
    const registration = await send(TOPICS.facilityCommands, 'RegisterFacility', { commandId: id(), occurredAt: at(3), ...gjilan, facilityId }, at(3));
    await published('CommandAccepted', (d) => d.commandId === registration);
    await send(TOPICS.transferEvents, 'PlaceReservationRequested', { transferId, inmateId, facilityId, reservationId: second, profile: eligibleProfile }, at(4));
    await published('PlaceReserved', (d) => d.reservationId === second);
    // Both requests on one key: the second was handled after the first, which was answered, not set aside.
    expect(seen.filter((m) => m.topic.endsWith('.dlq'))).toEqual([]);
    expect(seen.filter((m) => m.type === 'ReservationRefused' && m.data.transferId === transferId)).toHaveLength(1);

    const occupancy = await eventually(async () => {
      const { body, status } = await request(running.url).get(`/facilities/${facilityId}/occupancy`);
      return status === 200 && body.reserved === 1 ? body : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, message: 'the place held in the occupancy read model' });
    expect(occupancy.reservations).toEqual([expect.objectContaining({ reservationId: second, status: 'held' })]);
  });
});

import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { TOPICS } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { eventually } from '@custody/testing';
import { KafkaProbe } from '../testing/kafka-probe';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';
import { commandBodies, identity, sentence } from './inmate.examples';

/**
 * A command sent again is answered as it was the first time, and runs once
 * (docs/adr/0010-http-idempotency-by-command-id.md): over HTTP, on Kafka, and from one to the other.
 */
describe('intake: a command sent again (real PostgreSQL and broker)', () => {
  let intake: IntakeTestApp;
  let probe: KafkaProbe;
  let topic: (t: string) => string;
  const http = () => request(intake.app.getHttpServer());
  const passport = () => `ID-${randomUUID().slice(0, 8)}`;
  const historyOf = async (inmateId: string) =>
    (await http().get(`/inmates/${inmateId}/history`).expect(200)).body.events.map((e: { type: string; id: string }) => e.type);
  const registered = async () => {
    const inmateId = randomUUID();
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport()) })).expect(201);
    return inmateId;
  };
  const resultsOf = (commandId: string) => probe.seen.filter((s) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === commandId);
  const resultOf = (commandId: string, type = 'CommandAccepted') =>
    probe.waitFor(`the ${type} of ${commandId}`, (s) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === commandId && s.headers.ce_type === type);

  /** What a 422 for a reused id may not contain: store or stream names, store codes, SQL, the schema. */
  const expectNothingInternal = (body: unknown) => {
    const text = JSON.stringify(body);
    for (const internal of ['inmate-', 'command-', 'inmatedocument-', 'DUPLICATE_EVENT_ID', 'storeCode', 'command_answers', 'INSERT', 'SELECT', 'duplicate key', intake.config.DATABASE_SCHEMA]) {
      expect(text).not.toContain(internal);
    }
  };

  beforeAll(async () => {
    intake = await startIntake('intake-idem');
    const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
    topic = (t) => names.physical(t);
    probe = new KafkaProbe();
    await probe.start([topic(TOPICS.commandResults)]);
  });

  afterAll(async () => {
    await probe.stop();
    await intake.close();
  });

  it('RegisterInmate sent twice: 201 twice with the same body, one registration', async () => {
    const inmateId = randomUUID();
    const body = commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport()) });
    const first = await http().post('/inmates').send(body);
    const second = await http().post('/inmates').send(body);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.text).toBe(first.text);
    expect(first.body).toMatchObject({ inmateId, commandId: body.commandId, revision: 0, eventIds: [expect.any(String)] });
    expect([first.headers['idempotent-replayed'], second.headers['idempotent-replayed']]).toEqual([undefined, 'true']);
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered']);
  });

  it('RecordSentence sent twice, with the Idempotency-Key header the second time: 200 twice, the same body, one sentence', async () => {
    const inmateId = await registered();
    const body = commandBodies(inmateId, randomUUID()).RecordSentence();
    const first = await http().post(`/inmates/${inmateId}/sentence`).send(body);
    const second = await http().post(`/inmates/${inmateId}/sentence`).set('Idempotency-Key', body.commandId).send(body);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.text).toBe(first.text);
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered', 'SentenceRecorded']);
  });

  it('takes the same body with its members in another order as the same command', async () => {
    const inmateId = await registered();
    const body = commandBodies(inmateId, randomUUID()).RecordSentence();
    const first = await http().post(`/inmates/${inmateId}/sentence`).send(body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await http().post(`/inmates/${inmateId}/sentence`).send(JSON.stringify(reordered, null, 2)).set('Content-Type', 'application/json');
    expect([second.status, second.text]).toEqual([first.status, first.text]);
  });

  it('answers an Idempotency-Key other than the commandId 400, naming the header, and runs nothing', async () => {
    const inmateId = await registered();
    const body = commandBodies(inmateId, randomUUID()).RecordSentence();
    const response = await http().post(`/inmates/${inmateId}/sentence`).set('Idempotency-Key', randomUUID()).send(body).expect(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'headers.idempotency-key' }] });
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered']);
    await http().post(`/inmates/${inmateId}/sentence`).send(body).expect(200);
  });

  it('answers the same commandId with other content 422 IDEMPOTENCY_KEY_REUSED, naming nothing internal, and writes nothing', async () => {
    const inmateId = await registered();
    const commandId = randomUUID();
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, commandId).RecordSentence()).expect(200);
    const changed = commandBodies(inmateId, commandId).RecordSentence({ sentence: sentence({ daysServed: 990 }) });
    const reused = await http().post(`/inmates/${inmateId}/sentence`).send(changed).expect(422);
    expect(reused.body).toEqual({
      code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), errors: [{ path: 'commandId', problem: expect.stringContaining(commandId) }], details: {},
    });
    expectNothingInternal(reused.body);
    // On another route, for another person: the same answer.
    const elsewhere = await http().post('/inmates').send(commandBodies(randomUUID(), commandId).RegisterInmate({ identity: identity(passport()) })).expect(422);
    expect(elsewhere.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expectNothingInternal(elsewhere.body);
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered', 'SentenceRecorded']);
  });

  it('answers a rejected command sent again with the same rejection, though it would now be accepted', async () => {
    const inmateId = randomUUID();
    const early = commandBodies(inmateId, randomUUID()).RecordSentence();
    const first = await http().post(`/inmates/${inmateId}/sentence`).send(early).expect(404);
    expect(first.body.code).toBe('INMATE_NOT_FOUND');
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport()) })).expect(201);
    const again = await http().post(`/inmates/${inmateId}/sentence`).send(early).expect(404);
    expect(again.text).toBe(first.text);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered']);
  });

  it('10 identical registrations at once: one registration, ten identical 201s', async () => {
    const inmateId = randomUUID();
    const body = commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport()) });
    const answers = await Promise.all(Array.from({ length: 10 }, () => http().post('/inmates').send(body)));
    expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(answers[0].status).toBe(201);
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered']);
  });

  it('10 identical sentences at once on two instances sharing the database: one sentence, ten identical 200s', async () => {
    const other = await startIntake('intake-idem-2', { DATABASE_SCHEMA: intake.config.DATABASE_SCHEMA, PERSONAL_DATA_MASTER_KEY: intake.config.PERSONAL_DATA_MASTER_KEY });
    try {
      const inmateId = await registered();
      const body = commandBodies(inmateId, randomUUID()).RecordSentence();
      const servers = [intake.app.getHttpServer(), other.app.getHttpServer()];
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => request(servers[i % 2]).post(`/inmates/${inmateId}/sentence`).send(body)));
      expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
      expect(answers[0].status).toBe(200);
      expect(await historyOf(inmateId)).toEqual(['InmateRegistered', 'SentenceRecorded']);
    } finally {
      // The schema is this suite's: only the second application closes here.
      await other.app.close();
    }
  });

  it('a command answered over HTTP and sent again on Kafka: its result is the HTTP answer, nothing runs twice', async () => {
    const inmateId = await registered();
    const body = commandBodies(inmateId, randomUUID()).RecordSentence();
    const answered = await http().post(`/inmates/${inmateId}/sentence`).send(body).expect(200);
    await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('RecordSentence', body));
    const result = await resultOf(body.commandId);
    expect(result.value).toMatchObject({ commandId: body.commandId, commandType: 'RecordSentence', eventIds: answered.body.eventIds, streamRevision: 1 });
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered', 'SentenceRecorded']);
  });

  it('a command answered on Kafka and sent over HTTP: its Kafka result; another command reusing its id on Kafka: IDEMPOTENCY_KEY_REUSED', async () => {
    const inmateId = await registered();
    const body = commandBodies(inmateId, randomUUID()).RecordSentence();
    await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('RecordSentence', body));
    const accepted = await resultOf(body.commandId);
    const overHttp = await http().post(`/inmates/${inmateId}/sentence`).send(body).expect(200);
    expect(overHttp.body).toEqual({ commandId: body.commandId, eventIds: accepted.value.eventIds, streamRevision: 1 });
    expect(overHttp.headers['idempotent-replayed']).toBe('true');

    // The inbox knows the id: the copy with other content is answered, not applied.
    const changed = commandBodies(inmateId, body.commandId).RecordSentence({ sentence: sentence({ daysServed: 990 }) });
    await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('RecordSentence', changed));
    const reused = await resultOf(body.commandId, 'CommandRejected');
    expect(reused.value).toMatchObject({ commandId: body.commandId, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(reused.headers.ce_id).not.toBe(accepted.headers.ce_id);
    expectNothingInternal(reused.value);
    // The same command again: its own result, unchanged.
    await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('RecordSentence', body));
    const accepts = await eventually(() => {
      const found = resultsOf(body.commandId).filter((r) => r.headers.ce_type === 'CommandAccepted');
      return found.length >= 2 ? found : undefined;
    }, { timeoutMs: 60_000, message: 'the accepted result published again' });
    expect(accepts.map((r) => r.headers.ce_id)).toEqual([accepted.headers.ce_id, accepted.headers.ce_id]);
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered', 'SentenceRecorded']);
  });

  it('another command reusing over Kafka an id answered over HTTP is answered IDEMPOTENCY_KEY_REUSED, and applies nothing', async () => {
    const inmateId = await registered();
    const commandId = randomUUID();
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, commandId).RecordSentence()).expect(200);
    const other = commandBodies(inmateId, commandId).RecordResidenceStatus();
    await probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command('RecordResidenceStatus', other));
    const reused = await resultOf(commandId, 'CommandRejected');
    expect(reused.value).toMatchObject({ commandId, commandType: 'RecordResidenceStatus', code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await historyOf(inmateId)).toEqual(['InmateRegistered', 'SentenceRecorded']);
  });

  it('keeps each answer once, by command id, with the state, the fingerprint and the status it was given with', async () => {
    const inmateId = await registered();
    const body = commandBodies(inmateId, randomUUID()).RecordSentence();
    await http().post(`/inmates/${inmateId}/sentence`).send(body).expect(200);
    await http().post(`/inmates/${inmateId}/sentence`).send(body).expect(200);
    const pool = new Pool({ connectionString: intake.config.DATABASE_URL, max: 1 });
    try {
      const { rows } = await pool.query(`SELECT command_type, scope, channel, http_status, length(fingerprint) AS fingerprint FROM "${intake.config.DATABASE_SCHEMA}".command_answers WHERE command_id = $1`, [body.commandId]);
      expect(rows).toEqual([{ command_type: 'RecordSentence', scope: 'unverified', channel: 'http', http_status: 200, fingerprint: 64 }]);
    } finally {
      await pool.end();
    }
  });
});

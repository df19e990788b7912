import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { currentVersion, EXAMPLES, REFUSAL_GROUNDS, TOPICS, toKafkaMessage } from '@custody/contracts';
import { TopicNames } from '@custody/messaging';
import { eventually } from '@custody/testing';
import { KafkaProbe } from '../testing/kafka-probe';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';
import { commandBodies, identity, sentence } from './inmate.examples';

describe('the inmate record over Kafka (real broker and PostgreSQL)', () => {
  let intake: IntakeTestApp;
  let probe: KafkaProbe;
  let topic: (t: string) => string;
  const http = () => request(intake.app.getHttpServer());
  const results = (commandId: string) => probe.seen.filter((s) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === commandId);
  const resultOf = (commandId: string) =>
    probe.waitFor(`the result of command ${commandId}`, (s) => s.topic === topic(TOPICS.commandResults) && s.value.commandId === commandId);
  const sendCommand = async (type: string, body: { commandId: string; occurredAt: string }, correlationId: string = randomUUID()) =>
    probe.send(topic(TOPICS.intakeCommands), KafkaProbe.command(type, body, correlationId));
  const registerOverKafka = async (passport: string) => {
    const inmateId = randomUUID();
    const body = commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(passport) });
    await sendCommand('RegisterInmate', body);
    return { inmateId, body, result: await resultOf(body.commandId) };
  };

  /** What the transfer service publishes of a case before its hand-over: the request and the receiving state's decision. */
  const sendCase = async (transferId: string, inmateId: string, { sendingState = 'BE', receivingState, decision }: { sendingState?: string; receivingState: string; decision: 'recognised' | 'refused' }) => {
    const meta = { correlationId: transferId, occurredAt: '2026-05-01T10:00:00Z' };
    const decided = EXAMPLES.ReceivingStateDecisionRecorded as { decidedBy: object };
    await probe.send(topic(TOPICS.transferEvents), {
      id: randomUUID(), type: 'TransferRequested', schemaVersion: currentVersion('TransferRequested'), metadata: meta,
      data: { ...EXAMPLES.TransferRequested, transferId, inmateId, sendingState, receivingState },
    });
    await probe.send(topic(TOPICS.transferEvents), {
      id: randomUUID(), type: 'ReceivingStateDecisionRecorded', schemaVersion: currentVersion('ReceivingStateDecisionRecorded'), metadata: meta,
      data: { ...decided, transferId, inmateId, decision, decidedBy: { ...decided.decidedBy, state: receivingState }, ...(decision === 'refused' ? { refusalGround: REFUSAL_GROUNDS[0] } : {}) },
    });
  };
  const handOver = (transferId: string, inmateId: string, state: string) => ({
    id: randomUUID(), type: 'CustodyReceived', schemaVersion: 1,
    data: { transferId, inmateId, facilityId: randomUUID(), receivedBy: { state, organisation: 'Prison administration', officer: 'Officer on duty', place: 'Border crossing' } },
    metadata: { correlationId: transferId, occurredAt: '2026-06-01T10:00:00Z' },
  });

  beforeAll(async () => {
    intake = await startIntake('intake-kafka');
    const names = new TopicNames(intake.config.KAFKA_TOPIC_PREFIX);
    topic = (t) => names.physical(t);
    probe = new KafkaProbe();
    await probe.start([topic(TOPICS.commandResults), topic(TOPICS.intakeEvents), topic(`${TOPICS.transferEvents}.dlq`)]);
  });

  afterAll(async () => {
    await probe.stop();
    await intake.close();
  });

  it('applies a command from custody.intake.commands, answers on custody.command-results and publishes the event', async () => {
    const correlationId = randomUUID();
    const inmateId = randomUUID();
    const body = commandBodies(inmateId, randomUUID()).RegisterInmate({ identity: identity(`K-${inmateId.slice(0, 8)}`) });
    await sendCommand('RegisterInmate', body, correlationId);

    const result = await resultOf(body.commandId);
    expect(result.key).toBe(correlationId);
    expect(result.headers).toMatchObject({ ce_type: 'CommandAccepted', ce_subject: `command/${body.commandId}`, ce_correlationid: correlationId });
    expect(result.value).toMatchObject({ commandId: body.commandId, commandType: 'RegisterInmate', eventIds: [expect.any(String)], streamRevision: 0 });

    const published = await probe.waitFor('InmateRegistered on custody.intake.events', (s) => s.topic === topic(TOPICS.intakeEvents) && s.key === inmateId);
    expect(published.headers).toMatchObject({ ce_type: 'InmateRegistered', ce_schemaversion: '3', ce_subject: `inmate/${inmateId}`, ce_causationid: body.commandId });
    expect(published.value).toMatchObject({ inmateId, nationalities: ['AL'], sendingState: 'BE' });
    expect((await http().get(`/inmates/${inmateId}`).expect(200)).body.status).toBe('registered');
  });

  it('answers a body that breaks the contract with CommandRejected listing every failing field, and writes nothing', async () => {
    const inmateId = randomUUID();
    const body = { ...commandBodies(inmateId, randomUUID()).RecordSentence(), sentence: { ...sentence(), kind: 'forever', preTrialDays: -3 } };
    // toKafkaMessage refuses to build an invalid message: write the envelope of a valid one around the invalid body.
    const valid = commandBodies(inmateId, body.commandId).RecordSentence();
    const message = toKafkaMessage(KafkaProbe.command('RecordSentence', valid));
    await probe.sendRaw(topic(TOPICS.intakeCommands), { ...message, value: JSON.stringify(body) });
    const result = await resultOf(body.commandId);
    expect(result.headers.ce_type).toBe('CommandRejected');
    expect(result.value).toMatchObject({ code: 'VALIDATION_FAILED', commandType: 'RecordSentence' });
    expect((result.value.errors as Array<{ path: string }>).map((e) => e.path).sort()).toEqual(['data.sentence.kind', 'data.sentence.preTrialDays']);
  });

  it('rejects with the decider\'s code: DATE_IN_FUTURE lists the fields', async () => {
    const { inmateId } = await registerOverKafka(`F-${randomUUID().slice(0, 8)}`);
    const body = commandBodies(inmateId, randomUUID()).RecordHealthAssessment({ assessedOn: '2027-01-01' });
    await sendCommand('RecordHealthAssessment', body);
    const result = await resultOf(body.commandId);
    expect(result.value).toMatchObject({ code: 'DATE_IN_FUTURE', errors: [{ path: 'assessedOn' }] });
  });

  it('rejects a second registration of the same document with INMATE_ALREADY_REGISTERED naming the inmate', async () => {
    const passport = `D-${randomUUID().slice(0, 8)}`;
    const first = await registerOverKafka(passport);
    expect(first.result.headers.ce_type).toBe('CommandAccepted');
    const second = await registerOverKafka(passport);
    expect(second.result.headers.ce_type).toBe('CommandRejected');
    expect(second.result.value).toMatchObject({ code: 'INMATE_ALREADY_REGISTERED', details: { existingInmateId: first.inmateId } });
  });

  it('a registration over Kafka racing one over HTTP for the same document: one wins, the other is told which', async () => {
    const passport = `R-${randomUUID().slice(0, 8)}`;
    const overHttp = randomUUID();
    const [kafka, httpResponse] = await Promise.all([
      registerOverKafka(passport),
      http().post('/inmates').send(commandBodies(overHttp, randomUUID()).RegisterInmate({ identity: identity(passport) })),
    ]);
    if (kafka.result.headers.ce_type === 'CommandAccepted') {
      expect(httpResponse.status).toBe(409);
      expect(httpResponse.body.details).toEqual({ existingInmateId: kafka.inmateId });
    } else {
      expect(httpResponse.status).toBe(201);
      expect(kafka.result.value).toMatchObject({ code: 'INMATE_ALREADY_REGISTERED', details: { existingInmateId: overHttp } });
    }
  });

  it('applies two commands for one person fetched in one batch, in one consumer transaction: the second sees the first', async () => {
    const inmateId = randomUUID();
    const bodies = commandBodies(inmateId, randomUUID());
    const register = bodies.RegisterInmate({ identity: identity(`B-${inmateId.slice(0, 8)}`) });
    const record = { ...bodies.RecordSentence(), commandId: randomUUID() };
    // One request, one key: one record batch on one partition, which the consumer fetches whole.
    await probe.sendTogether(topic(TOPICS.intakeCommands), [KafkaProbe.command('RegisterInmate', register), KafkaProbe.command('RecordSentence', record)]);

    const registered = await resultOf(register.commandId);
    const recorded = await resultOf(record.commandId);
    expect(registered.value).toMatchObject({ commandType: 'RegisterInmate', eventIds: [expect.any(String)], streamRevision: 0 });
    expect(recorded.headers.ce_type).toBe('CommandAccepted');
    expect(recorded.value).toMatchObject({ commandType: 'RecordSentence', eventIds: [expect.any(String)], streamRevision: 1 });
    const history = await http().get(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['InmateRegistered', 'SentenceRecorded']);

    // Both were claimed in the same transaction (now() is the transaction's start).
    const pool = new Pool({ connectionString: intake.config.DATABASE_URL, max: 1 });
    try {
      const { rows } = await pool.query<{ claimed: number; transactions: number }>(
        `SELECT count(*)::int AS claimed, count(DISTINCT processed_at)::int AS transactions FROM "${intake.config.DATABASE_SCHEMA}".inbox WHERE event_id = ANY($1)`,
        [[register.commandId, record.commandId]],
      );
      expect(rows[0]).toEqual({ claimed: 2, transactions: 1 });
    } finally {
      await pool.end();
    }
  });

  it('a redelivered command changes nothing and is answered again with its original result', async () => {
    const { inmateId } = await registerOverKafka(`X-${randomUUID().slice(0, 8)}`);
    const record = commandBodies(inmateId, randomUUID()).RecordSentence();
    await sendCommand('RecordSentence', record);
    await sendCommand('RecordSentence', record);
    // A later command on the same key lands on the same partition: once answered, both copies were handled.
    const marker = commandBodies(inmateId, randomUUID()).RecordResidenceStatus();
    await sendCommand('RecordResidenceStatus', marker);
    await resultOf(marker.commandId);
    const answers = results(record.commandId);
    expect(answers).toHaveLength(2);
    expect(answers[0].headers.ce_type).toBe('CommandAccepted');
    expect(answers[1]).toEqual(answers[0]);
    const history = await http().get(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['InmateRegistered', 'SentenceRecorded', 'ResidenceStatusRecorded']);
  });

  it('follows the transfer: taken into charge suspends, a redelivery changes nothing, completion ends, the report is acknowledged', async () => {
    const { inmateId } = await registerOverKafka(`T-${randomUUID().slice(0, 8)}`);
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, randomUUID()).RecordSentence()).expect(200);
    const transferId = randomUUID();
    await sendCase(transferId, inmateId, { receivingState: 'AL', decision: 'recognised' });
    const received = {
      id: randomUUID(), type: 'CustodyReceived', schemaVersion: 1,
      data: {
        transferId, inmateId, facilityId: randomUUID(),
        receivedBy: { state: 'AL', organisation: 'General Directorate of Prisons', officer: 'A. Kola', place: 'Tirana International Airport' },
      },
      metadata: { correlationId: transferId, occurredAt: '2026-06-01T10:00:00Z' },
    };
    await probe.send(topic(TOPICS.transferEvents), received);
    await probe.send(topic(TOPICS.transferEvents), received);
    await eventually(async () => {
      const body = (await http().get(`/inmates/${inmateId}`)).body;
      return body.enforcement?.status === 'suspended' ? body : undefined;
    }, { timeoutMs: 60_000, message: 'enforcement suspended' });

    const completed = {
      id: randomUUID(), type: 'SentenceCompleted', schemaVersion: 1,
      data: { inmateId, facilityId: received.data.facilityId, completedOn: '2026-09-25' },
      metadata: { correlationId: transferId, occurredAt: '2026-09-25T08:00:00Z' },
    };
    await probe.send(topic(TOPICS.facilityEvents), completed);
    await probe.send(topic(TOPICS.facilityEvents), completed);
    const ended = await eventually(async () => {
      const body = (await http().get(`/inmates/${inmateId}`)).body;
      return body.enforcement?.status === 'ended' ? body : undefined;
    }, { timeoutMs: 60_000, message: 'enforcement ended' });
    expect(ended.enforcement).toEqual({ status: 'ended', reason: 'completion-reported', transferId });
    expect(ended.reports).toEqual([{ reportEventId: completed.id, report: 'sentence-completed', isAcknowledged: false }]);

    // An act of the past: a ministry's act is never dated after the service's clock (Rule 17).
    const acknowledge = commandBodies(inmateId, randomUUID(), '2026-09-26T09:00:00Z').AcknowledgeReport({ reportEventId: completed.id });
    await sendCommand('AcknowledgeReport', acknowledge);
    expect((await resultOf(acknowledge.commandId)).headers.ce_type).toBe('CommandAccepted');

    const history = await http().get(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
      'InmateRegistered', 'SentenceRecorded', 'EnforcementSuspended', 'ReceivingStateReportReceived', 'EnforcementEnded', 'ReportAcknowledged',
    ]);
    const suspended = history.body.events[2];
    expect(suspended).toMatchObject({ data: { transferId, receivingState: 'AL' }, causationId: received.id, occurredAt: '2026-06-01T10:00:00Z' });
  });

  it('applies no hand-over it cannot corroborate: an unknown case, another receiving state, an unrecognised case, another person\'s case', async () => {
    const { inmateId } = await registerOverKafka(`F-${randomUUID().slice(0, 8)}`);
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, randomUUID()).RecordSentence()).expect(200);
    const other = await registerOverKafka(`G-${randomUUID().slice(0, 8)}`);
    const recognised = randomUUID();
    const refused = randomUUID();
    await sendCase(recognised, inmateId, { receivingState: 'AL', decision: 'recognised' });
    await sendCase(refused, inmateId, { receivingState: 'AL', decision: 'refused' });
    const forged = [
      [handOver(randomUUID(), inmateId, 'NL'), 'never saw requested'],
      [handOver(recognised, inmateId, 'NL'), 'the case\'s receiving state is AL'],
      [handOver(refused, inmateId, 'AL'), 'has not recognised'],
      [handOver(recognised, other.inmateId, 'AL'), 'another person\'s case'],
    ] as const;
    for (const [message] of forged) await probe.send(topic(TOPICS.transferEvents), message);
    for (const [message, reason] of forged) {
      const setAside = await probe.waitFor(`${message.id} in the dead-letter topic`, (s) => s.topic === topic(`${TOPICS.transferEvents}.dlq`) && s.headers.ce_id === message.id);
      expect({ id: message.id, code: setAside.headers.dlq_code, reason: setAside.headers.dlq_reason }).toEqual({ id: message.id, code: 'FACT_NOT_CORROBORATED', reason: expect.stringContaining(reason) });
    }
    for (const person of [inmateId, other.inmateId]) {
      const record = (await http().get(`/inmates/${person}`).expect(200)).body;
      expect([person, record.enforcement.status]).toEqual([person, 'active']);
    }
    // The genuine hand-over behind them is applied.
    await probe.send(topic(TOPICS.transferEvents), handOver(recognised, inmateId, 'AL'));
    await eventually(async () => {
      const body = (await http().get(`/inmates/${inmateId}`)).body;
      return body.enforcement?.status === 'suspended' && body.enforcement.receivingState === 'AL' ? body : undefined;
    }, { timeoutMs: 60_000, message: 'enforcement suspended by the corroborated hand-over' });
  });

  it('Rule 19: the receipt of a return to the person\'s sending state resumes its enforcement; a return received by another state is set aside', async () => {
    const { inmateId } = await registerOverKafka(`R-${randomUUID().slice(0, 8)}`);
    await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, randomUUID()).RecordSentence()).expect(200);
    const transferId = randomUUID();
    await sendCase(transferId, inmateId, { receivingState: 'AL', decision: 'recognised' });
    await probe.send(topic(TOPICS.transferEvents), handOver(transferId, inmateId, 'AL'));
    await eventually(async () => {
      const body = (await http().get(`/inmates/${inmateId}`)).body;
      return body.enforcement?.status === 'suspended' ? body : undefined;
    }, { timeoutMs: 60_000, message: 'enforcement suspended by the transfer' });
    // Albania, administering the sentence, hands the person back to Belgium on a Belgian court order.
    const returnId = randomUUID();
    await probe.send(topic(TOPICS.transferEvents), {
      id: randomUUID(), type: 'ReturnRequested', schemaVersion: currentVersion('ReturnRequested'), metadata: { correlationId: returnId, occurredAt: '2026-08-01T10:00:00Z' },
      data: { ...EXAMPLES.ReturnRequested, transferId: returnId, inmateId, returnOf: transferId, ground: 'court-order', legalBasis: 'ETS112', sendingState: 'AL', receivingState: 'BE', decidedBy: { state: 'AL', organisation: 'General Directorate of Prisons' }, cites: 'ETS 112 Art 13 and Art 14' },
    });
    const forged = { ...handOver(returnId, inmateId, 'AL'), metadata: { correlationId: returnId, occurredAt: '2026-08-02T10:00:00Z' } };
    await probe.send(topic(TOPICS.transferEvents), forged);
    const setAside = await probe.waitFor(`${forged.id} in the dead-letter topic`, (m) => m.topic === topic(`${TOPICS.transferEvents}.dlq`) && m.headers.ce_id === forged.id);
    expect(setAside.headers.dlq_code).toBe('FACT_NOT_CORROBORATED');
    expect((await http().get(`/inmates/${inmateId}`).expect(200)).body.enforcement.status).toBe('suspended');
    await probe.send(topic(TOPICS.transferEvents), { ...handOver(returnId, inmateId, 'BE'), metadata: { correlationId: returnId, occurredAt: '2026-08-02T12:00:00Z' } });
    await eventually(async () => {
      const body = (await http().get(`/inmates/${inmateId}`)).body;
      return body.enforcement?.status === 'active' ? body : undefined;
    }, { timeoutMs: 60_000, message: 'enforcement resumed by the return' });
    const history = (await http().get(`/inmates/${inmateId}/history`).expect(200)).body.events as Array<{ type: string; data: { reason?: string } }>;
    expect(history.filter((e) => e.type === 'EnforcementResumed').map((e) => e.data.reason)).toEqual(['returned-to-sending-state']);
  });
});


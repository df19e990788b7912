import { createHash, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';
import { commandBodies, identity, sentence } from './inmate.examples';

describe('the inmate record over HTTP (real PostgreSQL)', () => {
  let intake: IntakeTestApp;
  const http = () => request(intake.app.getHttpServer());
  const bodiesFor = (inmateId: string) => commandBodies(inmateId, randomUUID());
  const register = async (passport = `P${randomUUID().slice(0, 8)}`) => {
    const inmateId = randomUUID();
    const response = await http().post('/inmates').send(bodiesFor(inmateId).RegisterInmate({ identity: identity(passport) }));
    return { inmateId, passport, response };
  };

  beforeAll(async () => {
    intake = await startIntake('intake-http');
  });

  afterAll(async () => {
    await intake.close();
  });

  it('registers an inmate, records the sentence, and shows the record and its history', async () => {
    const { inmateId, response } = await register();
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ inmateId, revision: 0, eventIds: [expect.any(String)] });

    await http().post(`/inmates/${inmateId}/sentence`).send(bodiesFor(inmateId).RecordSentence()).expect(200);
    const record = await http().get(`/inmates/${inmateId}`).expect(200);
    expect(record.body).toMatchObject({
      inmateId, status: 'registered', nationalities: ['AL'], sendingState: 'BE', revision: 1,
      enforcement: { status: 'active' },
      sentenceSummary: { kind: 'determinate', lengthDays: 2192, releaseOn: '2029-06-25', isFinal: true },
    });
    const history = await http().get(`/inmates/${inmateId}/history`).expect(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['InmateRegistered', 'SentenceRecorded']);
    expect(history.body.events[0]).toMatchObject({ revision: 0, schemaVersion: 3, occurredAt: '2026-03-02T09:30:00Z', recordedAt: expect.any(String) });
  });

  it('answers 404 INMATE_NOT_FOUND for an unknown inmate and 400 for an id that is not a UUID', async () => {
    const unknown = randomUUID();
    expect((await http().get(`/inmates/${unknown}`).expect(404)).body.code).toBe('INMATE_NOT_FOUND');
    expect((await http().get(`/inmates/${unknown}/history`).expect(404)).body.code).toBe('INMATE_NOT_FOUND');
    expect((await http().post(`/inmates/${unknown}/sentence`).send(bodiesFor(unknown).RecordSentence()).expect(404)).body.code).toBe('INMATE_NOT_FOUND');
    const bad = await http().get('/inmates/42').expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'id' }] });
  });

  it('answers 400 listing every failing field: unknown fields, state codes, formats; and writes nothing', async () => {
    const inmateId = randomUUID();
    const body = {
      ...bodiesFor(inmateId).RegisterInmate(),
      nationalities: ['ZZ', 'AL'], sendingState: 'be', occurredAt: 'yesterday', favouriteColour: 'blue',
      identity: { ...identity(), dateOfBirth: '1988-02-30' },
    };
    const response = await http().post('/inmates').send(body).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      ['favouriteColour', 'identity.dateOfBirth', 'nationalities', 'occurredAt', 'sendingState'].sort(),
    );
    await http().get(`/inmates/${inmateId}`).expect(404);
  });

  it('refuses dates after the act and a negative remaining time, listing the fields, and writes nothing', async () => {
    const { inmateId } = await register();
    const future = await http().post(`/inmates/${inmateId}/sentence`)
      .send(bodiesFor(inmateId).RecordSentence({ sentence: sentence({ finalJudgmentDate: '2026-05-01', enforcementStartDate: '2026-04-01', sentenceEndDate: '2032-04-01' }) }))
      .expect(422);
    expect(future.body).toMatchObject({ code: 'DATE_IN_FUTURE', errors: [{ path: 'sentence.finalJudgmentDate' }, { path: 'sentence.enforcementStartDate' }] });
    const negative = await http().post(`/inmates/${inmateId}/sentence`).send(bodiesFor(inmateId).RecordSentence({ sentence: sentence({ daysServed: 5000 }) })).expect(422);
    expect(negative.body).toMatchObject({ code: 'REMAINING_TIME_NEGATIVE', errors: [{ path: 'sentence.daysServed' }] });
    expect((await http().get(`/inmates/${inmateId}`).expect(200)).body.revision).toBe(0);
  });

  it('refuses a path id different from the body\'s inmateId', async () => {
    const { inmateId } = await register();
    const response = await http().post(`/inmates/${inmateId}/sentence`).send(bodiesFor(randomUUID()).RecordSentence()).expect(400);
    expect(response.body.errors).toEqual([{ path: 'inmateId', problem: expect.stringContaining(inmateId) }]);
  });

  it('takes an id written in upper case as the same id: a second registration is 409, the record is read under either case', async () => {
    const { inmateId, response } = await register();
    expect(response.status).toBe(201);
    const upper = inmateId.toUpperCase();
    const again = await http().post('/inmates').send(bodiesFor(upper).RegisterInmate({ identity: identity(`P${randomUUID().slice(0, 8)}`) }));
    expect([again.status, again.body.code]).toEqual([409, 'INMATE_ALREADY_REGISTERED']);
    await http().post(`/inmates/${upper}/sentence`).send(bodiesFor(upper).RecordSentence()).expect(200);
    const record = await http().get(`/inmates/${upper}`).expect(200);
    expect(record.body).toMatchObject({ inmateId, revision: 1 });
  });

  it('answers 413 for a body over the size limit', async () => {
    const inmateId = randomUUID();
    const body = { ...bodiesFor(inmateId).RegisterInmate(), padding: 'x'.repeat(intake.config.HTTP_BODY_LIMIT_BYTES) };
    const response = await http().post('/inmates').send(body).expect(413);
    expect(response.body).toMatchObject({ code: 'MESSAGE_TOO_LARGE', details: { limitBytes: intake.config.HTTP_BODY_LIMIT_BYTES } });
    await http().get(`/inmates/${inmateId}`).expect(404);
  });

  it('names a document stream by a keyed index of the number: neither the number nor its plain SHA-256 can be found in it', async () => {
    const passport = `BLIND-${randomUUID().slice(0, 6)}`;
    const { inmateId, response } = await register(passport);
    expect(response.status).toBe(201);
    const pool = new Pool({ connectionString: intake.config.DATABASE_URL, max: 1 });
    try {
      const { rows } = await pool.query<{ stream_name: string; data: { inmateId: string } }>(
        `SELECT s.stream_name, e.data FROM "${intake.config.DATABASE_SCHEMA}".events e JOIN "${intake.config.DATABASE_SCHEMA}".streams s ON s.stream_name = e.stream_name
          WHERE e.stream_name LIKE 'inmatedocument-%' AND e.data->>'inmateId' = $1`,
        [inmateId],
      );
      expect(rows.length).toBeGreaterThan(0);
      const normalised = passport.replace(/-/g, '').toUpperCase();
      for (const { stream_name: stream } of rows) {
        const [, , kind, issuingState, index] = /^inmatedocument-([A-Z]{2})-(.+)-([A-Z]{2})-([0-9a-f]{40})$/.exec(stream) ?? [];
        expect(index).toBeDefined();
        expect(stream.toUpperCase()).not.toContain(normalised);
        const plain = createHash('sha256').update(`${kind}\u0000${issuingState}\u0000${normalised}`).digest('hex').slice(0, 40);
        expect(index).not.toBe(plain);
      }
    } finally {
      await pool.end();
    }
  });

  it('refuses a second registration of the same document by the same state, naming the inmate registered', async () => {
    const first = await register('DUP-0001');
    expect(first.response.status).toBe(201);
    const again = await register('dup 0001');
    expect(again.response.status).toBe(409);
    expect(again.response.body).toMatchObject({
      code: 'INMATE_ALREADY_REGISTERED', details: { existingInmateId: first.inmateId },
      errors: [{ path: 'identity.documents.0' }, { path: 'identity.documents.1' }],
    });
    await http().get(`/inmates/${again.inmateId}`).expect(404);
  });

  it('lets another sending state register a person with the same document', async () => {
    const first = await register('TWO-STATES');
    const inmateId = randomUUID();
    const dutch = bodiesFor(inmateId).RegisterInmate({ identity: identity('TWO-STATES'), sendingState: 'NL' });
    await http().post('/inmates').send(dutch).expect(201);
    expect(first.response.status).toBe(201);
  });

  it('under concurrent registrations of one document, exactly one inmate is registered and the others are told which', async () => {
    const attempts = await Promise.all(Array.from({ length: 6 }, () => register('RACE-0001')));
    const created = attempts.filter((a) => a.response.status === 201);
    expect(created).toHaveLength(1);
    for (const loser of attempts.filter((a) => a !== created[0])) {
      expect(loser.response.status).toBe(409);
      expect(loser.response.body).toMatchObject({ code: 'INMATE_ALREADY_REGISTERED', details: { existingInmateId: created[0].inmateId } });
    }
  });

  it('a correction that gives a document held by another inmate is refused; one that drops a document frees it', async () => {
    const a = await register('CORR-A');
    const b = await register('CORR-B');
    const steal = bodiesFor(b.inmateId).CorrectInmateRecord({ identity: identity('CORR-A') });
    delete steal.nationalities;
    const refused = await http().post(`/inmates/${b.inmateId}/corrections`).send(steal).expect(409);
    expect(refused.body.details).toEqual({ existingInmateId: a.inmateId });

    const change = bodiesFor(a.inmateId).CorrectInmateRecord({ identity: identity('CORR-A2') });
    delete change.nationalities;
    await http().post(`/inmates/${a.inmateId}/corrections`).send(change).expect(200);
    const now = await register('CORR-A');
    expect(now.response.status).toBe(201);
  });

  it('concurrent commands on one inmate all land, retried from the fresh state', async () => {
    const { inmateId } = await register();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        http().post(`/inmates/${inmateId}/expulsion-orders`).send(bodiesFor(inmateId).RecordExpulsionOrder({
          expulsionOrder: { ...bodiesFor(inmateId).RecordExpulsionOrder().expulsionOrder, orderReference: `OE-${i}` },
        })),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    const record = await http().get(`/inmates/${inmateId}`).expect(200);
    expect(record.body.expulsionOrders).toHaveLength(8);
    expect(record.body.revision).toBe(8);
  });

  describe('with a single attempt per command', () => {
    let strict: IntakeTestApp;
    beforeAll(async () => {
      strict = await startIntake('intake-http-strict', { COMMAND_MAX_ATTEMPTS: '1' });
    });
    afterAll(async () => {
      await strict.close();
    });

    it('answers 409 CONCURRENCY_CONFLICT when another writer won, and writes only what was answered 200', async () => {
      const server = strict.app.getHttpServer();
      const inmateId = randomUUID();
      await request(server).post('/inmates').send(bodiesFor(inmateId).RegisterInmate()).expect(201);
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => request(server).post(`/inmates/${inmateId}/health-assessments`).send(bodiesFor(inmateId).RecordHealthAssessment())),
      );
      const ok = responses.filter((r) => r.status === 200).length;
      const conflicts = responses.filter((r) => r.status === 409);
      expect(ok + conflicts.length).toBe(10);
      expect(conflicts.length).toBeGreaterThan(0);
      for (const conflict of conflicts) expect(conflict.body).toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { stream: `inmate-${inmateId}` } });
      const history = await request(server).get(`/inmates/${inmateId}/history`).expect(200);
      expect(history.body.events).toHaveLength(1 + ok);
    });
  });
});

import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EXAMPLES, TOPICS } from '@custody/contracts';
import { PostgresEventStore, type GlobalEvent } from '@custody/event-store';
import { addDays, daysBetween } from '@custody/legal';
import { eventually, sendUntilKnownHere } from '@custody/testing';
import {
  bootTransferApp, dropSchema, newEnvironment, registerInmate, streamTypes, TestProducer, TopicReader, type TestEnvironment,
} from '../testing/transfer-test-app';
import { Clock } from '../deadlines/clock';
import { PersonalOpinions } from '../personal-data/opinion';
import { TransferTables, type Queryable } from '../store/transfer-tables';
import { TransferProjection } from './transfer.projection';
import { openDeadlines } from './transfer.state';
import { applyToView, type TransferView } from './transfer.view';

const BELGIAN_PRISON = { state: 'BE', organisation: 'Prison de Haren', officer: 'Inspector L. Peeters' };
const ALBANIAN_JUSTICE = { state: 'AL', organisation: 'Ministry of Justice of Albania', officer: 'E. Dervishi' };
const ESCORT = { state: 'BE', organisation: 'Federal Police, Escort Directorate', leadOfficer: 'Commissioner M. Janssens' };
const DAY0 = '2026-03-02';
const on = (day: number) => `${addDays(DAY0, day)}T09:00:00Z`;
const SENTENCE = (EXAMPLES.SentenceRecorded as { sentence: { enforcementStartDate: string; preTrialDays: number } }).sentence;

describe('transfer service over HTTP, PostgreSQL and Kafka', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let producer: TestProducer;
  let reader: TopicReader;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    env = newEnvironment();
    app = await bootTransferApp(env);
    http = request(app.getHttpServer());
    producer = new TestProducer(env.prefix);
    reader = new TopicReader(env.prefix);
    await reader.start([TOPICS.transferEvents, TOPICS.commandResults, `${TOPICS.transferCommands}.dlq`]);
  });

  afterAll(async () => {
    await reader?.stop();
    await producer?.close();
    await app?.close();
    await dropSchema(env.schema);
  });

  /** An Albanian inmate known from intake's events (sent on the intake topic), and a new case id. */
  async function albanianInmate() {
    const inmateId = randomUUID();
    await registerInmate(producer, inmateId, { nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE' }, app);
    return { inmateId, transferId: randomUUID(), facilityId: randomUUID(), reservationId: randomUUID() };
  }

  const command = (transferId: string, inmateId: string, day: number, body: object) => ({ commandId: randomUUID(), occurredAt: on(day), transferId, inmateId, ...body });

  /** Request, evaluation (retried until intake's facts have arrived), opinion, consent, certificate, receipt, decision. */
  async function recognisedCase() {
    const ids = await albanianInmate();
    const { transferId, inmateId } = ids;
    const c = (day: number, body: object = {}) => command(transferId, inmateId, day, body);
    await http.post('/transfers').send(c(0, { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112', reason: 'Albanian national without a residence permit.' })).expect(201);
    const evaluated = await eventually(async () => {
      const response = await http.post(`/transfers/${transferId}/eligibility`).send(c(1));
      return response.status === 200 ? response : undefined;
    }, { message: 'the inmate facts from intake' });
    expect(evaluated.body.events).toEqual([expect.objectContaining({ type: 'EligibilityEvaluated' })]);
    await http.post(`/transfers/${transferId}/opinion`).send(c(2, { opinion: 'I agree to go to Albania.', language: 'sq', recordedBy: BELGIAN_PRISON })).expect(200);
    await http.post(`/transfers/${transferId}/consent`).send(c(3, { outcome: 'given', recordedBy: BELGIAN_PRISON })).expect(200);
    await http.post(`/transfers/${transferId}/certificate`).send(c(5, { certificateReference: 'BE-AL-2026-0042', receivingAuthority: ALBANIAN_JUSTICE, isJudgmentEnclosed: true })).expect(200);
    await http.post(`/transfers/${transferId}/certificate-receipt`).send(c(8, { receivedBy: ALBANIAN_JUSTICE })).expect(200);
    const served = daysBetween(SENTENCE.enforcementStartDate, addDays(DAY0, 20)) + SENTENCE.preTrialDays;
    await http.post(`/transfers/${transferId}/decision`).send(c(20, {
      decision: 'recognised', decisionReference: 'AL-MoJ-2026-311', decidedBy: ALBANIAN_JUSTICE, procedure: 'conversion', facilityId: ids.facilityId,
      adaptedSentence: { measure: 'custodial', kind: 'determinate', length: { years: 6, months: 0, days: 0 }, sentenceEndDate: '2029-11-03', daysDeducted: served, legalGround: 'Criminal Code of Albania; ETS 112 Art 11' },
    })).expect(200);
    return { ...ids, c };
  }

  it('walks Belgium → Albania from the request to the admission, with custody answering on its topic', async () => {
    const { transferId, inmateId, facilityId, reservationId, c } = await recognisedCase();
    const profile = { nationalities: ['AL'], hasExpulsionOrder: false, offenceCategories: ['drugs'], sentenceKind: 'determinate', hasSeriousMentalIllness: false, hasTerminalIllness: false };
    await http.post(`/transfers/${transferId}/reservation`).send(c(21, { facilityId, reservationId, profile })).expect(200);
    await reader.waitFor((m) => m.type === 'PlaceReservationRequested' && m.data.transferId === transferId, 'PlaceReservationRequested published for custody');

    // The custody service answers on custody.facility.events.
    await producer.send('PlaceReserved', { facilityId, reservationId, transferId, inmateId, expiresAt: `${addDays(DAY0, 60)}T00:00:00Z` }, TOPICS.facilityEvents);
    await eventually(async () => ((await http.get(`/transfers/${transferId}`)).body.stage === 'place-reserved' ? true : undefined), { message: 'the place reserved' });

    await http.post(`/transfers/${transferId}/schedule`).send(c(23, { plannedDeparture: on(30), destinationFacilityId: facilityId, escort: ESCORT })).expect(200);
    // The completion is custody's to report (InmateAdmitted), not a route of this service.
    await http.post(`/transfers/${transferId}/completion`).send(c(24, { facilityId, admissionEventId: randomUUID() })).expect(404);
    await http.post(`/transfers/${transferId}/dispatch`).send(c(30, { dispatchedBy: { ...BELGIAN_PRISON, place: 'Tirana International Airport' }, escort: ESCORT })).expect(200);
    await http.post(`/transfers/${transferId}/receipt`).send(c(30, { receivedBy: { state: 'AL', organisation: 'General Directorate of Prisons', officer: 'A. Kola', place: 'Tirana International Airport' }, facilityId })).expect(200);

    const admission = (EXAMPLES.InmateAdmitted as Record<string, unknown>);
    const admissionId = await producer.send('InmateAdmitted', { ...admission, inmateId, facilityId, transferId, reservationId, governingState: 'AL' }, TOPICS.facilityEvents);
    const done = await eventually(async () => {
      const response = await http.get(`/transfers/${transferId}`);
      return response.body.stage === 'completed' ? response.body : undefined;
    }, { message: 'the case completed on the admission' });

    expect(done.timeline.map((t: { step: string }) => t.step)).toEqual([
      'TransferRequested', 'EligibilityEvaluated', 'InmateOpinionRecorded', 'ConsentRecorded', 'CertificateIssued', 'CertificateReceived',
      'ReceivingStateDecisionRecorded', 'PlaceReservationRequested', 'PlaceReservationConfirmed', 'TransferScheduled', 'CustodyDispatched',
      'CustodyReceived', 'TransferCompleted',
    ]);
    expect(done.timeline[0]).toMatchObject({ occurredAt: on(0), recordedAt: expect.any(String) });
    expect(done).toMatchObject({ ending: { admissionEventId: admissionId }, reservation: { status: 'used' }, openDeadlines: [], isOverdue: false });
    const published = await reader.waitFor((m) => m.type === 'TransferCompleted' && m.data.transferId === transferId, 'TransferCompleted published');
    expect(published.key).toBe(inmateId);

    const listed = await eventually(async () => {
      const { body } = await http.get('/transfers').query({ state: 'completed', receivingState: 'AL' }).expect(200);
      return body.items.find((i: { transferId: string }) => i.transferId === transferId);
    }, { message: 'the case in the read model' });
    expect(listed).toMatchObject({ stage: 'completed', sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112', isOverdue: false });
    const { body: elsewhere } = await http.get('/transfers').query({ receivingState: 'XK' }).expect(200);
    expect(elsewhere.items.map((i: { transferId: string }) => i.transferId)).not.toContain(transferId);
  });

  it('the read model folds each event once from a kept view, also when the kept view is stale: a rolled-back batch, another instance projecting meanwhile', async () => {
    const { transferId } = await recognisedCase();
    const store = app.get(PostgresEventStore);
    const events: GlobalEvent[] = [];
    for await (const event of store.readCategory('transfer')) if (event.streamName === `transfer-${transferId}`) events.push(event);
    expect(events).toHaveLength(7);
    // Tables of their own, and two projections: two instances, each with its own kept views.
    const pool = app.get(TransferTables).pool;
    const tables = new TransferTables(pool, `${env.schema}_kept`);
    await tables.migrate();
    const [a, b] = [0, 1].map(() => new TransferProjection(store, tables, app.get(Clock), app.get(PersonalOpinions)));
    const reads: number[] = [];
    /** Applies events in one transaction, committed or rolled back; notes which events read the stored row. */
    const batch = async (projection: TransferProjection, indexes: number[], commit = true) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const index of indexes) {
          const tx: Queryable = {
            query: (sql, params) => {
              if (sql.includes('FOR UPDATE')) reads.push(index);
              return client.query(sql, params) as never;
            },
          };
          await projection.apply(events[index], tx);
        }
        await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      } finally {
        client.release();
      }
    };
    try {
      await batch(a, [0, 1]);
      await batch(a, [2], false); // rolled back: a's kept view holds event 2, the stored row does not
      await batch(a, [2, 3]);
      await batch(b, [4]); // another instance projects event 4
      await batch(a, [5, 6]); // a's kept view (event 3) is behind the stored row
      // Read: the first event (nothing kept), event 2 again (the kept view held it already), event 4
      // in b (nothing kept there), event 5 in a (its kept view was not the stored row). Not 1, 3, 6.
      expect(reads).toEqual([0, 2, 4, 5]);
      const folded = events.reduce<TransferView | undefined>((view, event) => applyToView(view, event, transferId), undefined)!;
      const { rows } = await pool.query<{ view: TransferView; last_revision: number; stage: string }>(
        `SELECT view, last_revision, stage FROM ${tables.s}.transfers WHERE transfer_id = $1`, [transferId],
      );
      expect(rows).toEqual([{ view: JSON.parse(JSON.stringify(folded)), last_revision: 6, stage: 'recognised' }]);
      const deadlines = await pool.query<{ kind: string }>(`SELECT kind FROM ${tables.s}.transfer_deadlines WHERE transfer_id = $1 ORDER BY kind`, [transferId]);
      expect(deadlines.rows.map((d) => d.kind)).toEqual(openDeadlines(folded.state).map((d) => d.kind).sort());
    } finally {
      await pool.query(`DROP SCHEMA ${tables.s} CASCADE`);
    }
  });

  it('a refusal of the place by the facility returns the case to recognised, and the place asked for again is held (Rule 9); a withdrawal releases the place held', async () => {
    const refused = await recognisedCase();
    const profile = { nationalities: ['AL'], hasExpulsionOrder: false, offenceCategories: ['drugs'], sentenceKind: 'determinate', hasSeriousMentalIllness: false, hasTerminalIllness: false };
    await http.post(`/transfers/${refused.transferId}/reservation`).send(refused.c(21, { facilityId: refused.facilityId, reservationId: refused.reservationId, profile })).expect(200);
    await producer.send('ReservationRefused', { facilityId: refused.facilityId, reservationId: refused.reservationId, transferId: refused.transferId, inmateId: refused.inmateId, code: 'CAPACITY_EXHAUSTED', reason: 'No free place.' }, TOPICS.facilityEvents);
    const declined = await eventually(async () => {
      const { body } = await http.get(`/transfers/${refused.transferId}`);
      return body.reservation?.status === 'declined' ? body : undefined;
    }, { message: 'the place declined' });
    expect(declined).toMatchObject({ stage: 'recognised', reservation: { reservationId: refused.reservationId, code: 'CAPACITY_EXHAUSTED' } });
    const declinedEvent = await reader.waitFor((m) => m.type === 'PlaceReservationDeclined' && m.data.transferId === refused.transferId, 'PlaceReservationDeclined published');
    expect(declinedEvent.data).toMatchObject({ code: 'CAPACITY_EXHAUSTED', isCaseEnded: false });
    // The refused reservation is not asked for again; a new one is, and held.
    await http.post(`/transfers/${refused.transferId}/reservation`).send(refused.c(22, { facilityId: refused.facilityId, reservationId: refused.reservationId, profile })).expect(409);
    const again = randomUUID();
    await http.post(`/transfers/${refused.transferId}/reservation`).send(refused.c(22, { facilityId: refused.facilityId, reservationId: again, profile })).expect(200);
    await producer.send('PlaceReserved', { facilityId: refused.facilityId, reservationId: again, transferId: refused.transferId, inmateId: refused.inmateId, expiresAt: `${addDays(DAY0, 60)}T00:00:00Z` }, TOPICS.facilityEvents);
    await eventually(async () => ((await http.get(`/transfers/${refused.transferId}`)).body.stage === 'place-reserved' ? true : undefined), { message: 'the place asked again reserved' });
    // A late answer about the refused reservation changes nothing, and is not silent: it is counted.
    await producer.send('PlaceReserved', { facilityId: refused.facilityId, reservationId: refused.reservationId, transferId: refused.transferId, inmateId: refused.inmateId, expiresAt: `${addDays(DAY0, 60)}T00:00:00Z` }, TOPICS.facilityEvents);
    await eventually(async () => {
      const { text } = await http.get('/metrics').expect(200);
      return text.includes('custody_effects_refused_total{event="PlaceReserved",command="ConfirmPlaceReservation",code="RESERVATION_NOT_FOUND",service="transfer"} 1') ? true : undefined;
    }, { message: 'the refused effect counted' });
    expect((await http.get(`/transfers/${refused.transferId}`)).body.reservation).toMatchObject({ reservationId: again, status: 'confirmed' });

    const held = await recognisedCase();
    await http.post(`/transfers/${held.transferId}/reservation`).send(held.c(21, { facilityId: held.facilityId, reservationId: held.reservationId, profile })).expect(200);
    await producer.send('PlaceReserved', { facilityId: held.facilityId, reservationId: held.reservationId, transferId: held.transferId, inmateId: held.inmateId, expiresAt: `${addDays(DAY0, 60)}T00:00:00Z` }, TOPICS.facilityEvents);
    await eventually(async () => ((await http.get(`/transfers/${held.transferId}`)).body.stage === 'place-reserved' ? true : undefined), { message: 'the place reserved' });
    const withdrawn = await http.post(`/transfers/${held.transferId}/withdrawal`).send(held.c(25, { reason: 'Acquitted on appeal.' })).expect(200);
    expect(withdrawn.body.events.map((e: { type: string }) => e.type)).toEqual(['TransferWithdrawn', 'PlaceReleaseRequested']);
    const release = await reader.waitFor((m) => m.type === 'PlaceReleaseRequested' && m.data.transferId === held.transferId, 'the release asked of custody');
    expect(release.data).toMatchObject({ facilityId: held.facilityId, reservationId: held.reservationId });

    // With the case ended, the inmate may have a new one.
    await http.post('/transfers').send(command(randomUUID(), held.inmateId, 30, { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' })).expect(201);
  });

  it('answers with the rules\' codes: one open case per inmate, validation, unknown cases', async () => {
    const { transferId, inmateId } = await albanianInmate();
    await http.post('/transfers').send(command(transferId, inmateId, 0, { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' })).expect(201);
    const second = await http.post('/transfers').send(command(randomUUID(), inmateId, 0, { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' })).expect(409);
    expect(second.body).toMatchObject({ code: 'TRANSFER_ALREADY_ACTIVE', details: { activeTransferId: transferId } });

    const stranger = randomUUID();
    // The stranger's partition on intake's topic may still be committing the facts of the inmates above (a 409
    // NOT_YET_KNOWN_HERE then): sent again after Retry-After until the partition is read to its end.
    const unknownRequest = command(randomUUID(), stranger, 0, { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' });
    const unknown = await sendUntilKnownHere(() => http.post('/transfers').send(unknownRequest));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ code: 'INMATE_NOT_FOUND', details: { inmateId: stranger } });
    expect(unknown.body.message).toMatch(/register the person with intake first/);
    const wrongBasis = await http.post('/transfers').send(command(randomUUID(), randomUUID(), 0, { sendingState: 'BE', receivingState: 'NL', legalBasis: 'ETS112' })).expect(422);
    expect(wrongBasis.body.code).toBe('LEGAL_BASIS_NOT_APPLICABLE');
    expect(wrongBasis.body.message).toMatch(/2008\/909 Art 26\(1\)/);

    const invalid = await http.post('/transfers').send({ transferId: 'x', receivingState: 'ZZ', unknownField: 1 }).expect(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect(invalid.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['transferId', 'receivingState', 'unknownField']));

    await http.post(`/transfers/${transferId}/certificate`).send(command(transferId, inmateId, 5, { certificateReference: 'X', receivingAuthority: ALBANIAN_JUSTICE, isJudgmentEnclosed: true })).expect(409)
      .expect((r) => expect(r.body.code).toBe('STEP_OUT_OF_ORDER'));
    await http.get(`/transfers/${randomUUID()}`).expect(404).expect((r) => expect(r.body.code).toBe('TRANSFER_NOT_FOUND'));
    await http.get('/transfers').query({ state: 'nowhere' }).expect(400);
  });

  it('applies two commands for one case fetched in one batch, in one consumer transaction: the second sees the first', async () => {
    const { transferId, inmateId } = await albanianInmate();
    const actor = { state: 'BE', organisation: 'FPS Justice, Central Authority' };
    const requestId = randomUUID();
    const opinionId = randomUUID();
    // One request, one key (the inmate): one record batch on one partition, fetched whole.
    await producer.sendTogether(TOPICS.transferCommands, [
      { type: 'RequestTransfer', id: requestId, actor, data: { commandId: requestId, occurredAt: on(0), transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' } },
      { type: 'RecordInmateOpinion', id: opinionId, actor, data: { commandId: opinionId, occurredAt: on(1), transferId, inmateId, opinion: 'I agree to go to Albania.', language: 'sq', recordedBy: BELGIAN_PRISON } },
    ]);
    const requested = await reader.waitFor((m) => m.topic === TOPICS.commandResults && m.data.commandId === requestId, 'the result of RequestTransfer');
    const heard = await reader.waitFor((m) => m.topic === TOPICS.commandResults && m.data.commandId === opinionId, 'the result of RecordInmateOpinion');
    expect(requested).toMatchObject({ type: 'CommandAccepted', data: { commandType: 'RequestTransfer' } });
    expect(heard).toMatchObject({ type: 'CommandAccepted', data: { commandType: 'RecordInmateOpinion', eventIds: [expect.any(String)] } });
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested', 'InmateOpinionRecorded']);

    // Both were claimed in the same transaction (now() is the transaction's start).
    const { rows } = await app.get(PostgresEventStore).transaction((tx) =>
      tx.query<{ claimed: number; transactions: number }>(
        `SELECT count(*)::int AS claimed, count(DISTINCT processed_at)::int AS transactions FROM "${env.schema}".inbox WHERE event_id = ANY($1)`,
        [[requestId, opinionId]],
      ),
    );
    expect(rows[0]).toEqual({ claimed: 2, transactions: 1 });
  });

  it('takes commands on custody.transfer.commands and answers on custody.command-results', async () => {
    const { transferId, inmateId } = await albanianInmate();
    const requestId = randomUUID();
    await producer.send('RequestTransfer', { commandId: requestId, occurredAt: on(0), transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' }, TOPICS.transferCommands, { id: requestId, actor: { state: 'BE', organisation: 'FPS Justice, Central Authority' } });
    const accepted = await reader.waitFor((m) => m.topic === TOPICS.commandResults && m.data.commandId === requestId, 'the result of RequestTransfer');
    expect(accepted).toMatchObject({ type: 'CommandAccepted', data: { commandType: 'RequestTransfer', eventIds: [expect.any(String)] } });

    // The receiving ministry cannot decide before the certificate is issued.
    const decisionId = randomUUID();
    await producer.send('RecordReceivingStateDecision', {
      commandId: decisionId, occurredAt: on(10), transferId, inmateId, decision: 'refused', decisionReference: 'AL-1', decidedBy: ALBANIAN_JUSTICE, refusalGround: 'other',
    }, TOPICS.transferCommands, { id: decisionId, actor: { state: 'AL', organisation: 'Ministry of Justice of Albania' } });
    const rejected = await reader.waitFor((m) => m.topic === TOPICS.commandResults && m.data.commandId === decisionId, 'the result of the early decision');
    expect(rejected).toMatchObject({ type: 'CommandRejected', data: { code: 'TRANSFER_NOT_AWAITING_DECISION' } });
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested']);

    // A ministry asserting what custody reports (a place held): refused, unsigned as here or signed,
    // answered and set aside; the case is unchanged.
    const confirmationId = randomUUID();
    await producer.send('ConfirmPlaceReservation', {
      commandId: confirmationId, occurredAt: on(10), transferId, inmateId, facilityId: randomUUID(), reservationId: randomUUID(), expiresAt: `${addDays(DAY0, 60)}T00:00:00Z`,
    }, TOPICS.transferCommands, { id: confirmationId, actor: { state: 'BE', organisation: 'FPS Justice, Central Authority' } });
    const refused = await reader.waitFor((m) => m.topic === TOPICS.commandResults && m.data.commandId === confirmationId, 'the result of the ministry\'s confirmation');
    expect(refused).toMatchObject({ type: 'CommandRejected', data: { code: 'UNAUTHORISED_ACTOR', message: expect.stringContaining("recorded by the transfer service from custody's PlaceReserved") } });
    const confirmationSetAside = await reader.waitFor((m) => m.topic === `${TOPICS.transferCommands}.dlq` && m.data.commandId === confirmationId, 'the confirmation dead-lettered');
    expect(confirmationSetAside.headers).toMatchObject({ dlq_code: 'UNAUTHORISED_ACTOR' });
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested']);

    // A command that breaks the envelope (no sender named) is set aside with its reason, and the consumer goes on.
    const anonymousId = randomUUID();
    await producer.send('WithdrawTransfer', { commandId: anonymousId, occurredAt: on(11), transferId, inmateId, reason: 'x' }, TOPICS.transferCommands, { id: anonymousId });
    const setAside = await reader.waitFor((m) => m.topic === `${TOPICS.transferCommands}.dlq` && m.data.commandId === anonymousId, 'the anonymous command dead-lettered');
    expect(setAside.headers).toMatchObject({ dlq_code: 'INVALID_ENVELOPE' });
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested']);
  });

  it('ETS 112 Art 3(2): with about 150 days left, the certificate waits until each state has recorded its own agreement', async () => {
    const inmateId = randomUUID();
    const transferId = randomUUID();
    // One year from 2025-08-04: release on 2026-08-04, 155 days after the request of 2026-03-02.
    await registerInmate(producer, inmateId, {
      nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE',
      sentence: {
        court: 'Tribunal de première instance de Bruxelles', caseReference: 'BXL-2025-CR-77', finalJudgmentDate: '2025-07-20', offences: [{ description: 'Theft', category: 'property' }],
        kind: 'determinate', length: { years: 1, months: 0, days: 0 }, sentenceEndDate: '2026-08-04', enforcementStartDate: '2025-08-04', preTrialDays: 0, daysServed: 210,
      },
    }, app);
    const c = (day: number, body: object = {}) => command(transferId, inmateId, day, body);
    await http.post('/transfers').send(c(0, { sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' })).expect(201);
    await http.post(`/transfers/${transferId}/eligibility`).send(c(1)).expect(200);
    await http.post(`/transfers/${transferId}/opinion`).send(c(2, { opinion: 'I would like to go home.', language: 'sq', recordedBy: BELGIAN_PRISON })).expect(200);
    await http.post(`/transfers/${transferId}/consent`).send(c(3, { outcome: 'given', recordedBy: BELGIAN_PRISON })).expect(200);
    const certificate = () => http.post(`/transfers/${transferId}/certificate`).send(c(5, { certificateReference: 'BE-AL-2026-0150', receivingAuthority: ALBANIAN_JUSTICE, isJudgmentEnclosed: true }));

    const waiting = await certificate().expect(422);
    expect(waiting.body).toMatchObject({ code: 'INSUFFICIENT_TIME_LEFT', details: { rule: 'TIME_LEFT' } });
    expect(waiting.body.message).toMatch(/both states record their agreement \(ETS 112 Art 3\(2\)\)/);

    const agreement = (agreedBy: object) => c(4, { clause: 'time-left-below-minimum', answer: 'agreed', agreedBy, reference: 'ART-3-2' });
    const belgium = await http.post(`/transfers/${transferId}/agreements`).send(agreement({ state: 'BE', organisation: 'FPS Justice, Central Authority' })).expect(200);
    expect(belgium.body.events).toEqual([expect.objectContaining({ type: 'StateAgreementRecorded' })]);
    const oneSided = await certificate().expect(422);
    expect(oneSided.body.message).toMatch(/So far BE has agreed; AL has not answered yet\./);

    await http.post(`/transfers/${transferId}/agreements`).send(agreement(ALBANIAN_JUSTICE)).expect(200);
    const issued = await certificate().expect(200);
    expect(issued.body.events).toEqual([expect.objectContaining({ type: 'CertificateIssued' })]);
    const published = await reader.waitFor((m) => m.type === 'StateAgreementRecorded' && m.data.transferId === transferId && m.data.side === 'receiving', 'Albania\'s answer published');
    expect(published.data).toMatchObject({ clause: 'time-left-below-minimum', answer: 'agreed', cites: 'ETS 112 Art 3(2)', agreedBy: { state: 'AL' } });

    // Rule 17: the receipt of the certificate is dated neither in the future nor before the certificate was issued.
    const future = await http.post(`/transfers/${transferId}/certificate-receipt`).send({ ...c(6, { receivedBy: ALBANIAN_JUSTICE }), occurredAt: '2099-01-01T00:00:00Z' }).expect(422);
    expect(future.body).toMatchObject({ code: 'DATE_IN_FUTURE', details: { field: 'occurredAt', date: '2099-01-01T00:00:00Z' }, errors: [{ path: 'occurredAt' }] });
    const early = await http.post(`/transfers/${transferId}/certificate-receipt`).send(c(4, { receivedBy: ALBANIAN_JUSTICE })).expect(422);
    expect(early.body).toMatchObject({
      code: 'DATE_BEFORE_PRECEDING_STEP',
      details: { field: 'occurredAt', date: on(4), step: 'certificate-receipt', precedingStep: 'certificate-issue', precedingDate: on(5) },
    });
    await http.post(`/transfers/${transferId}/certificate-receipt`).send(c(6, { receivedBy: ALBANIAN_JUSTICE })).expect(200);
    const timeline = (await http.get(`/transfers/${transferId}`).expect(200)).body.timeline.map((t: { step: string }) => t.step);
    expect(timeline).toEqual([
      'TransferRequested', 'EligibilityEvaluated', 'InmateOpinionRecorded', 'ConsentRecorded', 'StateAgreementRecorded', 'StateAgreementRecorded', 'CertificateIssued', 'CertificateReceived',
    ]);
  });

  it('asks a reason of an act recorded more than COMMAND_LATE_RECORDING_DAYS after it happened, and keeps it with the event', async () => {
    const strict = newEnvironment();
    const strictApp = await bootTransferApp(strict, undefined, { COMMAND_LATE_RECORDING_DAYS: '7' });
    const strictProducer = new TestProducer(strict.prefix);
    try {
      const inmateId = randomUUID();
      await registerInmate(strictProducer, inmateId, { nationalities: ['AL'], sendingState: 'BE', habitualResidence: 'BE' }, strictApp);
      const transferId = randomUUID();
      const long = new Date(Date.now() - 30 * 86_400_000).toISOString();
      const body = { commandId: randomUUID(), occurredAt: long, transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112' };
      const refused = await request(strictApp.getHttpServer()).post('/transfers').send(body).expect(422);
      expect(refused.body).toMatchObject({ code: 'LATE_RECORDING_REASON_REQUIRED', details: { field: 'occurredAt', date: long, lateRecordingDays: 7 } });
      const reason = 'The request was sent on paper; entered once the registry reopened.';
      await request(strictApp.getHttpServer()).post('/transfers').send({ ...body, commandId: randomUUID(), lateRecordingReason: reason }).expect(201);
      const stored: unknown[] = [];
      for await (const event of strictApp.get(PostgresEventStore).readStream(`transfer-${transferId}`)) stored.push(event.metadata.lateRecordingReason);
      expect(stored).toEqual([reason]);
    } finally {
      await strictProducer.close();
      await strictApp.close();
      await dropSchema(strict.schema);
    }
  });
});

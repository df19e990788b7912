import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { bootTransferApp, dropSchema, knownBelgianInmate, newEnvironment, streamTypes, type TestEnvironment } from '../testing/transfer-test-app';

const BELGIAN_PRISON = { state: 'BE', organisation: 'Prison de Haren', officer: 'Inspector L. Peeters' };
const on = (day: number) => `2026-03-${String(day).padStart(2, '0')}T09:00:00Z`;

/**
 * A command sent again over HTTP is answered as it was the first time, and runs once
 * (docs/adr/0010-http-idempotency-by-command-id.md).
 */
describe('transfer: a command sent again (real PostgreSQL and broker)', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());
  const requestBody = (transferId: string, inmateId: string) => ({
    commandId: randomUUID(), occurredAt: on(2), transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112', reason: 'Albanian national without a residence permit.',
  });
  const opinionBody = (transferId: string, inmateId: string, opinion = 'I agree to go to Albania.') => ({
    commandId: randomUUID(), occurredAt: on(3), transferId, inmateId, opinion, language: 'sq', recordedBy: BELGIAN_PRISON,
  });
  /** A case requested for a person the service knows from intake's events. */
  const requestedCase = async () => {
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const transferId = randomUUID();
    await http().post('/transfers').send(requestBody(transferId, inmateId)).expect(201);
    return { transferId, inmateId };
  };

  beforeAll(async () => {
    env = newEnvironment();
    app = await bootTransferApp(env);
  });

  afterAll(async () => {
    await app?.close();
    await dropSchema(env.schema);
  });

  it('RequestTransfer sent twice: 201 twice with the same body, one case', async () => {
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const transferId = randomUUID();
    const body = requestBody(transferId, inmateId);
    const first = await http().post('/transfers').send(body);
    const second = await http().post('/transfers').send(body);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.text).toBe(first.text);
    expect(first.body).toMatchObject({ transferId, stage: 'requested', revision: 0, events: [{ type: 'TransferRequested' }] });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested']);
  });

  it('/opinion sent twice: 200 twice with the same body, one opinion', async () => {
    const { transferId, inmateId } = await requestedCase();
    const body = opinionBody(transferId, inmateId);
    const first = await http().post(`/transfers/${transferId}/opinion`).send(body);
    const second = await http().post(`/transfers/${transferId}/opinion`).set('Idempotency-Key', body.commandId).send(body);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.text).toBe(first.text);
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested', 'InmateOpinionRecorded']);
  });

  it('answers the same commandId with other content 422 IDEMPOTENCY_KEY_REUSED, naming nothing internal', async () => {
    const { transferId, inmateId } = await requestedCase();
    const body = opinionBody(transferId, inmateId);
    await http().post(`/transfers/${transferId}/opinion`).send(body).expect(200);
    const reused = await http().post(`/transfers/${transferId}/opinion`).send({ ...body, opinion: 'I do not agree.' }).expect(422);
    expect(reused.body).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String), errors: [{ path: 'commandId', problem: expect.any(String) }], details: {} });
    for (const internal of ['transfer-', 'command-', 'DUPLICATE_EVENT_ID', 'storeCode', 'command_answers', 'INSERT', env.schema]) expect(reused.text).not.toContain(internal);
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested', 'InmateOpinionRecorded']);
  });

  it('answers a rejected command sent again with the same rejection, though it would now be accepted', async () => {
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const transferId = randomUUID();
    const early = opinionBody(transferId, inmateId);
    const first = await http().post(`/transfers/${transferId}/opinion`).send(early).expect(404);
    expect(first.body.code).toBe('TRANSFER_NOT_FOUND');
    await http().post('/transfers').send(requestBody(transferId, inmateId)).expect(201);
    const again = await http().post(`/transfers/${transferId}/opinion`).send(early).expect(404);
    expect(again.text).toBe(first.text);
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested']);
  });

  it('10 identical requests at once: one case, ten identical 201s', async () => {
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const transferId = randomUUID();
    const body = requestBody(transferId, inmateId);
    const answers = await Promise.all(Array.from({ length: 10 }, () => http().post('/transfers').send(body)));
    expect(new Set(answers.map((a) => `${a.status} ${a.text}`)).size).toBe(1);
    expect(answers[0].status).toBe(201);
    expect(await streamTypes(app, transferId)).toEqual(['TransferRequested']);
  });
});

import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import request from 'supertest';
import { EXAMPLES, TOPICS } from '@custody/contracts';
import { databaseUrl, eventually } from '@custody/testing';
import {
  bootTransferApp, dropSchema, knownBelgianInmate, newEnvironment, TestProducer, TopicReader, type TestEnvironment,
} from '../testing/transfer-test-app';

const BELGIAN_PRISON = { state: 'BE', organisation: 'Prison de Haren', officer: 'Inspector L. Peeters' };
const on = (day: number) => `2026-03-${String(day).padStart(2, '0')}T09:00:00Z`;

/**
 * Rule 16 (docs/personal-data.md, "Transfer: the opinion"): the person's opinion (Rule 5) is sealed
 * under transfer's data key of the person before it is stored or published, read back opened on
 * GET /transfers/:id, and unreadable once intake's erasure has destroyed the key.
 */
describe('transfer: the person\'s opinion sealed under the person\'s key (real PostgreSQL and broker)', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let pool: Pool;
  let intake: TestProducer;
  let reader: TopicReader;
  const http = () => request(app.getHttpServer());
  const s = () => `"${env.schema}"`;

  /** A case requested for a person the service knows, and the person's opinion recorded on it. */
  async function caseWithOpinion(opinion: string) {
    const inmateId = randomUUID();
    await knownBelgianInmate(env, app, inmateId);
    const transferId = randomUUID();
    await http().post('/transfers').send({
      commandId: randomUUID(), occurredAt: on(2), transferId, inmateId, sendingState: 'BE', receivingState: 'AL', legalBasis: 'ETS112',
      reason: 'Albanian national without a residence permit.',
    }).expect(201);
    await http().post(`/transfers/${transferId}/opinion`).send({
      commandId: randomUUID(), occurredAt: on(3), transferId, inmateId, opinion, language: 'sq', recordedBy: BELGIAN_PRISON,
    }).expect(200);
    return { inmateId, transferId };
  }

  const storedOpinion = async (transferId: string) => (await pool.query<{ data: string; schema_version: number }>(
    `SELECT data::text AS data, schema_version FROM ${s()}.events WHERE stream_name = $1 AND event_type = 'InmateOpinionRecorded'`, [`transfer-${transferId}`],
  )).rows[0];
  const keyRow = async (inmateId: string) =>
    (await pool.query(`SELECT key_id, wrapped_key, destroyed_at FROM ${s()}.personal_data_keys WHERE inmate_id = $1`, [inmateId])).rows[0];
  const read = (transferId: string) => http().get(`/transfers/${transferId}`).set('X-Access-Purpose', 'opinion test').expect(200);

  beforeAll(async () => {
    env = newEnvironment();
    app = await bootTransferApp(env);
    pool = new Pool({ connectionString: databaseUrl(), max: 2 });
    intake = new TestProducer(env.prefix);
    reader = new TopicReader(env.prefix);
    await reader.start([TOPICS.transferEvents]);
  });

  afterAll(async () => {
    await reader?.stop();
    await intake?.close();
    await pool?.end();
    await app?.close();
    await dropSchema(env.schema);
  });

  it('stores and publishes the opinion encrypted (version 2), keeps it out of the read model, and shows it opened on GET /transfers/:id', async () => {
    const opinion = `Dua të vuaj pjesën tjetër të dënimit në Shqipëri ${randomUUID().slice(0, 8)}`;
    const { inmateId, transferId } = await caseWithOpinion(opinion);

    const stored = await storedOpinion(transferId);
    expect(stored.schema_version).toBe(2);
    expect(stored.data).not.toContain(opinion);
    expect(stored.data).not.toContain('Shqipëri');
    const key = await keyRow(inmateId);
    expect(JSON.parse(stored.data)).toMatchObject({ transferId, inmateId, language: 'sq', opinion: { enc: 'A256GCM', kid: key.key_id } });

    const published = await reader.waitFor((m) => m.type === 'InmateOpinionRecorded' && m.data.transferId === transferId, 'the opinion on custody.transfer.events');
    expect(JSON.stringify(published.data)).not.toContain('Shqipëri');
    expect(published.data).toMatchObject({ opinion: { enc: 'A256GCM', kid: key.key_id } });

    expect((await read(transferId)).body).toMatchObject({ transferId, isOpinionRecorded: true, opinion: { opinion, language: 'sq', isPersonalDataErased: false } });
    const view = await eventually(async () => (await pool.query<{ view: string }>(`SELECT view::text AS view FROM ${s()}.transfers WHERE transfer_id = $1 AND last_revision >= 1`, [transferId])).rows[0],
      { timeoutMs: 30_000, message: 'the case in the read model' });
    expect(view.view).not.toContain('Shqipëri');
  });

  it('destroys the key on intake\'s PersonalDataErased: the opinion reads as null, its stored bytes unchanged, the destruction logged', async () => {
    const opinion = `Nuk dua të transferohem ${randomUUID().slice(0, 8)}`;
    const { inmateId, transferId } = await caseWithOpinion(opinion);
    const before = await storedOpinion(transferId);
    const key = await keyRow(inmateId);
    expect(key.wrapped_key).toEqual(expect.any(String));

    const erasureId = await intake.send('PersonalDataErased', { ...(EXAMPLES.PersonalDataErased as object), inmateId }, TOPICS.intakeEvents);
    await eventually(async () => ((await keyRow(inmateId))?.wrapped_key === null ? true : undefined), { timeoutMs: 30_000, message: 'transfer\'s key of the person destroyed' });
    expect(await keyRow(inmateId)).toMatchObject({ key_id: key.key_id, wrapped_key: null, destroyed_at: expect.any(Date) });

    expect((await read(transferId)).body).toMatchObject({ isOpinionRecorded: true, opinion: { opinion: null, language: 'sq', isPersonalDataErased: true } });
    expect(await storedOpinion(transferId)).toEqual(before);
    const log = await pool.query(`SELECT inmate_id, key_id, ground, erasure_event_id FROM ${s()}.personal_data_destructions WHERE inmate_id = $1`, [inmateId]);
    expect(log.rows).toEqual([{ inmate_id: inmateId, key_id: key.key_id, ground: 'retention-expired', erasure_event_id: erasureId }]);
  });
});

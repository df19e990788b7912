import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { eventually } from '@custody/testing';
import { commandBodies, identity, sentence } from '../inmate/inmate.examples';
import { startIntake, type IntakeTestApp } from '../testing/intake-test-app';

describe('searching transfer candidates (read model on real PostgreSQL)', () => {
  let intake: IntakeTestApp;
  let pool: Pool;
  const http = () => request(intake.app.getHttpServer());
  const asOf = '2026-03-02';
  const candidates = '/inmates?nationality=AL&residence=irregular&minRemainingDays=183&sendingState=BE&asOf=2026-03-02';

  /** Registers an inmate with a sentence ending on `releaseOn` (pre-trial days deducted: start + length − 131). */
  async function inmate(o: { nationalities?: Array<'AL' | 'XK' | 'MA'>; residence?: 'irregular' | 'national'; sendingState?: 'BE' | 'DK'; years?: number; life?: boolean }) {
    const inmateId = randomUUID();
    const bodies = commandBodies(inmateId, randomUUID());
    await http().post('/inmates').send(bodies.RegisterInmate({
      identity: identity(`S-${inmateId.slice(0, 8)}`), nationalities: o.nationalities ?? ['AL'], sendingState: o.sendingState ?? 'BE',
      residence: { status: o.residence ?? 'irregular', habitualResidence: 'BE' },
    })).expect(201);
    if (o.years !== undefined || o.life) {
      const s = o.life ? sentence({ kind: 'life' }) : sentence({ length: { years: o.years!, months: 0, days: 0 } });
      if (o.life) {
        delete s.length;
        delete s.sentenceEndDate;
      }
      await http().post(`/inmates/${inmateId}/sentence`).send(commandBodies(inmateId, randomUUID()).RecordSentence({ sentence: s })).expect(200);
    }
    return inmateId;
  }

  const snapshot = async () =>
    (await pool.query(`SELECT inmate_id, revision, state, status, sending_state, nationalities, residence_status, habitual_residence, enforcement,
       sentence_kind, release_on::text, has_expulsion_order, family_name, given_names FROM "${intake.config.DATABASE_SCHEMA}".inmate_search ORDER BY inmate_id`)).rows;

  beforeAll(async () => {
    intake = await startIntake('intake-search');
    pool = new Pool({ connectionString: intake.config.DATABASE_URL, max: 2 });
  });

  afterAll(async () => {
    await pool.end();
    await intake.close();
  });

  it('finds Albanian nationals without a residence permit, held by Belgium, with more than six months to serve', async () => {
    // Enforcement started 2023-11-03 with 131 pre-trial days: 3 years end 2026-07-03 (123 days left on 2026-03-02), 4 years 2027-06-25.
    const match4 = await inmate({ years: 4 });
    const matchDual = await inmate({ years: 6, nationalities: ['XK', 'AL'] });
    const matchLife = await inmate({ life: true });
    await inmate({ years: 3 });
    await inmate({ years: 6, residence: 'national' });
    await inmate({ years: 6, nationalities: ['MA'] });
    await inmate({ years: 6, sendingState: 'DK' });
    await inmate({});

    const found = await eventually(async () => {
      const response = await http().get(candidates).expect(200);
      return response.body.items.length === 3 ? response.body : undefined;
    }, { timeoutMs: 30_000, message: 'three candidates in the read model' });
    expect(found.items.map((i: { inmateId: string }) => i.inmateId).sort()).toEqual([match4, matchDual, matchLife].sort());
    const four = found.items.find((i: { inmateId: string }) => i.inmateId === match4);
    expect(four).toMatchObject({ releaseOn: '2027-06-25', remainingDays: 480, residence: { status: 'irregular' }, enforcement: 'active', sentenceKind: 'determinate' });
    expect(found.asOf).toBe(asOf);
  });

  it('pages with cursors: every match once, in a stable order', async () => {
    const all = (await http().get(`${candidates}&limit=100`).expect(200)).body.items.map((i: { inmateId: string }) => i.inmateId);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${candidates}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await http().get(url).expect(200)).body;
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items.map((i: { inmateId: string }) => i.inmateId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });

  it('refuses unknown filters and bad values, listing each', async () => {
    const response = await http().get('/inmates?nationality=ZZ&minRemainingDays=-1&colour=blue&cursor=nonsense').expect(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['colour', 'minRemainingDays', 'nationality']);
    expect((await http().get('/inmates?cursor=nonsense').expect(400)).body.errors).toEqual([{ path: 'cursor', problem: expect.any(String) }]);
  });

  it('a rebuild from position 0 gives the same read model as the live projection', async () => {
    const corrected = await inmate({ years: 5 });
    await http().post(`/inmates/${corrected}/corrections`).send(commandBodies(corrected, randomUUID()).CorrectInmateRecord()).expect(200);
    await http().post(`/inmates/${corrected}/expulsion-orders`).send(commandBodies(corrected, randomUUID()).RecordExpulsionOrder()).expect(200);
    await eventually(async () => {
      const rows = await snapshot();
      const row = rows.find((r) => r.inmate_id === corrected);
      return row && Number(row.revision) === 3 ? rows : undefined;
    }, { timeoutMs: 30_000, message: 'the live projection to fold the last event' });
    const live = await snapshot();
    expect(live.length).toBe(9);

    const rebuilt = await http().post('/admin/projections/inmates/rebuild').expect(200);
    expect(rebuilt.body.events).toBeGreaterThanOrEqual(16);
    expect(await snapshot()).toEqual(live);

    // Live again after the rebuild.
    const after = await inmate({ years: 6 });
    await eventually(async () => ((await snapshot()).some((r) => r.inmate_id === after) ? true : undefined), { timeoutMs: 30_000, message: 'the projection live again' });
  });
});

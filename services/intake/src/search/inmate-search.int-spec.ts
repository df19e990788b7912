import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import request from 'supertest';
import { generateMasterKey } from '@custody/personal-data';
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
       sentence_kind, release_on::text, has_expulsion_order, family_name_sealed, given_names_sealed, family_name_key, given_names_key
       FROM "${intake.config.DATABASE_SCHEMA}".inmate_search ORDER BY inmate_id`)).rows;

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

  it('keeps no name in clear: each sealed under the person\'s key as the event sealed it, found by its blind index whatever the case, accents or spaces', async () => {
    const inmateId = randomUUID();
    const passport = `N-${inmateId.slice(0, 8)}`;
    const familyName = `Dëda${inmateId.slice(0, 6).replace(/\d/g, 'x')}`;
    await http().post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({
      identity: { ...identity(passport), familyName, givenNames: 'Gjergj Kastriot' },
    })).expect(201);
    const s = `"${intake.config.DATABASE_SCHEMA}"`;
    const row = await eventually(async () => (await pool.query<{ text: string; family_name_sealed: unknown; given_names_sealed: unknown; family_name_key: string }>(
      `SELECT t::text AS text, family_name_sealed, given_names_sealed, family_name_key FROM ${s}.inmate_search t WHERE inmate_id = $1`, [inmateId],
    )).rows[0], { timeoutMs: 30_000, message: 'the row of the registered person' });
    for (const clear of [familyName, familyName.toLowerCase(), 'Gjergj', 'gjergj', 'Kastriot', '1988-05-14', 'Durrës', passport]) expect(row.text).not.toContain(clear);
    // The row holds the event's own ciphertexts, under the person's key.
    const event = (await pool.query<{ data: { identity: Record<string, unknown> } }>(
      `SELECT data FROM ${s}.events WHERE stream_name = $1 AND event_type = 'InmateRegistered'`, [`inmate-${inmateId}`],
    )).rows[0];
    expect(row.family_name_sealed).toEqual(event.data.identity.familyName);
    expect(row.given_names_sealed).toEqual(event.data.identity.givenNames);
    expect(row.family_name_sealed).toMatchObject({ enc: 'A256GCM' });
    expect(row.family_name_key).toMatch(/^[0-9a-f]{64}$/);

    const search = async (query: string) => (await http().get(`/inmates?${query}`).expect(200)).body.items as Array<{ inmateId: string; familyName: string; givenNames: string }>;
    const typed = ` ${familyName.toUpperCase().replace('Ë', 'E')}  `;
    expect(await search(`familyName=${encodeURIComponent(typed)}`)).toEqual([expect.objectContaining({ inmateId, familyName, givenNames: 'Gjergj Kastriot', sendingState: 'BE' })]);
    expect((await search(`familyName=${encodeURIComponent(familyName)}&givenNames=${encodeURIComponent('gjergj   KASTRIOT')}`)).map((i) => i.inmateId)).toEqual([inmateId]);
    // Exact names only: a part of the given names, a prefix, another spelling find nobody.
    expect(await search(`familyName=${encodeURIComponent(familyName)}&givenNames=Gjergj`)).toEqual([]);
    expect(await search(`familyName=${encodeURIComponent(familyName.slice(0, 5))}`)).toEqual([]);
    expect(await search(`familyName=${encodeURIComponent(`${familyName}j`)}`)).toEqual([]);
    // Names combine with the other filters.
    expect(await search(`familyName=${encodeURIComponent(familyName)}&sendingState=DK`)).toEqual([]);

    const blank = await http().get(`/inmates?familyName=${encodeURIComponent(' \u0301 ')}`).expect(400);
    expect(blank.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'familyName', problem: expect.any(String) }] });
  });
});

describe('the migration to a search read model without clear names (real PostgreSQL)', () => {
  it('drops the clear columns of a model built before it, and rebuilds the model from the events when the service starts', async () => {
    const masterKey = generateMasterKey();
    const first = await startIntake('intake-search-upgrade', { PERSONAL_DATA_MASTER_KEY: masterKey });
    const schema = first.config.DATABASE_SCHEMA;
    const s = `"${schema}"`;
    const pool = new Pool({ connectionString: first.config.DATABASE_URL, max: 2 });
    let second: IntakeTestApp | undefined;
    let isFirstClosed = false;
    try {
      const inmateId = randomUUID();
      const familyName = `Kola${inmateId.slice(0, 6).replace(/\d/g, 'y')}`;
      await request(first.app.getHttpServer()).post('/inmates').send(commandBodies(inmateId, randomUUID()).RegisterInmate({
        identity: { ...identity(`U-${inmateId.slice(0, 8)}`), familyName },
      })).expect(201);
      await eventually(async () => (await pool.query(`SELECT 1 FROM ${s}.inmate_search WHERE inmate_id = $1`, [inmateId])).rows[0], { timeoutMs: 30_000, message: 'the row' });
      await first.app.close();
      isFirstClosed = true;

      // The model as its first version left it: the names, and the whole record, in clear; the checkpoint past every event.
      await pool.query(`ALTER TABLE ${s}.inmate_search DROP COLUMN family_name_sealed, DROP COLUMN given_names_sealed, DROP COLUMN family_name_key,
        DROP COLUMN given_names_key, ADD COLUMN family_name text, ADD COLUMN given_names text`);
      await pool.query(`UPDATE ${s}.inmate_search SET family_name = $1, given_names = 'Arben', state = jsonb_set(state, '{identity,familyName}', to_jsonb($1::text))`, [familyName]);
      await pool.query(`DELETE FROM ${s}.schema_migrations WHERE migration_set = 'inmate-search' AND version = 2`);
      expect((await pool.query(`SELECT count(*)::int AS n FROM ${s}.projection_checkpoints WHERE name = 'inmate-search'`)).rows[0].n).toBe(1);

      second = await startIntake('intake-search-upgrade', { DATABASE_SCHEMA: schema, PERSONAL_DATA_MASTER_KEY: masterKey });
      const columns = (await pool.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'inmate_search'`, [schema],
      )).rows.map((r) => r.column_name);
      expect(columns).toEqual(expect.arrayContaining(['family_name_sealed', 'given_names_sealed', 'family_name_key', 'given_names_key']));
      expect(columns).not.toContain('family_name');
      expect(columns).not.toContain('given_names');

      const http2 = () => request(second!.app.getHttpServer());
      const found = await eventually(async () => {
        const items = (await http2().get(`/inmates?familyName=${familyName.toLowerCase()}`).expect(200)).body.items as Array<{ inmateId: string }>;
        return items.length > 0 ? items : undefined;
      }, { timeoutMs: 30_000, message: 'the person found by name in the rebuilt model' });
      expect(found).toEqual([expect.objectContaining({ inmateId, familyName, givenNames: 'Arben' })]);
      const text = (await pool.query<{ text: string }>(`SELECT string_agg(t::text, '') AS text FROM ${s}.inmate_search t`)).rows[0].text;
      expect(text).not.toContain(familyName);
      expect(text).not.toContain('Arben');
    } finally {
      if (second) await second.close();
      else {
        if (!isFirstClosed) await first.app.close();
        await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
      }
      await pool.end();
    }
  });
});

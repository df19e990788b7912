import { randomUUID } from 'node:crypto';
import { Harness } from './testing/harness';

describe('a group of messages applied in one transaction', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.create('inbox-time-bound');
  });

  afterAll(async () => {
    await h?.close();
  });

  const items = (count: number, workMs: number) =>
    Array.from({ length: count }, (_, offset) => ({
      eventId: randomUUID(),
      origin: { topic: 't', partition: 0, offset: String(offset) },
      work: async () => {
        await new Promise((resolve) => setTimeout(resolve, workMs));
      },
    }));

  it('commits and returns early once the transaction has run maxMs, with what it applied', async () => {
    const group = items(6, 40);
    const results = await h.inbox.runMany('time-bound', group, { maxMs: 100 });
    expect(results.length).toBeGreaterThanOrEqual(1);
    expect(results.length).toBeLessThan(group.length);
    expect(results.every((r) => r === 'processed')).toBe(true);
    const { rows } = await h.db.pool.query<{ event_id: string }>(`SELECT event_id FROM "${h.db.schema}".inbox WHERE consumer = 'time-bound'`);
    expect(rows.map((r) => r.event_id).sort()).toEqual(group.slice(0, results.length).map((i) => i.eventId).sort());
  });

  it('always applies at least one message, however long it takes', async () => {
    const results = await h.inbox.runMany('time-bound-one', items(3, 30), { maxMs: 0 });
    expect(results).toEqual(['processed']);
  });

  it('a lone message whose work fails: its claim and its writes roll back, the error comes back in its place, and a retry applies it', async () => {
    const table = `"${h.db.schema}".lone_effects`;
    await h.db.pool.query(`CREATE TABLE IF NOT EXISTS ${table} (event_id uuid PRIMARY KEY)`);
    const eventId = randomUUID();
    const origin = { topic: 't', partition: 0, offset: '7' };
    const failure = new Error('the handler failed');
    const write = (fail: boolean) => async (tx: { query: (sql: string, params?: unknown[]) => Promise<unknown> }) => {
      await tx.query(`INSERT INTO ${table} (event_id) VALUES ($1)`, [eventId]);
      if (fail) throw failure;
    };
    const claims = async () =>
      (await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${h.db.schema}".inbox WHERE consumer = 'lone' AND event_id = $1`, [eventId])).rows[0].n;
    const effects = async () => (await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = $1`, [eventId])).rows[0].n;

    expect(await h.inbox.runMany('lone', [{ eventId, origin, work: write(true) }])).toEqual([{ error: failure }]);
    expect([await claims(), await effects()]).toEqual([0, 0]);
    // A failing SQL statement (the transaction aborted) is returned the same way.
    const broken = await h.inbox.runMany('lone', [{ eventId, origin, work: async (tx) => void (await tx.query('SELECT no_such_column FROM pg_class')) }]);
    expect(broken).toEqual([{ error: expect.objectContaining({ code: '42703' }) }]);
    expect([await claims(), await effects()]).toEqual([0, 0]);

    expect(await h.inbox.runMany('lone', [{ eventId, origin, work: write(false) }])).toEqual(['processed']);
    expect([await claims(), await effects()]).toEqual([1, 1]);
    expect(await h.inbox.runMany('lone', [{ eventId, origin, work: write(false) }])).toEqual(['duplicate']);
    expect(await effects()).toBe(1);
  });

  it('a group whose third message fails: the two before it commit (run again without it), its claim and writes do not, the fourth is not run', async () => {
    const table = `"${h.db.schema}".group_effects`;
    await h.db.pool.query(`CREATE TABLE IF NOT EXISTS ${table} (event_id uuid PRIMARY KEY)`);
    const runs = [0, 0, 0, 0];
    const group = Array.from({ length: 4 }, (_, i) => ({
      eventId: randomUUID(),
      origin: { topic: 't', partition: 0, offset: String(i) },
      work: async (tx: { query: (sql: string, params?: unknown[]) => Promise<unknown> }) => {
        runs[i] += 1;
        await tx.query(`INSERT INTO ${table} (event_id) VALUES ($1)`, [group[i].eventId]);
        // A failing statement: the transaction is aborted, as a real handler's SQL error leaves it.
        if (i === 2) await tx.query('SELECT no_such_column FROM pg_class');
      },
    }));
    const results = await h.inbox.runMany('group-failure', group);
    expect(results).toEqual(['processed', 'processed', { error: expect.objectContaining({ code: '42703' }) }]);
    const ids = (sql: string) => h.db.pool.query<{ event_id: string }>(sql).then(({ rows }) => rows.map((r) => r.event_id).sort());
    const committed = group.slice(0, 2).map((i) => i.eventId).sort();
    expect(await ids(`SELECT event_id FROM "${h.db.schema}".inbox WHERE consumer = 'group-failure'`)).toEqual(committed);
    expect(await ids(`SELECT event_id::text FROM ${table}`)).toEqual(committed);
    // The two before it ran once in the rolled-back transaction and once in the committed one; the failed one once; the fourth never.
    expect(runs).toEqual([2, 2, 1, 0]);
    // The failed one alone, then: applied once it no longer fails.
    expect(await h.inbox.runMany('group-failure', group.slice(1, 3).map((item, i) => (i === 1 ? { ...item, work: async () => undefined } : item)))).toEqual(['duplicate', 'processed']);
  });

  it('a message run without a claim (a handler idempotent by its own writes) runs at each delivery and leaves no inbox row; the same message claimed runs once', async () => {
    const eventId = randomUUID();
    const origin = { topic: 't', partition: 0, offset: '11' };
    let runs = 0;
    const work = async () => {
      runs++;
    };
    const rows = async (consumer: string) =>
      (await h.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${h.db.schema}".inbox WHERE consumer = $1`, [consumer])).rows[0].n;

    expect(await h.inbox.runOnce('unclaimed', eventId, origin, work, { claim: false })).toBe('processed');
    expect(await h.inbox.runMany('unclaimed', [{ eventId, origin, work, claim: false }])).toEqual(['processed']);
    expect(await h.inbox.runMany('unclaimed', [{ eventId, origin, work, claim: false }, { eventId, origin, work, claim: false }])).toEqual(['processed', 'processed']);
    expect([runs, await rows('unclaimed')]).toEqual([4, 0]);

    runs = 0;
    expect(await h.inbox.runOnce('claimed', eventId, origin, work)).toBe('processed');
    expect(await h.inbox.runMany('claimed', [{ eventId, origin, work }, { eventId, origin, work }])).toEqual(['duplicate', 'duplicate']);
    expect([runs, await rows('claimed')]).toEqual([1, 1]);
  });
});

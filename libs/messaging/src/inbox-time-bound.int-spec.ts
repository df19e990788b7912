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
});

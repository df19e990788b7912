import { randomBytes, randomUUID } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
// Integration tests of an adapter use the shared test infrastructure (a test-only dependency).
import { createTestSchema, eventually } from '@custody/testing';
import type { TestSchema } from '@custody/testing';
import type { GlobalEvent, NewEvent, Subscription } from '../port';
import { PostgresEventStore } from './postgres-event-store';

function event(type: string): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data: { n: randomUUID() }, metadata: { correlationId: randomUUID(), occurredAt: '2026-03-01T10:00:00Z' } };
}

function newCategory(): string {
  return `c${randomBytes(5).toString('hex')}`;
}

/** Counts the statements sent through a pool: global reads of the log and sequencer runs. */
function countStatements(pool: Pool): { globalReads: number; sequencerRuns: number; stop(): void } {
  const counts = { globalReads: 0, sequencerRuns: 0, stop: () => undefined as void };
  const original = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as QueryConfig).text;
    if (text.includes('ORDER BY e.global_position')) counts.globalReads++;
    if (text.includes('sequence_events(')) counts.sequencerRuns++;
    return original(...args);
  };
  counts.stop = () => {
    (pool as unknown as { query: unknown }).query = original;
  };
  return counts;
}

/** Follows a subscription in the background, keeping what it yields. */
function follow(subscription: Subscription): { events: GlobalEvent[]; done: Promise<void> } {
  const events: GlobalEvent[] = [];
  const done = (async () => {
    for await (const e of subscription) events.push(e);
  })();
  return { events, done };
}

describe('PostgresEventStore: the subscriptions of one store share their reads of the tail', () => {
  let db: TestSchema;

  beforeAll(async () => {
    db = await createTestSchema('event_store_shared');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('a notification that wakes an unfiltered and a filtered subscription costs one sequencer run and one read, and each gets exactly its events', async () => {
    // Polls a minute apart: only the notifications wake the subscriptions.
    const store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 60_000 });
    await store.migrate();
    const wanted = newCategory();
    const other = newCategory();
    const all = follow(store.subscribeToAll());
    const filtered = follow(store.subscribeToAll({ filter: { categories: [wanted] } }));
    let counts: ReturnType<typeof countStatements> | undefined;
    try {
      // Both catch up (the filtered one on its own reads first) and follow the tail.
      for (let i = 0; i < 2; i++) {
        await store.appendToStream(`${wanted}-warm`, [event('Warmed')]);
        await eventually(() => (filtered.events.length === i + 1 && all.events.length === i + 1 ? true : undefined), { timeoutMs: 10_000, message: 'warm-up delivered' });
      }

      counts = countStatements(db.pool);
      const appends = 20;
      const written: string[] = [];
      for (let i = 0; i < appends; i++) {
        const isWanted = i % 2 === 0;
        const e = event(isWanted ? 'Wanted' : 'Other');
        written.push(e.id);
        await store.appendToStream(`${isWanted ? wanted : other}-${i % 3}`, [e]);
        const expectedAll = 2 + i + 1;
        const expectedFiltered = 2 + Math.floor(i / 2) + 1;
        await eventually(() => (all.events.length === expectedAll && filtered.events.length === expectedFiltered ? true : undefined), {
          timeoutMs: 10_000,
          message: `append ${i} delivered to both`,
        });
      }
      counts.stop();

      // Before the reads were shared, each subscription ran the sequencer and read the log once
      // per notification: 2 of each per append. Shared: one of each per append.
      expect(counts.globalReads).toBeLessThanOrEqual(appends + 1);
      expect(counts.sequencerRuns).toBeLessThanOrEqual(appends + 1);
      expect(counts.globalReads).toBeGreaterThanOrEqual(appends);

      expect(all.events.slice(2).map((e) => e.id)).toEqual(written);
      expect(filtered.events.slice(2).map((e) => e.id)).toEqual(written.filter((_, i) => i % 2 === 0));
      expect(filtered.events.every((e) => e.streamName.startsWith(`${wanted}-`))).toBe(true);
    } finally {
      counts?.stop();
      await store.close();
      await Promise.all([all.done, filtered.done]);
    }
  });

  it("an instance's own commits wake its subscriptions in process: with every NOTIFY dropped, they still deliver at once, and another instance's only at its poll", async () => {
    const store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 60_000 });
    const other = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 60_000 });
    await store.migrate();
    // The NOTIFY after each commit never leaves this instance.
    (store as unknown as { notifier: { notify(): void } }).notifier.notify = () => undefined;
    const category = newCategory();
    const own = follow(store.subscribeToAll({ filter: { categories: [category] } }));
    const elsewhere = follow(other.subscribeToAll({ filter: { categories: [category] } }));
    try {
      // Both have caught up (an empty category) and wait: their polls are a minute away.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const written = [event('Local'), event('Local')];
      await store.appendToStream(`${category}-1`, [written[0]]);
      await store.transaction((tx) => tx.appendToStream(`${category}-2`, [written[1]]));
      await eventually(() => (own.events.length === 2 ? true : undefined), { timeoutMs: 10_000, message: 'both appends delivered to the appending instance' });
      expect(own.events.map((e) => e.id)).toEqual(written.map((e) => e.id));
      // No notification reached the other instance, whose poll is a minute away.
      expect(elsewhere.events).toHaveLength(0);
    } finally {
      await store.close();
      await other.close();
      await Promise.all([own.done, elsewhere.done]);
    }
  });

  it('concurrent appends, small pages and a filtered subscription starting from an old checkpoint: every subscription gets its events once, in order', async () => {
    // Pages of 5 rows: the tail is read a page ahead, and subscriptions at different positions share or not.
    const store = new PostgresEventStore({ connection: db.pool, schema: db.schema, readBatchSize: 5, pollIntervalMs: 60_000 });
    await store.migrate();
    const a = newCategory();
    const b = newCategory();
    const c = newCategory();
    // History before any subscription: a checkpoint for the late subscriber, then many events of another category.
    await store.appendToStream(`${a}-0`, [event('Early')]);
    const early = [];
    for await (const e of store.readCategory(a)) early.push(e);
    const checkpoint = early[early.length - 1].checkpoint;
    for (let i = 0; i < 6; i++) await store.appendToStream(`${c}-${i}`, Array.from({ length: 5 }, () => event('Noise')));

    const subscribers = [
      follow(store.subscribeToAll({ fromCheckpoint: checkpoint })),
      follow(store.subscribeToAll({ fromCheckpoint: checkpoint, filter: { categories: [a] } })),
      follow(store.subscribeToAll({ fromCheckpoint: checkpoint, filter: { categories: [a, b] } })),
      follow(store.subscribeToAll({ fromCheckpoint: checkpoint, filter: { eventTypes: ['B'] } })),
    ];
    try {
      const streams = Array.from({ length: 12 }, (_, i) => `${i % 2 === 0 ? a : b}-${i}`);
      await Promise.all(
        streams.map(async (stream) => {
          for (let k = 0; k < 4; k++) await store.appendToStream(stream, [event(stream.startsWith(a) ? 'A' : 'B'), event(stream.startsWith(a) ? 'A' : 'B')]);
        }),
      );
      const log: GlobalEvent[] = [];
      for await (const e of store.readAll({ from: checkpoint })) log.push(e);
      const expected = [
        log,
        log.filter((e) => e.streamName.startsWith(`${a}-`)),
        log.filter((e) => e.streamName.startsWith(`${a}-`) || e.streamName.startsWith(`${b}-`)),
        log.filter((e) => e.type === 'B'),
      ].map((events) => events.map((e) => e.id));
      expect(expected[1]).toHaveLength(48);
      await eventually(() => (subscribers.every((s, i) => s.events.length >= expected[i].length) ? true : undefined), {
        timeoutMs: 20_000,
        message: 'every subscription caught up',
      });
      subscribers.forEach((s, i) => expect(s.events.map((e) => e.id)).toEqual(expected[i]));
    } finally {
      await store.close();
      await Promise.all(subscribers.map((s) => s.done));
    }
  });
});

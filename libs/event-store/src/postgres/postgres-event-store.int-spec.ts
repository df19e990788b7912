import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
// Integration tests of an adapter use the shared test infrastructure (a test-only dependency).
import { createTestSchema, databaseUrl, eventually, uniqueSchemaName } from '@custody/testing';
import type { TestSchema } from '@custody/testing';
import { eventStoreContract, readUntil } from '../contract/event-store.contract';
import { EventStoreConfigurationError, TransactionAbortedError, TransactionClosedError, WrongExpectedRevisionError } from '../errors';
import type { GlobalEvent, NewEvent } from '../port';
import { PostgresEventStore } from './postgres-event-store';

eventStoreContract(
  'PostgresEventStore',
  async () => {
    const db = await createTestSchema('event_store_contract');
    const store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 200 });
    await store.migrate();
    return {
      store,
      async dispose() {
        await store.close();
        await db.drop();
      },
    };
  },
  { refusesEventIdsAcrossStreams: true },
);

function event(type: string, data: unknown = { inmateId: randomUUID() }): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, metadata: { correlationId: randomUUID(), occurredAt: '2026-03-01T10:00:00Z' } };
}

function newCategory(): string {
  return `c${randomBytes(5).toString('hex')}`;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('PostgresEventStore', () => {
  let db: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestSchema('event_store_pg');
    store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 200 });
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('checks every event with checkEvent before an append writes anything, alone or in a unit of work', async () => {
    const checked: string[] = [];
    const checking = new PostgresEventStore({
      connection: db.pool,
      schema: db.schema,
      checkEvent: (e) => {
        checked.push(e.type);
        if (e.type === 'Refused') throw new Error(`refused ${e.id}`);
      },
    });
    expect(checking.checksEvents).toBe(true);
    expect(store.checksEvents).toBe(false);
    const stream = `${newCategory()}-${randomUUID()}`;
    const bad = event('Refused');
    await expect(checking.appendToStream(stream, [event('Fine'), bad])).rejects.toThrow(`refused ${bad.id}`);
    expect(await collect(checking.readStream(stream))).toEqual([]);
    await expect(
      checking.transaction(async (tx) => {
        await tx.appendToStream(stream, [event('Fine')]);
        await tx.appendToStream(stream, [event('Refused')]);
      }),
    ).rejects.toThrow('refused');
    expect(await collect(checking.readStream(stream))).toEqual([]);
    await checking.appendToStream(stream, [event('Fine')]);
    expect((await collect(checking.readStream(stream))).map((e) => e.type)).toEqual(['Fine']);
    expect(checked).toEqual(['Fine', 'Refused', 'Fine', 'Refused', 'Fine']);
    await checking.close();
  });

  describe('no skipped events (the gap test)', () => {
    it('a slow transaction that took an earlier position commits later: both are handed out, in commit order, none skipped', async () => {
      const category = newCategory();
      const eventA = event('Admitted');
      const eventB = event('Admitted');
      const { rows } = await db.pool.query<{ max: string | null }>(`SELECT max(position) FROM "${db.schema}".events`);
      const naiveStart = rows[0].max ?? '0';

      const subscription = store.subscribeToAll({ filter: { categories: [category] } });
      const delivered: GlobalEvent[] = [];
      const subscriber = (async () => {
        for await (const e of subscription) delivered.push(e);
      })();

      // A takes its position, then stays open; B takes a later position and commits first.
      let onAppendedA!: () => void;
      const appendedA = new Promise<void>((resolve) => (onAppendedA = resolve));
      const slowA = store.transaction(async (tx) => {
        await tx.appendToStream(`${category}-a`, [eventA]);
        onAppendedA();
        await tx.query('SELECT pg_sleep(2)');
      });
      await appendedA;
      const resultB = await store.appendToStream(`${category}-b`, [eventB]);

      // A naive reader ("position greater than the last one seen") sees B now...
      const naive = await db.pool.query<{ event_id: string; position: string }>(
        `SELECT event_id, position FROM "${db.schema}".events WHERE position > $1 AND category = $2 ORDER BY position`,
        [naiveStart, category],
      );
      expect(naive.rows.map((r) => r.event_id)).toEqual([eventB.id]);
      const naiveLastSeen = naive.rows[0].position;

      // ...and so does the store, which numbers B when it commits, while A is still open.
      await eventually(() => (delivered.length === 1 ? true : undefined), { timeoutMs: 10_000, message: 'B while A is open' });
      expect(delivered.map((e) => e.id)).toEqual([eventB.id]);
      const checkpointAfterB = delivered[0].checkpoint;

      await slowA;
      await eventually(() => (delivered.length >= 2 ? true : undefined), { timeoutMs: 10_000, message: 'both events delivered' });
      await subscription.stop();
      await subscriber;

      expect(delivered.map((e) => e.id)).toEqual([eventB.id, eventA.id]);
      expect((await collect(store.readCategory(category))).map((e) => e.id)).toEqual([eventB.id, eventA.id]);
      expect((await collect(store.readCategory(category, { from: checkpointAfterB }))).map((e) => e.id)).toEqual([eventA.id]);
      // A's position is lower than B's: the naive reader, resuming after B, never sees A.
      expect(delivered[1].position < resultB.position).toBe(true);
      const naiveResumed = await db.pool.query(
        `SELECT event_id FROM "${db.schema}".events WHERE position > $1 AND category = $2 ORDER BY position`,
        [naiveLastSeen, category],
      );
      expect(naiveResumed.rows).toEqual([]);
    }, 30_000);

    it('a subscriber resuming from a checkpoint taken while a slow transaction was open still gets its event', async () => {
      const category = newCategory();
      let onAppended!: () => void;
      const appended = new Promise<void>((resolve) => (onAppended = resolve));
      const slow = store.transaction(async (tx) => {
        await tx.appendToStream(`${category}-slow`, [event('Admitted')]);
        onAppended();
        await tx.query('SELECT pg_sleep(1)');
      });
      await appended;
      for (let i = 0; i < 5; i++) await store.appendToStream(`${category}-fast`, [event('Moved')]);
      const before = await collect(store.readCategory(category));
      expect(before.map((e) => e.streamName)).toEqual(Array(5).fill(`${category}-fast`));
      await slow;
      const after = await readUntil(() => collect(store.readCategory(category)), (events) => events.length >= 6);
      expect(after.map((e) => e.streamName)).toEqual([...Array(5).fill(`${category}-fast`), `${category}-slow`]);
      const resumed = await collect(store.readCategory(category, { from: before[4].checkpoint }));
      expect(resumed.map((e) => e.id)).toEqual([after[5].id]);
    }, 30_000);
  });

  it('numbers events after commit with dense global positions; checkpoints are those numbers', async () => {
    const category = newCategory();
    await store.appendToStream(`${category}-1`, [event('Admitted'), event('Moved')]);
    await store.appendToStream(`${category}-2`, [event('Admitted')]);
    const { rows } = await db.pool.query<{ unsequenced: string }>(
      `SELECT count(*) AS unsequenced FROM "${db.schema}".events WHERE category = $1 AND global_position IS NULL`,
      [category],
    );
    // Appends leave the numbering to readers: nothing of this category has read yet.
    expect(rows[0].unsequenced).toBe('3');
    const head = await store.head();
    expect(head.unsequencedEvents).toBeGreaterThanOrEqual(3);
    expect(head.oldestUnsequencedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const read = await collect(store.readCategory(category));
    expect(read.map((e) => e.checkpoint)).toEqual(read.map((_, i) => String(BigInt(read[0].checkpoint) + BigInt(i))));
    expect(await store.distanceFrom(read[0].checkpoint)).toMatchObject({ events: 2 });
    expect(await store.distanceFrom(read[2].checkpoint)).toEqual({ events: 0 });
    expect((await store.head()).position).toBe(BigInt(read[2].checkpoint));
  });

  describe('unit of work', () => {
    beforeAll(async () => {
      await db.pool.query(`CREATE TABLE "${db.schema}".inbox (message_id uuid PRIMARY KEY)`);
    });

    it('commits appends and the caller\'s own writes together', async () => {
      const category = newCategory();
      const messageId = randomUUID();
      const result = await store.transaction(async (tx) => {
        expect(tx.schema).toBe(db.schema);
        await tx.query(`INSERT INTO "${tx.schema}".inbox (message_id) VALUES ($1)`, [messageId]);
        await tx.appendToStream(`${category}-1`, [event('Admitted')], { expectedRevision: 'no_stream' });
        return tx.appendToStream(`${category}-2`, [event('Admitted'), event('Moved')]);
      });
      expect(result.nextExpectedRevision).toBe(1);
      expect((await readUntil(() => collect(store.readCategory(category)), (events) => events.length >= 3)).map((e) => e.streamName)).toEqual([
        `${category}-1`,
        `${category}-2`,
        `${category}-2`,
      ]);
      const inbox = await db.pool.query(`SELECT 1 FROM "${db.schema}".inbox WHERE message_id = $1`, [messageId]);
      expect(inbox.rowCount).toBe(1);
    });

    it('runs afterCommit callbacks once the unit of work has committed, and never when it rolls back or its commit fails', async () => {
      const seen: string[] = [];
      await store.transaction(async (tx) => {
        tx.afterCommit(() => seen.push('first'));
        tx.afterCommit(() => {
          throw new Error('a callback that throws changes nothing');
        });
        tx.afterCommit(() => seen.push(`second, after ${seen.length} at commit`));
        expect(seen).toEqual([]);
      });
      expect(seen).toEqual(['first', 'second, after 1 at commit']);
      await expect(
        store.transaction(async (tx) => {
          tx.afterCommit(() => seen.push('rolled back'));
          throw new Error('handler failed');
        }),
      ).rejects.toThrow('handler failed');
      // A failed statement makes COMMIT a rollback.
      await expect(
        store.transaction(async (tx) => {
          tx.afterCommit(() => seen.push('commit failed'));
          await tx.query('SELECT no_such_column FROM pg_class').catch(() => undefined);
        }),
      ).rejects.toThrow();
      expect(seen).toEqual(['first', 'second, after 1 at commit']);
    });

    it('rolls everything back when the work throws, and rethrows', async () => {
      const category = newCategory();
      const messageId = randomUUID();
      const failure = new Error('handler failed');
      await expect(
        store.transaction(async (tx) => {
          await tx.appendToStream(`${category}-1`, [event('Admitted')]);
          await tx.query(`INSERT INTO "${tx.schema}".inbox (message_id) VALUES ($1)`, [messageId]);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.streamRevision(`${category}-1`)).toBeUndefined();
      expect((await db.pool.query(`SELECT 1 FROM "${db.schema}".inbox WHERE message_id = $1`, [messageId])).rowCount).toBe(0);
    });

    it('a conflict inside the unit of work is the typed error, and the unit of work rolls back', async () => {
      const category = newCategory();
      await store.appendToStream(`${category}-1`, [event('Admitted')]);
      await expect(
        store.transaction(async (tx) => {
          await tx.appendToStream(`${category}-2`, [event('Admitted')]);
          await tx.appendToStream(`${category}-1`, [event('Moved')], { expectedRevision: 'no_stream' });
        }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.streamRevision(`${category}-2`)).toBeUndefined();
    });

    it('events appended in a unit of work are not handed out before it commits', async () => {
      const category = newCategory();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let onAppended!: () => void;
      const appended = new Promise<void>((resolve) => (onAppended = resolve));
      const work = store.transaction(async (tx) => {
        await tx.appendToStream(`${category}-1`, [event('Admitted')]);
        onAppended();
        await released;
      });
      await appended;
      expect(await collect(store.readCategory(category))).toEqual([]);
      release();
      await work;
      expect(await readUntil(() => collect(store.readCategory(category)), (events) => events.length >= 1)).toHaveLength(1);
    });

    it('a unit of work whose callback swallowed a failed statement is reported rolled back, not committed', async () => {
      const stream = `${newCategory()}-1`;
      await expect(
        store.transaction(async (tx) => {
          await tx.appendToStream(stream, [event('Admitted')]);
          await tx.query('SELECT 1 / 0').catch(() => undefined);
        }),
      ).rejects.toBeInstanceOf(TransactionAbortedError);
      expect(await store.streamRevision(stream)).toBeUndefined();
    });

    it('refuses to be used after it has finished', async () => {
      let leaked: Parameters<Parameters<PostgresEventStore['transaction']>[0]>[0] | undefined;
      await store.transaction(async (tx) => {
        leaked = tx;
      });
      await expect(leaked!.query('SELECT 1')).rejects.toBeInstanceOf(TransactionClosedError);
      await expect(leaked!.appendToStream(`${newCategory()}-1`, [event('Admitted')])).rejects.toBeInstanceOf(TransactionClosedError);
      await expect(collect(leaked!.readStream(`${newCategory()}-1`))).rejects.toBeInstanceOf(TransactionClosedError);
    });

    it('reads a stream as the unit of work sees it, its own appends included, which others do not see before it commits', async () => {
      const stream = `${newCategory()}-1`;
      await store.appendToStream(stream, [event('Admitted')]);
      const seen = await store.transaction(async (tx) => {
        await tx.appendToStream(stream, [event('Moved'), event('Released')], { expectedRevision: 0 });
        const inside = (await collect(tx.readStream(stream))).map((e) => [e.type, e.revision]);
        const after = (await collect(tx.readStream(stream, { from: 1, maxCount: 1 }))).map((e) => e.type);
        const outside = (await collect(store.readStream(stream))).map((e) => e.type);
        return { inside, after, outside };
      });
      expect(seen).toEqual({
        inside: [['Admitted', 0], ['Moved', 1], ['Released', 2]],
        after: ['Moved'],
        outside: ['Admitted'],
      });
    });

    it('is idempotent for a redelivered append inside a unit of work', async () => {
      const stream = `${newCategory()}-1`;
      const events = [event('Admitted')];
      const first = await store.transaction((tx) => tx.appendToStream(stream, events, { expectedRevision: 'no_stream' }));
      const again = await store.transaction((tx) => tx.appendToStream(stream, events, { expectedRevision: 'no_stream' }));
      expect(again).toEqual(first);
    });
  });

  describe('schema and migrations', () => {
    it('instances starting at once on a new schema migrate it once', async () => {
      const schema = uniqueSchemaName('event_store_migrate');
      const pool = new Pool({ connectionString: databaseUrl(), max: 10 });
      const stores = Array.from({ length: 5 }, () => new PostgresEventStore({ connection: pool, schema }));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        const { rows } = await pool.query(`SELECT version FROM "${schema}".schema_migrations`);
        expect(rows).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
        await stores[0].appendToStream('inmate-1', [event('Registered')]);
        expect(await stores[4].streamRevision('inmate-1')).toBe(0);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      }
    });

    it('opens its own pool from a connection string, and ends it on close', async () => {
      const schema = uniqueSchemaName('event_store_url');
      const own = new PostgresEventStore({ connection: databaseUrl(), schema });
      try {
        await own.appendToStream('inmate-1', [event('Registered')]);
        expect(await own.streamRevision('inmate-1')).toBe(0);
      } finally {
        await own.close();
        const admin = new Pool({ connectionString: databaseUrl(), max: 1 });
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
      }
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => new PostgresEventStore({ connection: db.pool, schema: 'events"; DROP TABLE x; --' })).toThrow(EventStoreConfigurationError);
    });
  });

  describe('notification in the appending transaction', () => {
    it('wakes a live subscription as well', async () => {
      const notifying = new PostgresEventStore({ connection: db.pool, schema: db.schema, notify: 'in-transaction', pollIntervalMs: 60_000 });
      const category = newCategory();
      const subscription = notifying.subscribeToAll({ filter: { categories: [category] } });
      const delivered: GlobalEvent[] = [];
      const reading = (async () => {
        for await (const e of subscription) delivered.push(e);
      })();
      try {
        // Let the subscription catch up and wait (its poll is a minute away: only NOTIFY wakes it).
        await new Promise((resolve) => setTimeout(resolve, 300));
        await notifying.appendToStream(`${category}-1`, [event('Admitted')]);
        // Bounded well below the poll.
        await eventually(() => (delivered.length === 1 ? true : undefined), { timeoutMs: 10_000, message: 'the notified event' });
      } finally {
        await notifying.close();
        await reading;
      }
    });
  });
});

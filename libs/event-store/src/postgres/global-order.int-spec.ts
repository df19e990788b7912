import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { Client, Pool } from 'pg';
// Integration tests of an adapter use the shared test infrastructure (a test-only dependency).
import { createTestSchema, databaseUrl, eventually, uniqueSchemaName } from '@custody/testing';
import type { TestSchema } from '@custody/testing';
import { readUntil } from '../contract/event-store.contract';
import { EventStoreOrderError } from '../errors';
import type { GlobalEvent, NewEvent } from '../port';
import { migrate } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

const run = promisify(execFile);

function event(type: string): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data: { n: randomUUID() }, metadata: { correlationId: randomUUID(), occurredAt: '2026-03-01T10:00:00Z' } };
}

function newCategory(): string {
  return `c${randomBytes(5).toString('hex')}`;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** An append as the code before the store-owned order made it (schema version 1's function, nothing else). */
async function appendAsVersion1(client: Pool | Client, schema: string, stream: string, events: NewEvent[]): Promise<void> {
  await client.query(`SELECT outcome FROM "${schema}".append_events($1, $2, 'any', NULL, $3::jsonb, NULL, false)`, [
    stream,
    stream.slice(0, stream.indexOf('-')),
    JSON.stringify(events),
  ]);
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A free TCP port on this host. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A second PostgreSQL cluster on this machine (pg_createcluster), with trust authentication. */
interface OtherCluster {
  url(database: string): string;
  drop(): Promise<void>;
}

async function startOtherCluster(): Promise<OtherCluster> {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)) : [];
  if (!existsSync('/usr/bin/pg_createcluster') || versions.length === 0) {
    throw new Error(
      'This test starts a second PostgreSQL cluster with pg_createcluster (postgresql-common) and needs pg_dump / psql of the ' +
        'same version: install them (Debian: postgresql-common and postgresql-<version>), and run the test as a user allowed to create clusters.',
    );
  }
  const version = versions.sort((a, b) => Number(b) - Number(a))[0];
  const name = `store_order_${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  await run('pg_createcluster', [version, name, '-p', String(port), '--start', '--', '--auth=trust']);
  return {
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    drop: async () => {
      await run('pg_dropcluster', [version, name, '--stop']);
    },
  };
}

/** pg_dump of one schema, restored by psql into `targetUrl`. */
async function dumpAndRestore(sourceUrl: string, schema: string, targetUrl: string): Promise<void> {
  const { stdout } = await run('pg_dump', ['--dbname', sourceUrl, '--schema', schema, '--no-owner', '--no-privileges'], { maxBuffer: 64 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    const child = execFile('psql', ['--dbname', targetUrl, '-v', 'ON_ERROR_STOP=1', '-q'], (error) => (error ? reject(error) : resolve()));
    child.stdin!.end(stdout);
  });
}

describe('PostgresEventStore: the global order belongs to the store', () => {
  let db: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestSchema('event_store_order');
    store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 60_000 });
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('a transaction open in another database, and an idle-in-transaction session, do not hold readers back', async () => {
    const admin = new Pool({ connectionString: databaseUrl(), max: 1 });
    const otherDatabase = `es_other_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${otherDatabase}`);
    const elsewhere = new Client({ connectionString: withDatabase(databaseUrl(), otherDatabase) });
    const idle = new Client({ connectionString: databaseUrl() });
    const category = newCategory();
    const subscription = store.subscribeToAll({ filter: { categories: [category] } });
    const delivered: GlobalEvent[] = [];
    const reading = (async () => {
      for await (const e of subscription) delivered.push(e);
    })();
    try {
      await elsewhere.connect();
      await idle.connect();
      await elsewhere.query('BEGIN');
      const { rows: otherXid } = await elsewhere.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      await idle.query('BEGIN');
      const { rows: idleXid } = await idle.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      // Let the subscription catch up and wait: its poll is a minute away, so only the NOTIFY wakes it.
      await new Promise((resolve) => setTimeout(resolve, 200));

      const fresh = event('Admitted');
      await store.appendToStream(`${category}-1`, [fresh]);
      expect((await collect(store.readCategory(category))).map((e) => e.id)).toEqual([fresh.id]);
      await eventually(() => (delivered.length === 1 ? true : undefined), { timeoutMs: 10_000, message: 'the fresh event delivered' });
      expect(delivered[0].id).toBe(fresh.id);

      // Both transactions were open throughout: each still has the transaction id it took.
      expect((await elsewhere.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows).toEqual(otherXid);
      expect((await idle.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')).rows).toEqual(idleXid);
      const { rows: states } = await admin.query<{ state: string }>(
        'SELECT state FROM pg_stat_activity WHERE backend_xid::text = ANY ($1) ORDER BY state',
        [[otherXid[0].xid, idleXid[0].xid]],
      );
      expect(states).toHaveLength(2);
    } finally {
      await subscription.stop();
      // The database made for this test is dropped even when the subscription failed.
      await reading.catch(() => undefined);
      await elsewhere.end().catch(() => undefined);
      await idle.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${otherDatabase} WITH (FORCE)`);
      await admin.end();
    }
  }, 30_000);

  it('a slow writer holds back nobody: later commits are handed out first, then its events, none skipped', async () => {
    const category = newCategory();
    const subscription = store.subscribeToAll({ filter: { categories: [category] } });
    const delivered: GlobalEvent[] = [];
    const reading = (async () => {
      for await (const e of subscription) delivered.push(e);
    })();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let onAppended!: () => void;
    const appended = new Promise<void>((resolve) => (onAppended = resolve));
    const slowEvent = event('Admitted');
    const slow = store.transaction(async (tx) => {
      await tx.appendToStream(`${category}-slow`, [slowEvent]);
      onAppended();
      await released;
    });
    await appended;
    const fast = [event('Moved'), event('Moved')];
    await store.appendToStream(`${category}-fast`, fast);
    await eventually(() => (delivered.length === 2 ? true : undefined), { timeoutMs: 10_000, message: 'the fast events while the slow writer is open' });
    const checkpointWhileOpen = delivered[1].checkpoint;
    release();
    await slow;
    await eventually(() => (delivered.length === 3 ? true : undefined), { timeoutMs: 10_000, message: 'the slow event after its commit' });
    await subscription.stop();
    await reading;
    expect(delivered.map((e) => e.id)).toEqual([fast[0].id, fast[1].id, slowEvent.id]);
    expect((await collect(store.readCategory(category, { from: checkpointWhileOpen }))).map((e) => e.id)).toEqual([slowEvent.id]);
    // Checkpoints are the store's own numbers, dense across the whole log.
    expect(BigInt(delivered[1].checkpoint)).toBe(BigInt(delivered[0].checkpoint) + 1n);
  }, 30_000);

  it("two instances on one store: each one's subscription gets the other's appends from the append's notification alone", async () => {
    // Both poll once a minute: only notifications can deliver within the wait. The sequencer sends
    // none of its own; each append's NOTIFY after commit must be enough for every instance, the one
    // that numbers and the one that waits on the store's lock for it.
    const otherPool = new Pool({ connectionString: databaseUrl(), max: 4 });
    const other = new PostgresEventStore({ connection: otherPool, schema: db.schema, pollIntervalMs: 60_000 });
    const category = newCategory();
    const subscriptions = [store, other].map((s) => s.subscribeToAll({ filter: { categories: [category] } }));
    const delivered: GlobalEvent[][] = [[], []];
    const reading = subscriptions.map(async (subscription, i) => {
      for await (const e of subscription) delivered[i].push(e);
    });
    try {
      const written: string[] = [];
      for (let round = 0; round < 20; round++) {
        const batch = [event('Moved'), event('Moved')];
        written.push(...batch.map((e) => e.id));
        await Promise.all([store.appendToStream(`${category}-a${round}`, [batch[0]]), other.appendToStream(`${category}-b${round}`, [batch[1]])]);
        await eventually(() => (delivered.every((d) => d.length === written.length) ? true : undefined), {
          timeoutMs: 10_000,
          message: `round ${round}: both instances deliver both appends (instance 1 has ${delivered[0].length}, instance 2 ${delivered[1].length} of ${written.length})`,
        });
      }
      expect(delivered[0].map((e) => e.id).sort()).toEqual([...written].sort());
      // The same order on both instances, dense positions.
      expect(delivered[1].map((e) => e.checkpoint)).toEqual(delivered[0].map((e) => e.checkpoint));
      expect(delivered[1].map((e) => e.id)).toEqual(delivered[0].map((e) => e.id));
    } finally {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await Promise.all(reading);
      await other.close();
      await otherPool.end();
    }
  }, 60_000);

  it('32 concurrent writers with random commit delays: every event once, each stream in order (property)', async () => {
    const pool = new Pool({ connectionString: databaseUrl(), max: 34 });
    const writers = new PostgresEventStore({ connection: pool, schema: db.schema, pollIntervalMs: 60_000 });
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ stream: fc.integer({ min: 0, max: 5 }), events: fc.integer({ min: 1, max: 3 }), delayMs: fc.integer({ min: 0, max: 40 }) }), {
            minLength: 32,
            maxLength: 32,
          }),
          async (plan) => {
            const category = newCategory();
            const subscription = store.subscribeToAll({ filter: { categories: [category] } });
            const delivered: GlobalEvent[] = [];
            const reading = (async () => {
              for await (const e of subscription) delivered.push(e);
            })();
            const written = await Promise.all(
              plan.map(async ({ stream, events, delayMs }) => {
                const batch = Array.from({ length: events }, () => event('Moved'));
                await writers.transaction(async (tx) => {
                  await tx.appendToStream(`${category}-${stream}`, batch);
                  await tx.query('SELECT pg_sleep($1)', [delayMs / 1000]);
                });
                return batch.map((e) => e.id);
              }),
            );
            const total = written.flat().length;
            await eventually(() => (delivered.length >= total ? true : undefined), { timeoutMs: 20_000, message: `all ${total} events delivered` });
            // Anything more would be a duplicate: give it a moment to show up.
            await new Promise((resolve) => setTimeout(resolve, 50));
            await subscription.stop();
            await reading;
            const ids = delivered.map((e) => e.id);
            expect(new Set(ids).size).toBe(ids.length);
            expect(new Set(ids)).toEqual(new Set(written.flat()));
            const revisions = new Map<string, number>();
            for (const e of delivered) {
              expect(e.revision).toBe((revisions.get(e.streamName) ?? -1) + 1);
              revisions.set(e.streamName, e.revision);
            }
            const checkpoints = delivered.map((e) => BigInt(e.checkpoint));
            expect(checkpoints.every((c, i) => i === 0 || c > checkpoints[i - 1])).toBe(true);
            expect((await collect(store.readCategory(category))).map((e) => e.id)).toEqual(ids);
          },
        ),
        { numRuns: 4 },
      );
    } finally {
      await writers.close();
      await pool.end();
    }
  }, 120_000);

  it('converts an old "<transaction id>:<position>" checkpoint exactly when it migrates a store of the old schema', async () => {
    const schema = uniqueSchemaName('event_store_legacy');
    const pool = new Pool({ connectionString: databaseUrl(), max: 4 });
    const upgraded = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 60_000 });
    const first = new Client({ connectionString: databaseUrl() });
    const second = new Client({ connectionString: databaseUrl() });
    try {
      await migrate(pool, schema, { toVersion: 1 });
      await first.connect();
      await second.connect();
      // Y takes its transaction id first; X takes a later one but inserts first (lower position):
      // the old order (transaction id, position) puts Y before X, position order X before Y.
      const x = event('Admitted');
      const y = event('Admitted');
      await appendAsVersion1(pool, schema, 'inmate-0', [event('Registered')]);
      await second.query('BEGIN');
      await second.query('SELECT pg_current_xact_id()');
      await first.query('BEGIN');
      await appendAsVersion1(first, schema, 'inmate-x', [x]);
      await appendAsVersion1(second, schema, 'inmate-y', [y]);
      await second.query('COMMIT');
      await first.query('COMMIT');
      const later = [event('Moved'), event('Moved')];
      await appendAsVersion1(pool, schema, 'inmate-z', later);
      const { rows: oldOrder } = await pool.query<{ event_id: string; checkpoint: string; position: string }>(
        `SELECT event_id, transaction_id::text || ':' || position AS checkpoint, position FROM "${schema}".events ORDER BY transaction_id, position`,
      );
      expect(oldOrder.map((r) => r.event_id).slice(1, 3)).toEqual([y.id, x.id]);
      expect(Number(oldOrder[1].position)).toBeGreaterThan(Number(oldOrder[2].position));
      const oldCheckpoint = oldOrder[1].checkpoint; // a reader that had handed out Y, not yet X

      await upgraded.migrate();
      const { rows: versions } = await pool.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(versions).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }]);
      const newer = event('Released');
      await upgraded.appendToStream('inmate-x', [newer]);

      const expected = [x.id, ...later.map((e) => e.id), newer.id];
      expect((await collect(upgraded.readAll({ from: oldCheckpoint }))).map((e) => e.id)).toEqual(expected);
      const subscription = upgraded.subscribeToAll({ fromCheckpoint: oldCheckpoint });
      const delivered: GlobalEvent[] = [];
      for await (const e of subscription) {
        delivered.push(e);
        if (delivered.length === expected.length) break;
      }
      expect(delivered.map((e) => e.id)).toEqual(expected);
      // The whole log from zero is the old order, then what came after.
      expect((await collect(upgraded.readAll())).map((e) => e.id)).toEqual([...oldOrder.map((r) => r.event_id), newer.id]);
    } finally {
      await first.end().catch(() => undefined);
      await second.end().catch(() => undefined);
      await upgraded.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    }
  }, 30_000);

  describe('pg_dump and restore into another cluster', () => {
    let other: OtherCluster;
    let admin: Pool;

    beforeAll(async () => {
      other = await startOtherCluster();
      admin = new Pool({ connectionString: other.url('postgres'), max: 1 });
    }, 60_000);

    afterAll(async () => {
      await admin?.end();
      await other?.drop();
    }, 60_000);

    async function newDatabase(): Promise<string> {
      const name = `restored_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return other.url(name);
    }

    it('every event once, in the original order, new after old, from zero and from a restored checkpoint', async () => {
      const schema = uniqueSchemaName('event_store_dump');
      const source = new PostgresEventStore({ connection: databaseUrl(), schema });
      let restored: PostgresEventStore | undefined;
      try {
        const original = [event('Registered'), event('Admitted'), event('Moved'), event('Moved'), event('Released')];
        await source.appendToStream('inmate-1', original.slice(0, 2));
        await source.appendToStream('inmate-2', original.slice(2, 3));
        await source.appendToStream('inmate-1', original.slice(3));
        const before = await collect(source.readAll());
        expect(before.map((e) => e.id)).toEqual(original.map((e) => e.id));
        const relayCheckpoint = before[2].checkpoint;

        const target = await newDatabase();
        await dumpAndRestore(databaseUrl(), schema, target);
        restored = new PostgresEventStore({ connection: target, schema });
        await restored.migrate();
        const fresh = [event('Admitted'), event('Moved')];
        await restored.appendToStream('inmate-3', fresh.slice(0, 1));
        await restored.appendToStream('inmate-1', fresh.slice(1));

        const all = await collect(restored.readAll());
        expect(all.map((e) => e.id)).toEqual([...original, ...fresh].map((e) => e.id));
        expect(all.map((e) => e.checkpoint).slice(0, 5)).toEqual(before.map((e) => e.checkpoint));
        expect((await collect(restored.readAll({ from: relayCheckpoint }))).map((e) => e.id)).toEqual([...original.slice(3), ...fresh].map((e) => e.id));
        expect((await collect(restored.readStream('inmate-1'))).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      } finally {
        await restored?.close();
        await source.close();
        const cleanup = new Pool({ connectionString: databaseUrl(), max: 1 });
        await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await cleanup.end();
      }
    }, 60_000);

    it('a store of the old schema restored and then written to by old code is refused at start, with the repair', async () => {
      const schema = uniqueSchemaName('event_store_dump_old');
      const pool = new Pool({ connectionString: databaseUrl(), max: 2 });
      let restored: PostgresEventStore | undefined;
      let targetPool: Pool | undefined;
      try {
        await migrate(pool, schema, { toVersion: 1 });
        const original = [event('Registered'), event('Admitted'), event('Moved')];
        await appendAsVersion1(pool, schema, 'inmate-1', original.slice(0, 2));
        await appendAsVersion1(pool, schema, 'inmate-2', original.slice(2));

        const target = await newDatabase();
        await dumpAndRestore(databaseUrl(), schema, target);
        targetPool = new Pool({ connectionString: target, max: 2 });
        const written = [event('Moved'), event('Released')];
        await appendAsVersion1(targetPool, schema, 'inmate-1', written.slice(0, 1));
        await appendAsVersion1(targetPool, schema, 'inmate-3', written.slice(1));

        restored = new PostgresEventStore({ connection: targetPool, schema });
        const refusal = await restored.migrate().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refusal).toBeInstanceOf(EventStoreOrderError);
        expect(refusal).toMatchObject({ code: 'GLOBAL_ORDER_BROKEN', unorderedEvents: 3 });
        expect((refusal as Error).message).toContain(`SELECT "${schema}".repair_order();`);
        await expect(collect(restored.readAll())).rejects.toBeInstanceOf(EventStoreOrderError);

        const { rows } = await targetPool.query<{ repaired: string }>(`SELECT "${schema}".repair_order() AS repaired`);
        expect(rows[0].repaired).toBe('5');
        await restored.migrate();
        const all = await readUntil(() => collect(restored!.readAll()), (events) => events.length >= 5);
        expect(all.map((e) => e.id)).toEqual([...original, ...written].map((e) => e.id));
      } finally {
        await restored?.close();
        await targetPool?.end();
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await pool.end();
      }
    }, 60_000);
  });
});

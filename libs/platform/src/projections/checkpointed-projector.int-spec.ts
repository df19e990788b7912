import { randomUUID } from 'node:crypto';
import { migrateSchema, PostgresEventStore, type GlobalEvent, type NewEvent, type PostgresTransaction } from '@custody/event-store';
import { createTestSchema, eventually, type TestSchema } from '@custody/testing';
import { CheckpointedProjector, type Projection } from './checkpointed-projector';

const READ_MODEL = {
  name: 'test-read-model',
  migrations: [
    {
      version: 1,
      name: 'counts and checkpoints',
      sql: (s: string) => `
        CREATE TABLE ${s}.projection_checkpoints (name text PRIMARY KEY, checkpoint text NOT NULL);
        CREATE TABLE ${s}.applied (event_id uuid PRIMARY KEY, stream text NOT NULL, tx xid8 NOT NULL DEFAULT pg_current_xact_id());
      `,
    },
  ],
};

/** Records each event of its categories as a row (a second application of one fails on the key). */
class Recording implements Projection {
  failOn?: string;
  constructor(readonly categories: string[]) {}

  async apply(event: GlobalEvent, tx: PostgresTransaction): Promise<void> {
    if (event.type === this.failOn) throw new Error(`cannot apply ${event.type}`);
    await tx.query(`INSERT INTO applied (event_id, stream) VALUES ($1, $2)`, [event.id, event.streamName]);
  }
}

const event = (type = 'Happened'): NewEvent => ({
  id: randomUUID(), type, schemaVersion: 1, data: {}, metadata: { correlationId: randomUUID(), occurredAt: '2026-03-01T10:00:00Z' },
});

describe('CheckpointedProjector (PostgreSQL)', () => {
  let db: TestSchema;
  let store: PostgresEventStore;
  const projectors: CheckpointedProjector[] = [];
  const projector = (projections: Projection[], name = 'test', batchSize?: number) => {
    const created = new CheckpointedProjector({ name, store, pool: db.pool, schema: db.schema, projections, batchSize });
    projectors.push(created);
    return created;
  };
  const applied = async () => (await db.pool.query<{ stream: string }>('SELECT stream FROM applied ORDER BY stream')).rows.map((r) => r.stream);
  const count = async () => Number((await db.pool.query('SELECT count(*) AS n FROM applied')).rows[0].n);

  beforeEach(async () => {
    db = await createTestSchema('projector');
    store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 100 });
    await store.migrate();
    await migrateSchema(db.pool, db.schema, READ_MODEL);
  });

  afterEach(async () => {
    await Promise.all(projectors.splice(0).map((p) => p.stop()));
    await store.close();
    await db.drop();
  });

  it('applies the events of its categories, from the start and then live, and stores the checkpoint', async () => {
    await store.appendToStream('case-1', [event(), event()]);
    await store.appendToStream('other-1', [event()]);
    const live = projector([new Recording(['case'])]);
    live.start();
    await eventually(async () => ((await count()) === 2 ? true : undefined), { message: 'the events written before' });
    await store.appendToStream('case-2', [event()]);
    await eventually(async () => ((await count()) === 3 ? true : undefined), { message: 'the live event' });
    expect(await applied()).toEqual(['case-1', 'case-1', 'case-2']);
    // The checkpoint is the global position of the last event of the log (the store numbers them).
    let last: string | undefined;
    for await (const e of store.readAll()) last = e.checkpoint;
    const checkpoint = await eventually(async () => ((await live.checkpoint()) === last ? last : undefined), { message: 'the checkpoint at the last event' });
    expect(checkpoint).toBe(last);
    expect(live.status()).toMatchObject({ name: 'test', applied: 3, isLive: true });
  });

  it('applies the events at hand as a batch: one transaction for several events, with the checkpoint', async () => {
    for (let i = 0; i < 30; i++) await store.appendToStream(`case-${i}`, [event(), event(), event(), event(), event()]);
    const batched = projector([new Recording(['case'])], 'batched', 40);
    batched.start();
    await eventually(async () => ((await count()) === 150 ? true : undefined), { message: 'the 150 events' });
    const { rows } = await db.pool.query<{ n: string; largest: string }>(
      'SELECT count(DISTINCT tx) AS n, max(size) AS largest FROM (SELECT tx, count(*) OVER (PARTITION BY tx) AS size FROM applied) t',
    );
    expect(Number(rows[0].n)).toBeLessThan(150);
    expect(Number(rows[0].largest)).toBeLessThanOrEqual(40);
    expect(Number(rows[0].largest)).toBeGreaterThan(1);
  });

  it('rolls back a batch that fails, checkpoint included, and resumes from the checkpoint once it can be applied', async () => {
    const recording = new Recording(['case']);
    recording.failOn = 'Poison';
    await store.appendToStream('case-1', [event()]);
    const failing = projector([recording]);
    failing.start();
    await eventually(async () => ((await count()) === 1 ? true : undefined));
    const before = await failing.checkpoint();
    await store.appendToStream('case-2', [event(), event('Poison'), event()]);
    // Several failed attempts, none of which kept anything.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await count()).toBe(1);
    expect(await failing.checkpoint()).toBe(before);
    recording.failOn = undefined;
    await eventually(async () => ((await count()) === 4 ? true : undefined), { timeoutMs: 10_000, message: 'the batch after the fix' });
    expect(await applied()).toEqual(['case-1', 'case-2', 'case-2', 'case-2']);
  });

  it('projects in one instance at a time; another takes over from the checkpoint when it stops, applying nothing twice', async () => {
    const first = projector([new Recording(['case'])], 'shared');
    const second = projector([new Recording(['case'])], 'shared');
    first.start();
    await eventually(() => (first.status().isLive ? true : undefined));
    second.start();
    await store.appendToStream('case-1', [event(), event()]);
    await eventually(async () => ((await count()) === 2 ? true : undefined));
    expect(second.status()).toMatchObject({ isLive: false, applied: 0 });

    await first.stop();
    expect(first.status().isLive).toBe(false);
    await store.appendToStream('case-2', [event()]);
    await eventually(async () => ((await count()) === 3 ? true : undefined), { timeoutMs: 10_000, message: 'the second instance taking over' });
    expect(second.status()).toMatchObject({ isLive: true, applied: 1 });
  });

  it('stops cleanly: stop resolves, and nothing is applied after it', async () => {
    const stopping = projector([new Recording(['case'])]);
    stopping.start();
    await eventually(() => (stopping.status().isLive ? true : undefined));
    await stopping.stop();
    await store.appendToStream('case-1', [event()]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await count()).toBe(0);
    expect(stopping.status().isLive).toBe(false);
  });

  it('catches up on demand from a reset checkpoint (a rebuild), in batches', async () => {
    for (let i = 0; i < 5; i++) await store.appendToStream(`case-${i}`, [event(), event(), event()]);
    await store.appendToStream('other-1', [event()]);
    // Global reads hand out no event behind a transaction still open on the server (another
    // client's): a catch-up reads what is readable, so wait until all fifteen are.
    await eventually(async () => {
      let readable = 0;
      for await (const recorded of store.readAll({ filter: { categories: ['case'] } })) if (recorded) readable++;
      return readable === 15 ? true : undefined;
    }, { message: 'the fifteen events to be readable' });
    const rebuild = projector([new Recording(['case'])], 'rebuild', 4);
    const first = await rebuild.catchUp();
    expect(first.events).toBe(15);
    expect(first.checkpoint).toBe(await rebuild.checkpoint());
    expect(await rebuild.catchUp()).toEqual({ events: 0, checkpoint: null });
    await store.transaction(async (tx) => {
      await tx.query('DELETE FROM applied');
      await rebuild.resetCheckpoint(tx);
    });
    expect(await rebuild.checkpoint()).toBeUndefined();
    expect((await rebuild.catchUp()).events).toBe(15);
    expect(await count()).toBe(15);
  });
});

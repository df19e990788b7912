import { randomUUID } from 'node:crypto';
import { CommandRejection } from '@custody/contracts';
import { PostgresEventStore, type PostgresTransaction } from '@custody/event-store';
// Integration tests of a library use the shared test infrastructure (a test-only dependency).
import { createTestSchema, type TestSchema } from '@custody/testing';
import type { Decider } from './decider';
import { handleCommand, inSavepoint, type StreamStore } from './handle-command';
import { KeptStates } from './kept-states';
import { loadState, type LoadedState } from './load-state';

type Event = { type: 'Counted'; data: { by: number } };
type Command = { type: 'Count'; by: number };
const counter: Decider<Command, Event, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command) => [{ type: 'Counted', data: { by: command.by } }],
};
const metadata = { correlationId: 'c-1', occurredAt: '2026-11-29T10:00:00.000Z' };

describe('the unit of work of a command, on PostgreSQL', () => {
  let db: TestSchema;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestSchema('event_sourcing_uow');
    store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 200 });
    await store.migrate();
    await db.pool.query('CREATE TABLE marks (stream text PRIMARY KEY, total int NOT NULL)');
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  /** One transaction per attempt; the hook gets it through the writer it is handed. */
  const inTransaction = <T>(work: (writer: StreamStore) => Promise<T>) => store.transaction((tx) => work(tx));

  it('runs the hook inside the transaction of the append, seeing the decided events', async () => {
    const stream = `counter-${randomUUID()}`;
    await handleCommand(store, stream, counter, { type: 'Count', by: 3 }, {
      metadata,
      unitOfWork: inTransaction,
      afterAppend: async (writer, { decided }) => {
        const tx = writer as PostgresTransaction;
        // The append is visible inside the transaction and not yet outside it.
        const inside = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.schema}".events WHERE stream_name = $1`, [stream]);
        const outside = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "${db.schema}".events WHERE stream_name = $1`, [stream]);
        expect([Number(inside.rows[0].n), Number(outside.rows[0].n)]).toEqual([1, 0]);
        await tx.query('INSERT INTO marks (stream, total) VALUES ($1, $2)', [stream, decided[0].data.by]);
      },
    });
    const { rows } = await db.pool.query('SELECT total FROM marks WHERE stream = $1', [stream]);
    expect(rows).toEqual([{ total: 3 }]);
    expect((await loadState(store, stream, counter)).state).toEqual({ total: 3 });
  });

  it('rolls the append back when the hook throws, and the caller gets the hook\'s rejection', async () => {
    const stream = `counter-${randomUUID()}`;
    await expect(
      handleCommand(store, stream, counter, { type: 'Count', by: 1 }, {
        metadata,
        unitOfWork: inTransaction,
        afterAppend: async (writer) => {
          await (writer as PostgresTransaction).query('INSERT INTO marks (stream, total) VALUES ($1, 1)', [stream]);
          throw new CommandRejection('TRANSFER_ALREADY_ACTIVE', 'Another case is open.');
        },
      }),
    ).rejects.toMatchObject({ code: 'TRANSFER_ALREADY_ACTIVE' });
    expect(await store.streamRevision(stream)).toBeUndefined();
    expect((await db.pool.query('SELECT total FROM marks WHERE stream = $1', [stream])).rows).toEqual([]);
  });

  it('appends the other streams in the same transaction: a conflict on one leaves none written, and the retry writes both', async () => {
    const stream = `counter-${randomUUID()}`;
    const other = `tally-${randomUUID()}`;
    await store.appendToStream(other, [{ id: randomUUID(), type: 'Counted', schemaVersion: 1, data: { by: 1 }, metadata }]);
    const revisions: Array<number | undefined> = [];
    let attempt = 0;
    const handled = await handleCommand(store, stream, counter, { type: 'Count', by: 2 }, {
      metadata,
      unitOfWork: inTransaction,
      prepare: async ({ decided }) => {
        revisions.push(await store.streamRevision(stream));
        return { also: [{ stream: other, events: [{ id: randomUUID(), type: 'Counted', schemaVersion: 1, data: decided[0].data, metadata }], expectedRevision: attempt++ === 0 ? 'no_stream' : 0 }] };
      },
    });
    expect(handled.attempts).toBe(2);
    // The first attempt's append of the command's stream was rolled back with the failed one.
    expect(revisions).toEqual([undefined, undefined]);
    expect((await loadState(store, stream, counter)).state).toEqual({ total: 2 });
    expect((await loadState(store, other, counter)).state).toEqual({ total: 3 });
  });

  it('in a savepoint of an open transaction, undoes a refused attempt alone and keeps the rest of the transaction', async () => {
    const stream = `counter-${randomUUID()}`;
    const kept = `kept-${randomUUID()}`;
    await store.transaction(async (tx) => {
      await tx.query('INSERT INTO marks (stream, total) VALUES ($1, 7)', [kept]);
      await expect(
        handleCommand(store, stream, counter, { type: 'Count', by: 1 }, {
          metadata,
          unitOfWork: inSavepoint(tx),
          afterAppend: async () => {
            throw new CommandRejection('TRANSFER_ALREADY_ACTIVE', 'Another case is open.');
          },
        }),
      ).rejects.toMatchObject({ code: 'TRANSFER_ALREADY_ACTIVE' });
      await handleCommand(store, stream, counter, { type: 'Count', by: 2 }, { metadata, unitOfWork: inSavepoint(tx) });
    });
    expect((await loadState(store, stream, counter)).state).toEqual({ total: 2 });
    expect((await db.pool.query('SELECT total FROM marks WHERE stream = $1', [kept])).rows).toEqual([{ total: 7 }]);
  });

  describe('decided on kept state (docs/adr/0021-commands-decided-on-kept-state.md)', () => {
    const noPause = { maxAttempts: 5, delayMs: () => 0, sleep: async () => { throw new Error('a stale kept state is no race: nothing should wait'); } };

    it('in a consumer\'s transaction: the second command of a stream sees the first, and the state is kept only when the transaction commits', async () => {
      const stream = `counter-${randomUUID()}`;
      const kept = new KeptStates<{ total: number }>();
      await handleCommand(store, stream, counter, { type: 'Count', by: 1 }, { metadata, kept });
      let seenInside: LoadedState<{ total: number }> | undefined;
      await store.transaction(async (tx) => {
        const inTx = { metadata, kept, retry: noPause, unitOfWork: inSavepoint(tx), afterCommit: (keep: () => void) => tx.afterCommit(keep) };
        await handleCommand(tx, stream, counter, { type: 'Count', by: 2 }, inTx);
        const second = await handleCommand(tx, stream, counter, { type: 'Count', by: 4 }, inTx);
        expect(second).toMatchObject({ state: { total: 7 }, revision: 2, attempts: 1 });
        seenInside = kept.get(stream);
      });
      expect(seenInside).toEqual({ state: { total: 1 }, revision: 0 });
      expect(kept.get(stream)).toEqual(await loadState(store, stream, counter));
      expect(kept.get(stream)?.revision).toBe(2);
    });

    it('a transaction that rolls back leaves the kept state as committed, and the next command appends on it', async () => {
      const stream = `counter-${randomUUID()}`;
      const kept = new KeptStates<{ total: number }>();
      await handleCommand(store, stream, counter, { type: 'Count', by: 1 }, { metadata, kept });
      await expect(store.transaction(async (tx) => {
        await handleCommand(tx, stream, counter, { type: 'Count', by: 50 }, {
          metadata, kept, unitOfWork: inSavepoint(tx), afterCommit: (keep) => tx.afterCommit(keep),
        });
        throw new Error('a later message of the batch failed');
      })).rejects.toThrow('a later message of the batch failed');
      expect(kept.get(stream)).toEqual({ state: { total: 1 }, revision: 0 });
      const next = await handleCommand(store, stream, counter, { type: 'Count', by: 2 }, { metadata, kept, unitOfWork: inTransaction, retry: noPause });
      expect(next).toMatchObject({ state: { total: 3 }, revision: 1 });
      expect((await loadState(store, stream, counter)).state).toEqual({ total: 3 });
    });

    it('a state kept by one instance and appended to by another: the append is refused on its revision and the command decided again on the stream', async () => {
      const stream = `counter-${randomUUID()}`;
      const other = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 200 });
      try {
        const kept = new KeptStates<{ total: number }>();
        await handleCommand(store, stream, counter, { type: 'Count', by: 1 }, { metadata, kept, unitOfWork: inTransaction });
        await handleCommand(other, stream, counter, { type: 'Count', by: 10 }, { metadata });
        const handled = await handleCommand(store, stream, counter, { type: 'Count', by: 100 }, { metadata, kept, unitOfWork: inTransaction, retry: noPause });
        expect(handled).toMatchObject({ state: { total: 111 }, revision: 2, attempts: 1 });
        expect((await loadState(store, stream, counter)).state).toEqual({ total: 111 });
      } finally {
        await other.close();
      }
    });
  });
});

import { CommandRejection } from '@custody/contracts';
import { MemoryEventStore, WrongExpectedRevisionError } from '@custody/event-store';
import { StreamBatcher } from './batching';
import type { Decider } from './decider';
import { deterministicId } from './ids';
import { loadState } from './load-state';
import { retryPolicy } from './retry';

type Event = { type: 'Reserved'; data: { by: string } };
type Command = { type: 'Reserve'; by: string };
const places = (capacity: number): Decider<Command, Event, { taken: number }> => ({
  initialState: () => ({ taken: 0 }),
  evolve: (state) => ({ taken: state.taken + 1 }),
  decide: (command, state) => {
    if (state.taken >= capacity) throw new CommandRejection('CAPACITY_EXHAUSTED', 'No place is free.');
    return [{ type: 'Reserved', data: { by: command.by } }];
  },
});
const metadata = { correlationId: 'c-1', occurredAt: '2026-11-29T10:00:00.000Z' };

function counting(store: MemoryEventStore) {
  const appends: number[] = [];
  return {
    appends,
    writer: {
      appendToStream: (...args: Parameters<MemoryEventStore['appendToStream']>) => {
        appends.push(args[1].length);
        return store.appendToStream(...args);
      },
    },
  };
}

/** A reader that records where each read of a stream began. */
function countingReads(store: MemoryEventStore) {
  const reads: Array<number | undefined> = [];
  const reader = {
    readStream: (stream: string, options?: { from?: number }) => {
      reads.push(options?.from);
      return store.readStream(stream, options);
    },
  };
  return { reader, reads };
}

describe('the batched write path of a hot stream', () => {
  it('decides simultaneous commands together and appends them in one write, each with its own events or rejection', async () => {
    const store = new MemoryEventStore();
    const { writer, appends } = counting(store);
    const batcher = new StreamBatcher(store, writer, places(3), { batchSize: 10 });
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((by) => batcher.execute('facility-1', { type: 'Reserve', by }, metadata, (i) => deterministicId(`${by}/${i}`))),
    );
    // The first command drains alone; the four that queued meanwhile make one append.
    expect(appends).toEqual([1, 2]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    const first = outcomes[0] as PromiseFulfilledResult<Array<{ id: string }>>;
    expect(first.value.map((e) => e.id)).toEqual([deterministicId('a/0')]);
    expect(((outcomes[3] as PromiseRejectedResult).reason as CommandRejection).code).toBe('CAPACITY_EXHAUSTED');
    expect((await loadState(store, 'facility-1', places(3))).state).toEqual({ taken: 3 });
  });

  it('keeps batches to the batch size', async () => {
    const store = new MemoryEventStore();
    const { writer, appends } = counting(store);
    const batcher = new StreamBatcher(store, writer, places(100), { batchSize: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((by) => batcher.execute('facility-1', { type: 'Reserve', by }, metadata, (i) => deterministicId(`${by}/${i}`))));
    expect(Math.max(...appends)).toBeLessThanOrEqual(2);
    expect(appends.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('decides the batch again on what another process appended, reading only that', async () => {
    const store = new MemoryEventStore();
    const { reader, reads } = countingReads(store);
    const batcher = new StreamBatcher(reader, store, places(2), { batchSize: 10, retry: retryPolicy({ sleep: async () => undefined }) });
    await batcher.execute('facility-1', { type: 'Reserve', by: 'a' }, metadata, (i) => deterministicId(`a/${i}`));
    // Another instance takes the last place.
    await store.appendToStream('facility-1', [{ id: deterministicId('x/0'), type: 'Reserved', schemaVersion: 1, data: { by: 'x' }, metadata }], { expectedRevision: 0 });
    await expect(batcher.execute('facility-1', { type: 'Reserve', by: 'b' }, metadata, (i) => deterministicId(`b/${i}`))).rejects.toMatchObject({ code: 'CAPACITY_EXHAUSTED' });
    expect(reads).toEqual([undefined, 1]);
    expect((await batcher.load('facility-1')).revision).toBe(1);
  });

  it('decides a batch on the state kept of the stream without reading it, and reads when a refusal must be confirmed', async () => {
    const store = new MemoryEventStore();
    const { reader, reads } = countingReads(store);
    const batcher = new StreamBatcher(reader, store, places(3), { batchSize: 10 });
    for (const by of ['a', 'b', 'c']) await batcher.execute('facility-1', { type: 'Reserve', by }, metadata, (i) => deterministicId(`${by}/${i}`));
    expect(reads).toEqual([undefined]);
    expect(batcher.kept.get('facility-1')).toEqual(await loadState(store, 'facility-1', places(3)));
    await expect(batcher.execute('facility-1', { type: 'Reserve', by: 'd' }, metadata, (i) => deterministicId(`d/${i}`))).rejects.toMatchObject({ code: 'CAPACITY_EXHAUSTED' });
    expect(reads).toEqual([undefined, 3]);
  });

  it('runs each command\'s onApplied in the batch\'s unit of work with its own events, for the commands that decided some', async () => {
    const store = new MemoryEventStore();
    const units: string[] = [];
    const unitOfWork = async <T>(work: (unit: MemoryEventStore) => Promise<T>) => {
      units.push('open');
      return work(store);
    };
    const batcher = new StreamBatcher(store, store, places(2), { batchSize: 10, unitOfWork });
    const seen: Array<[string, string[]]> = [];
    const hook = (by: string) => async (unit: unknown, events: Array<{ id: string }>) => {
      expect(unit).toBe(store);
      seen.push([by, events.map((e) => e.id)]);
    };
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c'].map((by) => batcher.execute('facility-1', { type: 'Reserve', by }, metadata, (i) => deterministicId(`${by}/${i}`), hook(by))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(seen).toEqual([['a', [deterministicId('a/0')]], ['b', [deterministicId('b/0')]]]);
    expect(units.length).toBeGreaterThanOrEqual(1);
  });

  it('applies each command of a failed batch again alone, so that one command\'s failure is not the others\'', async () => {
    const store = new MemoryEventStore();
    const batcher = new StreamBatcher(store, store, places(10), { batchSize: 10, unitOfWork: transactional(store) });
    const refuse = async () => {
      throw new Error('b was answered meanwhile');
    };
    // 'a' drains alone; 'b', 'c' and 'd' queue and make one batch, which 'b' fails.
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((by) => batcher.execute('facility-1', { type: 'Reserve', by }, metadata, (i) => deterministicId(`${by}/${i}`), by === 'b' ? refuse : undefined)),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as Error).message).toBe('b was answered meanwhile');
    expect((await loadState(store, 'facility-1', places(10))).state).toEqual({ taken: 3 });
  });
});

/** A unit of work over the memory store: appends checked when made and written only when the whole work succeeded. */
function transactional(store: MemoryEventStore) {
  return async <T>(work: (unit: MemoryEventStore) => Promise<T>): Promise<T> => {
    const staged: Array<Parameters<MemoryEventStore['appendToStream']>> = [];
    const unit = Object.create(store, {
      appendToStream: {
        value: async (...args: Parameters<MemoryEventStore['appendToStream']>) => {
          const [stream, events, options] = args;
          const actual = await store.streamRevision(stream);
          const expected = options?.expectedRevision ?? 'any';
          if (expected !== 'any' && expected !== (actual ?? 'no_stream')) throw new WrongExpectedRevisionError(stream, expected, actual ?? 'no_stream');
          staged.push(args);
          return { nextExpectedRevision: (actual ?? -1) + events.length, position: 0n };
        },
      },
    }) as MemoryEventStore;
    const value = await work(unit);
    for (const append of staged) await store.appendToStream(...append);
    return value;
  };
}

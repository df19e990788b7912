import { randomUUID } from 'node:crypto';
import { CommandRejection } from '@custody/contracts';
import { MemoryEventStore, WrongExpectedRevisionError, type NewEvent, type ReadStreamOptions } from '@custody/event-store';
import type { Decider } from './decider';
import { handleCommand, type CommandObserver } from './handle-command';
import { deterministicId } from './ids';
import { loadState } from './load-state';
import { retryPolicy } from './retry';

type Event = { type: 'Counted'; data: { by: number } };
type Command = { type: 'Count'; by: number; limit: number };
const counter: Decider<Command, Event, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command, state) => {
    if (state.total + command.by > command.limit) throw new CommandRejection('CAPACITY_EXHAUSTED', 'The limit is reached.');
    return [{ type: 'Counted', data: { by: command.by } }];
  },
};
const metadata = { correlationId: 'c-1', occurredAt: '2026-11-29T10:00:00.000Z' };
const count = (by: number, limit = 100): Command => ({ type: 'Count', by, limit });
const counted = (by: number): NewEvent => ({ id: randomUUID(), type: 'Counted', schemaVersion: 1, data: { by }, metadata });
const noPause = () => retryPolicy({ maxAttempts: 5, sleep: async () => undefined });

/** A store where another writer appends one event before each of ours, and which counts what is read and tried. */
function racingStore(store = new MemoryEventStore(), races = Infinity) {
  const log = { appends: 0, reads: [] as Array<{ from: number | undefined; events: number }> };
  let raced = 0;
  const racing = {
    async *readStream(stream: string, options?: ReadStreamOptions) {
      const read = { from: options?.from, events: 0 };
      log.reads.push(read);
      for await (const event of store.readStream(stream, options)) {
        read.events++;
        yield event;
      }
    },
    async appendToStream(...args: Parameters<MemoryEventStore['appendToStream']>) {
      log.appends++;
      if (raced++ < races) await store.appendToStream(args[0], [counted(0)]);
      return store.appendToStream(...args);
    },
  };
  return { store, racing, log };
}

describe('the write path: load, decide, append', () => {
  it('appends what the decider decides, from the state the stream folds into', async () => {
    const store = new MemoryEventStore();
    await handleCommand(store, 'counter-1', counter, count(2, 10), { metadata });
    const second = await handleCommand(store, 'counter-1', counter, count(3, 10), { metadata });
    expect(second.state).toEqual({ total: 5 });
    expect(second.revision).toBe(1);
    expect(second.attempts).toBe(1);
  });

  it('the state it returns folds the new events dated as they are stored, as a read of the stream would', async () => {
    const dated: Decider<Command, Event & { occurredAt?: string }, { dates: Array<string | undefined> }> = {
      initialState: () => ({ dates: [] }),
      evolve: (state, event) => ({ dates: [...state.dates, event.occurredAt] }),
      decide: (command) => [{ type: 'Counted', data: { by: command.by } }],
    };
    const store = new MemoryEventStore();
    const handled = await handleCommand(store, 'counter-1', dated, count(1), { metadata });
    expect(handled.state).toEqual({ dates: [metadata.occurredAt] });
    expect((await loadState(store, 'counter-1', dated)).state).toEqual(handled.state);
  });

  it('a rejection writes nothing', async () => {
    const store = new MemoryEventStore();
    await expect(handleCommand(store, 'counter-1', counter, count(11, 10), { metadata })).rejects.toThrow(CommandRejection);
    expect(await store.streamRevision('counter-1')).toBeUndefined();
  });

  it('concurrent commands retry from the fresh state: the rule holds across writers', async () => {
    const store = new MemoryEventStore();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => handleCommand(store, 'counter-1', counter, count(1, 5), { metadata, retry: retryPolicy({ maxAttempts: 20 }) })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.map((o) => (o.reason as CommandRejection).code)).toEqual(['CAPACITY_EXHAUSTED', 'CAPACITY_EXHAUSTED', 'CAPACITY_EXHAUSTED']);
  });

  it('makes maxAttempts attempts in all, then answers CONCURRENCY_CONFLICT with that number', async () => {
    const { racing, log } = racingStore();
    await expect(handleCommand(racing, 'counter-1', counter, count(1), { metadata, retry: retryPolicy({ maxAttempts: 3, sleep: async () => undefined }) }))
      .rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', details: { attempts: 3 } });
    expect(log.appends).toBe(3);
  });

  it('with one attempt, tries once and never waits', async () => {
    const { racing, log } = racingStore();
    const sleep = jest.fn(async () => undefined);
    await expect(handleCommand(racing, 'counter-1', counter, count(1), { metadata, retry: retryPolicy({ maxAttempts: 1, sleep }) })).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
    });
    expect(log.appends).toBe(1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('waits between attempts, as the policy says, and not after the last one', async () => {
    const { racing } = racingStore();
    const sleep = jest.fn(async (_ms: number) => undefined);
    const retry = retryPolicy({ maxAttempts: 4, baseDelayMs: 2, random: () => 0.5, sleep });
    await expect(handleCommand(racing, 'counter-1', counter, count(1), { metadata, retry })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([1, 2, 4]);
  });

  it('on a conflict, reads only the events it missed and folds them onto the state it had', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream('counter-1', Array.from({ length: 10 }, () => counted(1)));
    const { racing, log } = racingStore(store, 2);
    const handled = await handleCommand(racing, 'counter-1', counter, count(5), { metadata, retry: noPause() });
    expect(handled.attempts).toBe(3);
    expect(log.reads).toEqual([
      { from: undefined, events: 10 },
      { from: 10, events: 1 },
      { from: 11, events: 1 },
    ]);
    expect(handled.state).toEqual({ total: 15 });
    expect(handled.revision).toBe(12);
    expect((await loadState(store, 'counter-1', counter)).state).toEqual({ total: 15 });
  });

  it('starts from a known state and reads only what follows it', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream('counter-1', [counted(4), counted(1)]);
    const { racing, log } = racingStore(store, 0);
    const handled = await handleCommand(racing, 'counter-1', counter, count(1), { metadata, known: { state: { total: 4 }, revision: 0 } });
    expect(log.reads).toEqual([{ from: 1, events: 1 }]);
    expect(handled.state).toEqual({ total: 6 });
  });

  it('records the outcome and the append duration with the observer', async () => {
    const store = new MemoryEventStore();
    const observer: CommandObserver & { calls: unknown[][] } = {
      calls: [],
      command(...args) {
        this.calls.push(['command', ...args]);
      },
      appendSeconds(category, seconds) {
        this.calls.push(['append', category, typeof seconds]);
      },
    };
    await handleCommand(store, 'counter-1', counter, count(1, 1), { metadata, observer });
    await expect(handleCommand(store, 'counter-1', counter, count(1, 1), { metadata, observer })).rejects.toThrow(CommandRejection);
    expect(observer.calls).toEqual([
      ['append', 'counter', 'number'],
      ['command', 'Count', 'accepted', ''],
      ['command', 'Count', 'rejected', 'CAPACITY_EXHAUSTED'],
    ]);
  });

  it('derives event ids with the given function, so a re-sent command is recognised', async () => {
    const store = new MemoryEventStore();
    const handled = await handleCommand(store, 'counter-1', counter, count(1), { metadata, eventId: (i) => deterministicId(`cmd-1/${i}`) });
    expect(handled.events.map((e) => e.id)).toEqual([deterministicId('cmd-1/0')]);
  });
});

/**
 * A unit of work over the memory store, which has no transactions: appends are checked against
 * the expected revision when made, and written only when the whole work succeeded.
 */
function transactional(store: MemoryEventStore) {
  return async <T>(work: (writer: Pick<MemoryEventStore, 'appendToStream'>) => Promise<T>): Promise<T> => {
    const staged: Array<Parameters<MemoryEventStore['appendToStream']>> = [];
    const value = await work({
      appendToStream: async (stream, events, options) => {
        const actual = await store.streamRevision(stream);
        const expected = options?.expectedRevision ?? 'any';
        if (expected !== 'any' && expected !== (actual ?? 'no_stream')) throw new WrongExpectedRevisionError(stream, expected, actual ?? 'no_stream');
        staged.push([stream, events, options]);
        return { nextExpectedRevision: (actual ?? -1) + events.length, position: 0n };
      },
    });
    for (const append of staged) await store.appendToStream(...append);
    return value;
  };
}

describe('the hooks of the unit of work', () => {
  it('runs afterAppend after the append with the decided events, and prepare before it', async () => {
    const store = new MemoryEventStore();
    const order: string[] = [];
    await handleCommand(store, 'counter-1', counter, count(2), {
      metadata,
      prepare: async ({ decided, revision }) => {
        order.push(`prepare ${decided.length} at ${revision}`);
      },
      afterAppend: async (writer, { decided }) => {
        order.push(`after ${decided.map((e) => e.data.by).join()} with ${await store.streamRevision('counter-1')}`);
        expect(writer).toBe(store);
      },
    });
    expect(order).toEqual(['prepare 1 at undefined', 'after 2 with 0']);
  });

  it('appends to the other streams of the decision in the same unit of work, and retries when one of them moved', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream('tally-1', [counted(1)]);
    let attempt = 0;
    const handled = await handleCommand(store, 'counter-1', counter, count(2), {
      metadata,
      retry: noPause(),
      unitOfWork: transactional(store),
      prepare: async ({ decided }) => ({
        // The first attempt holds a stale revision of the other stream.
        also: [{ stream: 'tally-1', events: [counted(decided[0].data.by)], expectedRevision: attempt++ === 0 ? 'no_stream' : 0 }],
      }),
    });
    expect(handled.attempts).toBe(2);
    expect(handled.also.map((a) => a.stream)).toEqual(['tally-1']);
    expect((await loadState(store, 'tally-1', counter)).state).toEqual({ total: 3 });
    expect((await loadState(store, 'counter-1', counter)).state).toEqual({ total: 2 });
  });

  it('retries when the guard after the append reports a conflict, and lets its rejection through', async () => {
    const store = new MemoryEventStore();
    let guards = 0;
    const afterAppend = async () => {
      guards++;
      if (guards === 1) throw new WrongExpectedRevisionError('tally-1', 0, 1);
      if (guards === 2) throw new CommandRejection('TRANSFER_ALREADY_ACTIVE', 'Another case is open.');
    };
    const units: string[] = [];
    const unitOfWork = async <T>(work: (w: MemoryEventStore) => Promise<T>) => {
      units.push('open');
      return work(store);
    };
    await expect(handleCommand(store, 'counter-1', counter, count(1), { metadata, retry: noPause(), unitOfWork, afterAppend }))
      .rejects.toMatchObject({ code: 'TRANSFER_ALREADY_ACTIVE' });
    expect(guards).toBe(2);
    expect(units).toEqual(['open', 'open']);
  });

  it('runs onApplied last in the unit of work, with what the handler returns: the state after the events and the revision', async () => {
    const store = new MemoryEventStore();
    await handleCommand(store, 'counter-1', counter, count(2), { metadata });
    const seen: unknown[] = [];
    const handled = await handleCommand(store, 'counter-1', counter, count(3), {
      metadata,
      unitOfWork: transactional(store),
      afterAppend: async () => {
        seen.push('afterAppend');
      },
      onApplied: async (_unit, done) => {
        seen.push({ state: done.state, revision: done.revision, events: done.events.length });
      },
    });
    expect(seen).toEqual(['afterAppend', { state: { total: 5 }, revision: 1, events: 1 }]);
    expect({ state: handled.state, revision: handled.revision }).toEqual({ state: { total: 5 }, revision: 1 });
  });

  it('rolls the appends back when onApplied throws, and does not call it for a command that decides nothing', async () => {
    const store = new MemoryEventStore();
    await expect(handleCommand(store, 'counter-1', counter, count(1), {
      metadata,
      unitOfWork: transactional(store),
      onApplied: async () => {
        throw new Error('the answer could not be recorded');
      },
    })).rejects.toThrow('the answer could not be recorded');
    expect(await store.streamRevision('counter-1')).toBeUndefined();
    const nothing: Decider<Command, Event, { total: number }> = { ...counter, decide: () => [] };
    let calls = 0;
    await handleCommand(store, 'counter-1', nothing, count(1), { metadata, onApplied: async () => void calls++ });
    expect(calls).toBe(0);
  });

  it('with a writer it cannot undo, throws what failed after its own append as it is, and never retries it', async () => {
    const store = new MemoryEventStore();
    let guards = 0;
    await expect(handleCommand(store, 'counter-1', counter, count(1), {
      metadata,
      retry: noPause(),
      writer: store,
      afterAppend: async () => {
        guards++;
        throw new WrongExpectedRevisionError('tally-1', 0, 1);
      },
    })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(guards).toBe(1);
  });
});

import { randomUUID } from 'node:crypto';
import { CommandRejection } from '@custody/contracts';
import { MemoryEventStore, type NewEvent, type ReadStreamOptions } from '@custody/event-store';
import type { Decider } from './decider';
import { handleCommand, type CommandObserver, type UnitOfWork } from './handle-command';
import { InvalidKeptStatesError, KeptStates } from './kept-states';
import { loadState } from './load-state';
import { retryPolicy } from './retry';

type Event = { type: 'Counted'; data: { by: number; note?: string } };
type Command = { type: 'Count'; by: number; limit: number };
type State = { total: number; notes: string[] };
const counter: Decider<Command, Event, State> = {
  initialState: () => ({ total: 0, notes: [] }),
  evolve: (state, event) => ({ total: state.total + event.data.by, notes: event.data.note === undefined ? state.notes : [...state.notes, event.data.note] }),
  decide: (command, state) => {
    if (command.by === 0) return [];
    if (state.total + command.by > command.limit) throw new CommandRejection('CAPACITY_EXHAUSTED', 'The limit is reached.');
    return [{ type: 'Counted', data: { by: command.by } }];
  },
};
const metadata = { correlationId: 'c-1', occurredAt: '2026-12-08T10:00:00.000Z' };
const count = (by: number, limit = 100): Command => ({ type: 'Count', by, limit });
const counted = (by: number): NewEvent => ({ id: randomUUID(), type: 'Counted', schemaVersion: 1, data: { by }, metadata });
const noPause = () => retryPolicy({ maxAttempts: 5, sleep: async () => { throw new Error('a stale kept state is no race: nothing should wait'); } });

/** A store that counts the reads of each stream. */
function countingReads(store = new MemoryEventStore()) {
  const reads: Array<{ stream: string; from: number | undefined }> = [];
  const reader = {
    readStream(stream: string, options?: ReadStreamOptions) {
      reads.push({ stream, from: options?.from });
      return store.readStream(stream, options);
    },
    appendToStream: (...args: Parameters<MemoryEventStore['appendToStream']>) => store.appendToStream(...args),
  };
  return { store, reader, reads };
}

/** A unit of work that commits only when `commit()` is called, as a consumer's transaction does after its batch. */
function laterCommit() {
  const callbacks: Array<() => void> = [];
  return {
    afterCommit: (callback: () => void) => callbacks.push(callback),
    commit: () => callbacks.splice(0).forEach((callback) => callback()),
    rollBack: () => callbacks.splice(0),
  };
}

describe('KeptStates', () => {
  it('keeps the newest revision of a stream and forgets the least recently used beyond its capacity', () => {
    const kept = new KeptStates<number>(2);
    kept.keep('a', { state: 1, revision: 1 });
    kept.keep('a', { state: 0, revision: 0 });
    expect(kept.get('a')).toEqual({ state: 1, revision: 1 });
    kept.keep('b', { state: 2, revision: 0 });
    kept.get('a');
    kept.keep('c', { state: 3, revision: 0 });
    expect(kept.get('b')).toBeUndefined();
    expect(kept.get('a')?.state).toBe(1);
    expect(kept.get('c')?.state).toBe(3);
    kept.keep('d', { state: 4, revision: undefined });
    expect(kept.get('d')).toBeUndefined();
    kept.forget('a');
    expect(kept.size).toBe(1);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new KeptStates(0)).toThrow(InvalidKeptStatesError);
    expect(() => new KeptStates(1.5)).toThrow(InvalidKeptStatesError);
  });
});

describe('commands decided on kept state', () => {
  it('decides a kept stream without reading it, and keeps the state after its events as a read would give it', async () => {
    const { store, reader, reads } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(2), { metadata, kept });
    expect(reads).toHaveLength(1);
    const second = await handleCommand(reader, 'counter-1', counter, count(3), { metadata, kept });
    expect(reads).toHaveLength(1);
    expect(second.state.total).toBe(5);
    expect(kept.get('counter-1')).toEqual({ ...(await loadState(store, 'counter-1', counter)), revision: 1 });
  });

  it('keeps the events as stored: what prepare put in their place, not what the decider returned', async () => {
    const { store, reader } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(2), {
      metadata, kept, prepare: async ({ events }) => ({ events: events.map((e) => ({ ...e, data: { ...(e.data as object), note: 'sealed' } })) }),
    });
    expect(kept.get('counter-1')?.state).toEqual({ total: 2, notes: ['sealed'] });
    expect(kept.get('counter-1')?.state).toEqual((await loadState(store, 'counter-1', counter)).state);
  });

  it('a stale kept state that decides events loses on the expected revision, reads what it missed and decides again at once', async () => {
    const { store, reader, reads } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(2), { metadata, kept });
    await store.appendToStream('counter-1', [counted(5)]); // another instance
    const handled = await handleCommand(reader, 'counter-1', counter, count(1), { metadata, kept, retry: noPause() });
    expect(reads.map((r) => r.from)).toEqual([undefined, 1]);
    expect(handled).toMatchObject({ state: { total: 8 }, revision: 2, attempts: 1 });
    expect(kept.get('counter-1')?.revision).toBe(2);
  });

  it('a kept state ahead of the stream (its database restored under the running process) is dropped and the stream read whole', async () => {
    const { store, reader, reads } = countingReads();
    const kept = new KeptStates<State>();
    for (const by of [1, 2, 3]) await handleCommand(reader, 'counter-1', counter, count(by), { metadata, kept });
    expect(kept.get('counter-1')?.revision).toBe(2);
    // The restored store holds the first event only.
    const restored = new MemoryEventStore();
    for await (const event of store.readStream('counter-1', { maxCount: 1 })) await restored.appendToStream('counter-1', [event]);
    const onRestored = countingReads(restored);
    const handled = await handleCommand(onRestored.reader, 'counter-1', counter, count(10), { metadata, kept, retry: noPause() });
    expect(handled).toMatchObject({ state: { total: 11 }, revision: 1, attempts: 1 });
    expect(onRestored.reads.map((r) => r.from)).toEqual([3, undefined]);
    expect(kept.get('counter-1')).toEqual(await loadState(restored, 'counter-1', counter));
    expect(reads).toHaveLength(1);
  });

  it('a rejection on a stale kept state is taken again on the stream as read: the command the kept state refused is accepted', async () => {
    const { store, reader } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(9, 10), { metadata, kept });
    // Kept says 9 of 10 taken; another instance has given 5 back.
    await store.appendToStream('counter-1', [counted(-5)]);
    const observer: CommandObserver & { calls: unknown[][] } = {
      calls: [], command: (...args) => observer.calls.push(args), appendSeconds: () => undefined,
    };
    const handled = await handleCommand(reader, 'counter-1', counter, count(3, 10), { metadata, kept, observer });
    expect(handled.state.total).toBe(7);
    expect(observer.calls).toEqual([['Count', 'accepted', '']]);
  });

  it('a rejection that the stream as read confirms stands, recorded once', async () => {
    const { reader, reads } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(9, 10), { metadata, kept });
    const observer: CommandObserver & { calls: unknown[][] } = {
      calls: [], command: (...args) => observer.calls.push(args), appendSeconds: () => undefined,
    };
    await expect(handleCommand(reader, 'counter-1', counter, count(3, 10), { metadata, kept, observer })).rejects.toMatchObject({ code: 'CAPACITY_EXHAUSTED' });
    expect(reads.map((r) => r.from)).toEqual([undefined, 1]);
    expect(observer.calls).toEqual([['Count', 'rejected', 'CAPACITY_EXHAUSTED']]);
  });

  it('a decision of nothing on kept state is taken again on the stream as read', async () => {
    const { reader, reads } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(1), { metadata, kept });
    const handled = await handleCommand(reader, 'counter-1', counter, count(0), { metadata, kept });
    expect(handled.events).toEqual([]);
    expect(reads).toHaveLength(2);
  });

  it('keeps nothing of a unit of work that rolled back, and only on commit of one that commits later', async () => {
    const { store, reader, reads } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(1), { metadata, kept });
    const tx = laterCommit();
    // A unit of work whose append is rolled back after the handler returned (the consumer's transaction failed later).
    const written: NewEvent[] = [];
    const unitOfWork: UnitOfWork = (work) => work({ appendToStream: async (_stream, events) => { written.push(...events); return { nextExpectedRevision: 1, position: { commit: 0n, prepare: 0n } } as never; } });
    await handleCommand(reader, 'counter-1', counter, count(4), { metadata, kept, unitOfWork, afterCommit: tx.afterCommit });
    expect(written).toHaveLength(1);
    tx.rollBack();
    expect(kept.get('counter-1')).toEqual({ state: { total: 1, notes: [] }, revision: 0 });
    await handleCommand(reader, 'counter-1', counter, count(2), { metadata, kept, unitOfWork: (work) => work(store), afterCommit: tx.afterCommit });
    expect(kept.get('counter-1')?.revision).toBe(0);
    tx.commit();
    expect(kept.get('counter-1')).toEqual({ state: { total: 3, notes: [] }, revision: 1 });
    expect(reads).toHaveLength(1);
  });

  it('concurrent commands on one kept stream keep the rule and end with the newest state kept', async () => {
    const { store, reader } = countingReads();
    const kept = new KeptStates<State>();
    await handleCommand(reader, 'counter-1', counter, count(1, 5), { metadata, kept });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => handleCommand(reader, 'counter-1', counter, count(1, 5), { metadata, kept, retry: retryPolicy({ maxAttempts: 20 }) })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(4);
    const stored = await loadState(store, 'counter-1', counter);
    expect(stored.state.total).toBe(5);
    expect(kept.get('counter-1')).toEqual(stored);
  });
});

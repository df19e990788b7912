import { MemoryEventStore } from '@custody/event-store';
import { CommandRejection } from '@custody/contracts';
import { handleCommand, type Decider } from './decider';

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

describe('the write path: load, decide, append', () => {
  it('appends what the decider decides, from the state the stream folds into', async () => {
    const store = new MemoryEventStore();
    await handleCommand(store, 'counter-1', counter, { type: 'Count', by: 2, limit: 10 }, { metadata });
    const second = await handleCommand(store, 'counter-1', counter, { type: 'Count', by: 3, limit: 10 }, { metadata });
    expect(second.state).toEqual({ total: 5 });
    expect(second.revision).toBe(1);
  });

  it('a rejection writes nothing', async () => {
    const store = new MemoryEventStore();
    await expect(handleCommand(store, 'counter-1', counter, { type: 'Count', by: 11, limit: 10 }, { metadata })).rejects.toThrow(CommandRejection);
    expect(await store.streamRevision('counter-1')).toBeUndefined();
  });

  it('concurrent commands retry from the fresh state: the rule holds across writers', async () => {
    const store = new MemoryEventStore();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, () => handleCommand(store, 'counter-1', counter, { type: 'Count', by: 1, limit: 5 }, { metadata, maxAttempts: 20 })),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(5);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.map((o) => (o.reason as CommandRejection).code)).toEqual(['CAPACITY_EXHAUSTED', 'CAPACITY_EXHAUSTED', 'CAPACITY_EXHAUSTED']);
  });

  it('gives up with a conflict after the bounded attempts', async () => {
    const store = new MemoryEventStore();
    const racing = {
      ...store,
      readStream: store.readStream.bind(store),
      appendToStream: async (...args: Parameters<MemoryEventStore['appendToStream']>) => {
        await store.appendToStream('counter-1', [{ id: crypto.randomUUID(), type: 'Counted', schemaVersion: 1, data: { by: 0 }, metadata }]);
        return store.appendToStream(...args);
      },
    };
    await expect(handleCommand(racing, 'counter-1', counter, { type: 'Count', by: 1, limit: 100 }, { metadata, maxAttempts: 3 })).rejects.toMatchObject({
      code: 'CONCURRENCY_CONFLICT',
    });
  });
});

import { CommandRejection } from '@custody/contracts';
import { MemoryEventStore, type RecordedEvent } from '@custody/event-store';
import { applyCommandWithResult, commandResultStream, recordCommandResult } from './command-results';
import type { Decider } from './decider';
import { commandScope, deterministicId, eventIds } from './ids';

type Event = { type: 'Counted'; data: { by: number } };
type Command = { type: 'Count'; by: number; limit: number };
const counter: Decider<Command, Event, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.by }),
  decide: (command, state) => {
    if (state.total + command.by > command.limit) throw new CommandRejection('CAPACITY_EXHAUSTED', 'The limit is reached.', { limit: command.limit });
    return [{ type: 'Counted', data: { by: command.by } }];
  },
};
const metadata = { correlationId: 'c-1', occurredAt: '2026-11-29T10:00:00.000Z', actor: { state: 'BE' } };

async function read(store: MemoryEventStore, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(stream)) events.push(event);
  return events;
}

describe('the results of commands from Kafka', () => {
  it('records CommandAccepted with the ids derived from the service, the acting state and the command id', async () => {
    const store = new MemoryEventStore();
    const outcome = await applyCommandWithResult({
      service: 'counter', reader: store, tx: store, stream: 'counter-1', decider: counter, command: { type: 'Count', by: 1, limit: 5 }, commandId: 'cmd-1', commandType: 'Count', metadata,
    });
    const ids = eventIds('counter', commandScope('cmd-1', metadata.actor));
    expect(outcome).toEqual({ accepted: true, eventIds: [ids(0)], streamRevision: 0 });
    const [result] = await read(store, commandResultStream('cmd-1'));
    expect(result).toMatchObject({ id: deterministicId('cmd-1/result'), type: 'CommandAccepted', data: { commandId: 'cmd-1', eventIds: [ids(0)] } });
    expect(result.metadata.causationId).toBe('cmd-1');
  });

  it('records CommandRejected with the code and details, and nothing else', async () => {
    const store = new MemoryEventStore();
    const outcome = await applyCommandWithResult({
      service: 'counter', reader: store, tx: store, stream: 'counter-1', decider: counter, command: { type: 'Count', by: 9, limit: 5 }, commandId: 'cmd-2', commandType: 'Count', metadata,
    });
    expect(outcome).toMatchObject({ accepted: false, code: 'CAPACITY_EXHAUSTED', details: { limit: 5 } });
    expect(await read(store, 'counter-1')).toEqual([]);
    const [result] = await read(store, commandResultStream('cmd-2'));
    expect(result).toMatchObject({ type: 'CommandRejected', data: { code: 'CAPACITY_EXHAUSTED', details: { limit: 5 } } });
  });

  it('turns a recorded refusal into a rejected result, and lets any other error through without a result', async () => {
    const store = new MemoryEventStore();
    const observed: string[] = [];
    const observer = { command: (type: string, outcome: string, code: string) => observed.push(`${type} ${outcome} ${code}`), appendSeconds: () => undefined };
    const refused = new CommandRejection('CAPACITY_EXHAUSTED', 'Refused.');
    const outcome = await recordCommandResult({ tx: store, commandId: 'cmd-3', commandType: 'ReservePlace', metadata, observer }, async () => ({ events: [] }), () => refused);
    expect(outcome).toMatchObject({ accepted: false, code: 'CAPACITY_EXHAUSTED' });
    expect(observed).toEqual(['ReservePlace rejected CAPACITY_EXHAUSTED']);
    await expect(recordCommandResult({ tx: store, commandId: 'cmd-4', commandType: 'X', metadata }, async () => {
      throw new TypeError('broken');
    })).rejects.toThrow(TypeError);
    expect(await read(store, commandResultStream('cmd-4'))).toEqual([]);
  });

  it('records no result for a concurrency conflict: it is thrown, for the consumer to retry the command', async () => {
    const store = new MemoryEventStore();
    const conflict = new CommandRejection('CONCURRENCY_CONFLICT');
    await expect(recordCommandResult({ tx: store, commandId: 'cmd-5', commandType: 'Count', metadata }, async () => {
      throw conflict;
    })).rejects.toBe(conflict);
    expect(await read(store, commandResultStream('cmd-5'))).toEqual([]);
  });
});

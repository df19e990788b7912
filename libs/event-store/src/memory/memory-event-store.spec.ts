import { randomUUID } from 'node:crypto';
import { eventStoreContract } from '../contract/event-store.contract';
import { MemoryEventStore } from './memory-event-store';

eventStoreContract(
  'MemoryEventStore',
  async () => {
    const store = new MemoryEventStore();
    return { store, dispose: () => store.close() };
  },
  { refusesEventIdsAcrossStreams: true },
);

describe('MemoryEventStore', () => {
  it('hands out frozen events, so that a test mutating one fails', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream('inmate-1', [
      { id: randomUUID(), type: 'Registered', schemaVersion: 1, data: { cell: 'A-1' }, metadata: { correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z' } },
    ]);
    for await (const event of store.readStream('inmate-1')) {
      expect(() => {
        (event.data as { cell: string }).cell = 'B-2';
      }).toThrow(TypeError);
    }
  });

  it('honours a smaller size limit', async () => {
    const store = new MemoryEventStore({ maxEventBytes: 100 });
    const event = { id: randomUUID(), type: 'Registered', schemaVersion: 1, data: { note: 'x'.repeat(100) }, metadata: { correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z' } };
    await expect(store.appendToStream('inmate-1', [event])).rejects.toMatchObject({ code: 'EVENT_TOO_LARGE', limitBytes: 100 });
  });
});

import { randomUUID } from 'node:crypto';
import { MemoryEventStore } from '@custody/event-store';
import type { Decider } from './decider';
import { loadState } from './load-state';
import { upcast, writtenVersion } from './upcast';

const metadata = { correlationId: 'c-1', occurredAt: '2026-11-29T10:00:00.000Z' };
const identity = { givenNames: ['Arben'], familyName: 'Hoxha', dateOfBirth: '1980-01-01', documents: [] };
const v1 = { inmateId: 'a', identity, nationality: 'AL', sendingState: 'BE', holdingFacility: 'f', residence: { status: 'none' } };

type Seen = { type: string; schemaVersion?: number; data: Record<string, unknown> };
const recorder: Decider<never, Seen, Seen[]> = {
  initialState: () => [],
  evolve: (seen, event) => [...seen, event],
  decide: () => [],
};

describe('loading a stream through the contract', () => {
  it('lifts an event written in an older version to the current one before evolve', async () => {
    const store = new MemoryEventStore();
    await store.appendToStream('inmate-a', [{ id: randomUUID(), type: 'InmateRegistered', schemaVersion: 1, data: v1, metadata }]);
    const { state, revision } = await loadState(store, 'inmate-a', recorder);
    expect(revision).toBe(0);
    expect(state).toHaveLength(1);
    expect(state[0].schemaVersion).toBe(writtenVersion('InmateRegistered'));
    expect(state[0].data.nationalities).toEqual(['AL']);
    expect(state[0].data).not.toHaveProperty('nationality');
  });

  it('passes current versions and types the catalogue does not know unchanged', () => {
    const current = { type: 'InmateRegistered', schemaVersion: writtenVersion('InmateRegistered'), data: { inmateId: 'a' } };
    expect(upcast(current)).toBe(current);
    const foreign = { type: 'Counted', schemaVersion: 1, data: { by: 1 } };
    expect(upcast(foreign)).toBe(foreign);
    expect(writtenVersion('Counted')).toBe(1);
  });
});

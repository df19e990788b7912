import { randomUUID } from 'node:crypto';
import { MemoryEventStore, type GlobalEvent, type NewEvent } from '@custody/event-store';
import type { IHeaders } from 'kafkajs';
import { PublishedRevisions, RevisionWatch } from './stream-revisions';

/** Types the contract publishes in these tests; `Internal` stands for a service's own event (as custody's SentenceToServeNoted). */
const isPublished = (type: string) => type !== 'Internal';

const event = (type: string): NewEvent => ({ id: randomUUID(), type, schemaVersion: 1, data: {}, metadata: { correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z' } });

async function storeWith(streams: Record<string, string[]>): Promise<{ store: MemoryEventStore; log: GlobalEvent[] }> {
  const store = new MemoryEventStore();
  for (const [stream, types] of Object.entries(streams)) await store.appendToStream(stream, types.map(event));
  const log: GlobalEvent[] = [];
  for await (const e of store.readAll()) log.push(e);
  return { store, log };
}

/** The relay's part: `prepare` on each batch, then `positionOf` for every event of it in order. */
async function route(revisions: PublishedRevisions, batches: GlobalEvent[][]) {
  const positions: Array<{ stream: string; revision: number; previous?: number }> = [];
  for (const batch of batches) {
    await revisions.prepare(batch);
    for (const e of batch) {
      const { name, ...rest } = revisions.positionOf(e);
      positions.push({ stream: name, ...rest });
    }
  }
  return positions;
}

describe('PublishedRevisions: the previous published revision of each event the relay reads', () => {
  it('follows each stream through the global log, passing over internal events, with no read of the store', async () => {
    const { store, log } = await storeWith({ 'custody-a': ['Registered', 'Internal', 'Internal', 'Moved'], 'custody-b': ['Registered', 'Moved'] });
    let reads = 0;
    const reader = { readStream: (...args: Parameters<MemoryEventStore['readStream']>) => (reads++, store.readStream(...args)) };
    const positions = await route(new PublishedRevisions(isPublished, reader), [log.slice(0, 3), log.slice(3)]);
    expect(positions).toEqual([
      { stream: 'custody-a', revision: 0, previous: -1 },
      { stream: 'custody-a', revision: 1, previous: 0 },
      { stream: 'custody-a', revision: 2, previous: 0 },
      { stream: 'custody-a', revision: 3, previous: 0 },
      { stream: 'custody-b', revision: 0, previous: -1 },
      { stream: 'custody-b', revision: 1, previous: 0 },
    ]);
    expect(reads).toBe(0);
  });

  it('looks back in the store for a stream whose earlier events were read before it started, once per stream', async () => {
    const { store, log } = await storeWith({ 'custody-a': ['Registered', 'Moved', 'Internal', 'Internal', 'Moved', 'Moved'], 'custody-b': ['Internal', 'Internal', 'Moved'] });
    const read: string[] = [];
    const reader = { readStream: (...args: Parameters<MemoryEventStore['readStream']>) => (read.push(args[0]), store.readStream(...args)) };
    // A relay that starts from a checkpoint in the middle of both streams.
    const after = log.filter((e) => (e.streamName === 'custody-a' && e.revision >= 4) || (e.streamName === 'custody-b' && e.revision >= 2));
    const positions = await route(new PublishedRevisions(isPublished, reader), [after]);
    expect(positions).toEqual([
      { stream: 'custody-a', revision: 4, previous: 1 },
      { stream: 'custody-a', revision: 5, previous: 4 },
      { stream: 'custody-b', revision: 2, previous: -1 },
    ]);
    // The event just before first, then further back past the internal ones; never again for what follows.
    expect(read).toEqual(['custody-a', 'custody-b', 'custody-a', 'custody-b']);
  });

  it('reads back over more internal events than one page holds', async () => {
    const { store, log } = await storeWith({ 'custody-a': ['Registered', ...Array.from({ length: 40 }, () => 'Internal'), 'Moved'] });
    const positions = await route(new PublishedRevisions(isPublished, store), [[log[log.length - 1]]]);
    expect(positions).toEqual([{ stream: 'custody-a', revision: 41, previous: 0 }]);
  });

  it('counts an event the contract refuses as published: the next one names its revision, so readers see it missing', async () => {
    const { log } = await storeWith({ 'custody-a': ['Registered', 'Refused', 'Moved'] });
    const revisions = new PublishedRevisions(isPublished);
    expect(await route(revisions, [log])).toEqual([
      { stream: 'custody-a', revision: 0, previous: -1 },
      { stream: 'custody-a', revision: 1, previous: 0 },
      { stream: 'custody-a', revision: 2, previous: 1 },
    ]);
  });

  it('gives the same answer for an event read again (a new term from the checkpoint), and looks up what it forgot', async () => {
    const { store, log } = await storeWith({ 'custody-a': ['Registered', 'Internal', 'Moved', 'Moved'] });
    const revisions = new PublishedRevisions(isPublished, store, 1);
    const first = await route(revisions, [log]);
    expect(await route(revisions, [log.slice(3)])).toEqual(first.slice(3));
    // Read again from revision 2, after another stream pushed `a` out of a memory of one stream.
    await route(revisions, [[{ ...log[0], streamName: 'custody-other', revision: 0 }]]);
    expect(await route(revisions, [log.slice(2)])).toEqual(first.slice(2));
    expect(first.slice(2)).toEqual([{ stream: 'custody-a', revision: 2, previous: 0 }, { stream: 'custody-a', revision: 3, previous: 2 }]);
  });

  it('without a store, leaves the previous revision of a stream it never saw unknown (absent), never guessed', async () => {
    const { log } = await storeWith({ 'custody-a': ['Registered', 'Moved', 'Moved'] });
    expect(await route(new PublishedRevisions(isPublished), [log.slice(1)])).toEqual([
      { stream: 'custody-a', revision: 1 },
      { stream: 'custody-a', revision: 2, previous: 1 },
    ]);
  });
});

describe('RevisionWatch: a consumer sees a skipped revision', () => {
  const headers = (revision: number, previous?: number, stream = 'custody-1', source = '/custody/facility'): IHeaders => ({
    ce_source: Buffer.from(source),
    ce_stream: Buffer.from(stream),
    ce_streamrevision: Buffer.from(String(revision)),
    ...(previous === undefined ? {} : { ce_streamprevious: Buffer.from(String(previous)) }),
  });

  it('reports revision 2 missing when 3 follows 1, and nothing for internal revisions passed over', () => {
    const watch = new RevisionWatch();
    expect(watch.observe('t/0', headers(0, -1))).toBeUndefined();
    expect(watch.observe('t/0', headers(1, 0))).toBeUndefined();
    expect(watch.observe('t/0', headers(3, 2))).toEqual({ source: '/custody/facility', stream: 'custody-1', lastSeen: 1, revision: 3, missing: 2 });
    // Revisions 4 and 5 are internal: 6 names 3 as its previous.
    expect(watch.observe('t/0', headers(6, 3))).toBeUndefined();
  });

  it('takes a redelivery (at-least-once) for what it is: no gap, and the watch does not go back', () => {
    const watch = new RevisionWatch();
    for (const [revision, previous] of [[0, -1], [1, 0], [2, 1], [1, 0], [0, -1], [2, 1], [3, 2]]) {
      expect(watch.observe('t/0', headers(revision, previous))).toBeUndefined();
    }
    expect(watch.observe('t/0', headers(5, 4))).toMatchObject({ lastSeen: 3, missing: 4 });
  });

  it('sets a baseline at the first event of a stream it sees (a start, a rebalance), and after forget()', () => {
    const watch = new RevisionWatch();
    expect(watch.observe('t/0', headers(7, 6))).toBeUndefined();
    watch.forget();
    expect(watch.observe('t/0', headers(9, 8))).toBeUndefined();
    expect(watch.observe('t/0', headers(10, 9))).toBeUndefined();
  });

  it('treats a missing previous revision or missing headers as unknown, never as a gap', () => {
    const watch = new RevisionWatch();
    expect(watch.observe('t/0', headers(0, -1))).toBeUndefined();
    expect(watch.observe('t/0', headers(4))).toBeUndefined();
    expect(watch.observe('t/0', { ce_source: Buffer.from('/custody/facility') })).toBeUndefined();
    expect(watch.observe('t/0', headers(5, 4))).toBeUndefined();
  });

  it('keeps streams apart by publisher and name, and partitions apart', () => {
    const watch = new RevisionWatch();
    watch.observe('t/0', headers(1, 0, 'command-1', '/custody/intake'));
    expect(watch.observe('t/0', headers(1, 0, 'command-1', '/custody/transfer'))).toBeUndefined();
    expect(watch.observe('t/1', headers(3, 2, 'command-1', '/custody/intake'))).toBeUndefined();
    expect(watch.observe('t/0', headers(3, 2, 'command-1', '/custody/intake'))).toMatchObject({ missing: 2 });
  });
});

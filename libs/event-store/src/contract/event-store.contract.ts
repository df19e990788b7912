import { randomBytes, randomUUID } from 'node:crypto';
import {
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidCheckpointError,
  InvalidEventError,
  InvalidExpectedRevisionError,
  InvalidStreamNameError,
  NonSerialisableEventError,
  StreamClosedError,
  WrongExpectedRevisionError,
} from '../errors';
import type { EventStore, GlobalEvent, NewEvent, Subscription } from '../port';
import { DEFAULT_MAX_EVENT_BYTES } from '../validation';

/** What a contract suite runs against: a store, and how to dispose of it afterwards. */
export interface ContractSubject {
  store: EventStore;
  dispose(): Promise<void>;
}

/** What an adapter can promise beyond the port (the suite tests only what is promised). */
export interface ContractOptions {
  /** The store's limit on one event's serialised data + metadata (default 1 MiB). */
  maxEventBytes?: number;
  /** The same event id in another stream is refused (KurrentDB cannot look events up by id). */
  refusesEventIdsAcrossStreams?: boolean;
}

/**
 * The behaviour every EventStore adapter must show. Call it at the top level of a spec file:
 * `eventStoreContract('PostgresEventStore', async () => ({ store, dispose }))`.
 * Each test uses streams of its own category, so tests never see each other's events.
 */
export function eventStoreContract(name: string, factory: () => Promise<ContractSubject>, options: ContractOptions = {}): void {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;

  describe(`${name} — EventStore contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await factory();
      store = subject.store;
    });

    afterAll(async () => {
      await subject?.dispose();
    });

    describe('expected revision', () => {
      it("'no_stream' creates a stream and refuses an existing one, with the actual revision", async () => {
        const stream = newStream();
        const first = await store.appendToStream(stream, [event('Registered')], { expectedRevision: 'no_stream' });
        expect(first.nextExpectedRevision).toBe(0);
        const error = await rejection(store.appendToStream(stream, [event('Registered')], { expectedRevision: 'no_stream' }));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', stream, expectedRevision: 'no_stream', actualRevision: 0 });
        expect(await revisions(stream)).toEqual([0]);
      });

      it("'stream_exists' refuses a stream without events and appends to an existing one", async () => {
        const stream = newStream();
        const error = await rejection(store.appendToStream(stream, [event('Moved')], { expectedRevision: 'stream_exists' }));
        expect(error).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', expectedRevision: 'stream_exists', actualRevision: 'no_stream' });
        expect(await store.streamRevision(stream)).toBeUndefined();
        await store.appendToStream(stream, [event('Registered')]);
        const result = await store.appendToStream(stream, [event('Moved'), event('Moved')], { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).toBe(2);
      });

      it('an exact revision must be the revision of the last event', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('Registered'), event('Moved')]);
        const stale = await rejection(store.appendToStream(stream, [event('Moved')], { expectedRevision: 0 }));
        expect(stale).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', expectedRevision: 0, actualRevision: 1 });
        const ahead = await rejection(store.appendToStream(stream, [event('Moved')], { expectedRevision: 5 }));
        expect(ahead).toMatchObject({ actualRevision: 1 });
        const absent = await rejection(store.appendToStream(newStream(), [event('Moved')], { expectedRevision: 0 }));
        expect(absent).toMatchObject({ actualRevision: 'no_stream' });
        const result = await store.appendToStream(stream, [event('Released')], { expectedRevision: 1 });
        expect(result.nextExpectedRevision).toBe(2);
        expect(await revisions(stream)).toEqual([0, 1, 2]);
      });

      it("'any' appends to a new or an existing stream; -1 means no stream", async () => {
        const stream = newStream();
        expect((await store.appendToStream(stream, [event('Registered')], { expectedRevision: 'any' })).nextExpectedRevision).toBe(0);
        expect((await store.appendToStream(stream, [event('Moved')])).nextExpectedRevision).toBe(1);
        const other = newStream();
        expect((await store.appendToStream(other, [event('Registered')], { expectedRevision: -1 })).nextExpectedRevision).toBe(0);
        await expect(store.appendToStream(other, [event('Moved')], { expectedRevision: -1 })).rejects.toBeInstanceOf(
          WrongExpectedRevisionError,
        );
      });

      it('returns increasing global positions, and an append of no events only checks the revision', async () => {
        const stream = newStream();
        const a = await store.appendToStream(stream, [event('Registered')]);
        const b = await store.appendToStream(stream, [event('Moved'), event('Moved')]);
        expect(typeof a.position).toBe('bigint');
        expect(b.position > a.position).toBe(true);
        expect(await store.appendToStream(stream, [], { expectedRevision: 2 })).toEqual({ nextExpectedRevision: 2, position: b.position });
        await expect(store.appendToStream(stream, [], { expectedRevision: 1 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.appendToStream(newStream(), [], { expectedRevision: 'no_stream' })).toMatchObject({ nextExpectedRevision: -1 });
      });
    });

    describe('concurrent writers on one stream', () => {
      it('20 writers at the same revision: exactly one wins each revision, the others get the conflict', async () => {
        const stream = newStream();
        for (let revision = -1; revision < 4; revision++) {
          const outcomes = await Promise.allSettled(
            Array.from({ length: 20 }, (_, writer) =>
              store.appendToStream(stream, [event('Moved', { writer })], { expectedRevision: revision < 0 ? 'no_stream' : revision }),
            ),
          );
          const winners = outcomes.filter((o) => o.status === 'fulfilled');
          const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(winners).toHaveLength(1);
          expect(losers).toHaveLength(19);
          for (const loser of losers) {
            expect(loser.reason).toBeInstanceOf(WrongExpectedRevisionError);
            expect((loser.reason as WrongExpectedRevisionError).actualRevision).toBe(revision + 1);
          }
        }
        expect(await revisions(stream)).toEqual([0, 1, 2, 3, 4]);
      });

      it('20 writers retrying on conflict each get their event in once, at distinct revisions', async () => {
        const stream = newStream();
        let conflicts = 0;
        await Promise.all(
          Array.from({ length: 20 }, async (_, writer) => {
            for (;;) {
              const current = await store.streamRevision(stream);
              try {
                await store.appendToStream(stream, [event('Moved', { writer })], { expectedRevision: current ?? 'no_stream' });
                return;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
                conflicts++;
              }
            }
          }),
        );
        const events = await collect(store.readStream(stream));
        expect(events.map((e) => e.revision)).toEqual(range(20));
        expect(events.map((e) => (e.data as { writer: number }).writer).sort((a, b) => a - b)).toEqual(range(20));
        expect(conflicts).toBeGreaterThan(0);
      });
    });

    describe('idempotent appends', () => {
      it('appending the same events again at the same place returns the original result and writes nothing', async () => {
        const stream = newStream();
        const events = [event('Registered'), event('Moved')];
        const original = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(await store.appendToStream(stream, events, { expectedRevision: 'no_stream' })).toEqual(original);
        expect(await store.appendToStream(stream, events, { expectedRevision: 'any' })).toEqual(original);
        const next = [event('Released')];
        const second = await store.appendToStream(stream, next, { expectedRevision: 1 });
        expect(await store.appendToStream(stream, next, { expectedRevision: 1 })).toEqual(second);
        expect(await revisions(stream)).toEqual([0, 1, 2]);
      });

      it('the same id with different content is a DuplicateEventIdError and writes nothing', async () => {
        const stream = newStream();
        const original = event('Registered', { nationality: 'AL' });
        await store.appendToStream(stream, [original]);
        const changed = { ...original, data: { nationality: 'XK' } };
        const error = await rejection(store.appendToStream(stream, [changed], { expectedRevision: 'no_stream' }));
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ code: 'DUPLICATE_EVENT_ID', eventId: original.id });
        const retyped = { ...original, type: 'Released' };
        await expect(store.appendToStream(stream, [retyped], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(DuplicateEventIdError);
        const stored = await collect(store.readStream(stream));
        expect(stored).toHaveLength(1);
        expect(stored[0].data).toEqual({ nationality: 'AL' });
      });

      it('an id repeated within one append is refused before anything is written', async () => {
        const stream = newStream();
        const once = event('Registered');
        await expect(store.appendToStream(stream, [once, once])).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.streamRevision(stream)).toBeUndefined();
      });

      if (options.refusesEventIdsAcrossStreams) {
        it('an id already stored in another stream, or alongside new events, is refused', async () => {
          const stream = newStream();
          const stored = event('Registered');
          await store.appendToStream(stream, [stored]);
          const other = newStream();
          await expect(store.appendToStream(other, [stored])).rejects.toBeInstanceOf(DuplicateEventIdError);
          await expect(store.appendToStream(stream, [stored, event('Moved')])).rejects.toBeInstanceOf(DuplicateEventIdError);
          expect(await store.streamRevision(other)).toBeUndefined();
          expect(await revisions(stream)).toEqual([0]);
        });
      }
    });

    describe('reading a stream', () => {
      it('reads forwards and backwards, from a revision, up to maxCount, with what the store added', async () => {
        const stream = newStream();
        const events = range(10).map((i) => event('Moved', { cell: `B-${i}` }));
        const result = await store.appendToStream(stream, events);
        const forwards = await collect(store.readStream(stream));
        expect(forwards.map((e) => e.revision)).toEqual(range(10));
        expect(forwards.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(forwards[9].position).toBe(result.position);
        const [first] = forwards;
        expect(first).toMatchObject({
          id: events[0].id,
          type: 'Moved',
          schemaVersion: 1,
          data: { cell: 'B-0' },
          metadata: events[0].metadata,
          streamName: stream,
          revision: 0,
        });
        expect(Number.isNaN(Date.parse(first.recordedAt))).toBe(false);
        expect(first.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        expect((await collect(store.readStream(stream, { from: 4, maxCount: 3 }))).map((e) => e.revision)).toEqual([4, 5, 6]);
        expect((await collect(store.readStream(stream, { direction: 'backwards' }))).map((e) => e.revision)).toEqual(range(10).reverse());
        expect((await collect(store.readStream(stream, { direction: 'backwards', from: 6, maxCount: 3 }))).map((e) => e.revision)).toEqual([
          6, 5, 4,
        ]);
        expect(await collect(store.readStream(stream, { from: 10 }))).toEqual([]);
        expect(await collect(store.readStream(newStream()))).toEqual([]);
        expect(await store.streamRevision(stream)).toBe(9);
      });

      it('holds a stream of 10,000 events and reads it back in order', async () => {
        const stream = newStream();
        for (let batch = 0; batch < 100; batch++) {
          await store.appendToStream(
            stream,
            range(100).map((i) => event('CellInspected', { n: batch * 100 + i })),
            { expectedRevision: batch === 0 ? 'no_stream' : batch * 100 - 1 },
          );
        }
        let expected = 0;
        for await (const e of store.readStream(stream)) {
          expect(e.revision).toBe(expected);
          expect((e.data as { n: number }).n).toBe(expected);
          expected++;
        }
        expect(expected).toBe(10_000);
        expect((await collect(store.readStream(stream, { direction: 'backwards', maxCount: 3 }))).map((e) => e.revision)).toEqual([
          9999, 9998, 9997,
        ]);
        expect(await store.streamRevision(stream)).toBe(9999);
      }, 120_000);
    });

    describe('event size', () => {
      it('accepts an event at the size limit and refuses one byte more, writing nothing', async () => {
        const stream = newStream();
        const atLimit = sizedEvent(maxEventBytes);
        const overLimit = sizedEvent(maxEventBytes + 1);
        const error = await rejection(store.appendToStream(stream, [event('Registered'), overLimit]));
        expect(error).toBeInstanceOf(EventTooLargeError);
        expect(error).toMatchObject({ code: 'EVENT_TOO_LARGE', sizeBytes: maxEventBytes + 1, limitBytes: maxEventBytes });
        expect(await store.streamRevision(stream)).toBeUndefined();
        await store.appendToStream(stream, [atLimit]);
        const [stored] = await collect(store.readStream(stream));
        expect(stored.data).toEqual(atLimit.data);
      }, 60_000);
    });

    describe('bad input', () => {
      it.each([
        ['empty', ''],
        ['without a category', 'inmate42'],
        ['with an empty category', '-42'],
        ['with an empty id', 'inmate-'],
        ['with a space', 'inmate-4 2'],
        ['with a system prefix', '$all-1'],
        ['not a string', 42],
      ])('a stream name %s is an InvalidStreamNameError and nothing is written', async (_case, stream) => {
        const before = await lastCheckpoint();
        const attempted = event('Registered');
        const error = await rejection(store.appendToStream(stream as string, [attempted]));
        expect(error).toBeInstanceOf(InvalidStreamNameError);
        expect(error).toMatchObject({ code: 'INVALID_STREAM_NAME' });
        await expect(collect(store.readStream(stream as string))).rejects.toBeInstanceOf(InvalidStreamNameError);
        expect((await collect(store.readAll({ from: before }))).filter((e) => e.id === attempted.id)).toEqual([]);
      });

      const circular: Record<string, unknown> = { name: 'loop' };
      circular.self = circular;
      it.each([
        ['a BigInt', { sentenceDays: 10n }],
        ['a circular object', circular],
        ['a function', { decide: () => 1 }],
        ['NaN', { days: Number.NaN }],
        ['a NUL character', { name: 'a\u0000b' }],
        ['undefined', undefined],
      ])('data holding %s is a NonSerialisableEventError and nothing is written', async (_case, data) => {
        const stream = newStream();
        const error = await rejection(store.appendToStream(stream, [event('Registered'), { ...event('Registered'), data }]));
        expect(error).toBeInstanceOf(NonSerialisableEventError);
        expect(error).toMatchObject({ code: 'NON_SERIALISABLE_EVENT' });
        expect(await store.streamRevision(stream)).toBeUndefined();
      });

      it('metadata holding a BigInt is a NonSerialisableEventError', async () => {
        const bad = event('Registered');
        const error = await rejection(store.appendToStream(newStream(), [{ ...bad, metadata: { ...bad.metadata, hops: 1n } }]));
        expect(error).toBeInstanceOf(NonSerialisableEventError);
      });

      it.each([['latest'], [1.5], [-2], [Number.NaN], [null], ['NO_STREAM']])(
        'an expectedRevision of %p is an InvalidExpectedRevisionError and nothing is written',
        async (expectedRevision) => {
          const stream = newStream();
          const error = await rejection(
            store.appendToStream(stream, [event('Registered')], { expectedRevision: expectedRevision as unknown as number }),
          );
          expect(error).toBeInstanceOf(InvalidExpectedRevisionError);
          expect(error).toMatchObject({ code: 'INVALID_EXPECTED_REVISION' });
          expect(await store.streamRevision(stream)).toBeUndefined();
        },
      );

      it('an event without a UUID id or a type is an InvalidEventError', async () => {
        const stream = newStream();
        await expect(store.appendToStream(stream, [{ ...event('Registered'), id: 'not-a-uuid' }])).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.appendToStream(stream, [{ ...event('Registered'), type: '' }])).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.appendToStream(stream, [{ ...event('Registered'), schemaVersion: 0 }])).rejects.toBeInstanceOf(InvalidEventError);
        expect(await store.streamRevision(stream)).toBeUndefined();
      });

      it('a checkpoint the store did not hand out is an InvalidCheckpointError', async () => {
        await expect(collect(store.readAll({ from: 'yesterday' }))).rejects.toBeInstanceOf(InvalidCheckpointError);
      });
    });

    describe('closing a stream', () => {
      it('a closed stream refuses appends in every mode and is still read in full', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('Registered'), event('Released')]);
        await store.closeStream(stream);
        for (const expectedRevision of ['any', 'stream_exists', 1, 'no_stream'] as const) {
          const error = await rejection(store.appendToStream(stream, [event('Moved')], { expectedRevision }));
          expect(error).toBeInstanceOf(StreamClosedError);
          expect(error).toMatchObject({ code: 'STREAM_CLOSED', stream });
        }
        expect(await revisions(stream)).toEqual([0, 1]);
        expect(await store.streamRevision(stream)).toBe(1);
        await store.closeStream(stream);
      });

      it('a retry of an append that succeeded before the stream was closed returns the original result', async () => {
        const stream = newStream();
        const events = [event('Registered'), event('Released')];
        const original = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        await store.closeStream(stream);
        expect(await store.appendToStream(stream, events, { expectedRevision: 'no_stream' })).toEqual(original);
        expect(await store.appendToStream(stream, events)).toEqual(original);
        expect(await revisions(stream)).toEqual([0, 1]);
      });

      it('a stream closed before its first event accepts none', async () => {
        const stream = newStream();
        await store.closeStream(stream);
        await expect(store.appendToStream(stream, [event('Registered')])).rejects.toBeInstanceOf(StreamClosedError);
        expect(await store.streamRevision(stream)).toBeUndefined();
      });
    });

    describe('the global log', () => {
      it('readAll returns every event once in append order, from a checkpoint, up to maxCount, filtered', async () => {
        const category = newCategory();
        const a = `${category}-a`;
        const b = `${category}-b`;
        const appended: NewEvent[] = [];
        for (const [stream, type] of [[a, 'Registered'], [b, 'Registered'], [a, 'Moved'], [b, 'Released']] as const) {
          const e = event(type);
          appended.push(e);
          await store.appendToStream(stream, [e]);
        }
        const all = await readUntil(
          async () => (await collect(store.readAll())).filter((e) => e.streamName.startsWith(`${category}-`)),
          (events) => events.length >= 4,
        );
        expect(all.map((e) => e.id)).toEqual(appended.map((e) => e.id));
        expect(all.map((e) => e.streamName)).toEqual([a, b, a, b]);
        expect(all.map((e) => e.revision)).toEqual([0, 0, 1, 1]);
        expectIncreasing(all.map((e) => e.position));
        const rest = await collect(store.readAll({ from: all[1].checkpoint, filter: { categories: [category] } }));
        expect(rest.map((e) => e.id)).toEqual(appended.slice(2).map((e) => e.id));
        expect(await collect(store.readAll({ from: all[0].checkpoint, maxCount: 2, filter: { categories: [category] } }))).toHaveLength(2);
        const moved = await collect(store.readAll({ filter: { categories: [category], eventTypes: ['Moved', 'Released'] } }));
        expect(moved.map((e) => e.type)).toEqual(['Moved', 'Released']);
      });

      it('readCategory reads the streams of one category in global order', async () => {
        const category = newCategory();
        const other = newCategory();
        await store.appendToStream(`${category}-1`, [event('Registered')]);
        await store.appendToStream(`${other}-1`, [event('Registered')]);
        await store.appendToStream(`${category}-2`, [event('Registered'), event('Moved')]);
        await store.appendToStream(`${category}-1`, [event('Released')]);
        const read = await readUntil(() => collect(store.readCategory(category)), (events) => events.length >= 4);
        expect(read.map((e) => `${e.streamName}@${e.revision}`)).toEqual([
          `${category}-1@0`,
          `${category}-2@0`,
          `${category}-2@1`,
          `${category}-1@1`,
        ]);
        const after = await collect(store.readCategory(category, { from: read[1].checkpoint, maxCount: 1 }));
        expect(after.map((e) => e.id)).toEqual([read[2].id]);
        await expect(collect(store.readCategory('not a category'))).rejects.toBeInstanceOf(InvalidStreamNameError);
      });

      it('readAll and a subscription under 8 overlapping writers: no gap, no duplicate, no reordering', async () => {
        const category = newCategory();
        const start = await lastCheckpoint();
        const subscription = store.subscribeToAll({ fromCheckpoint: start, filter: { categories: [category] } });
        const writers = 8;
        const appendsPerWriter = 15;
        const expectedCount = writers * appendsPerWriter * 2;
        const seenBySubscriber = collectUntil(subscription, (events) => events.length >= expectedCount, 60_000);

        // A reader that keeps polling readAll while the writers run.
        let isWriting = true;
        const polled: GlobalEvent[] = [];
        const poller = (async () => {
          let from = start;
          for (;;) {
            const wasWriting = isWriting;
            for await (const e of store.readAll({ from })) {
              from = e.checkpoint;
              if (e.streamName.startsWith(`${category}-`)) polled.push(e);
            }
            if (!wasWriting && polled.length >= expectedCount) return;
            await pause(5);
          }
        })();

        await Promise.all(
          range(writers).map(async (writer) => {
            for (let i = 0; i < appendsPerWriter; i++) {
              // Two streams per writer, and a shared one every few appends: overlapping transactions.
              const stream = i % 5 === 4 ? `${category}-shared` : `${category}-w${writer}`;
              await store.appendToStream(stream, [event('Moved', { writer, i, k: 0 }), event('Moved', { writer, i, k: 1 })]);
            }
          }),
        );
        isWriting = false;
        const received = await seenBySubscriber;
        await subscription.stop();
        await withTimeout(poller, 60_000, 'the polling reader to see every event');

        const final = (await collect(store.readAll({ from: start }))).filter((e) => e.streamName.startsWith(`${category}-`));
        expect(final).toHaveLength(expectedCount);
        expect(new Set(final.map((e) => e.id)).size).toBe(expectedCount);
        expect(received.map((e) => e.id)).toEqual(final.map((e) => e.id));
        expect(polled.map((e) => e.id)).toEqual(final.map((e) => e.id));
        expect(new Set(final.map((e) => e.checkpoint)).size).toBe(expectedCount);
        const byStream = new Map<string, number[]>();
        for (const e of final) byStream.set(e.streamName, [...(byStream.get(e.streamName) ?? []), e.revision]);
        for (const streamRevisions of byStream.values()) expect(streamRevisions).toEqual(range(streamRevisions.length));
      }, 120_000);

      it('a subscription catches up, goes live, and resumes after its last checkpoint once stopped', async () => {
        const category = newCategory();
        const stream = `${category}-1`;
        const start = await lastCheckpoint();
        const ids: string[] = [];
        const appendOne = async () => {
          const e = event('Moved');
          ids.push(e.id);
          await store.appendToStream(stream, [e]);
        };
        for (let i = 0; i < 5; i++) await appendOne();

        const first = store.subscribeToAll({ fromCheckpoint: start, filter: { categories: [category] } });
        const firstSeen: GlobalEvent[] = [];
        const live = (async () => {
          for await (const e of first) {
            firstSeen.push(e);
            if (firstSeen.length === 7) break; // stopped mid-stream, by the consumer
          }
        })();
        await waitFor(() => firstSeen.length >= 5, 20_000, 'the catch-up');
        for (let i = 0; i < 6; i++) await appendOne();
        await withTimeout(live, 20_000, 'the live events');
        await first.stop();
        expect(firstSeen.map((e) => e.id)).toEqual(ids.slice(0, 7));

        const resumed = store.subscribeToAll({ fromCheckpoint: firstSeen[6].checkpoint, filter: { categories: [category] } });
        const rest = await collectUntil(resumed, (events) => events.length >= 4, 20_000);
        await appendOne();
        await resumed.stop();
        expect(rest.map((e) => e.id)).toEqual(ids.slice(7, 11));

        const again = store.subscribeToAll({ fromCheckpoint: rest[3].checkpoint, filter: { categories: [category] } });
        const last = await collectUntil(again, (events) => events.length >= 1, 20_000);
        await again.stop();
        expect(last.map((e) => e.id)).toEqual([ids[11]]);
      }, 60_000);

      it('stop() ends a waiting subscription', async () => {
        const subscription = store.subscribeToAll({ fromCheckpoint: await lastCheckpoint(), filter: { categories: [newCategory()] } });
        const iteration = collect(subscription);
        await pause(50);
        await subscription.stop();
        expect(await withTimeout(iteration, 5_000, 'the subscription to end')).toEqual([]);
      });
    });

    function newStream(): string {
      return `${newCategory()}-${randomUUID()}`;
    }

    async function revisions(stream: string): Promise<number[]> {
      return (await collect(store.readStream(stream))).map((e) => e.revision);
    }

    /** The checkpoint of the last event in the global log now (undefined when empty). */
    async function lastCheckpoint(): Promise<string | undefined> {
      let last: string | undefined;
      for await (const e of store.readAll()) last = e.checkpoint;
      return last;
    }
  });
}

/**
 * Global reads may hold an event back while an older transaction anywhere on the server is still
 * open (that is how no event is ever skipped): read again until complete, within a bound.
 */
export async function readUntil<T>(read: () => Promise<T[]>, isComplete: (items: T[]) => boolean, timeoutMs = 30_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await read();
    if (isComplete(items)) return items;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: the global log still held ${items.length} of the events`);
    await pause(20);
  }
}

/** A category no other test uses. */
function newCategory(): string {
  return `c${randomBytes(5).toString('hex')}`;
}

function event(type: string, data: unknown = { inmateId: randomUUID() }): NewEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: 1,
    data,
    metadata: {
      correlationId: randomUUID(),
      occurredAt: '2026-03-01T10:00:00.000Z',
      actor: { state: 'BE', organisation: 'FPS Justice' },
    },
  };
}

/** An event whose serialised data + metadata is exactly `bytes` long. */
function sizedEvent(bytes: number): NewEvent {
  const base = event('DossierAttached', { dossier: '' });
  const overhead = Buffer.byteLength(JSON.stringify(base.data)) + Buffer.byteLength(JSON.stringify(base.metadata));
  return { ...base, data: { dossier: 'x'.repeat(bytes - overhead) } };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to be rejected, but it was fulfilled');
}

/** Reads a subscription until `isDone`, failing with a clear message after `timeoutMs`. */
async function collectUntil(subscription: Subscription, isDone: (events: GlobalEvent[]) => boolean, timeoutMs: number): Promise<GlobalEvent[]> {
  const events: GlobalEvent[] = [];
  const reading = (async () => {
    for await (const e of subscription) {
      events.push(e);
      if (isDone(events)) return;
    }
  })();
  try {
    await withTimeout(reading, timeoutMs, `the subscription to deliver enough events (got ${events.length})`);
  } catch (error) {
    await subscription.stop();
    throw error;
  }
  return events;
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(10);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function expectIncreasing(positions: bigint[]): void {
  for (let i = 1; i < positions.length; i++) expect(positions[i] > positions[i - 1]).toBe(true);
}

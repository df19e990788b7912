import {
  BACKWARDS,
  END,
  FORWARDS,
  jsonEvent,
  KurrentDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
} from '@kurrent/kurrentdb-client';
import type {
  AllStreamResolvedEvent,
  AppendStreamState,
  JSONType,
  Position,
  ReadPosition,
  ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { InvalidCheckpointError, StreamClosedError, WrongExpectedRevisionError } from '../errors';
import { matchesFilter, resolveStoredIds } from '../idempotency';
import type {
  AppendOptions,
  AppendResult,
  Checkpoint,
  EventFilter,
  EventMetadata,
  EventStore,
  GlobalEvent,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../port';
import { assertCategory, assertStreamName, DEFAULT_MAX_EVENT_BYTES, prepareAppend } from '../validation';
import type { PreparedAppend } from '../validation';

/** Options of the KurrentDB event store. */
export interface KurrentDbEventStoreOptions {
  /** A client (its owner disposes of it) or a connection string (the store owns its client). */
  connection: KurrentDBClient | string;
  /** Limit on one event's serialised data + metadata, in bytes (default 1 MiB; the server's MaxAppendSize must allow it). */
  maxEventBytes?: number;
}

// Where our port's fields live in a KurrentDB event's metadata.
const SCHEMA_VERSION_KEY = '$schemaVersion';
// The custom stream-metadata flag that marks a stream closed.
const CLOSED_KEY = 'custodyClosed';
const CHECKPOINT = /^(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,19})$/;

/**
 * The event store on KurrentDB (EventStoreDB 22+): streams map one to one, the global log is
 * `$all` (system events left out), a checkpoint is `<commit>:<prepare>`.
 *
 * What KurrentDB does not do by itself, the adapter adds:
 * - 'any' and 'stream_exists' appends first look for the same events at the end of the stream
 *   (a retry), then append against the revision just read, again on conflict: the server
 *   recognises a retry only against the original append's exact expected revision;
 * - after an append, the events at the written revisions are read back and compared: the server
 *   matches retries by id only, the port also requires the same content;
 * - closing a stream sets a flag in its stream metadata, checked before each append. An append
 *   racing with closeStream can still land (KurrentDB has no server-side "closed" state short of
 *   deleting the stream).
 * Event ids are unique per stream here, not across streams (no lookup by id).
 */
export class KurrentDbEventStore implements EventStore {
  private readonly client: KurrentDBClient;
  private readonly ownsClient: boolean;
  private readonly maxEventBytes: number;
  private readonly subscriptions = new Set<Subscription>();

  constructor(options: KurrentDbEventStoreOptions) {
    this.ownsClient = typeof options.connection === 'string';
    this.client = typeof options.connection === 'string' ? KurrentDBClient.connectionString(options.connection) : options.connection;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  async appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const append = prepareAppend(stream, events, options, this.maxEventBytes);
    if (await this.isClosed(stream)) {
      // A retry of an append that succeeded before the stream was closed still gets its result.
      const retried = await this.findRetryAtEnd(append);
      if (retried) return retried;
      throw new StreamClosedError(stream);
    }
    if (append.events.length === 0) return this.checkEmptyAppend(append);
    const expected = append.expectedRevision;
    const isLoose = expected === 'any' || expected === 'stream_exists';
    for (;;) {
      let streamState: AppendStreamState;
      if (isLoose) {
        // The server recognises a retry only against the expected revision of the original
        // append: look for it at the end of the stream, then append against the revision seen.
        const retried = await this.findRetryAtEnd(append);
        if (retried) return retried;
        const current = await this.streamRevision(stream);
        if (current === undefined && expected === 'stream_exists') throw new WrongExpectedRevisionError(stream, expected, 'no_stream');
        streamState = current === undefined ? NO_STREAM : BigInt(current);
      } else {
        streamState = expected === 'no_stream' ? NO_STREAM : BigInt(expected as number);
      }
      try {
        const result = await this.client.appendToStream(
          stream,
          append.events.map((e) =>
            jsonEvent({
              id: e.id,
              type: e.type,
              data: JSON.parse(e.dataJson) as JSONType,
              metadata: { ...(JSON.parse(e.metadataJson) as Record<string, unknown>), [SCHEMA_VERSION_KEY]: e.schemaVersion },
            }),
          ),
          { streamState },
        );
        const last = Number(result.nextExpectedRevision);
        return await this.verifyWritten(append, last - append.events.length + 1);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        const retried = await this.findRetry(append, streamState);
        if (retried) return retried;
        if (isLoose) continue; // another writer appended between our read and our append
        const actual = error.actualState === NO_STREAM ? 'no_stream' : Number(error.actualState);
        throw new WrongExpectedRevisionError(stream, expected, actual);
      }
    }
  }

  /** Reads back the events at the revisions the server reports, and checks they are these. */
  private async verifyWritten(append: PreparedAppend, firstRevision: number): Promise<AppendResult> {
    const stored = await this.readRange(append.stream, firstRevision, append.events.length);
    const byId = new Map(stored.map((e) => [e.id, e]));
    return resolveStoredIds({ ...append, expectedRevision: 'any' }, append.events.map((e) => byId.get(e.id)));
  }

  /** After a conflict: the same events may already be where this append wanted them. */
  private async findRetry(append: PreparedAppend, state: AppendStreamState): Promise<AppendResult | undefined> {
    const firstRevision = state === NO_STREAM ? 0 : typeof state === 'bigint' ? Number(state) + 1 : undefined;
    if (firstRevision === undefined) return undefined;
    const stored = await this.readRange(append.stream, firstRevision, append.events.length);
    const byId = new Map(stored.map((e) => [e.id, e]));
    const found = append.events.map((e) => byId.get(e.id));
    if (!found.some((e) => e)) return undefined;
    return resolveStoredIds(append, found);
  }

  /** The last events of a closed stream (which no longer grows) may be this append's. */
  private async findRetryAtEnd(append: PreparedAppend): Promise<AppendResult | undefined> {
    if (append.events.length === 0) return undefined;
    const tail: RecordedEvent[] = [];
    for await (const e of this.readStream(append.stream, { direction: 'backwards', maxCount: append.events.length })) tail.unshift(e);
    const byId = new Map(tail.map((e) => [e.id, e]));
    const found = append.events.map((e) => byId.get(e.id));
    return found.some((e) => e) ? resolveStoredIds(append, found) : undefined;
  }

  private async readRange(stream: string, from: number, count: number): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of this.readStream(stream, { from, maxCount: count })) out.push(e);
    return out;
  }

  private async checkEmptyAppend(append: PreparedAppend): Promise<AppendResult> {
    const [last] = await this.readRangeBackwards(append.stream);
    const current = last?.revision;
    const expected = append.expectedRevision;
    if (
      (expected === 'no_stream' && current !== undefined) ||
      (expected === 'stream_exists' && current === undefined) ||
      (typeof expected === 'number' && current !== expected)
    ) {
      throw new WrongExpectedRevisionError(append.stream, expected, current ?? 'no_stream');
    }
    return { nextExpectedRevision: current ?? -1, position: last?.position ?? -1n };
  }

  private async readRangeBackwards(stream: string): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for await (const e of this.readStream(stream, { direction: 'backwards', maxCount: 1 })) out.push(e);
    return out;
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    assertStreamName(stream);
    if (options.maxCount === 0) return;
    const backwards = options.direction === 'backwards';
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.from === undefined ? (backwards ? END : START) : BigInt(options.from),
        maxCount: options.maxCount,
      })) {
        const recorded = toRecorded(resolved);
        if (recorded) yield recorded;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return;
      throw error;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<GlobalEvent> {
    const after = parseCheckpoint(options.from);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    for await (const resolved of this.client.readAll({
      fromPosition: after ?? START,
      direction: FORWARDS,
      filter: serverFilter(options.filter),
    })) {
      const event = toGlobal(resolved);
      if (!event || !matchesFilter(event, options.filter) || isAt(resolved, after)) continue;
      yield event;
      if (--remaining <= 0) return;
    }
  }

  async *readCategory(category: string, options: Omit<ReadAllOptions, 'filter'> = {}): AsyncIterable<GlobalEvent> {
    assertCategory(category);
    yield* this.readAll({ ...options, filter: { categories: [category] } });
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const after = parseCheckpoint(options.fromCheckpoint);
    const server = this.client.subscribeToAll({ fromPosition: after ?? START, filter: serverFilter(options.filter) });
    let isStopped = false;
    const stop = async () => {
      if (isStopped) return;
      isStopped = true;
      this.subscriptions.delete(subscription);
      await server.unsubscribe();
    };
    async function* follow(): AsyncGenerator<GlobalEvent> {
      try {
        for await (const resolved of server) {
          if (isStopped) return;
          const event = toGlobal(resolved);
          if (!event || !matchesFilter(event, options.filter) || isAt(resolved, after)) continue;
          yield event;
        }
      } finally {
        await stop();
      }
    }
    const subscription: Subscription = { stop, [Symbol.asyncIterator]: follow };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async streamRevision(stream: string): Promise<number | undefined> {
    assertStreamName(stream);
    const [last] = await this.readRangeBackwards(stream);
    return last?.revision;
  }

  async closeStream(stream: string): Promise<void> {
    assertStreamName(stream);
    const { metadata } = await this.client.getStreamMetadata(stream);
    await this.client.setStreamMetadata(stream, { ...(metadata ?? {}), [CLOSED_KEY]: true });
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    if (this.ownsClient) await this.client.dispose();
  }

  private async isClosed(stream: string): Promise<boolean> {
    const { metadata } = await this.client.getStreamMetadata(stream);
    return metadata?.[CLOSED_KEY] === true;
  }
}

function serverFilter(filter: EventFilter | undefined) {
  // The server filters by stream prefix; event types (exact) are filtered here.
  return filter?.categories ? streamNameFilter({ prefixes: filter.categories.map((c) => `${c}-`) }) : undefined;
}

function parseCheckpoint(checkpoint: Checkpoint | undefined): Position | undefined {
  if (checkpoint === undefined) return undefined;
  const match = typeof checkpoint === 'string' ? CHECKPOINT.exec(checkpoint) : null;
  if (!match) throw new InvalidCheckpointError(checkpoint);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

/** True for the event at the checkpoint itself (reads from a position include it). */
function isAt(resolved: AllStreamResolvedEvent, position: ReadPosition | undefined): boolean {
  if (!position || typeof position === 'string' || !resolved.event) return false;
  return resolved.event.position.commit === position.commit && resolved.event.position.prepare === position.prepare;
}

function toRecorded(resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || !event.isJson || event.streamId.startsWith('$') || event.type.startsWith('$')) return undefined;
  const { [SCHEMA_VERSION_KEY]: schemaVersion, ...metadata } = (event.metadata ?? {}) as Record<string, unknown>;
  return {
    id: event.id,
    type: event.type,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : 1,
    data: event.data,
    metadata: metadata as EventMetadata,
    streamName: event.streamId,
    revision: Number(event.revision),
    position: event.position?.commit ?? -1n,
    recordedAt: event.created.toISOString(),
  };
}

function toGlobal(resolved: AllStreamResolvedEvent): GlobalEvent | undefined {
  const recorded = toRecorded(resolved);
  if (!recorded || !resolved.event) return undefined;
  const { commit, prepare } = resolved.event.position;
  return { ...recorded, checkpoint: `${commit}:${prepare}` };
}

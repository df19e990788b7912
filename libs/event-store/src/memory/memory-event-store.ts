import { InvalidCheckpointError, StreamClosedError, WrongExpectedRevisionError } from '../errors';
import { matchesFilter, resolveStoredIds } from '../idempotency';
import type {
  AppendOptions,
  AppendResult,
  Checkpoint,
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

/** Options of the in-memory event store. */
export interface MemoryEventStoreOptions {
  /** Limit on one event's serialised data + metadata, in bytes (default 1 MiB). */
  maxEventBytes?: number;
}

interface StreamState {
  events: GlobalEvent[];
  isClosed: boolean;
}

/**
 * An event store in process memory, for unit tests of services: the same contract as the
 * PostgreSQL adapter (validation, expected revisions, idempotency, global order, subscriptions),
 * nothing persisted. Stored events are frozen: a test that mutates one fails loudly.
 * Checkpoints are the decimal global position.
 */
export class MemoryEventStore implements EventStore {
  private readonly log: GlobalEvent[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly byId = new Map<string, GlobalEvent>();
  private readonly wakers = new Set<() => void>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly maxEventBytes: number;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  }

  async appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const append = prepareAppend(stream, events, options, this.maxEventBytes);
    const stored = append.events.map((event) => this.byId.get(event.id));
    if (stored.some((event) => event)) return resolveStoredIds(append, stored);

    const state = this.streams.get(stream);
    if (state?.isClosed) throw new StreamClosedError(stream);
    const last = state?.events.at(-1);
    const current = last?.revision;
    const expected = append.expectedRevision;
    const conflict =
      (expected === 'no_stream' && current !== undefined) ||
      (expected === 'stream_exists' && current === undefined) ||
      (typeof expected === 'number' && current !== expected);
    if (conflict) throw new WrongExpectedRevisionError(stream, expected, current ?? 'no_stream');
    if (append.events.length === 0) return { nextExpectedRevision: current ?? -1, position: last?.position ?? -1n };

    const target = state ?? { events: [], isClosed: false };
    this.streams.set(stream, target);
    const recordedAt = new Date().toISOString();
    for (const event of append.events) {
      const position = BigInt(this.log.length + 1);
      const recorded: GlobalEvent = deepFreeze({
        id: event.id,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: JSON.parse(event.dataJson) as unknown,
        metadata: JSON.parse(event.metadataJson) as NewEvent['metadata'],
        streamName: stream,
        revision: target.events.length,
        position,
        recordedAt,
        checkpoint: position.toString(),
      });
      target.events.push(recorded);
      this.log.push(recorded);
      this.byId.set(event.id, recorded);
    }
    for (const wake of this.wakers) wake();
    const appended = target.events.at(-1)!;
    return { nextExpectedRevision: appended.revision, position: appended.position };
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    assertStreamName(stream);
    const events = this.streams.get(stream)?.events ?? [];
    const backwards = options.direction === 'backwards';
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    let revision = options.from ?? (backwards ? events.length - 1 : 0);
    while (remaining > 0 && revision >= 0 && revision < events.length) {
      yield withoutCheckpoint(events[revision]);
      remaining--;
      revision += backwards ? -1 : 1;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<GlobalEvent> {
    let index = parseCheckpoint(options.from);
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0 && index < this.log.length) {
      const event = this.log[index++];
      if (!matchesFilter(event, options.filter)) continue;
      remaining--;
      yield event;
    }
  }

  async *readCategory(category: string, options: Omit<ReadAllOptions, 'filter'> = {}): AsyncIterable<GlobalEvent> {
    assertCategory(category);
    yield* this.readAll({ ...options, filter: { categories: [category] } });
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const state = { index: parseCheckpoint(options.fromCheckpoint), isStopped: false, wake: undefined as (() => void) | undefined };
    const subscription: Subscription = {
      stop: async () => {
        state.isStopped = true;
        state.wake?.();
        this.subscriptions.delete(subscription);
      },
      [Symbol.asyncIterator]: () => this.follow(state, options, subscription),
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  private async *follow(
    state: { index: number; isStopped: boolean; wake?: () => void },
    options: SubscribeOptions,
    subscription: Subscription,
  ): AsyncGenerator<GlobalEvent> {
    try {
      while (!state.isStopped) {
        if (state.index < this.log.length) {
          const event = this.log[state.index++];
          if (matchesFilter(event, options.filter)) yield event;
          continue;
        }
        await new Promise<void>((resolve) => {
          state.wake = resolve;
          this.wakers.add(resolve);
        });
        if (state.wake) this.wakers.delete(state.wake);
      }
    } finally {
      state.isStopped = true;
      this.subscriptions.delete(subscription);
    }
  }

  async streamRevision(stream: string): Promise<number | undefined> {
    assertStreamName(stream);
    return this.streams.get(stream)?.events.at(-1)?.revision;
  }

  async closeStream(stream: string): Promise<void> {
    assertStreamName(stream);
    const state = this.streams.get(stream) ?? { events: [], isClosed: false };
    state.isClosed = true;
    this.streams.set(stream, state);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }
}

function parseCheckpoint(checkpoint: Checkpoint | undefined): number {
  if (checkpoint === undefined) return 0;
  if (typeof checkpoint !== 'string' || !/^(0|[1-9][0-9]{0,15})$/.test(checkpoint)) {
    throw new InvalidCheckpointError(checkpoint);
  }
  return Number(checkpoint);
}

function withoutCheckpoint(event: GlobalEvent): RecordedEvent {
  const { checkpoint: _checkpoint, ...recorded } = event;
  return recorded;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

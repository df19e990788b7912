import { randomUUID } from 'node:crypto';
import { CommandRejection } from '@custody/contracts';
import {
  categoryOf,
  WrongExpectedRevisionError,
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type NewEvent,
  type RecordedEvent,
} from '@custody/event-store';
import { currentObservation } from './observability/context';
import { currentTraceparent } from './observability/trace-context';

/**
 * The metadata with the active trace's `traceparent` when it has none: the relay writes it in
 * the Kafka headers, so consumers in other services continue the trace of the request.
 */
export function withTraceparent(metadata: EventMetadata): EventMetadata {
  if (metadata.traceparent) return metadata;
  const traceparent = currentTraceparent();
  return traceparent ? { ...metadata, traceparent } : metadata;
}

/** An event as a decider sees it: a type and its data (the store adds the rest). */
export interface DomainEventOf<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  /** The schema version written; 1 when absent. */
  schemaVersion?: number;
  /** When it happened (the metadata's `occurredAt`), for events read back from a stream; absent on events just decided. */
  occurredAt?: string;
}

/**
 * The law in pure functions: `decide` returns the events a command causes, or throws a
 * CommandRejection (`reject('CODE')` from the contracts); `evolve` folds an event into the state. No I/O, no clock, no random ids.
 */
export interface Decider<Command, Event extends DomainEventOf, State> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/** Raised when optimistic concurrency kept losing: answered 409 / CONCURRENCY_CONFLICT. */
export function concurrencyConflict(stream: string, attempts: number): CommandRejection {
  return new CommandRejection(
    'CONCURRENCY_CONFLICT',
    `The record ${stream} kept changing while the command was applied (${attempts} attempts); send it again.`,
    { stream, attempts },
  );
}

/** What the handler needs of a store (the store itself, or a unit of work). */
export interface StreamStore {
  appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
}
export interface StreamReader {
  readStream(stream: string): AsyncIterable<RecordedEvent>;
}

/** Rebuilds a state by folding a stream; returns it with the revision it was built at. */
export async function loadState<Event extends DomainEventOf, State>(
  reader: StreamReader,
  stream: string,
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
): Promise<{ state: State; revision: number | undefined }> {
  let state = decider.initialState();
  let revision: number | undefined;
  for await (const event of reader.readStream(stream)) {
    state = decider.evolve(state, { type: event.type, data: event.data, schemaVersion: event.schemaVersion, occurredAt: event.metadata.occurredAt } as Event);
    revision = event.revision;
  }
  return { state, revision };
}

export interface HandleOptions {
  metadata: EventMetadata;
  /** Attempts in all when another writer got there first (default 5). */
  maxAttempts?: number;
  /** Event ids; by default random UUIDs. Pass deterministic ids to make a retried command idempotent. */
  eventId?: (index: number) => string;
  /** Where to append, when not the store itself: a unit of work (e.g. a consumer's inbox transaction). */
  writer?: StreamStore;
}

/**
 * The write path: load the stream, decide, append with the expected revision; on a conflict,
 * reload and decide again from the fresh state, a bounded number of times.
 */
export async function handleCommand<Command, Event extends DomainEventOf, State>(
  store: StreamReader & Partial<StreamStore>,
  stream: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: HandleOptions,
): Promise<{ events: NewEvent[]; state: State; revision: number | undefined }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const metadata = withTraceparent(options.metadata);
  const recorder = currentObservation()?.recorder;
  const commandType = typeof (command as { type?: unknown }).type === 'string' ? (command as { type: string }).type : 'unknown';
  const writer = options.writer ?? (store as StreamStore);
  if (typeof writer.appendToStream !== 'function') throw new TypeError('handleCommand needs a store that appends, or a writer');
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadState(store, stream, decider);
    let decided: Event[];
    try {
      decided = decider.decide(command, state);
    } catch (error) {
      if (error instanceof CommandRejection) recorder?.command(commandType, 'rejected', error.code);
      throw error;
    }
    if (decided.length === 0) {
      recorder?.command(commandType, 'accepted', '');
      return { events: [], state, revision };
    }
    const events: NewEvent[] = decided.map((event, index) => ({
      id: options.eventId?.(index) ?? randomUUID(),
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      data: event.data,
      metadata,
    }));
    const started = performance.now();
    try {
      const result = await writer.appendToStream(stream, events, {
        expectedRevision: revision === undefined ? 'no_stream' : revision,
      });
      recorder?.appendSeconds(categoryOf(stream), (performance.now() - started) / 1000);
      recorder?.command(commandType, 'accepted', '');
      const next = decided.reduce((s, e) => decider.evolve(s, e), state);
      return { events, state: next, revision: result.nextExpectedRevision };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < maxAttempts) continue;
      if (error instanceof WrongExpectedRevisionError) {
        recorder?.command(commandType, 'rejected', 'CONCURRENCY_CONFLICT');
        throw concurrencyConflict(stream, attempt);
      }
      throw error;
    }
  }
}

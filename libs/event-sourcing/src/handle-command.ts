import { randomUUID } from 'node:crypto';
import { CommandRejection } from '@custody/contracts';
import {
  categoryOf, WrongExpectedRevisionError, type AppendOptions, type AppendResult, type EventMetadata, type ExpectedRevision, type NewEvent,
} from '@custody/event-store';
import type { Decider, DomainEventOf } from './decider';
import type { KeptStates } from './kept-states';
import { catchUp, foldStored, type LoadedState, type StreamReader } from './load-state';
import { retryPolicy, type RetryPolicy } from './retry';

/** What the handler needs of a store to write (the store itself, or a unit of work). */
export interface StreamStore {
  appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
}

/** Where command metrics go (the platform's recorder has this shape); the kernel records nothing itself. */
export interface CommandObserver {
  command(type: string, outcome: 'accepted' | 'rejected', code: string): void;
  appendSeconds(category: string, seconds: number): void;
}

/** Events for another stream, appended in the same unit of work with their own expected revision. */
export interface StreamAppend {
  stream: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
}

/** One attempt's decision, as the hooks see it. */
export interface Decision<Event, State> {
  /** The events as the decider returned them. */
  decided: Event[];
  /** The same events as they are appended (ids, metadata; possibly replaced by `prepare`). */
  events: NewEvent[];
  /** The state the decision was taken on, and its revision. */
  state: State;
  revision: number | undefined;
}

/** What `prepare` may change of an attempt before its unit of work opens. */
export interface Prepared {
  /** The events to append in place of the decided ones (e.g. with personal fields sealed). */
  events?: NewEvent[];
  /** Events of other streams to append in the same unit of work (e.g. a facility's place). */
  also?: StreamAppend[];
}

/**
 * A unit of work: runs `work` with a writer (`Unit`, e.g. a database transaction) so that
 * everything written through it commits together, or nothing does.
 */
export type UnitOfWork<Unit extends StreamStore = StreamStore> = <T>(work: (unit: Unit) => Promise<T>) => Promise<T>;

/** A transaction that can mark a point to roll back to (PostgreSQL's, through its `query`). */
export interface SavepointCapable extends StreamStore {
  query(sql: string): Promise<unknown>;
}

/**
 * A unit of work inside an open transaction (e.g. a consumer's inbox transaction): a savepoint,
 * so that an attempt that failed, or a hook that refused, is undone alone while the transaction
 * (and its inbox entry) goes on.
 */
export function inSavepoint<Tx extends SavepointCapable>(tx: Tx): UnitOfWork<Tx> {
  return async (work) => {
    await tx.query('SAVEPOINT command_write');
    try {
      const value = await work(tx);
      await tx.query('RELEASE SAVEPOINT command_write');
      return value;
    } catch (error) {
      await tx.query('ROLLBACK TO SAVEPOINT command_write');
      throw error;
    }
  };
}

export interface HandleOptions<Event extends DomainEventOf = DomainEventOf, State = unknown, Unit extends StreamStore = StreamStore> {
  metadata: EventMetadata;
  /** Event ids by index; by default random UUIDs. Derive them from the command id to make a re-sent command idempotent. */
  eventId?: (index: number) => string;
  /** When another writer got there first (default: `retryPolicy()`, 5 attempts in all). */
  retry?: RetryPolicy;
  /**
   * Where to append: a unit of work opened for each attempt (e.g. a database transaction, or
   * {@link inSavepoint} in the consumer's transaction), or a writer already inside one. By
   * default the reader itself, which must then append.
   *
   * With a `writer`, the handler cannot undo its own append: what `also` or `afterAppend` throw
   * after it is thrown as it is and never retried, so that the caller's transaction fails. Use a
   * unit of work where a hook may refuse.
   */
  unitOfWork?: UnitOfWork<Unit>;
  writer?: Unit;
  /** Runs at each attempt after the decision and before the unit of work opens: reads through the pool belong here. */
  prepare?: (decision: Decision<Event, State>) => Promise<Prepared | void>;
  /**
   * Runs inside the unit of work after the appends, at each attempt that decided events: a guard
   * that throws rolls the appends back (a CommandRejection reaches the caller; a
   * WrongExpectedRevisionError is retried like a conflict on the stream).
   */
  afterAppend?: (unit: Unit, decision: Decision<Event, State>) => Promise<void>;
  /**
   * Runs inside the unit of work last, after `afterAppend`, with what the command did as the
   * handler will return it once the unit commits (the state after the events, the stream's
   * revision): what must commit with the effect and depends on it, e.g. the answer to the command
   * (docs/architecture.md, "Idempotent HTTP commands"). Called at each attempt that decided
   * events; it may throw as `afterAppend` may. A command that decides nothing opens no unit of
   * work and does not call it.
   */
  onApplied?: (unit: Unit, handled: Handled<Event, State>) => Promise<void>;
  /** A state already known for the stream: only the events after its revision are read. */
  known?: LoadedState<State>;
  /**
   * States kept in memory (docs/adr/0021-commands-decided-on-kept-state.md): a stream kept there
   * is decided on without being read first, the append's expected revision guarding the decision.
   * A conflict on a kept state reads what was missed and decides again at once (no pause, no
   * attempt counted); a rejection or a decision of nothing is taken again on the stream as read.
   * What the handler read and appended is kept once it has committed. `reader` must give events
   * back as they are appended (not a reader that opens sealed fields).
   */
  kept?: KeptStates<State>;
  /**
   * With `kept`, where what the handler reads and writes commits after it returns (a savepoint
   * of a consumer's transaction, a `writer` inside an open transaction): the states are kept once
   * the callback runs, never when the transaction rolls back. Without it, what `reader` reads is
   * taken as committed, and the unit of work as committed when it returns.
   */
  afterCommit?: (callback: () => void) => void;
  observer?: CommandObserver;
}

export interface Handled<Event, State> {
  /** The events appended to the command's stream (none when the decider decided nothing). */
  events: NewEvent[];
  /** The events as the decider returned them. */
  decided: Event[];
  /** What else was appended in the unit of work. */
  also: StreamAppend[];
  /** The state after the events, and the stream's revision. */
  state: State;
  revision: number | undefined;
  /** Attempts made. */
  attempts: number;
}

/** Raised when optimistic concurrency kept losing: answered 409 / CONCURRENCY_CONFLICT. */
export function concurrencyConflict(stream: string, attempts: number): CommandRejection {
  return new CommandRejection(
    'CONCURRENCY_CONFLICT',
    `The record ${stream} kept changing while the command was applied (${attempts} attempts); send it again.`,
    { stream, attempts },
  );
}

/** Raised when the handler is given nowhere to append. */
export class NoWriterError extends Error {
  readonly code = 'NO_WRITER';
  constructor() {
    super('handleCommand needs a store that appends, a writer or a unit of work');
    this.name = 'NoWriterError';
  }
}

/** Decided events as the store takes them. */
export function toNewEvents(decided: readonly DomainEventOf[], metadata: EventMetadata, eventId: (index: number) => string, offset = 0): NewEvent[] {
  return decided.map((event, index) => ({
    id: eventId(offset + index),
    type: event.type,
    schemaVersion: event.schemaVersion ?? 1,
    data: event.data,
    metadata,
  }));
}

const commandTypeOf = (command: unknown): string => {
  const type = (command as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? type : 'unknown';
};

/**
 * The one write path of an event-sourced command: load the stream, decide, and in one unit of
 * work append the events with the expected revision (and the `also` streams with theirs), then
 * run `afterAppend` and `onApplied`. On a conflict it waits as the retry policy says, reads only
 * the events it missed, and decides again from the state they make, until the policy's attempts
 * are spent (then CONCURRENCY_CONFLICT). A CommandRejection of the decider is thrown as it is.
 */
export async function handleCommand<Command, Event extends DomainEventOf, State, Unit extends StreamStore = StreamStore>(
  reader: StreamReader & Partial<StreamStore>,
  stream: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: HandleOptions<Event, State, Unit>,
): Promise<Handled<Event, State>> {
  const retry = options.retry ?? retryPolicy();
  const observer = options.observer;
  const commandType = commandTypeOf(command);
  const unitOfWork = unitOfWorkOf<Unit>(reader, options);
  const canUndo = options.unitOfWork !== undefined;
  const eventId = options.eventId ?? (() => randomUUID());
  const keep = keeperOf(stream, options);
  // On a kept state the stream is not read: `read` is false until it is.
  const kept = options.known ? undefined : options.kept?.get(stream);
  let read = kept === undefined;
  let loaded = kept ?? keep(await catchUp(reader, stream, decider, options.known ?? { state: decider.initialState(), revision: undefined }));
  const readAgain = async () => {
    loaded = keep(await catchUp(reader, stream, decider, loaded));
    read = true;
  };
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = loaded;
    let decided: Event[];
    try {
      decided = decider.decide(command, state);
    } catch (error) {
      if (error instanceof CommandRejection && !read) {
        await readAgain();
        attempt--;
        continue;
      }
      if (error instanceof CommandRejection) observer?.command(commandType, 'rejected', error.code);
      throw error;
    }
    if (decided.length === 0) {
      if (!read) {
        await readAgain();
        attempt--;
        continue;
      }
      observer?.command(commandType, 'accepted', '');
      return { events: [], decided, also: [], state, revision, attempts: attempt };
    }
    const decision: Decision<Event, State> = { decided, events: toNewEvents(decided, options.metadata, eventId), state, revision };
    try {
      const prepared = (await options.prepare?.(decision)) ?? {};
      if (prepared.events) decision.events = prepared.events;
      const also = prepared.also ?? [];
      const started = performance.now();
      const handled = await unitOfWork(async (unit) => {
        const appended = await unit.appendToStream(stream, decision.events, { expectedRevision: revision === undefined ? 'no_stream' : revision });
        // Folded as they will be read back: dated by the metadata's occurredAt (a decider may compare step dates).
        const next = decided.reduce((s, e) => decider.evolve(s, datedBy(e, options.metadata)), state);
        const done: Handled<Event, State> = { events: decision.events, decided, also, state: next, revision: appended.nextExpectedRevision, attempts: attempt };
        try {
          for (const other of also) await unit.appendToStream(other.stream, other.events, { expectedRevision: other.expectedRevision });
          await options.afterAppend?.(unit, decision);
          await options.onApplied?.(unit, done);
        } catch (error) {
          throw canUndo ? error : new AfterAppendError(error);
        }
        return done;
      });
      observer?.appendSeconds(categoryOf(stream), (performance.now() - started) / 1000);
      observer?.command(commandType, 'accepted', '');
      if (options.kept) keep(foldStored(decider, state, decision.events, handled.revision as number));
      return handled;
    } catch (error) {
      if (error instanceof AfterAppendError) throw error.cause;
      if (!(error instanceof WrongExpectedRevisionError)) {
        if (error instanceof CommandRejection) observer?.command(commandType, 'rejected', error.code);
        throw error;
      }
      if (!read) {
        // The kept state was behind the stream: no writer raced this one.
        const keptRevision = loaded.revision;
        await readAgain();
        // Nothing after it, and yet refused: the stream is behind the kept state (its database
        // restored under the running service). The stream is read whole, and kept as read.
        if (loaded.revision === keptRevision) {
          options.kept?.forget(stream);
          loaded = keep(await catchUp(reader, stream, decider, { state: decider.initialState(), revision: undefined }));
        }
        attempt--;
        continue;
      }
      if (attempt >= retry.maxAttempts) {
        observer?.command(commandType, 'rejected', 'CONCURRENCY_CONFLICT');
        throw concurrencyConflict(stream, attempt);
      }
    }
    await retry.sleep(retry.delayMs(attempt));
    await readAgain();
  }
}

/** Keeps a state in `options.kept` (at once, or once the caller's transaction commits) and gives it back; a no-op without `kept`. */
function keeperOf<State>(stream: string, options: { kept?: KeptStates<State>; afterCommit?: (callback: () => void) => void }) {
  return (loaded: LoadedState<State>): LoadedState<State> => {
    const kept = options.kept;
    if (kept) {
      if (options.afterCommit) options.afterCommit(() => kept.keep(stream, loaded));
      else kept.keep(stream, loaded);
    }
    return loaded;
  };
}

/** An event just decided, with the `occurredAt` it is stored with (the metadata's), as a stream read gives it back. */
export function datedBy<Event extends DomainEventOf>(event: Event, metadata: Pick<EventMetadata, 'occurredAt'>): Event {
  return event.occurredAt === undefined ? { ...event, occurredAt: metadata.occurredAt } : event;
}

/** What failed after the handler's own append in a writer it cannot undo: thrown on as it is, never retried. */
class AfterAppendError {
  constructor(readonly cause: unknown) {}
}

function unitOfWorkOf<Unit extends StreamStore>(reader: Partial<StreamStore>, options: { unitOfWork?: UnitOfWork<Unit>; writer?: Unit }): UnitOfWork<Unit> {
  if (options.unitOfWork) return options.unitOfWork;
  const writer = options.writer ?? (typeof reader.appendToStream === 'function' ? (reader as Unit) : undefined);
  if (!writer) throw new NoWriterError();
  return (work) => work(writer);
}

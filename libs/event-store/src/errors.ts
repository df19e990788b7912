import type { ExpectedRevision } from './port';

/** The stable codes of the event store's errors: match on these, not on messages. */
export type EventStoreErrorCode =
  | 'WRONG_EXPECTED_REVISION'
  | 'STREAM_CLOSED'
  | 'INVALID_STREAM_NAME'
  | 'EVENT_TOO_LARGE'
  | 'NON_SERIALISABLE_EVENT'
  | 'INVALID_EXPECTED_REVISION'
  | 'DUPLICATE_EVENT_ID'
  | 'INVALID_EVENT'
  | 'INVALID_CHECKPOINT'
  | 'TRANSACTION_CLOSED'
  | 'TRANSACTION_ABORTED'
  | 'INVALID_CONFIGURATION'
  | 'GLOBAL_ORDER_BROKEN';

/** Base of every error the event store raises. When one is raised by an append, nothing was written. */
export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The stream was not at the expected revision (optimistic concurrency conflict): reload and retry. */
export class WrongExpectedRevisionError extends EventStoreError {
  readonly code = 'WRONG_EXPECTED_REVISION';

  constructor(
    readonly stream: string,
    readonly expectedRevision: ExpectedRevision,
    /** The revision of the stream's last event, or 'no_stream' when it has none. */
    readonly actualRevision: number | 'no_stream',
  ) {
    super(
      `Stream "${stream}" was expected at ${describeExpected(expectedRevision)} but is ` +
        (actualRevision === 'no_stream' ? 'absent (no events)' : `at revision ${actualRevision}`) +
        '. Reload the stream and decide again.',
    );
  }
}

/** The stream has been closed: it accepts no more events. */
export class StreamClosedError extends EventStoreError {
  readonly code = 'STREAM_CLOSED';

  constructor(readonly stream: string) {
    super(`Stream "${stream}" is closed and accepts no more events.`);
  }
}

/** The stream name is empty or not of the form `<category>-<id>`. */
export class InvalidStreamNameError extends EventStoreError {
  readonly code = 'INVALID_STREAM_NAME';

  constructor(
    readonly stream: unknown,
    reason: string,
  ) {
    super(`Invalid stream name ${JSON.stringify(typeof stream === 'string' ? stream : String(stream))}: ${reason}.`);
  }
}

/** An event's serialised data and metadata exceed the store's size limit. */
export class EventTooLargeError extends EventStoreError {
  readonly code = 'EVENT_TOO_LARGE';

  constructor(
    readonly eventId: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`Event ${eventId} is ${sizeBytes} bytes serialised (data + metadata); the limit is ${limitBytes} bytes.`);
  }
}

/** An event's data or metadata cannot be stored as JSON without loss (BigInt, cycle, function, NaN, NUL...). */
export class NonSerialisableEventError extends EventStoreError {
  readonly code = 'NON_SERIALISABLE_EVENT';

  constructor(
    readonly eventId: string,
    reason: string,
  ) {
    super(`Event ${eventId} cannot be stored as JSON: ${reason}.`);
  }
}

/** The expectedRevision option is none of 'any', 'no_stream', 'stream_exists' or an integer revision >= -1. */
export class InvalidExpectedRevisionError extends EventStoreError {
  readonly code = 'INVALID_EXPECTED_REVISION';

  constructor(readonly expectedRevision: unknown) {
    super(
      `Unknown expectedRevision ${safeDescribe(expectedRevision)}: use 'any', 'no_stream', 'stream_exists' ` +
        'or the integer revision of the stream\'s last event (-1 for an empty stream).',
    );
  }
}

/** An event id is already stored with different content or at another place (or repeats within one append). */
export class DuplicateEventIdError extends EventStoreError {
  readonly code = 'DUPLICATE_EVENT_ID';

  constructor(
    readonly eventId: string,
    readonly stream: string,
    reason: string,
  ) {
    super(`Event id ${eventId} appended to "${stream}" is a duplicate: ${reason}.`);
  }
}

/** An event is malformed: its id is not a UUID, its type is empty, its schema version is not a positive integer... */
export class InvalidEventError extends EventStoreError {
  readonly code = 'INVALID_EVENT';

  constructor(
    readonly eventId: unknown,
    reason: string,
  ) {
    super(`Invalid event ${safeDescribe(eventId)}: ${reason}.`);
  }
}

/** A checkpoint string was not produced by this adapter. */
export class InvalidCheckpointError extends EventStoreError {
  readonly code = 'INVALID_CHECKPOINT';

  constructor(readonly checkpoint: unknown) {
    super(`Invalid checkpoint ${safeDescribe(checkpoint)}: pass back a checkpoint this store handed out.`);
  }
}

/** A unit of work was used after it committed or rolled back. */
export class TransactionClosedError extends EventStoreError {
  readonly code = 'TRANSACTION_CLOSED';

  constructor() {
    super('This unit of work has already committed or rolled back; use it only inside its callback.');
  }
}

/**
 * A unit of work could not commit: a statement in it had failed (and the callback went on), so
 * PostgreSQL rolled everything back. Nothing of it was written.
 */
export class TransactionAbortedError extends EventStoreError {
  readonly code = 'TRANSACTION_ABORTED';

  constructor() {
    super('The unit of work was rolled back: a statement in it failed, so nothing of it was committed.');
  }
}

/** The store was constructed with options it cannot use (e.g. a schema name that is not a plain identifier). */
export class EventStoreConfigurationError extends EventStoreError {
  readonly code = 'INVALID_CONFIGURATION';

  constructor(message: string) {
    super(message);
  }
}

/**
 * The store holds events it cannot place in its global order: rows without a global position
 * written by transactions of another PostgreSQL cluster (a pg_dump restored, then written to by
 * code older than the store-owned order). Reading on would hand them out in a wrong order, so
 * the store refuses to start until the documented repair has been run.
 */
export class EventStoreOrderError extends EventStoreError {
  readonly code = 'GLOBAL_ORDER_BROKEN';

  constructor(
    readonly schema: string,
    readonly unorderedEvents: number,
    readonly highestTransactionId: string,
  ) {
    super(
      `Event store "${schema}" holds ${unorderedEvents} event(s) without a global position written by transactions of another ` +
        `PostgreSQL cluster (transaction ids up to ${highestTransactionId}, beyond this cluster's counter): restored from elsewhere ` +
        `and written to before migrating. Stop the writers and run the repair: SELECT "${schema}".repair_order(); ` +
        `(see the event-store README, "Refused order"), then start again.`,
    );
  }
}

function describeExpected(expected: ExpectedRevision): string {
  return typeof expected === 'number' ? `revision ${expected}` : `'${expected}'`;
}

function safeDescribe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

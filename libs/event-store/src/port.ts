/**
 * The EventStore port: what every adapter (PostgreSQL, KurrentDB, memory) offers, and what
 * services and the messaging library depend on. Streams are named `<category>-<id>`
 * (e.g. `inmate-42`, `transfer-7`); the category is the part before the first '-'.
 */

/** Who did it: a state (ISO 3166-1 alpha-2), an organisation and optionally an officer. */
export interface Actor {
  state?: string;
  organisation?: string;
  officer?: string;
  /** A system principal (e.g. a ministry's integration) rather than a person. */
  system?: string;
  /** Who was verified: the bearer token's subject (HTTP) or the signing key's id (a signed command). */
  subject?: string;
  /** The roles the verified bearer token granted. */
  roles?: string[];
  /** How the actor was established: a bearer token, a command signature, or nothing (authentication off). */
  verifiedBy?: 'bearer-token' | 'command-signature' | 'none';
}

/** Metadata every event carries; `occurredAt` is when it happened in the world (ISO 8601). */
export interface EventMetadata {
  correlationId: string;
  causationId?: string;
  actor?: Actor;
  occurredAt: string;
  /** W3C trace context, passed through. */
  traceparent?: string;
  [extension: string]: unknown;
}

/** An event to append. `id` is a UUID chosen by the caller: a retried append with the same id is a no-op. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
}

/** An event as stored: the store adds the stream, its revision in the stream, its global position and `recordedAt`. */
export interface RecordedEvent<Type extends string = string, Data = unknown> extends NewEvent<Type, Data> {
  streamName: string;
  /** 0-based revision of this event within its stream. */
  revision: number;
  /**
   * Position of the insert: unique, and increasing within one append and within a stream.
   * readAll hands events out in checkpoint order, which on PostgreSQL is the order in which the
   * store numbered them after commit: an event may follow one with a higher position. Resume
   * from `checkpoint`, never from `position`.
   */
  position: bigint;
  /** When the store recorded it (ISO 8601). */
  recordedAt: string;
}

/**
 * Where a reader of the global log stands. Opaque: each adapter encodes what it needs
 * (the PostgreSQL adapter, the event's global position as a decimal number). Store it as a
 * string; pass it back.
 */
export type Checkpoint = string;

/** An event read from the global log, with the checkpoint to resume just after it. */
export interface GlobalEvent extends RecordedEvent {
  checkpoint: Checkpoint;
}

/**
 * The expected state of the stream when appending:
 * - 'any': no check;
 * - 'no_stream': the stream must not exist;
 * - 'stream_exists': the stream must exist (have at least one event);
 * - a number: the stream's current revision (the revision of its last event) must be exactly this.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  /** The revision of the last event now in the stream. */
  nextExpectedRevision: number;
  /** The global position of the last appended event. */
  position: bigint;
}

export interface ReadStreamOptions {
  /** Revision to start from (inclusive); defaults to the start (forwards) or the end (backwards). */
  from?: number;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events after this checkpoint; from the beginning when absent. */
  from?: Checkpoint;
  maxCount?: number;
  filter?: EventFilter;
}

export interface EventFilter {
  /** Only streams of these categories (`transfer` matches `transfer-*`). */
  categories?: string[];
  /** Only these event types. */
  eventTypes?: string[];
}

export interface SubscribeOptions {
  /** Resume after this checkpoint; from the beginning when absent. */
  fromCheckpoint?: Checkpoint;
  filter?: EventFilter;
}

/**
 * A catch-up subscription: an async iterable that yields every event after the checkpoint in
 * global order, then waits for new ones. `stop()` ends the iteration.
 */
export interface Subscription extends AsyncIterable<GlobalEvent> {
  stop(): Promise<void>;
}

/** How far a reader at a checkpoint is behind the head of the global log. */
export interface StoreDistance {
  /** Committed events after the checkpoint. */
  events: number;
  /** When the oldest of them was recorded (ISO 8601); absent when caught up. */
  oldestRecordedAt?: string;
}

/** The event store. */
export interface EventStore {
  appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<GlobalEvent>;
  readCategory(category: string, options?: Omit<ReadAllOptions, 'filter'>): AsyncIterable<GlobalEvent>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** The stream's current revision, or undefined when it has no events. */
  streamRevision(stream: string): Promise<number | undefined>;
  /** Marks a stream closed: later appends fail with StreamClosedError; nothing is deleted. */
  closeStream(stream: string): Promise<void>;
  /** How far a reader at `checkpoint` is behind the head (lag metrics); adapters that cannot tell leave it out. */
  distanceFrom?(checkpoint?: Checkpoint): Promise<StoreDistance>;
  /** Releases connections and stops subscriptions. */
  close(): Promise<void>;
}

import { createHash, randomBytes } from 'node:crypto';
import { Pool, types as pgTypes } from 'pg';
import type { PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import {
  DuplicateEventIdError,
  EventStoreConfigurationError,
  InvalidCheckpointError,
  StreamClosedError,
  TransactionAbortedError,
  TransactionClosedError,
  WrongExpectedRevisionError,
} from '../errors';
import { resolveStoredIds } from '../idempotency';
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
  StoreDistance,
  SubscribeOptions,
  Subscription,
} from '../port';
import { assertCategory, assertStreamName, DEFAULT_MAX_EVENT_BYTES, prepareAppend } from '../validation';
import type { PreparedAppend } from '../validation';
import { migrate, migrateSchema, quoteIdentifier, type MigrationRun, type MigrationSet } from './migrations';
import { NotificationListener, Notifier } from './notification-listener';

/** Options of the PostgreSQL event store. */
export interface PostgresEventStoreOptions {
  /** A pool (its owner ends it) or a connection string (the store owns and ends its pool). */
  connection: Pool | string;
  /** The schema that holds this service's events; created and migrated by the store. */
  schema: string;
  /** Limit on one event's serialised data + metadata, in bytes (default 1 MiB). */
  maxEventBytes?: number;
  /** Most rows fetched per page by readStream / readAll / subscriptions (default 1000). */
  readBatchSize?: number;
  /** Bytes of JSON a page aims at; the page shrinks for large events (default 8 MiB). */
  readBatchBytes?: number;
  /** How often a caught-up subscription looks for new events without a notification (default 500 ms). */
  pollIntervalMs?: number;
  /**
   * When appends send the NOTIFY that wakes subscriptions:
   * - 'after-commit' (default): at once after the append has committed, on a connection of its
   *   own; appends committing while one NOTIFY is on its way share the next one;
   * - 'in-transaction': inside the appending transaction. PostgreSQL serialises the commits of
   *   notifying transactions on one lock held through the WAL flush, which defeats group commit
   *   under concurrent appends: see the event-store benchmark.
   * Either way a subscription also polls, so a lost notification only delays it.
   */
  notify?: 'after-commit' | 'in-transaction';
  /** Most events the sequencer numbers in one transaction (default 5000). */
  sequenceBatchSize?: number;
  /**
   * Checks each event before anything of its append is written, and throws what it finds (the
   * append writes nothing). The services pass the contract's check (`checkStoredEvent` of
   * `@custody/contracts`), so that what their stores hold was valid when written and their
   * relays need not validate it again (docs/performance.md).
   */
  checkEvent?: (event: NewEvent) => void;
}

/** Where the store's global log stands, for lag metrics. */
export interface StoreHead {
  /** The global position of the last sequenced event (0 when none). */
  position: bigint;
  /** Committed events not numbered yet (the sequencer runs whenever a reader reads). */
  unsequencedEvents: number;
  /** When the oldest of them was recorded (ISO 8601). */
  oldestUnsequencedAt?: string;
}


/** A unit of work: everything done through it commits or rolls back together. */
export interface PostgresTransaction {
  /** The schema of the event store, for the caller's own tables (e.g. an inbox) beside the events. */
  readonly schema: string;
  /** Appends in this transaction; visible to others only when the unit of work commits. */
  appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /** Runs parameterised SQL on the transaction's connection. */
  query<Row extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  /**
   * Reads a stream on the transaction's connection: it sees what this unit of work appended and
   * has not committed (a consumer's batch: a second command for a stream sees the first).
   */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /**
   * Runs `callback` once this transaction has committed, never when it rolls back: what the
   * caller may know only of a committed unit of work (e.g. that a command's answer is stored).
   * A callback that throws is ignored; it must not do I/O of its own.
   */
  afterCommit(callback: () => void): void;
}

interface EventRow {
  global_text: string;
  position: string;
  stream_name: string;
  revision: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_text: string;
}

/** A checkpoint as given: a global position, or one of the "<xid>:<position>" form still to convert. */
type GlobalKey = { globalPosition: string } | { transactionId: string; position: string };

interface SubscriptionState {
  after: GlobalKey;
  isStopped: boolean;
  wake?: () => void;
}

/** The rows of one read of the log's tail, shared by the subscriptions it covers (see sharedPage). */
interface SharedPage {
  /** The global position the read began after. */
  from: string;
  /** The sequencer runs completed before the read began: it sees every event they numbered. */
  generation: number;
  /** The categories read; undefined when the read took every category. */
  categories?: ReadonlySet<string>;
  result: Promise<{ rows: EventRow[]; isFull: boolean }>;
}

// The shared pages a store keeps: the last read of the tail and the page read ahead of it, and
// a little more for a subscription a page behind the others.
const SHARED_PAGES_KEPT = 3;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const CHECKPOINT = /^(0|[1-9][0-9]{0,18})$/;
// The checkpoints handed out before the store owned its order: "<transaction id>:<position>".
const LEGACY_CHECKPOINT = /^(0|[1-9][0-9]{0,19}):(0|[1-9][0-9]{0,18})$/;
/** How an append states the revision it expects: a number is 'revision'. */
type AppendMode = 'any' | 'no_stream' | 'stream_exists' | 'revision';
const START: GlobalKey = { globalPosition: '0' };
// Advisory lock class of the sequencer (the second key is the schema's hash).
const SEQUENCER_LOCK_CLASS = 0x45535332;
// Output names differ from the columns they are computed from: ORDER BY resolves a bare name to
// an output column first, and ordering by the text of a number would be wrong.
const EVENT_COLUMNS =
  "e.global_position::text AS global_text, e.position, e.stream_name, e.revision, e.event_id, e.event_type, e.schema_version, e.data, e.metadata, (e.recorded_at AT TIME ZONE 'UTC')::text AS recorded_text";

/**
 * The event store on PostgreSQL: one schema per service, created and migrated by the store.
 *
 * Appends are one statement (appendStatement; docs/adr/0001-own-postgresql-event-store.md): the
 * stream row carries the revision check, so writers of different streams never wait for each other. The global order belongs to
 * the store (docs/adr/0007-store-owned-global-order.md): committed events are numbered after
 * commit by a sequencer (`sequence_events`, serialised per store by an advisory lock) that every
 * global reader (readAll, readCategory, subscribeToAll) runs before it reads; a checkpoint is
 * that number. Transactions that never touch this store, in this database or another, hold
 * nobody back, and the order survives pg_dump / restore into another cluster.
 */
export class PostgresEventStore implements EventStore {
  /** The schema holding the events. */
  readonly schema: string;
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly s: string;
  private readonly maxEventBytes: number;
  private readonly readBatchSize: number;
  private readonly readBatchBytes: number;
  private readonly pollIntervalMs: number;
  private readonly notifyInTransaction: boolean;
  private readonly channel: string;
  private readonly appendStatements = new Map<string, { name: string; text: string }>();
  private readonly listener: NotificationListener;
  private readonly notifier: Notifier;
  private readonly sequenceBatchSize: number;
  private readonly sequenceStatement: string;
  private readonly subscriptions = new Set<Subscription>();
  private migrated?: Promise<void>;
  private sequenceInFlight?: Promise<number>;
  private sequenceNext?: Promise<number>;
  /** Counts the notifications the subscriptions received, and the rounds they began without one. */
  private notices = 0;
  /** The value of `notices` when the sequencer run in flight began. */
  private inFlightNotices = -1;
  /** Sequencer runs completed by this instance. */
  private sequencedRuns = 0;
  /** The value of `notices` when the last completed run began. */
  private completedNotices = -1;
  /** Recent reads of the log's tail, shared by the subscriptions that follow it. */
  private sharedPages: SharedPage[] = [];
  /** The filters of the subscriptions following the tail through shared pages. */
  private readonly sharedFilters = new Map<SubscriptionState, EventFilter | undefined>();
  private sharedLimit: number;
  private isClosed = false;
  private isLocalWakePending = false;
  private readonly checkEvent?: (event: NewEvent) => void;
  /** Whether every event appended through this store was checked by `checkEvent` before it was written. */
  readonly checksEvents: boolean;

  constructor(options: PostgresEventStoreOptions) {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new EventStoreConfigurationError(`Schema name "${options.schema}" must be a plain identifier (letters, digits, "_") of at most 63 characters.`);
    }
    this.schema = options.schema;
    this.s = quoteIdentifier(options.schema);
    this.ownsPool = typeof options.connection === 'string';
    this.pool = typeof options.connection === 'string' ? new Pool({ connectionString: options.connection, keepAlive: true, keepAliveInitialDelayMillis: 10_000 }) : options.connection;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.readBatchSize = options.readBatchSize ?? 1000;
    this.readBatchBytes = options.readBatchBytes ?? 8 * 1024 * 1024;
    this.sharedLimit = Math.min(this.readBatchSize, 64);
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.notifyInTransaction = options.notify === 'in-transaction';
    // A channel name is an identifier (at most 63 bytes): derive a short one from the schema.
    this.channel = `event_store_${createHash('sha256').update(options.schema).digest('hex').slice(0, 16)}`;
    // After-commit notifications name this instance: its own subscriptions are woken in process
    // at the commit, and its listener passes over the echo (scheduleNotify).
    const instance = this.notifyInTransaction ? undefined : randomBytes(8).toString('hex');
    this.listener = new NotificationListener(this.pool, this.channel, instance);
    this.notifier = new Notifier(this.pool, this.channel, undefined, instance);
    this.sequenceBatchSize = options.sequenceBatchSize ?? 5000;
    this.sequenceStatement = `SELECT assigned FROM ${this.s}.sequence_events($1::integer, hashtext($2::text), $3::integer, $4::text)`;
    this.checkEvent = options.checkEvent;
    this.checksEvents = options.checkEvent !== undefined;
  }

  /** The append checked and serialised: nothing is written when an event fails a check. */
  private prepare(stream: string, events: NewEvent[], options: AppendOptions | undefined): PreparedAppend {
    const append = prepareAppend(stream, events, options, this.maxEventBytes);
    if (this.checkEvent) for (const event of events) this.checkEvent(event);
    return append;
  }

  /** Creates or migrates the schema; every other method does it first if needed. */
  migrate(): Promise<void> {
    this.migrated ??= migrate(this.pool, this.schema).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }

  /**
   * Applies a library's migration set (e.g. the inbox's) to a schema of this store's database, by
   * default its own, after the store's own migrations: the project's migration runner, the same
   * advisory lock.
   */
  async applyMigrations(set: MigrationSet, schemaName: string = this.schema): Promise<MigrationRun> {
    await this.migrate();
    return migrateSchema(this.pool, schemaName, set);
  }

  async appendToStream(stream: string, events: NewEvent[], options?: AppendOptions): Promise<AppendResult> {
    const append = this.prepare(stream, events, options);
    await this.migrate();
    const client = await this.pool.connect();
    const stopWatching = watchConnection(client);
    let result: AppendResult;
    try {
      result = await this.appendWith(client, append, false);
    } catch (error) {
      // An event id is stored already (a retry, or a duplicate): the statement rolled back;
      // once more with the probe tells a retry from a duplicate.
      if (!isEventIdViolation(error)) throw error;
      result = await this.appendWith(client, append, true);
    } finally {
      client.release(stopWatching());
    }
    if (append.events.length > 0) this.scheduleNotify();
    return result;
  }

  /**
   * Runs `work` in one transaction: its appends and queries commit together, or roll back
   * together when it throws (the error is rethrown). Subscriptions are woken after the commit.
   */
  async transaction<T>(work: (tx: PostgresTransaction) => Promise<T>): Promise<T> {
    await this.migrate();
    const client = await this.pool.connect();
    const stopWatching = watchConnection(client);
    let isOpen = true;
    let hasAppended = false;
    const committed: Array<() => void> = [];
    const assertOpen = () => {
      if (!isOpen) throw new TransactionClosedError();
    };
    const tx: PostgresTransaction = {
      schema: this.schema,
      appendToStream: async (stream, events, options) => {
        assertOpen();
        const append = this.prepare(stream, events, options);
        // A failed statement would abort the whole unit of work: probe for stored ids first.
        const result = await this.appendWith(client, append, true);
        hasAppended ||= append.events.length > 0;
        return result;
      },
      query: async <Row extends QueryResultRow>(sql: string, params?: unknown[]) => {
        assertOpen();
        return client.query<Row>(sql, params);
      },
      // Every page is read on the transaction's connection, and only while it is open.
      readStream: (stream, options = {}) => {
        const onTransaction = {
          query: (config: QueryConfig) => {
            assertOpen();
            return client.query(config);
          },
        };
        return this.readStreamOn(onTransaction as Pick<Pool, 'query'>, stream, options);
      },
      afterCommit: (callback) => {
        assertOpen();
        committed.push(callback);
      },
    };
    let brokenConnection: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await work(tx);
      const commit = await client.query('COMMIT');
      isOpen = false;
      // COMMIT of a transaction in which a statement failed rolls back, without an error.
      if (commit.command === 'ROLLBACK') throw new TransactionAbortedError();
      if (hasAppended) this.scheduleNotify();
      for (const callback of committed) {
        try {
          callback();
        } catch {
          // the unit of work has committed: a caller's callback cannot undo it
        }
      }
      return value;
    } catch (error) {
      if (isOpen) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          brokenConnection = rollbackError;
        });
      }
      throw error;
    } finally {
      isOpen = false;
      client.release(stopWatching() ?? brokenConnection);
    }
  }

  private async appendWith(client: PoolClient, append: PreparedAppend, probeIds: boolean): Promise<AppendResult> {
    if (append.events.length === 0) return this.checkEmptyAppend(client, append);
    const expected = append.expectedRevision;
    const mode: AppendMode = typeof expected === 'number' ? 'revision' : expected;
    const single = append.events.length === 1;
    const head = [append.stream, append.category, typeof expected === 'number' ? expected : null];
    // One event goes as plain parameters; several as one JSON array, which the statement takes
    // apart (parsing and taking apart the array cost the server about a sixth of a one-event
    // append: docs/performance.md).
    const values = single
      ? [...head, append.events[0].id, append.events[0].type, append.events[0].schemaVersion, append.events[0].dataJson, append.events[0].metadataJson]
      : [...head, '[' + append.events.map(
          (e) => `{"id":"${e.id}","type":${JSON.stringify(e.type)},"schemaVersion":${e.schemaVersion},"data":${e.dataJson},"metadata":${e.metadataJson}}`,
        ).join(',') + ']'];
    let row: { revision: string | null; position: string | null } | undefined;
    try {
      const statement = this.appendStatement(mode, single, probeIds);
      const { rows } = await client.query({ name: statement.name, text: statement.text, values });
      row = rows[0];
    } catch (error) {
      if (probeIds && isEventIdViolation(error)) {
        throw new DuplicateEventIdError(append.events[0].id, append.stream, 'an event of this append was stored concurrently by another transaction');
      }
      throw error;
    }
    if (row?.revision != null) return { nextExpectedRevision: Number(row.revision), position: BigInt(row.position!) };
    return this.refusedAppend(client, append);
  }

  /**
   * The append statement of a mode: one statement, one round trip. The stream's row is claimed
   * first (its revision checked and advanced, or created); the events are inserted only if it was,
   * at the revisions it yields. Appends to one stream serialise on that row, never on a table lock.
   * With `probeIds`, a stored event id stops the append before anything is written (a failed
   * statement would abort a unit of work). No row back: the append was refused
   * (see refusedAppend). Parameters: $1 stream, $2 category, $3 expected revision (NULL but in
   * 'revision' mode; named in every mode so that each statement takes the same ones), then one
   * event as $4 id, $5 type, $6 schema version, $7 data, $8 metadata, or several as $4, a JSON array.
   */
  private appendStatement(mode: AppendMode, single: boolean, probeIds: boolean): { name: string; text: string } {
    const key = `${mode}${single ? '_one' : ''}${probeIds ? '_probed' : ''}${this.notifyInTransaction ? '_notifying' : ''}`;
    const cached = this.appendStatements.get(key);
    if (cached) return cached;
    const s = this.s;
    const count = single ? '1' : 'jsonb_array_length($4::jsonb)';
    const ids = single ? '$4::uuid' : `SELECT (e->>'id')::uuid FROM jsonb_array_elements($4::jsonb) e`;
    const unstored = probeIds ? `NOT EXISTS (SELECT 1 FROM ${s}.events WHERE event_id IN (${ids}))` : 'true';
    const claim = {
      any: `INSERT INTO ${s}.streams AS st (stream_name, category, revision)
            SELECT $1, $2, ${count} - 1 WHERE ${unstored} AND $3::bigint IS NULL
            ON CONFLICT (stream_name) DO UPDATE SET revision = st.revision + ${count} WHERE NOT st.is_closed
            RETURNING st.revision`,
      no_stream: `INSERT INTO ${s}.streams (stream_name, category, revision)
            SELECT $1, $2, ${count} - 1 WHERE ${unstored} AND $3::bigint IS NULL
            ON CONFLICT (stream_name) DO NOTHING
            RETURNING revision`,
      stream_exists: `UPDATE ${s}.streams st SET revision = st.revision + ${count}
            WHERE st.stream_name = $1 AND st.revision >= 0 AND NOT st.is_closed AND ${unstored} AND $3::bigint IS NULL
            RETURNING st.revision`,
      revision: `UPDATE ${s}.streams st SET revision = st.revision + ${count}
            WHERE st.stream_name = $1 AND st.revision = $3::bigint AND NOT st.is_closed AND ${unstored}
            RETURNING st.revision`,
    }[mode];
    const rows = single
      ? `SELECT $1, $2, claimed.revision, $4::uuid, $5::text, $6::integer, $7::jsonb, $8::jsonb FROM claimed`
      : `SELECT $1, $2, claimed.revision - ${count} + e.ord, (e.event->>'id')::uuid, e.event->>'type',
               (e.event->>'schemaVersion')::integer, e.event->'data', e.event->'metadata'
        FROM claimed, jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e(event, ord)
        ORDER BY e.ord`;
    const text = `WITH claimed AS (${claim}),
      inserted AS (
        INSERT INTO ${s}.events (stream_name, category, revision, event_id, event_type, schema_version, data, metadata)
        ${rows}
        RETURNING position
      )
      SELECT (SELECT revision FROM claimed)::text AS revision, (SELECT max(position) FROM inserted)::text AS position${
        this.notifyInTransaction ? `, pg_notify('${this.channel}', '')` : ''
      }`;
    // A statement's name is at most 63 bytes: the channel's hash part names the store.
    const statement = { name: `es_append_${key}_${this.channel.slice('event_store_'.length)}`, text };
    this.appendStatements.set(key, statement);
    return statement;
  }

  /**
   * Why an append claimed no stream revision, in the order the store has always answered: an
   * event id already stored (a retry, perhaps of an append that committed while this one waited
   * for the stream's row, even if the stream has been closed since), a closed stream, or another
   * revision than expected.
   */
  private async refusedAppend(client: PoolClient, append: PreparedAppend): Promise<AppendResult> {
    const ids = append.events.map((e) => e.id);
    const { rows } = await client.query<{ revision: string | null; is_closed: boolean | null; stored: boolean }>({
      name: `event_store_refused_${this.channel}`,
      text: `SELECT st.revision::text AS revision, st.is_closed,
                    EXISTS (SELECT 1 FROM ${this.s}.events WHERE event_id = ANY ($2::uuid[])) AS stored
             FROM (SELECT 1) one LEFT JOIN ${this.s}.streams st ON st.stream_name = $1`,
      values: [append.stream, ids],
    });
    const state = rows[0];
    if (state.stored) {
      const { rows: stored } = await client.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM ${this.s}.events e WHERE e.event_id = ANY ($1::uuid[])`,
        [ids],
      );
      const byId = new Map(stored.map((r) => [r.event_id, toRecorded(r)]));
      return resolveStoredIds(append, ids.map((id) => byId.get(id)));
    }
    if (state.is_closed) throw new StreamClosedError(append.stream);
    const actual = state.revision === null || state.revision === '-1' ? 'no_stream' : Number(state.revision);
    throw new WrongExpectedRevisionError(append.stream, append.expectedRevision, actual);
  }

  private async checkEmptyAppend(client: PoolClient, append: PreparedAppend): Promise<AppendResult> {
    const { rows } = await client.query<{ revision: string; is_closed: boolean; position: string | null }>(
      `SELECT st.revision, st.is_closed,
              (SELECT e.position FROM ${this.s}.events e WHERE e.stream_name = st.stream_name ORDER BY e.revision DESC LIMIT 1) AS position
       FROM ${this.s}.streams st WHERE st.stream_name = $1`,
      [append.stream],
    );
    const stream = rows[0];
    if (stream?.is_closed) throw new StreamClosedError(append.stream);
    const current = stream && stream.revision !== '-1' ? Number(stream.revision) : undefined;
    const expected = append.expectedRevision;
    if (
      (expected === 'no_stream' && current !== undefined) ||
      (expected === 'stream_exists' && current === undefined) ||
      (typeof expected === 'number' && current !== expected)
    ) {
      throw new WrongExpectedRevisionError(append.stream, expected, current ?? 'no_stream');
    }
    return { nextExpectedRevision: current ?? -1, position: stream?.position ? BigInt(stream.position) : -1n };
  }

  /**
   * Wakes subscribers after appends have committed: this instance's at once, in process (no
   * round trip to the server and back before the relay of the same service looks), the other
   * instances' by a NOTIFY that names this one. Commits of one turn of the event loop wake the
   * subscriptions once.
   */
  private scheduleNotify(): void {
    if (this.notifyInTransaction || this.isClosed) return;
    if (!this.isLocalWakePending) {
      this.isLocalWakePending = true;
      setImmediate(() => {
        this.isLocalWakePending = false;
        if (!this.isClosed) this.listener.wakeAll();
      });
    }
    this.notifier.notify();
  }

  /**
   * Numbers the committed events that have no global position yet, a batch per transaction
   * until none is left, and answers how many runs this instance has completed (a run's
   * generation: a read begun after it sees everything it numbered).
   *
   * `notices` is what the caller has heard of: the value of `this.notices` when it was woken.
   * A run that began at or after that value began after every commit the caller was told of,
   * so the caller shares it (or takes the last completed run, when that one began late
   * enough); otherwise it shares the next run, which starts after the current
   * one and sees what committed meanwhile. Without `notices` (a read that must see everything
   * committed before the call), only a run that begins after the call will do. One instance
   * queues at most one transaction on the store's lock, and one notification that wakes every
   * subscription of an instance costs one run, not one per subscription.
   */
  private sequence(notices = ++this.notices): Promise<number> {
    if (this.completedNotices >= notices) return Promise.resolve(this.sequencedRuns);
    if (this.sequenceInFlight && this.inFlightNotices >= notices) return this.sequenceInFlight;
    if (!this.sequenceInFlight) return this.startSequence();
    this.sequenceNext ??= this.sequenceInFlight
      .catch(() => undefined)
      .then(() => {
        this.sequenceNext = undefined;
        return this.startSequence();
      });
    return this.sequenceNext;
  }

  private startSequence(): Promise<number> {
    const notices = this.notices;
    this.inFlightNotices = notices;
    const run = this.runSequence()
      .then(() => {
        this.completedNotices = notices;
        return ++this.sequencedRuns;
      })
      .finally(() => {
        if (this.sequenceInFlight === run) this.sequenceInFlight = undefined;
      });
    this.sequenceInFlight = run;
    return run;
  }

  private async runSequence(): Promise<void> {
    for (;;) {
      // No NOTIFY from the sequencer (channel NULL): every append notifies after its commit, and
      // every reader woken by it numbers before reading, or waits on the store's lock for the run
      // that does (ADR 0007). A second notification per numbering only woke every subscription of
      // every instance for a round that found nothing: two reads and two runs per event, not one.
      const { rows } = await this.pool.query<{ assigned: number }>({
        name: `event_store_sequence_${this.channel}`,
        text: this.sequenceStatement,
        values: [SEQUENCER_LOCK_CLASS, this.schema, this.sequenceBatchSize, null],
      });
      if (rows[0].assigned < this.sequenceBatchSize) return;
    }
  }

  /** The head of the global log: the last global position and the committed events not numbered yet. */
  async head(): Promise<StoreHead> {
    await this.migrate();
    const { rows } = await this.pool.query<{ head: string | null; unsequenced: string; oldest: string | null }>(
      `SELECT (SELECT max(global_position) FROM ${this.s}.events)::text AS head, count(*)::text AS unsequenced,
              (min(recorded_at) AT TIME ZONE 'UTC')::text AS oldest
       FROM ${this.s}.events WHERE global_position IS NULL`,
    );
    const row = rows[0];
    return {
      position: BigInt(row.head ?? '0'),
      unsequencedEvents: Number(row.unsequenced),
      ...(row.oldest ? { oldestUnsequencedAt: toIso(row.oldest) } : {}),
    };
  }

  /**
   * How far a reader at `checkpoint` is behind: the committed events after it (numbered or not)
   * and when the oldest of them was recorded. `recordedAt` is the start of the writing
   * transaction, so the age errs on the old side.
   */
  async distanceFrom(checkpoint?: Checkpoint): Promise<StoreDistance> {
    const key = parseCheckpoint(checkpoint);
    await this.migrate();
    const after = await this.resolveKey(key);
    const { rows } = await this.pool.query<{ head: string | null; unsequenced: string; next_at: string | null; oldest: string | null }>(
      `SELECT (SELECT max(global_position) FROM ${this.s}.events)::text AS head,
              (SELECT count(*) FROM ${this.s}.events WHERE global_position IS NULL)::text AS unsequenced,
              (SELECT (recorded_at AT TIME ZONE 'UTC')::text FROM ${this.s}.events WHERE global_position > $1 ORDER BY global_position LIMIT 1) AS next_at,
              (SELECT (min(recorded_at) AT TIME ZONE 'UTC')::text FROM ${this.s}.events WHERE global_position IS NULL) AS oldest`,
      [after],
    );
    const row = rows[0];
    const sequenced = BigInt(row.head ?? '0') - BigInt(after);
    const events = Number(sequenced > 0n ? sequenced : 0n) + Number(row.unsequenced);
    const oldest = row.next_at ?? row.oldest;
    return { events, ...(events > 0 && oldest ? { oldestRecordedAt: toIso(oldest) } : {}) };
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    await this.migrate();
    yield* this.readStreamOn(this.pool, stream, options);
  }

  /** A stream's events read on `db` (the pool, or a transaction's connection, which sees its own appends). */
  private async *readStreamOn(db: Pick<Pool, 'query'>, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
    assertStreamName(stream);
    const backwards = options.direction === 'backwards';
    const from = options.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const sql =
      `SELECT ${EVENT_COLUMNS} FROM ${this.s}.events e WHERE e.stream_name = $1 AND e.revision ${backwards ? '<=' : '>='} $2 ` +
      `ORDER BY e.revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`;
    const pages = this.pages<number>(
      (after, limit, jsonTypes) => db.query<EventRow>({ text: sql, values: [stream, after, limit], types: jsonTypes }),
      from,
      (row) => Number(row.revision) + (backwards ? -1 : 1),
      options.maxCount ?? Number.POSITIVE_INFINITY,
    );
    for await (const row of pages) yield toRecorded(row);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<GlobalEvent> {
    const from = parseCheckpoint(options.from);
    await this.migrate();
    const after = await this.resolveKey(from);
    await this.sequence();
    for await (const row of this.globalRows(after, options.filter, options.maxCount)) yield toGlobal(row);
  }

  /**
   * The global position a checkpoint stands for. A "<xid>:<position>" checkpoint of the order
   * that preceded the store's own maps to the last event at or before it in that order: the
   * migration numbered the existing events in that order, and every event written since belongs
   * to a transaction that began after the checkpoint was handed out (it was below the oldest
   * running transaction then), so it sorts after it.
   */
  private async resolveKey(key: GlobalKey): Promise<string> {
    if ('globalPosition' in key) return key.globalPosition;
    const { rows } = await this.pool.query<{ global_text: string | null }>(
      `SELECT e.global_position::text AS global_text FROM ${this.s}.events e
       WHERE (e.transaction_id, e.position) <= ($1::xid8, $2::bigint) AND e.global_position IS NOT NULL
       ORDER BY e.transaction_id DESC, e.position DESC LIMIT 1`,
      [key.transactionId, key.position],
    );
    return rows[0]?.global_text ?? '0';
  }

  async *readCategory(category: string, options: Omit<ReadAllOptions, 'filter'> = {}): AsyncIterable<GlobalEvent> {
    assertCategory(category);
    yield* this.readAll({ ...options, filter: { categories: [category] } });
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const state: SubscriptionState = { after: parseCheckpoint(options.fromCheckpoint), isStopped: false };
    const subscription: Subscription = {
      stop: async () => {
        state.isStopped = true;
        state.wake?.();
        this.subscriptions.delete(subscription);
      },
      [Symbol.asyncIterator]: () => this.follow(state, options.filter, subscription),
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /**
   * Catch up from the checkpoint, then wait for a notification or the next poll, and again;
   * each round numbers what has committed first (one cheap probe when nothing has). A committed
   * event is never held back: only uncommitted ones are invisible, and their commit notifies.
   * When another instance is numbering, the sequencer waits for its short transaction on the
   * store's lock and then sees its work, rather than backing off until a later poll.
   *
   * A subscription follows the tail through pages shared with the store's other subscriptions
   * (sharedPage): one notification that wakes the relay and the projections of a service costs
   * one sequencer run and one read, not one of each per subscription. Its cursor is the last
   * position it has looked at, matching or not. A filtered subscription catches up on its own
   * first, with reads of its categories only (an old checkpoint of a rare category does not
   * scan the whole log), and joins the shared pages at the head it read before its last round.
   */
  private async *follow(state: SubscriptionState, filter: EventFilter | undefined, subscription: Subscription): AsyncGenerator<GlobalEvent> {
    let isNotified = false;
    const onNotify = () => {
      this.notices++;
      isNotified = true;
      state.wake?.();
    };
    this.listener.add(onNotify);
    const isFiltered = filter?.categories !== undefined || filter?.eventTypes !== undefined;
    const categories = filter?.categories ? new Set(filter.categories) : undefined;
    const eventTypes = filter?.eventTypes ? new Set(filter.eventTypes) : undefined;
    try {
      await this.migrate();
      let cursor = await this.resolveKey(state.after);
      state.after = { globalPosition: cursor };
      let isShared = false;
      let notices = ++this.notices;
      while (!state.isStopped) {
        isNotified = false;
        const generation = await this.sequence(notices);
        if (!isFiltered && !isShared) {
          isShared = true;
          this.sharedFilters.set(state, filter);
        }
        if (isShared) {
          for (;;) {
            const page = await this.sharedPage(cursor, generation, state);
            for (const row of page.rows) {
              if (state.isStopped) return;
              if (comparePositions(row.global_text, cursor) <= 0) continue;
              cursor = row.global_text;
              state.after = { globalPosition: cursor };
              if (categories && !categories.has(row.stream_name.slice(0, row.stream_name.indexOf('-')))) continue;
              if (eventTypes && !eventTypes.has(row.event_type)) continue;
              yield toGlobal(row);
            }
            if (!page.isFull) break;
          }
        } else {
          // Every matching event up to this head is read by the pages below, which begin after it.
          const head = await this.sequencedHead();
          for await (const row of this.globalRows(cursor, filter, undefined)) {
            if (state.isStopped) return;
            cursor = row.global_text;
            state.after = { globalPosition: cursor };
            yield toGlobal(row);
          }
          if (comparePositions(head, cursor) > 0) cursor = head;
          isShared = true;
          this.sharedFilters.set(state, filter);
        }
        if (state.isStopped) break;
        if (isNotified) {
          notices = this.notices;
          continue;
        }
        const isPolled = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(true), this.pollIntervalMs);
          state.wake = () => {
            clearTimeout(timer);
            resolve(false);
          };
        });
        state.wake = undefined;
        // A poll looks for what a lost notification did not announce: it needs a run of its own.
        notices = isPolled ? ++this.notices : this.notices;
      }
    } finally {
      state.isStopped = true;
      this.sharedFilters.delete(state);
      this.listener.remove(onNotify);
      this.subscriptions.delete(subscription);
    }
  }

  /**
   * Rows after `after` in global order, from a read begun after `generation` sequencer runs
   * had completed: one already made for another subscription when one covers the position and
   * the subscription's categories, else a new one, which takes the categories of every
   * subscription following the tail (all of them when one of them takes every category). The
   * rows may begin before `after`: the caller skips those. When the page is full, the next one
   * is read ahead, as readAll does.
   */
  private async sharedPage(after: string, generation: number, state: SubscriptionState): Promise<{ rows: EventRow[]; isFull: boolean }> {
    const wanted = this.sharedFilters.get(state)?.categories;
    const covers = (page: SharedPage) =>
      page.generation >= generation &&
      comparePositions(page.from, after) <= 0 &&
      (page.categories === undefined || (wanted !== undefined && wanted.every((c) => page.categories!.has(c))));
    let best: SharedPage | undefined;
    for (const page of this.sharedPages) {
      if (covers(page) && (!best || comparePositions(page.from, best.from) >= 0)) best = page;
    }
    let result = best ? await best.result : undefined;
    if (!result || (result.isFull && comparePositions(result.rows[result.rows.length - 1].global_text, after) <= 0)) {
      result = await this.readSharedPage(after, generation).result;
    }
    if (result.isFull) {
      const last = result.rows[result.rows.length - 1].global_text;
      const next = this.sharedPages.some((page) => page.from === last && page.generation >= generation);
      if (!next) this.readSharedPage(last, generation);
    }
    return result;
  }

  /** Starts a read of the tail for the subscriptions following it, and keeps it for them. */
  private readSharedPage(after: string, generation: number): SharedPage {
    let categories: Set<string> | undefined = new Set();
    for (const filter of this.sharedFilters.values()) {
      if (!filter?.categories) {
        categories = undefined;
        break;
      }
      for (const category of filter.categories) categories.add(category);
    }
    const limit = this.sharedLimit;
    const { jsonTypes, measured } = measuringJsonTypes();
    const { text, filterValues } = this.globalRead(categories ? { categories: [...categories] } : undefined);
    const page: SharedPage = {
      from: after,
      generation,
      categories,
      result: this.pool.query<EventRow>({ text, values: [after, ...filterValues, limit], types: jsonTypes }).then(({ rows }) => {
        if (rows.length > 0) this.sharedLimit = this.pageLimitAfter(measured.bytes, rows.length);
        return { rows, isFull: rows.length >= limit };
      }),
    };
    page.result.catch(() => {
      this.sharedPages = this.sharedPages.filter((kept) => kept !== page);
    });
    this.sharedPages.push(page);
    if (this.sharedPages.length > SHARED_PAGES_KEPT) this.sharedPages.shift();
    return page;
  }

  /** The last global position numbered (0 when none). */
  private async sequencedHead(): Promise<string> {
    const { rows } = await this.pool.query<{ head: string }>(`SELECT coalesce(max(global_position), 0)::text AS head FROM ${this.s}.events`);
    return rows[0].head;
  }

  async streamRevision(stream: string): Promise<number | undefined> {
    assertStreamName(stream);
    await this.migrate();
    const { rows } = await this.pool.query<{ revision: string }>(
      `SELECT revision FROM ${this.s}.streams WHERE stream_name = $1`,
      [stream],
    );
    return rows[0] && rows[0].revision !== '-1' ? Number(rows[0].revision) : undefined;
  }

  async closeStream(stream: string): Promise<void> {
    assertStreamName(stream);
    await this.migrate();
    await this.pool.query(
      `INSERT INTO ${this.s}.streams (stream_name, category, revision, is_closed) VALUES ($1, $2, -1, true)
       ON CONFLICT (stream_name) DO UPDATE SET is_closed = true`,
      [stream, stream.slice(0, stream.indexOf('-'))],
    );
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.listener.close();
    await this.notifier.close();
    await this.sequenceInFlight?.catch(() => undefined);
    await this.sequenceNext?.catch(() => undefined);
    if (this.ownsPool) await this.pool.end();
  }

  /** Numbered rows of the global log after global position `after`. */
  private globalRows(after: string, filter: EventFilter | undefined, maxCount: number | undefined): AsyncIterable<EventRow> {
    const { text, filterValues } = this.globalRead(filter);
    return this.pages<string>(
      (key, limit, jsonTypes) => this.pool.query<EventRow>({ text, values: [key, ...filterValues, limit], types: jsonTypes }),
      after,
      (row) => row.global_text,
      maxCount ?? Number.POSITIVE_INFINITY,
    );
  }

  /** A read of the global log after $1, filtered, limited by the parameter after the filter's values. */
  private globalRead(filter: EventFilter | undefined): { text: string; filterValues: unknown[] } {
    const conditions = ['e.global_position > $1::bigint'];
    const filterValues: unknown[] = [];
    if (filter?.categories) {
      filterValues.push(filter.categories);
      conditions.push(`e.category = ANY ($${1 + filterValues.length}::text[])`);
    }
    if (filter?.eventTypes) {
      filterValues.push(filter.eventTypes);
      conditions.push(`e.event_type = ANY ($${1 + filterValues.length}::text[])`);
    }
    const text =
      `SELECT ${EVENT_COLUMNS} FROM ${this.s}.events e WHERE ${conditions.join(' AND ')} ` +
      `ORDER BY e.global_position LIMIT $${2 + filterValues.length}`;
    return { text, filterValues };
  }

  /** The rows of the next page: at most readBatchSize, and about readBatchBytes of JSON at the size per row just measured. */
  private pageLimitAfter(bytes: number, rows: number): number {
    const perRow = Math.max(1, bytes / Math.max(1, rows));
    return Math.max(1, Math.min(this.readBatchSize, Math.floor(this.readBatchBytes / perRow)));
  }

  /**
   * Keyset pagination with one page fetched ahead, so that the database produces the next page
   * while the caller folds this one. A page holds at most readBatchSize rows and aims at
   * readBatchBytes of JSON (measured on the previous page), so large events come in small pages.
   * Ends at the first short page.
   */
  private async *pages<Key>(
    fetch: (after: Key, limit: number, jsonTypes: { getTypeParser: typeof pgTypes.getTypeParser }) => Promise<QueryResult<EventRow>>,
    start: Key,
    nextKey: (row: EventRow) => Key,
    maxCount: number,
  ): AsyncIterable<EventRow> {
    let remaining = maxCount;
    let limit = Math.min(this.readBatchSize, 64, remaining);
    const fetchPage = (after: Key, pageLimit: number) => {
      const { jsonTypes, measured } = measuringJsonTypes();
      const result = fetch(after, pageLimit, jsonTypes).then((r) => ({ rows: r.rows, limit: pageLimit, measured }));
      result.catch(() => undefined);
      return result;
    };
    let pending = fetchPage(start, limit);
    while (remaining > 0) {
      const page = await pending;
      const { rows } = page;
      const isLast = rows.length < page.limit || rows.length >= remaining;
      if (!isLast) {
        limit = Math.max(1, Math.min(this.pageLimitAfter(page.measured.bytes, rows.length), remaining - rows.length));
        pending = fetchPage(nextKey(rows[rows.length - 1]), limit);
      }
      for (const row of rows) {
        if (remaining <= 0) return;
        remaining--;
        yield row;
      }
      if (isLast) return;
    }
  }
}

/** Type parsers that count the characters of the JSON they parse (a page's size, to size the next). */
function measuringJsonTypes(): { jsonTypes: { getTypeParser: typeof pgTypes.getTypeParser }; measured: { bytes: number } } {
  const measured = { bytes: 0 };
  const jsonTypes = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === pgTypes.builtins.JSONB
        ? (text: string) => {
            measured.bytes += text.length;
            return JSON.parse(text) as unknown;
          }
        : pgTypes.getTypeParser(oid, format as 'text')) as typeof pgTypes.getTypeParser,
  };
  return { jsonTypes, measured };
}

/** Orders two global positions given as decimal text without leading zeros. */
function comparePositions(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseCheckpoint(checkpoint: Checkpoint | undefined): GlobalKey {
  if (checkpoint === undefined) return START;
  if (typeof checkpoint === 'string' && CHECKPOINT.test(checkpoint)) return { globalPosition: checkpoint };
  const legacy = typeof checkpoint === 'string' ? LEGACY_CHECKPOINT.exec(checkpoint) : null;
  if (!legacy) throw new InvalidCheckpointError(checkpoint);
  return { transactionId: legacy[1], position: legacy[2] };
}

function toIso(utcText: string): string {
  return new Date(utcText.replace(' ', 'T') + 'Z').toISOString();
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    streamName: row.stream_name,
    revision: Number(row.revision),
    position: BigInt(row.position),
    recordedAt: row.recorded_text.replace(' ', 'T') + 'Z',
  };
}

function toGlobal(row: EventRow): GlobalEvent {
  const event = toRecorded(row) as GlobalEvent;
  event.checkpoint = row.global_text;
  return event;
}

function isEventIdViolation(error: unknown): boolean {
  const pgError = error as { code?: string; constraint?: string };
  return pgError?.code === '23505' && pgError.constraint === 'events_event_id';
}

/**
 * Keeps the connection of a checked-out client from crashing the process when it drops between
 * two statements (the server stopped, the network cut): node-postgres reports that as an 'error'
 * event, which nothing else listens to while the client is out of the pool. The next statement
 * fails with the error instead. Returns the function to call before release: it stops listening
 * and gives the error, if any, so that the broken connection is not given back to the pool.
 */
function watchConnection(client: PoolClient): () => Error | undefined {
  let lost: Error | undefined;
  const onError = (error: Error) => {
    lost ??= error;
  };
  client.on('error', onError);
  return () => {
    client.off('error', onError);
    return lost;
  };
}

export type {
  Actor,
  AppendOptions,
  AppendResult,
  Checkpoint,
  EventFilter,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  GlobalEvent,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  StoreDistance,
  SubscribeOptions,
  Subscription,
} from './port';

/** Typed errors: each has a stable `code`; when an append raises one, nothing was written. */
export {
  DuplicateEventIdError,
  EventStoreConfigurationError,
  EventStoreError,
  EventStoreOrderError,
  EventTooLargeError,
  InvalidCheckpointError,
  InvalidEventError,
  InvalidExpectedRevisionError,
  InvalidStreamNameError,
  NonSerialisableEventError,
  StreamClosedError,
  TransactionAbortedError,
  TransactionClosedError,
  WrongExpectedRevisionError,
} from './errors';
export type { EventStoreErrorCode } from './errors';

/** Stream names: `categoryOf('transfer-7') === 'transfer'`; the checks every adapter applies. */
export { assertStreamName, categoryOf, DEFAULT_MAX_EVENT_BYTES } from './validation';

/** The in-memory adapter, for unit tests of services. */
export { MemoryEventStore } from './memory/memory-event-store';
export type { MemoryEventStoreOptions } from './memory/memory-event-store';

/** The PostgreSQL adapter (the default), with its unit of work. */
export { PostgresEventStore } from './postgres/postgres-event-store';
export type { PostgresEventStoreOptions, PostgresTransaction, StoreHead } from './postgres/postgres-event-store';

/** Versioned migrations of a schema's tables, by set (the event store's is one of them). */
export { migrateSchema } from './postgres/migrations';
export { prepareRepeatedStatements } from './postgres/prepared-statements';
export type { PreparedStatementOptions } from './postgres/prepared-statements';
export { migrationSet } from './postgres/migration-set';
export type { MigrationStep } from './postgres/migration-set';
export type { MigrationRun, MigrationSet, SchemaMigration } from './postgres/migrations';

/** The KurrentDB / EventStoreDB adapter. */
export { KurrentDbEventStore } from './kurrentdb/kurrentdb-event-store';
export type { KurrentDbEventStoreOptions } from './kurrentdb/kurrentdb-event-store';

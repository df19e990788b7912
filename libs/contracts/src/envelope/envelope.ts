/** Who did it: a state (ISO 3166-1 alpha-2), an organisation, an officer, or a system principal. */
export type EnvelopeActor = {
  state?: string;
  organisation?: string;
  officer?: string;
  system?: string;
  /** Who was verified: the bearer token's subject (HTTP) or the signing key's id (a signed command). */
  subject?: string;
  /** The roles the verified token granted. */
  roles?: string[];
  /** How the actor was established: never from what the caller merely claims. */
  verifiedBy?: ActorVerification;
};

/**
 * How an actor was established: a bearer token of a configured issuer (its state is the issuer's),
 * a command signature of a configured ministry key, or nothing (authentication or signatures off,
 * local development only).
 */
export const ACTOR_VERIFICATIONS = ['bearer-token', 'command-signature', 'none'] as const;
export type ActorVerification = (typeof ACTOR_VERIFICATIONS)[number];

/**
 * Metadata of every message; the same fields as the event store's `EventMetadata`, so a stored
 * event passes straight through. `occurredAt` is when it happened in the world.
 */
export type EnvelopeMetadata = {
  correlationId: string;
  causationId?: string;
  actor?: EnvelopeActor;
  occurredAt: string;
  /** W3C trace context, passed through untouched. */
  traceparent?: string;
  tracestate?: string;
  /** Why the act was recorded more than the service's allowed days after it happened (docs/domain.md, Rule 17). */
  lateRecordingReason?: string;
};

/**
 * A message of the catalogue, independent of transport. An event-store `RecordedEvent` is one
 * (with `recordedAt`); for a command, `id` is the `commandId` and `data` the command body.
 */
export type Envelope<Type extends string = string, Data = unknown> = {
  id: string;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EnvelopeMetadata;
  /** When the store recorded it (events); absent on commands. */
  recordedAt?: string;
  /** CloudEvents `source`; defaults to the publishing service's (e.g. `/custody/intake`). */
  source?: string;
  /** Where the event lies in its publisher's event store (events the relay publishes; absent on commands). */
  stream?: StreamPosition;
};

/**
 * Where an event lies in the stream of its publisher's event store (Kafka headers `ce_stream`,
 * `ce_streamrevision`, `ce_streamprevious`), so that a reader can tell that one is missing
 * (docs/architecture.md, "Completeness"; docs/adr/0011-stream-revisions-on-the-wire.md). A stream
 * is named within its publisher: `source` and `name` together identify it.
 */
export type StreamPosition = {
  /** The stream's name in the publisher's store, e.g. `custody-<inmateId>`. */
  name: string;
  /** The event's revision in the stream: 0 for its first event, one more for each event after. */
  revision: number;
  /**
   * The revision of the stream's previous event of a type the contract publishes; -1 when there
   * is none. Revisions in between belong to the service's internal events, which never leave it.
   * Absent when the publisher could not tell (unknown, never a gap).
   */
  previous?: number;
};

/** A message read from Kafka: upcast to the current version, validated, with what the envelope said. */
export type ParsedEnvelope<Type extends string = string, Data = unknown> = Envelope<Type, Data> & {
  source: string;
  /** The CloudEvents subject: `inmate/<id>`, `facility/<id>`, `command/<id>` or `ledger`. */
  subject: string;
  key: string;
  /** The schema version the message was written in (before upcasting). */
  writtenVersion: number;
};

/** The shape of a Kafka message as kafkajs gives and takes it (structural: no kafkajs import). */
export interface KafkaMessageLike {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

/** A Kafka message ready to produce: string key, JSON value, string headers. */
export interface OutgoingKafkaMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The largest message the contract accepts: 1 MiB (key, value and headers together). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** CloudEvents extension attributes of the contract (Kafka headers `ce_<name>`). */
export const EXTENSIONS = {
  recordedTime: 'recordedtime',
  correlationId: 'correlationid',
  causationId: 'causationid',
  schemaVersion: 'schemaversion',
  actorState: 'actorstate',
  actorOrganisation: 'actororganisation',
  actorOfficer: 'actorofficer',
  actorSystem: 'actorsystem',
  actorSubject: 'actorsubject',
  actorRoles: 'actorroles',
  actorVerifiedBy: 'actorverifiedby',
  lateRecordingReason: 'laterecordingreason',
  stream: 'stream',
  streamRevision: 'streamrevision',
  streamPrevious: 'streamprevious',
} as const;

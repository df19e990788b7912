import { hostname } from 'node:os';
import { IsIn, IsString, Matches, MinLength, Validate, ValidateIf, ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import type { RecordingClock } from '@custody/legal';
import { isStateCode } from '@custody/contracts';
import { kafkaSecurity, TopicNames, type CommandResultRouting, type KafkaSettings, type TopicSpec } from '@custody/messaging';
import { InvalidConfigurationError, WholeNumber } from '@custody/config';
import { parseSigners, SecurityConfig } from '@custody/security';

/** The defaults a service sets for the variables every service reads: its port, schema, pool size, client id and consumer group. */
export type ServiceDefaults = Partial<Pick<ServiceConfig, 'PORT' | 'DATABASE_SCHEMA' | 'DATABASE_POOL_SIZE' | 'KAFKA_CLIENT_ID' | 'KAFKA_GROUP_ID'>>;

/** KAFKA_HEARTBEAT_INTERVAL_MS at most a third of KAFKA_SESSION_TIMEOUT_MS: a member must be heard several times within its session. */
@ValidatorConstraint({ name: 'heartbeatWithinSession' })
class HeartbeatWithinSession implements ValidatorConstraintInterface {
  validate(value: unknown, { object }: ValidationArguments): boolean {
    const session = (object as { KAFKA_SESSION_TIMEOUT_MS?: unknown }).KAFKA_SESSION_TIMEOUT_MS;
    return typeof value !== 'number' || typeof session !== 'number' || value * 3 <= session;
  }

  defaultMessage(): string {
    return 'KAFKA_HEARTBEAT_INTERVAL_MS must be at most a third of KAFKA_SESSION_TIMEOUT_MS';
  }
}

/**
 * The variables every service reads: its port, its database and schema, its event store, the
 * broker and how to reach it securely, and (from SecurityConfig) authentication. A service's
 * configuration class extends this one and passes its own defaults (port, schema, client id,
 * consumer group) to the constructor; the environment overrides them as any default.
 */
export class ServiceConfig extends SecurityConfig {
  constructor(defaults: ServiceDefaults = {}) {
    super();
    Object.assign(this, defaults);
  }

  /** HTTP port (0: any free port, for tests). */
  @WholeNumber(0, 65535)
  PORT = 3100;

  /**
   * The address HTTP listens on: the loopback interface by default, so that a service started on
   * a workstation (`npm run dev`, authentication off) is not reachable from the network; a
   * container sets `0.0.0.0` (the image, deploy/Dockerfile, and docker-compose.yml do).
   */
  @IsString()
  @Matches(/^[A-Za-z0-9.:[\]-]+$/, { message: 'HTTP_HOST must be an IP address or a host name' })
  HTTP_HOST = '127.0.0.1';

  /** Largest HTTP body accepted, in bytes; above it 413 MESSAGE_TOO_LARGE. */
  @WholeNumber(1024, 1024 * 1024)
  HTTP_BODY_LIMIT_BYTES = 64 * 1024;

  /** The service's PostgreSQL database (events, inbox, relay checkpoint and read models). */
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

  /**
   * Longest a connection of the service's pool may sit idle inside an open transaction before
   * PostgreSQL ends its session (ms; 0: never). Such a transaction holds row locks and the
   * database's horizon; the consumer's and the write path's transactions last milliseconds.
   */
  @WholeNumber(0)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

  /**
   * Connections in the service's pool, shared by the write path, the projections, the relay and
   * the consumer (the relay's lock and the store's notification listener hold one each).
   */
  @WholeNumber(2, 200)
  DATABASE_POOL_SIZE = 10;

  /**
   * Whether the pool's connections send each parameterised statement as a named prepared
   * statement, parsed and planned once per connection (docs/performance.md, "Prepared
   * statements"). 'false' for a connection pooler that cannot keep them (PgBouncer in transaction
   * mode before 1.21, or without max_prepared_statements).
   */
  @IsIn(['true', 'false'])
  DATABASE_PREPARED_STATEMENTS: 'true' | 'false' = 'true';

  /**
   * How far V8 lets the heap grow past what the last full collection kept before it collects
   * again, in percent (0: V8's own choice, which lets a busy service's heap reach about four times
   * what it holds). A service holds 60–80 MB; at 50 its peak stays near 250 MB instead of 340 MB,
   * for no measurable throughput (docs/performance.md, "Memory").
   */
  @WholeNumber(0, 300)
  NODE_HEAP_GROWING_PERCENT = 50;

  /** The schema inside that database, migrated by the service on start. */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: 'DATABASE_SCHEMA must be a plain identifier' })
  DATABASE_SCHEMA = 'custody';

  /** Comma-separated host:port list. */
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port…]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(1)
  KAFKA_CLIENT_ID = 'custody';

  /** Prefix of every topic name on the broker (one environment or test run per prefix). */
  @IsString()
  KAFKA_TOPIC_PREFIX = '';

  /** The service's consumer group. */
  @IsString()
  @MinLength(1)
  KAFKA_GROUP_ID = 'custody';

  /**
   * This instance's name in its consumer group, the same at each of its starts and never shared by
   * two running instances (default: the host name; a container keeps it across restarts). The
   * member id the instance joins with is recorded under it in the service's database, and at its
   * next start that member is removed from the group before joining: after a crash the consumer
   * does not wait for the dead member's session to time out (docs/adr/0017-restart-replaces-previous-member.md).
   * Empty: nothing recorded, nothing removed.
   */
  @Matches(/^[\x21-\x7e]{0,200}$/, { message: 'KAFKA_INSTANCE_ID must be printable ASCII without spaces, at most 200 characters' })
  KAFKA_INSTANCE_ID = hostname();

  /**
   * How long the broker keeps a consumer group member it hears nothing from (ms): a crashed
   * instance whose member is not removed at its restart (KAFKA_INSTANCE_ID) holds its partitions
   * that long. Within the broker's group.min.session.timeout.ms and group.max.session.timeout.ms
   * (6 s and 30 min by default).
   */
  @WholeNumber(1_000, 1_800_000)
  KAFKA_SESSION_TIMEOUT_MS = 30_000;

  /** How often the consumer heartbeats to its group's coordinator (ms); at most a third of KAFKA_SESSION_TIMEOUT_MS. */
  @WholeNumber(100, 600_000)
  @Validate(HeartbeatWithinSession)
  KAFKA_HEARTBEAT_INTERVAL_MS = 3_000;

  /**
   * Partitions the consumer works on at once (kafkajs's partitionsConsumedConcurrently): each
   * partition stays in order, its messages one transaction group after another; different
   * partitions go on side by side, as they do on different instances. Each partition at work holds
   * one of the pool's connections (DATABASE_POOL_SIZE) for its transaction: 3 leaves the pool room
   * for the HTTP commands, the relay and the projections (docs/performance.md).
   */
  @WholeNumber(1, 64)
  KAFKA_PARTITIONS_CONCURRENTLY = 3;

  /** Partitions of the topics the service creates when they are missing. */
  @WholeNumber(1, 1000)
  KAFKA_PARTITIONS = 6;

  /**
   * Replicas of each partition of the topics the service creates. 0 (the default): as the
   * cluster allows, 3 where it has three brokers or more (with `min.insync.replicas=2`), else
   * one per broker.
   */
  @WholeNumber(0, 10)
  KAFKA_REPLICATION_FACTOR = 0;

  /**
   * The Kafka client the relay publishes through (docs/adr/0018-relay-publisher-on-platformatic-kafka.md):
   * `platformatic` (default), @platformatic/kafka's producer, or `kafkajs`, the publisher before
   * it. Both publish the same transactions with the same fence and checkpoint, from the same
   * KAFKA_* settings; the consumer always runs on kafkajs.
   */
  @IsIn(['platformatic', 'kafkajs'], { message: 'KAFKA_RELAY_CLIENT must be platformatic or kafkajs' })
  KAFKA_RELAY_CLIENT: 'platformatic' | 'kafkajs' = 'platformatic';

  /** SASL to the brokers: empty (none), `scram-sha-512`, `scram-sha-256` or `plain`. */
  @IsIn(['', 'scram-sha-512', 'scram-sha-256', 'plain'], { message: 'KAFKA_SASL_MECHANISM must be empty, scram-sha-512, scram-sha-256 or plain' })
  KAFKA_SASL_MECHANISM = '';

  /** Required with KAFKA_SASL_MECHANISM. */
  @ValidateIf((config: ServiceConfig) => config.KAFKA_SASL_MECHANISM !== '')
  @IsString()
  @MinLength(1, { message: 'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_USERNAME = '';

  /** Required with KAFKA_SASL_MECHANISM. */
  @ValidateIf((config: ServiceConfig) => config.KAFKA_SASL_MECHANISM !== '')
  @IsString()
  @MinLength(1, { message: 'KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM' })
  KAFKA_SASL_PASSWORD = '';

  /** `true`: TLS to the brokers. */
  @IsIn(['true', 'false'])
  KAFKA_SSL: 'true' | 'false' = 'false';

  /** A PEM file of the certificate authorities to trust over TLS (default: the system's). */
  @IsString()
  KAFKA_SSL_CA_FILE = '';

  /**
   * `required` (default): a command on the service's commands topic is applied only with the
   * sending ministry's signature (Kafka header ce_signature) and a signer whose state may issue
   * it. `off`: no checks (local development and the end-to-end stack only, like AUTH_MODE=off).
   */
  @IsIn(['required', 'off'], { message: 'COMMAND_SIGNATURES must be required or off' })
  COMMAND_SIGNATURES: 'required' | 'off' = 'required';

  /**
   * The ministries' command-signing keys, a JSON array:
   * `[{ "kid": "be-commands-1", "state": "BE", "publicKeyPem": "-----BEGIN PUBLIC KEY-----…" }]`
   * (or `keyFile`, a PEM file, instead of `publicKeyPem`), or `{ "state": "AL", "jwksUri": "https://…" }`
   * for a ministry that publishes its keys. Required when COMMAND_SIGNATURES=required.
   */
  @IsString()
  COMMAND_SIGNERS = '[]';

  /**
   * How often the keys of ministries that publish them (COMMAND_SIGNERS entries with `jwksUri`)
   * are fetched again, in seconds; a command naming a key not held yet also starts a fetch (at
   * most one per 30 s).
   */
  @WholeNumber(10, 86400)
  COMMAND_SIGNERS_REFRESH_SECONDS = 300;

  /**
   * Command signatures of the first form (no `typ` in the protected header), which cover the value,
   * the command id and type but not the acting organisation and officer nor the correlation id:
   * `refuse` (default), answered SIGNATURE_INVALID with a reason naming the form; `accept`, only
   * for the transition while ministries move to the second form (docs/security.md).
   */
  @IsIn(['refuse', 'accept'], { message: 'COMMAND_SIGNATURES_V1 must be refuse or accept' })
  COMMAND_SIGNATURES_V1: 'refuse' | 'accept' = 'refuse';

  /**
   * `required` (default): an event on another service's events topic (and command results) is
   * applied only with a valid signature (Kafka header ce_eventsignature) by a key of the topic's
   * publishing service in EVENT_PUBLISHER_KEYS; any other is set aside in the dead-letter topic as
   * EVENT_SIGNATURE_INVALID. Needs EVENT_SIGNING_KEY too. `off`: no check (local development, and
   * the first step of the rollout, docs/adr/0013-signed-events.md); the relay still signs with
   * EVENT_SIGNING_KEY when one is given.
   */
  @IsIn(['required', 'off'], { message: 'EVENT_SIGNATURES must be required or off' })
  EVENT_SIGNATURES: 'required' | 'off' = 'required';

  /** The service's Ed25519 private key (PKCS#8 PEM) its relay signs every event with. */
  @IsString()
  EVENT_SIGNING_KEY = '';

  /** The id of EVENT_SIGNING_KEY in the signatures (`kid`); default `<service>-<first 16 hex digits of the SHA-256 of the public key>`. */
  @IsString()
  @Matches(/^[\x21-\x7e]{0,100}$/, { message: 'EVENT_SIGNING_KEY_ID must be printable ASCII without spaces, at most 100 characters' })
  EVENT_SIGNING_KEY_ID = '';

  /**
   * The publishing services' public keys, a JSON array:
   * `[{ "service": "transfer", "publicKeyPem": "-----BEGIN PUBLIC KEY-----…", "kid": "…" }]` (or
   * `keyFile`, a PEM file; `kid` as EVENT_SIGNING_KEY_ID's default when absent). Several keys of a
   * service are all accepted (a rotation). Required with EVENT_SIGNATURES=required: a key for
   * each topic the service reads events of.
   */
  @IsString()
  EVENT_PUBLISHER_KEYS = '[]';

  /**
   * How long the broker keeps a message of the service's commands topic (intake, transfer,
   * custody) and of its dead-letter topic, in milliseconds (7 days by default; at least an hour).
   * Ministries' commands carry identities in clear (they hold no data key), so this bounds how
   * long a person's name outlives its erasure on the broker. Applied when the service creates the
   * topic; an existing topic keeps its own and the service warns at start.
   */
  @WholeNumber(60 * 60 * 1000)
  COMMAND_TOPIC_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

  /**
   * `on` (default): every command result the relay publishes on a state's own topic
   * (custody.command-results.<STATE>) is also copied to the shared custody.command-results, so that
   * ministries' readers of the shared topic keep their answers while they move to their own
   * topic. `off`, once every ministry reads its own: the shared topic takes only the results that
   * name no verified state, for operators (docs/adr/0015-command-results-per-state.md).
   */
  @IsIn(['on', 'off'], { message: 'COMMAND_RESULTS_SHARED_TOPIC must be on or off' })
  COMMAND_RESULTS_SHARED_TOPIC: 'on' | 'off' = 'on';

  /**
   * How far (seconds) a command's `occurredAt` may lie after the service's clock: two ministries'
   * clocks never agree to the second. Later is DATE_IN_FUTURE (docs/domain.md, Rule 17).
   */
  @WholeNumber(0, 3600)
  COMMAND_CLOCK_SKEW_SECONDS = 300;

  /**
   * Days after which a ministry's act, recorded later than that after its `occurredAt`, must give
   * a `lateRecordingReason` (LATE_RECORDING_REASON_REQUIRED, Rule 17). The service's clock counts,
   * also for a command that waited on the commands topic: after an outage longer than this, raise
   * it while the backlog is applied.
   */
  @WholeNumber(1, 36500)
  COMMAND_LATE_RECORDING_DAYS = 7;

  /**
   * How long (ms) an HTTP request about a subject another service's events have not reached yet
   * waits for this service's consumer to read them before it is answered 409 NOT_YET_KNOWN_HERE
   * (docs/adr/0012-not-yet-known-here.md): the events normally arrive within milliseconds, and a
   * client told to come back after `Retry-After: 1` would lose a second. 0 answers at once. Kafka
   * commands never wait (the consumer would hold its own partition).
   */
  @WholeNumber(0, 30_000)
  NOT_YET_KNOWN_WAIT_MS = 2_000;
}

/**
 * The service's clock as the deciders take it (docs/domain.md, Rule 17): its reading now, and the
 * time policy of its configuration. Read by the command handler, never by a decider.
 */
export function recordingClock(config: Pick<ServiceConfig, 'COMMAND_CLOCK_SKEW_SECONDS' | 'COMMAND_LATE_RECORDING_DAYS'>, now: Date = new Date()): RecordingClock {
  return { now: now.toISOString(), policy: { clockSkewSeconds: config.COMMAND_CLOCK_SKEW_SECONDS, lateRecordingDays: config.COMMAND_LATE_RECORDING_DAYS } };
}

/**
 * Where a service that takes commands publishes their results (docs/adr/0015-command-results-per-state.md):
 * a topic of its own for each state of COMMAND_SIGNERS, the only states a result can be verified
 * for, when COMMAND_SIGNATURES=required (with `off`, no command has a verified state and every
 * result goes to the shared topic); copies on the shared topic as COMMAND_RESULTS_SHARED_TOPIC
 * says. A signer's state that is no state code stops the service naming COMMAND_SIGNERS.
 */
export function commandResultRouting(config: Pick<ServiceConfig, 'COMMAND_SIGNATURES' | 'COMMAND_SIGNERS' | 'COMMAND_RESULTS_SHARED_TOPIC'>): CommandResultRouting & { states: string[] } {
  const shared = config.COMMAND_RESULTS_SHARED_TOPIC === 'on';
  if (config.COMMAND_SIGNATURES !== 'required') return { states: [], shared };
  let signers: ReturnType<typeof parseSigners>;
  try {
    signers = parseSigners(config.COMMAND_SIGNERS);
  } catch (error) {
    throw new InvalidConfigurationError([{ variable: 'COMMAND_SIGNERS', problem: (error as Error).message }]);
  }
  const states = [...new Set([...signers.keys, ...signers.jwks].map((signer) => signer.state))].sort();
  const unknown = states.filter((state) => !isStateCode(state));
  if (unknown.length > 0) {
    throw new InvalidConfigurationError([{ variable: 'COMMAND_SIGNERS', problem: `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} no state code (ISO 3166-1 alpha-2, or XK): no command results topic is named after it` }]);
  }
  return { states, shared };
}

/**
 * The topics a service creates when they are missing (logical names, under the service's prefix),
 * with its partitions and replicas. Its own commands topic (`commandsTopic`) is kept only
 * COMMAND_TOPIC_RETENTION_MS: ministries' commands carry identities in clear.
 */
export function serviceTopics(
  config: Pick<ServiceConfig, 'KAFKA_TOPIC_PREFIX' | 'KAFKA_PARTITIONS' | 'KAFKA_REPLICATION_FACTOR' | 'COMMAND_TOPIC_RETENTION_MS'>,
  topics: readonly string[],
  commandsTopic?: string,
): TopicSpec[] {
  const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
  return topics.map((topic) => ({
    topic: names.physical(topic),
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    ...(topic === commandsTopic ? { config: { 'retention.ms': String(config.COMMAND_TOPIC_RETENTION_MS) } } : {}),
  }));
}

/** The kafkajs settings of a service: its brokers and client id, SASL and TLS from its configuration. */
export function kafkaSettingsOf(config: ServiceConfig): KafkaSettings {
  return {
    brokers: config.KAFKA_BROKERS.split(',').map((broker) => broker.trim()),
    clientId: config.KAFKA_CLIENT_ID,
    ...kafkaSecurity({
      KAFKA_SASL_MECHANISM: config.KAFKA_SASL_MECHANISM,
      KAFKA_SASL_USERNAME: config.KAFKA_SASL_USERNAME,
      KAFKA_SASL_PASSWORD: config.KAFKA_SASL_PASSWORD,
      KAFKA_SSL: config.KAFKA_SSL,
      KAFKA_SSL_CA_FILE: config.KAFKA_SSL_CA_FILE || undefined,
    }),
  };
}

import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type InjectionToken, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { ModuleMetadata } from '@nestjs/common/interfaces';
import { ModuleRef } from '@nestjs/core';
import { Pool } from 'pg';
import { checkStoredEvent, commandResultsTopic } from '@custody/contracts';
import { PostgresEventStore, prepareRepeatedStatements, type PostgresTransaction } from '@custody/event-store';
import {
  contractRoute, MessagingHost, MessagingModule, PostgresInbox, RELAY_CHECKPOINT_TOPIC, relayTransactionalId, TopicNames,
  type CommandResultRouting, type DecodedEvent, type DecodeFailure, type InboundMessage, type MessageDecoder, type MessagingOptions,
} from '@custody/messaging';
import { eventSignatures, SecurityModule, type EventSignatures } from '@custody/security';
import { AccessLogModule } from './access-log/access-log.module';
import { Arrivals } from './arrivals';
import { storedCommandResults } from './command-results';
import { CommandAnswers } from './commands/command-answers';
import { HttpCommandAnswers } from './commands/http-answers';
import { KafkaCommandAnswers } from './commands/kafka-answers';
import { HealthModule } from './health.module';
import { lookUp } from './observability/observability.module';
import { commandResultRouting, kafkaSettingsOf, serviceTopics, type ServiceConfig } from './service.config';

/** The service's PostgreSQL pool: events, inbox, relay checkpoint, access log and read models share it. */
export const DATABASE_POOL = Symbol('DATABASE_POOL');

/** The service's side of Kafka: what it reads, what it writes, and how its commands are decoded. */
export interface ServiceMessaging {
  /** Logical topics the consumer reads (commands first, where the service has a commands topic). */
  consumed: readonly string[];
  /** Further logical topics the service creates when missing (its events, command results...). */
  produced: readonly string[];
  /** The service's own commands topic, kept only COMMAND_TOPIC_RETENTION_MS (see serviceTopics). */
  commandsTopic?: string;
  decoder: MessageDecoder;
  /** Messages per consumer transaction (the consumer's default when absent). */
  transactionBatchSize?: number;
  /**
   * An event that records a refusal of the consumer's decoder (after every check, the event
   * signatures' included), or undefined to only set the message aside. The consumer hands it to
   * the handler of its type, through the inbox, before it dead-letters the message: the audit
   * service raises a finding of each event refused for its signature (docs/adr/0013-signed-events.md).
   */
  recordRefusal?: (message: InboundMessage, failure: DecodeFailure) => DecodedEvent | undefined;
}

export interface ServiceModuleOptions<C extends ServiceConfig> {
  /** The service's name: health, access log entries, relay name. */
  name: string;
  config: C;
  /** The token the service's own code injects its configuration by (its class, or a symbol). */
  configToken: InjectionToken;
  /** The service's own tables, migrated on start after the event store's. */
  migrate?: (pool: Pool, schema: string) => Promise<void>;
  /** The service's own database-side providers (read-model tables, keys...), global like the pool. */
  providers?: Provider[];
  exports?: NonNullable<ModuleMetadata['exports']>;
  /** Kafka: absent, the service runs HTTP and its database only. */
  messaging?: ServiceMessaging;
}

/**
 * Closes the database when the application closes, in the last of Nest's shutdown hooks. Messaging
 * stops in the first (onModuleDestroy: consumer, then relay, then producer), so that nothing is
 * still reading or writing through the pool here; the store's notification listener holds one of
 * the pool's connections, hence the store before the pool.
 */
@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly store: PostgresEventStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.pool.end();
  }
}

/** The event signatures of a service's relay and consumer (docs/adr/0013-signed-events.md). */
interface SignedMessaging {
  signBatch?: EventSignatures['signBatch'];
  /** The physical topics the consumer reads. */
  consumed: string[];
  /** The service's decoder, with the events of other services' topics verified. */
  decoder: MessageDecoder;
}

/**
 * Every event the relay publishes is signed with the service's key; the consumer takes another
 * service's events only signed by it. Built when the module is, so that a key missing or unreadable
 * stops the service naming the variable before anything connects.
 */
function signedMessaging(name: string, config: ServiceConfig, messaging: ServiceMessaging): SignedMessaging {
  const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
  const signatures = eventSignatures(config, name, names);
  const consumed = messaging.consumed.map((topic) => names.physical(topic));
  const verified = signatures.decoder(messaging.decoder, consumed);
  const decoder = messaging.recordRefusal ? recordingRefusals(verified, messaging.recordRefusal) : verified;
  return { ...(signatures.signBatch ? { signBatch: signatures.signBatch } : {}), consumed, decoder };
}

/** `decoder`, whose refusals without an answer of their own carry the event `record` makes of them (ServiceMessaging.recordRefusal). */
function recordingRefusals(decoder: MessageDecoder, record: NonNullable<ServiceMessaging['recordRefusal']>): MessageDecoder {
  return {
    ...decoder,
    decode(message) {
      const decoded = decoder.decode(message);
      if (decoded.ok || decoded.answer) return decoded;
      const answer = record(message, decoded.failure);
      return answer ? { ...decoded, answer } : decoded;
    },
  };
}

/**
 * The relay of the store's events and the consumer with its inbox, from the service's declaration.
 * `results`: where the results of the service's commands go; each state's results topic is among
 * the topics created at start, before the relay publishes (docs/adr/0015-command-results-per-state.md).
 */
/**
 * The consumer's settings from the configuration: the partitions it works on at once, its session
 * and heartbeat, and the instance's name in the group (none when KAFKA_INSTANCE_ID is empty: the
 * previous run's member is then left to time out; docs/adr/0017-restart-replaces-previous-member.md).
 */
function consumerSettingsOf(config: ServiceConfig): { sessionTimeoutMs: number; heartbeatIntervalMs: number; instanceId?: string; partitionsConcurrently: number } {
  return {
    partitionsConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
    ...(config.KAFKA_INSTANCE_ID ? { instanceId: config.KAFKA_INSTANCE_ID } : {}),
  };
}

function messagingOptions(
  name: string, config: ServiceConfig, messaging: ServiceMessaging, signatures: SignedMessaging, results: (CommandResultRouting & { states: string[] }) | undefined,
  store: PostgresEventStore, pool: Pool,
): MessagingOptions<PostgresTransaction> {
  const names = new TopicNames(config.KAFKA_TOPIC_PREFIX);
  const checkpointTopic = names.physical(RELAY_CHECKPOINT_TOPIC);
  const resultsOfStates = (results?.states ?? []).map((state) => commandResultsTopic(state));
  return {
    kafka: kafkaSettingsOf(config),
    topics: [
      ...serviceTopics(config, [...messaging.consumed, ...messaging.produced, ...resultsOfStates], messaging.commandsTopic),
      // The relays' checkpoints are committed against it in their transactions; it holds no message (ADR 0009).
      { topic: checkpointTopic, partitions: 1, replicationFactor: config.KAFKA_REPLICATION_FACTOR },
    ],
    relay: {
      name,
      store,
      pool,
      schema: config.DATABASE_SCHEMA,
      route: contractRoute(names, { store, storedEventsChecked: store.checksEvents, ...(results ? { commandResults: results } : {}) }),
      ...(signatures.signBatch ? { signBatch: signatures.signBatch } : {}),
      transactions: { transactionalId: relayTransactionalId(config.KAFKA_TOPIC_PREFIX, name), checkpointTopic, client: config.KAFKA_RELAY_CLIENT },
    },
    consumer: {
      groupId: config.KAFKA_GROUP_ID,
      topics: signatures.consumed,
      decoder: signatures.decoder,
      inbox: new PostgresInbox(store, config.DATABASE_SCHEMA),
      // A command read again (a resend, a redelivery, a broken copy) is answered with its stored result.
      ...(messaging.commandsTopic
        ? { commandResults: storedCommandResults(store, names, [messaging.commandsTopic], new KafkaCommandAnswers(new CommandAnswers(pool, config.DATABASE_SCHEMA)), results) }
        : {}),
      ...(messaging.transactionBatchSize === undefined ? {} : { transactionBatchSize: messaging.transactionBatchSize }),
      ...consumerSettingsOf(config),
    },
  };
}

/**
 * What every service is made of besides its own modules: authentication and authorisation, the
 * access log, health, the pool and the event store in the service's schema (migrated on start),
 * and Kafka (relay and consumer). Global: the service's modules inject the configuration, the
 * pool and the store wherever they need them.
 */
@Global()
@Module({})
export class ServiceModule {
  static forService<C extends ServiceConfig>(options: ServiceModuleOptions<C>): DynamicModule {
    const { name, config, messaging } = options;
    const signatures = messaging ? signedMessaging(name, config, messaging) : undefined;
    // A service that takes commands answers them; a signer's state that names no topic stops it here.
    const results = messaging?.commandsTopic ? commandResultRouting(config) : undefined;
    return {
      module: ServiceModule,
      imports: [
        SecurityModule.forRoot(config),
        AccessLogModule.forRoot({ service: name, schema: config.DATABASE_SCHEMA, pool: DATABASE_POOL }),
        HealthModule.forService(name),
        ...(messaging
          ? [
              MessagingModule.forRootAsync<PostgresTransaction>({
                inject: [PostgresEventStore, DATABASE_POOL],
                useFactory: ((store: PostgresEventStore, pool: Pool) => messagingOptions(name, config, messaging, signatures!, results, store, pool)) as never,
              }),
            ]
          : []),
      ],
      providers: [
        { provide: options.configToken, useValue: config },
        {
          provide: DATABASE_POOL,
          useFactory: () => {
            const pool = new Pool({
              connectionString: config.DATABASE_URL,
              max: config.DATABASE_POOL_SIZE,
              idle_in_transaction_session_timeout: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
              // TCP keepalive: a connection whose peer is gone (the relay's lock among them) is found
              // dead by the kernel instead of hanging on a silent network (docs/operations.md).
              keepAlive: true,
              keepAliveInitialDelayMillis: 10_000,
            });
            // An idle connection lost (the database restarted) is dropped by the pool; unheard, the
            // 'error' event would end the process. The next query opens a new connection.
            const logger = new Logger('Database');
            pool.on('error', (error) => logger.warn(`an idle database connection was lost: ${error.message}`));
            // Likewise a connection lost while checked out (between two statements of a transaction,
            // or held for a lock): node-postgres then has no listener of the pool's on it, and the
            // audit service died of it when the chaos suite restarted the database. With this one the
            // next statement fails with the error, and the pool drops the connection on release.
            pool.on('connect', (client) => {
              client.on('error', (error) => logger.warn(`a database connection in use was lost: ${error.message}`));
              if (config.DATABASE_PREPARED_STATEMENTS === 'true') prepareRepeatedStatements(client);
            });
            return pool;
          },
        },
        {
          provide: PostgresEventStore,
          inject: [DATABASE_POOL],
          useFactory: async (pool: Pool) => {
            // Every event is checked against the contract when written, so the relay does not validate it again (docs/performance.md).
            const store = new PostgresEventStore({ connection: pool, schema: config.DATABASE_SCHEMA, checkEvent: checkStoredEvent });
            await store.migrate();
            await new CommandAnswers(pool, config.DATABASE_SCHEMA).migrate();
            await options.migrate?.(pool, config.DATABASE_SCHEMA);
            return store;
          },
        },
        // The answers to the service's commands, HTTP's and Kafka's (docs/adr/0010-http-idempotency-by-command-id.md).
        { provide: CommandAnswers, inject: [DATABASE_POOL], useFactory: (pool: Pool) => new CommandAnswers(pool, config.DATABASE_SCHEMA) },
        HttpCommandAnswers,
        KafkaCommandAnswers,
        // Whether a subject another service sent may still be on its way (docs/adr/0012-not-yet-known-here.md).
        {
          provide: Arrivals,
          inject: [ModuleRef],
          useFactory: (moduleRef: ModuleRef) => new Arrivals(() => lookUp(moduleRef, MessagingHost)?.arrivals, new TopicNames(config.KAFKA_TOPIC_PREFIX), config.NOT_YET_KNOWN_WAIT_MS),
        },
        DatabaseCloser,
        ...(options.providers ?? []),
      ],
      exports: [options.configToken, DATABASE_POOL, PostgresEventStore, CommandAnswers, HttpCommandAnswers, KafkaCommandAnswers, Arrivals, ...(options.exports ?? [])],
    };
  }
}

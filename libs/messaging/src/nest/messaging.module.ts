import {
  type DynamicModule,
  Inject,
  Injectable,
  type INestApplicationContext,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type ModuleMetadata,
} from '@nestjs/common';
import { APP_INTERCEPTOR, ModuleRef } from '@nestjs/core';
import type { Kafka, Producer } from 'kafkajs';
import type { CommandResultSource, ConsumerOutcome, ConsumerStatus, EventConsumerOptions, EventHandler, HandlerContext, PartitionLag } from '../consumer';
import type { DecodedEvent } from '../codec';
import type { MessageDecoder } from '../codec';
import type { InboxTransaction, PostgresInbox } from '../inbox';
import { ArrivalWatch } from '../arrivals';
import { createKafka, type KafkaSettings } from '../kafka';
import { Relay, type RelayOptions } from '../relay';
import { producerPublisher, RecordingPartitioner, type RelayPublisher, type TransactionalPublisherOptions } from '../relay-publishers';
import { relayPublisher, type RelayClient } from '../relay-publisher-platformatic';
import type { RetryPolicy, TransientRetryPolicy } from '../retry';
import { ensureTopics, type TopicSpec } from '../topics';
import { HandlerErrorInterceptor, KafkaInboxServer, KafkaTransportError } from './kafka-inbox.server';

/** What a service's messaging consists of. */
export interface MessagingOptions<Tx extends InboxTransaction = InboxTransaction> {
  kafka: KafkaSettings;
  /** Topics created at start-up if missing (partitions and replication from configuration). */
  topics: TopicSpec[];
  consumer?: {
    groupId: string;
    topics: string[];
    decoder: MessageDecoder;
    inbox: PostgresInbox<Tx>;
    retry?: RetryPolicy;
    /** Transient failures: the wait between attempts (the consumer's default: 200 ms growing to 5 s). */
    transientRetry?: TransientRetryPolicy;
    /** The stored results of commands, to answer a command read again. */
    commandResults?: CommandResultSource;
    onOutcome?: (outcome: ConsumerOutcome) => void;
    /** Most consecutive messages of a partition applied in one transaction (the consumer's default: 100). */
    transactionBatchSize?: number;
    /** How long the coordinator keeps a silent member, and how often the member heartbeats (the consumer's defaults: 30 s, 3 s). */
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    /** This instance's name in the group: its previous run's member is removed at start (docs/adr/0017-restart-replaces-previous-member.md). */
    instanceId?: string;
    /** Partitions worked on at once, each in order (the consumer's default: 1). */
    partitionsConcurrently?: number;
  };
  relay?: Omit<RelayOptions, 'publisher' | 'log'> & {
    /**
     * Publication through Kafka transactions, fenced per relay role (docs/adr/0009-fenced-transactional-relay.md);
     * the checkpoint topic must be among `topics`. Without it: an idempotent producer, at-least-once.
     * `client`: the producer the transactions go through, @platformatic/kafka's (default) or
     * kafkajs's, both from `kafka` (docs/adr/0018-relay-publisher-on-platformatic-kafka.md).
     */
    transactions?: Omit<TransactionalPublisherOptions, 'kafka'> & { client?: RelayClient };
  };
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** A skipped revision as the consumer saw it: the stream, the revisions, and the message that showed it. */
export type ConsumerRevisionGap = Parameters<NonNullable<EventConsumerOptions<InboxTransaction>['onRevisionGap']>>[0];

/** Runs around each handler call (tracing, log context): must call `next` and return its promise. */
export type HandlerInterceptor = (event: DecodedEvent, context: HandlerContext<unknown>, next: () => Promise<void>) => Promise<void>;

/**
 * A service's Kafka side with the application. At bootstrap: the topics, then the relay. The
 * consumer of the `@EventPattern` handlers is `transport`, a microservice transport that the
 * application connects (`app.connectMicroservice({ strategy: transport }, { inheritAppConfig:
 * true })`) and starts after init (`app.startAllMicroservices()`).
 *
 * On shutdown it stops the consumer first (finishing the message in flight and committing),
 * then the relay, then the producer, in onModuleDestroy: the first of Nest's shutdown hooks, so
 * that a database closed in beforeApplicationShutdown or onApplicationShutdown, or in the
 * onModuleDestroy of a module that MessagingModule imports (pass it in `imports`), is closed
 * after. Nest closes its microservices only later (after beforeApplicationShutdown), too late
 * for that order; closing the transport again then does nothing. Nest calls onModuleDestroy
 * from the root module down: a database closed in the onModuleDestroy of the root module itself
 * would go first.
 */
@Injectable()
export class MessagingHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Messaging');
  private readonly kafka: Kafka;
  /** The transport of the consumer; undefined when the service consumes nothing. */
  readonly transport?: KafkaInboxServer;
  /**
   * Whether the consumer group has consumed the partition of a key (docs/adr/0012-not-yet-known-here.md):
   * what a service answers about a subject another service may have sent it; undefined without a consumer.
   */
  readonly arrivals?: ArrivalWatch;
  private bootstrapped = false;
  private relay?: Relay;
  private producer?: Producer;
  private stopped?: Promise<void>;
  private readonly outcomeListeners = new Set<(outcome: ConsumerOutcome) => void>();
  private readonly gapListeners = new Set<(gap: ConsumerRevisionGap) => void>();
  private readonly interceptors: HandlerInterceptor[] = [];

  constructor(@Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions) {
    this.kafka = createKafka(options.kafka);
    const consumer = options.consumer;
    if (consumer) {
      const arrivals = new ArrivalWatch({ kafka: this.kafka, groupId: consumer.groupId, log: this.log });
      this.arrivals = arrivals;
      this.transport = new KafkaInboxServer({
        kafka: this.kafka,
        groupId: consumer.groupId,
        topics: consumer.topics,
        decoder: consumer.decoder,
        inbox: consumer.inbox,
        retry: consumer.retry,
        transientRetry: consumer.transientRetry,
        commandResults: consumer.commandResults,
        transactionBatchSize: consumer.transactionBatchSize,
        sessionTimeoutMs: consumer.sessionTimeoutMs,
        heartbeatIntervalMs: consumer.heartbeatIntervalMs,
        instanceId: consumer.instanceId,
        partitionsConcurrently: consumer.partitionsConcurrently,
        onOutcome: (outcome) => {
          consumer.onOutcome?.(outcome);
          for (const listener of this.outcomeListeners) listener(outcome);
        },
        onRevisionGap: (gap) => {
          for (const listener of this.gapListeners) listener(gap);
        },
        onCommitted: (topic, partition, offset) => arrivals.committed(topic, partition, offset),
        log: this.log,
        wrap: (handler) => this.intercepted(handler),
        beforeStart: () => {
          // The topics must exist, and the application's own onModuleInit work be done, before the first message.
          if (!this.bootstrapped) {
            throw new KafkaTransportError('NOT_BOOTSTRAPPED', 'the Kafka transport starts after the application: call app.init() before app.startAllMicroservices()');
          }
        },
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const drift of await ensureTopics(this.kafka, this.options.topics)) {
      this.logger.warn(
        `topic ${drift.topic} has ${drift.setting}=${drift.actual}, not ${drift.expected} as configured; an existing topic keeps its settings: ` +
          `change it with kafka-configs.sh --alter --entity-type topics --entity-name ${drift.topic} --add-config ${drift.setting}=${drift.expected}`,
      );
    }
    if (this.options.relay) {
      const { transactions, ...relay } = this.options.relay;
      let publisher: RelayPublisher;
      if (transactions) {
        const { client, ...role } = transactions;
        publisher = relayPublisher(client ?? 'platformatic', { kafka: this.kafka, settings: this.options.kafka, ...role });
      } else {
        const routing = new RecordingPartitioner();
        this.producer = this.kafka.producer({
          createPartitioner: routing.create,
          allowAutoTopicCreation: false,
          idempotent: true,
          maxInFlightRequests: 1,
          retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 5_000 },
        });
        await this.producer.connect();
        publisher = producerPublisher(this.producer, routing);
      }
      this.relay = new Relay({ ...relay, publisher, log: this.log });
      await this.relay.start();
    }
    this.bootstrapped = true;
  }

  /** Stops the consumer (finishing the message in flight and committing); then the relay and its producer. */
  onModuleDestroy(): Promise<void> {
    this.stopped ??= (async () => {
      this.options.consumer?.decoder.close?.();
      await this.transport?.close();
      await this.arrivals?.close();
      await this.relay?.stop();
      await this.producer?.disconnect();
    })();
    return this.stopped;
  }

  /** The relay's state, for health and metrics. */
  relayStatus() {
    return this.relay?.status();
  }

  /** The consumer's connection and assignment, for health (not connected until the transport started); undefined without a consumer. */
  consumerStatus(): ConsumerStatus | undefined {
    return this.transport?.consumerStatus();
  }

  /** The consumer group's lag per partition (asks the broker); empty without a consumer. */
  async consumerLag(): Promise<PartitionLag[]> {
    return this.transport ? this.transport.lag() : [];
  }

  /** Hears every consumer outcome (processed, duplicate, ignored, dead-lettered), for metrics. */
  addOutcomeListener(listener: (outcome: ConsumerOutcome) => void): void {
    this.outcomeListeners.add(listener);
  }

  /** Hears every skipped revision the consumer sees (an event of a stream that never arrived), for metrics. */
  addRevisionGapListener(listener: (gap: ConsumerRevisionGap) => void): void {
    this.gapListeners.add(listener);
  }

  /** Wraps every handler call, e.g. to continue the event's trace; register before the transport starts. */
  addHandlerInterceptor(interceptor: HandlerInterceptor): void {
    this.interceptors.push(interceptor);
  }

  /** A sentence, with its fields when given (one JSON line through the application's logger). */
  private readonly log = (level: 'log' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) =>
    fields ? this.logger[level]({ ...fields, msg: message }) : this.logger[level](message);

  private intercepted<Tx>(handler: EventHandler<Tx>): EventHandler<Tx> {
    if (this.interceptors.length === 0) return handler;
    return (event, context) =>
      this.interceptors.reduceRight<() => Promise<void>>(
        (next, interceptor) => () => interceptor(event, context as HandlerContext<unknown>, next),
        () => handler(event, context),
      )();
  }
}

/**
 * The Kafka transport of an application whose modules include MessagingModule with a consumer,
 * to connect as a microservice; undefined otherwise (e.g. a service run without Kafka).
 */
export function kafkaTransport(app: INestApplicationContext): KafkaInboxServer | undefined {
  // Through ModuleRef: the application's own get() of a missing provider ends the process (abortOnError).
  let host: MessagingHost;
  try {
    host = app.get(ModuleRef).get(MessagingHost, { strict: false });
  } catch {
    return undefined;
  }
  return host.transport;
}

/** The Kafka side of a service, configured by a factory that may inject the service's providers. */
@Module({})
export class MessagingModule {
  static forRootAsync<Tx extends InboxTransaction = InboxTransaction>(options: {
    imports?: ModuleMetadata['imports'];
    inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
    /** The service's transaction type (e.g. PostgresTransaction) flows from its inbox to its handlers. */
    useFactory: (...args: never[]) => MessagingOptions<Tx> | Promise<MessagingOptions<Tx>>;
  }): DynamicModule {
    return {
      module: MessagingModule,
      imports: [...(options.imports ?? [])],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        MessagingHost,
        { provide: APP_INTERCEPTOR, useClass: HandlerErrorInterceptor },
      ],
      exports: [MessagingHost],
    };
  }
}

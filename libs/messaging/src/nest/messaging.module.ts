import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type ModuleMetadata,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Producer } from 'kafkajs';
import { EventConsumer, type ConsumerOutcome, type ConsumerStatus, type EventHandler, type HandlerContext, type PartitionLag } from '../consumer';
import type { DecodedEvent } from '../codec';
import type { MessageDecoder } from '../codec';
import type { InboxTransaction, PostgresInbox } from '../inbox';
import { createKafka, custodyPartitioner, type KafkaSettings } from '../kafka';
import { Relay, type RelayOptions } from '../relay';
import type { RetryPolicy } from '../retry';
import { ensureTopics, type TopicSpec } from '../topics';
import { HandlerDiscovery } from './handler-discovery';

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
    onOutcome?: (outcome: ConsumerOutcome) => void;
    /** Most consecutive messages of a partition applied in one transaction (the consumer's default: 100). */
    transactionBatchSize?: number;
  };
  relay?: Omit<RelayOptions, 'producer' | 'log'>;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/** Runs around each handler call (tracing, log context): must call `next` and return its promise. */
export type HandlerInterceptor = (event: DecodedEvent, context: HandlerContext<unknown>, next: () => Promise<void>) => Promise<void>;

/**
 * Starts and stops a service's Kafka side with the application: topics, then the relay, then
 * the consumer of @OnEvent handlers. On shutdown it stops the consumer first (finishing the
 * message in flight and committing), then the relay, in onModuleDestroy: the first of Nest's
 * shutdown hooks, so that a database closed in beforeApplicationShutdown or
 * onApplicationShutdown, or in the onModuleDestroy of a module that MessagingModule imports
 * (pass it in `imports`), is closed after. Nest calls onModuleDestroy from the root module
 * down: a database closed in the onModuleDestroy of the root module itself would go first.
 */
@Injectable()
export class MessagingHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Messaging');
  private consumer?: EventConsumer<InboxTransaction>;
  private relay?: Relay;
  private producer?: Producer;
  private stopped?: Promise<void>;
  private readonly outcomeListeners = new Set<(outcome: ConsumerOutcome) => void>();
  private readonly interceptors: HandlerInterceptor[] = [];

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    private readonly discovery: HandlerDiscovery,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const kafka = createKafka(this.options.kafka);
    for (const drift of await ensureTopics(kafka, this.options.topics)) {
      this.logger.warn(
        `topic ${drift.topic} has ${drift.setting}=${drift.actual}, not ${drift.expected} as configured; an existing topic keeps its settings: ` +
          `change it with kafka-configs.sh --alter --entity-type topics --entity-name ${drift.topic} --add-config ${drift.setting}=${drift.expected}`,
      );
    }
    const log = (level: 'log' | 'warn' | 'error', message: string) => this.logger[level](message);
    if (this.options.relay) {
      this.producer = kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
      await this.producer.connect();
      this.relay = new Relay({ ...this.options.relay, producer: this.producer, log });
      await this.relay.start();
    }
    const consumerOptions = this.options.consumer;
    if (consumerOptions) {
      await consumerOptions.inbox.migrate();
      const handlers = this.discovery.handlers<InboxTransaction>();
      const onOutcome = consumerOptions.onOutcome;
      this.consumer = new EventConsumer({
        kafka,
        groupId: consumerOptions.groupId,
        topics: consumerOptions.topics,
        decoder: consumerOptions.decoder,
        inbox: consumerOptions.inbox,
        retry: consumerOptions.retry,
        transactionBatchSize: consumerOptions.transactionBatchSize,
        handlerFor: (type) => this.intercepted(handlers.get(type)),
        onOutcome: (outcome) => {
          onOutcome?.(outcome);
          for (const listener of this.outcomeListeners) listener(outcome);
        },
        log,
      });
      await consumerOptions.decoder.prepare?.();
      await this.consumer.start();
    }
  }

  /** Stops fetching, finishes the message in flight and commits; then stops the relay. */
  onModuleDestroy(): Promise<void> {
    this.stopped ??= (async () => {
      this.options.consumer?.decoder.close?.();
      await this.consumer?.stop();
      await this.relay?.stop();
      await this.producer?.disconnect();
    })();
    return this.stopped;
  }

  /** The relay's state, for health and metrics. */
  relayStatus() {
    return this.relay?.status();
  }

  /** The consumer's connection and assignment, for health; undefined without a consumer. */
  consumerStatus(): ConsumerStatus | undefined {
    return this.consumer?.status();
  }

  /** The consumer group's lag per partition (asks the broker); empty without a consumer. */
  async consumerLag(): Promise<PartitionLag[]> {
    return this.consumer ? this.consumer.lag() : [];
  }

  /** Hears every consumer outcome (processed, duplicate, ignored, dead-lettered), for metrics. */
  addOutcomeListener(listener: (outcome: ConsumerOutcome) => void): void {
    this.outcomeListeners.add(listener);
  }

  /** Wraps every handler call, e.g. to continue the event's trace; register before the application starts. */
  addHandlerInterceptor(interceptor: HandlerInterceptor): void {
    this.interceptors.push(interceptor);
  }

  private intercepted<Tx>(handler: EventHandler<Tx> | undefined): EventHandler<Tx> | undefined {
    if (!handler || this.interceptors.length === 0) return handler;
    return (event, context) =>
      this.interceptors.reduceRight<() => Promise<void>>(
        (next, interceptor) => () => interceptor(event, context as HandlerContext<unknown>, next),
        () => handler(event, context),
      )();
  }
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
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: MESSAGING_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        HandlerDiscovery,
        MessagingHost,
      ],
      exports: [MessagingHost],
    };
  }
}

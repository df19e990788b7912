import { TOPICS } from '@custody/contracts';
import { PostgresEventStore, type NewEvent, type PostgresTransaction } from '@custody/event-store';
// The messaging tests use the shared test infrastructure (a test-only dependency).
import { createTestSchema, databaseUrl, kafkaBrokers, uniqueName, type TestSchema } from '@custody/testing';
import type { Kafka, Producer, RetryOptions } from 'kafkajs';
import { contractDecoder, contractRoute, TopicNames } from '../contract-codec';
import { EventConsumer, type ConsumerLog, type ConsumerOutcome, type EventConsumerOptions, type EventHandler } from '../consumer';
import type { DecodedEvent } from '../codec';
import { PostgresInbox } from '../inbox';
import { createKafka, custodyPartitioner } from '../kafka';
import { Relay, type RelayOptions } from '../relay';
import { RELAY_CHECKPOINT_TOPIC, relayTransactionalId, type RelayPublisher } from '../relay-publishers';
import type { RelayClient } from '../relay-publisher-platformatic';
import { observedPublisher, type TransactionHooks } from './observed-kafka';
import type { RetryPolicy } from '../retry';
import { ensureTopics } from '../topics';
import { inmateStream } from './events';

/** One effect row per processed event; `seq` is the order in which effects were applied. */
export interface EffectRow {
  seq: number;
  event_id: string;
  subject: string;
  type: string;
}

/**
 * One messaging test world: a fresh schema with an event store, topics under a prefix of
 * their own, an effects table written through the inbox transaction, relays and consumers.
 */
export class Harness {
  readonly names: TopicNames;
  readonly topic: string;
  /** The topic the relays of this world commit their checkpoints against (ADR 0009). */
  readonly checkpointTopic: string;
  readonly kafka: Kafka;
  readonly store: PostgresEventStore;
  readonly inbox: PostgresInbox<PostgresTransaction>;
  readonly outcomes: ConsumerOutcome[] = [];
  private readonly closers: Array<() => Promise<unknown>> = [];

  private constructor(
    readonly db: TestSchema,
    readonly brokers: string[],
    label: string,
    /** The client the world's relays publish through (docs/adr/0018-relay-publisher-on-platformatic-kafka.md). */
    readonly relayClient: RelayClient,
  ) {
    this.names = new TopicNames(`${uniqueName(label)}.`);
    this.topic = this.names.physical(TOPICS.intakeEvents);
    this.checkpointTopic = this.names.physical(RELAY_CHECKPOINT_TOPIC);
    this.kafka = createKafka({ brokers, clientId: uniqueName(`${label}-client`) });
    this.store = new PostgresEventStore({ connection: db.pool, schema: db.schema, pollIntervalMs: 200 });
    this.inbox = new PostgresInbox(this.store, db.schema);
  }

  static async create(
    label: string,
    options: { partitions?: number; brokers?: string[]; topicConfig?: Record<string, string>; replicationFactor?: number; relayClient?: RelayClient } = {},
  ): Promise<Harness> {
    const db = await createTestSchema(label.replace(/-/g, '_'));
    const harness = new Harness(db, options.brokers ?? kafkaBrokers(), label, options.relayClient ?? 'platformatic');
    await harness.store.migrate();
    await harness.inbox.migrate();
    await db.pool.query(
      `CREATE TABLE "${db.schema}".effects (seq bigserial PRIMARY KEY, event_id text NOT NULL, subject text NOT NULL, type text NOT NULL)`,
    );
    await ensureTopics(harness.kafka, [
      { topic: harness.topic, partitions: options.partitions ?? 3, replicationFactor: options.replicationFactor ?? 1, config: options.topicConfig },
      { topic: harness.checkpointTopic, partitions: 1, replicationFactor: options.replicationFactor ?? 1 },
    ]);
    return harness;
  }

  /** The environment a relay child process needs to reach this world. */
  childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      DATABASE_URL: databaseUrl(),
      KAFKA_BROKERS: this.brokers.join(','),
      RELAY_SCHEMA: this.db.schema,
      TOPIC_PREFIX: this.names.prefix,
      RELAY_CLIENT: this.relayClient,
      ...extra,
    };
  }

  async append(events: NewEvent[]): Promise<void> {
    const byStream = new Map<string, NewEvent[]>();
    for (const event of events) {
      const stream = inmateStream((event.data as { inmateId: string }).inmateId);
      byStream.set(stream, [...(byStream.get(stream) ?? []), event]);
    }
    for (const [stream, list] of byStream) await this.store.appendToStream(stream, list);
  }

  /** The handler every test consumer uses: one effect row, in the inbox transaction. */
  static readonly recordEffect: EventHandler<PostgresTransaction> = async (event: DecodedEvent, { tx }) => {
    await tx.query(`INSERT INTO "${tx.schema}".effects (event_id, subject, type) VALUES ($1, $2, $3)`, [
      event.id,
      event.subject,
      event.type,
    ]);
  };

  async startConsumer(
    options: {
      groupId?: string;
      handler?: EventHandler<PostgresTransaction>;
      /** The event types the consumer handles (all when not given). */
      handles?: string[];
      retry?: RetryPolicy;
      kafka?: Kafka;
      onOutcome?: (outcome: ConsumerOutcome) => void;
      onRevisionGap?: EventConsumerOptions<PostgresTransaction>['onRevisionGap'];
      onCommitted?: EventConsumerOptions<PostgresTransaction>['onCommitted'];
      log?: ConsumerLog;
      partitionsConsumedConcurrently?: number;
    } = {},
  ): Promise<EventConsumer<PostgresTransaction>> {
    const handler = options.handler ?? Harness.recordEffect;
    const consumer = new EventConsumer<PostgresTransaction>({
      kafka: options.kafka ?? this.kafka,
      groupId: options.groupId ?? uniqueName('group'),
      topics: [this.topic],
      decoder: contractDecoder(this.names),
      handlerFor: (type) => (!options.handles || options.handles.includes(type) ? handler : undefined),
      inbox: this.inbox,
      retry: options.retry ?? { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 },
      sessionTimeoutMs: 10_000,
      ...(options.partitionsConsumedConcurrently ? { partitionsConsumedConcurrently: options.partitionsConsumedConcurrently } : {}),
      onOutcome: (outcome) => {
        this.outcomes.push(outcome);
        options.onOutcome?.(outcome);
      },
      onRevisionGap: options.onRevisionGap,
      onCommitted: options.onCommitted,
      log: options.log,
    });
    this.closers.push(() => consumer.stop());
    await consumer.start();
    return consumer;
  }

  /** A relay in this process, publishing through Kafka transactions as the services do (unless given another publisher). */
  async startRelay(options: Partial<RelayOptions> = {}): Promise<Relay> {
    const name = options.name ?? 'intake';
    const relay = new Relay({
      name,
      store: this.store,
      pool: this.db.pool,
      schema: this.db.schema,
      publisher: options.publisher ?? this.publisher(name),
      route: contractRoute(this.names, { store: this.store }),
      standbyPollMs: 200,
      ...options,
    });
    this.closers.push(() => relay.stop());
    await relay.start();
    return relay;
  }

  /**
   * The transactional publisher of relay role `name` in this world (the transactional id the
   * services would use), on the world's relay client; `hooks` observe (and may hold) its
   * transactions; `role` gives another transactional id (and checkpoint topic, and retries).
   */
  publisher(name = 'intake', hooks?: TransactionHooks, role?: { transactionalId: string; checkpointTopic?: string; retry?: RetryOptions }): RelayPublisher {
    return observedPublisher(
      this.relayClient,
      { brokers: this.brokers, clientId: uniqueName('relay') },
      { transactionalId: role?.transactionalId ?? relayTransactionalId(this.names.prefix, name), checkpointTopic: role?.checkpointTopic ?? this.checkpointTopic, retry: role?.retry },
      hooks,
      this.kafka,
    );
  }

  async producer(): Promise<Producer> {
    const producer = this.kafka.producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
    await producer.connect();
    this.closers.push(() => producer.disconnect());
    return producer;
  }

  async effects(): Promise<EffectRow[]> {
    const { rows } = await this.db.pool.query<EffectRow>(`SELECT seq::int AS seq, event_id, subject, type FROM "${this.db.schema}".effects ORDER BY seq`);
    return rows;
  }

  async inboxCount(): Promise<number> {
    const { rows } = await this.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${this.db.schema}".inbox`);
    return rows[0].n;
  }

  /** Stops consumers and relays (last started first), then drops the schema. */
  async close(): Promise<void> {
    for (const close of this.closers.reverse()) await close().catch(() => undefined);
    await this.store.close().catch(() => undefined);
    await this.db.drop();
  }
}

/** Which of `ids` are missing, and which appear more than once, in `seen`. */
export function compareIds(ids: string[], seen: string[]): { missing: string[]; duplicated: string[] } {
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  return {
    missing: ids.filter((id) => !counts.has(id)),
    duplicated: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
  };
}

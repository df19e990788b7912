import type { ConnectionOptions as TlsOptions } from 'node:tls';
import {
  addPartitionsToTxnV3,
  Admin,
  FindCoordinatorKeyTypes,
  findErrorBy,
  kGetApi,
  kGetConnection,
  Producer,
  ProduceAcks,
  type API,
  type BaseOptions,
  type Connection,
  type MessageToProduce,
  type ProducerOptions,
  type SASLMechanismValue,
  type txnOffsetCommitV4,
} from '@platformatic/kafka';
import type { IHeaders, Kafka, Message, PartitionMetadata } from 'kafkajs';
import type { Checkpoint } from '@custody/event-store';
import { custodyPartitioner, type KafkaSettings } from './kafka';
import {
  checkpointOffset,
  fencedOr,
  RelayPartialSendError,
  transactionalPublisher,
  type RelayPublisher,
  type RelayTerm,
  type TopicMessages,
  type TransactionalPublisherOptions,
} from './relay-publishers';

/** A message as @platformatic/kafka's producer takes it: every part a Buffer, the partition given. */
export type PlatformaticMessage = MessageToProduce<Buffer, Buffer, Buffer, Buffer>;
export type PlatformaticProducer = Producer<Buffer, Buffer, Buffer, Buffer>;
export type PlatformaticProducerOptions = ProducerOptions<Buffer, Buffer, Buffer, Buffer>;

/** The @platformatic/kafka transactional publisher's settings (docs/adr/0018-relay-publisher-on-platformatic-kafka.md). */
export interface PlatformaticPublisherOptions extends Omit<TransactionalPublisherOptions, 'kafka'> {
  /** How to reach the broker: the settings the service's kafkajs client is built from (brokers, client id, SASL, TLS). */
  kafka: KafkaSettings;
  /** Makes the term's producer (default: `new Producer(options)`); a test observes its transactions through it. */
  createProducer?: (options: PlatformaticProducerOptions) => PlatformaticProducer;
}

/**
 * The transactional publisher of docs/adr/0009-fenced-transactional-relay.md on @platformatic/kafka's
 * producer instead of kafkajs's (docs/adr/0018-relay-publisher-on-platformatic-kafka.md): the same
 * transactional id and checkpoint group per relay role, the same fence before the checkpoint read,
 * one transaction per batch carrying the batch and its checkpoint (the group's offset, with the
 * exact checkpoint as its metadata), the same partitions, keys, values, headers and timestamps.
 * The checkpoint is read with @platformatic/kafka's admin client (OffsetFetch, stable offsets).
 */
export function platformaticPublisher(options: PlatformaticPublisherOptions): RelayPublisher {
  return {
    mode: 'transactional',
    begin: () => PlatformaticTerm.begin(options),
  };
}

/** The Kafka clients a relay can publish through: @platformatic/kafka (the default) or kafkajs (docs/adr/0018-relay-publisher-on-platformatic-kafka.md). */
export const RELAY_CLIENTS = ['platformatic', 'kafkajs'] as const;
export type RelayClient = (typeof RELAY_CLIENTS)[number];

/**
 * The transactional publisher of a relay role on the chosen client, both built from the same
 * connection settings: `kafka` is the kafkajs client made from `settings` (createKafka).
 */
export function relayPublisher(
  client: RelayClient,
  options: Omit<TransactionalPublisherOptions, 'kafka'> & { kafka: Kafka; settings: KafkaSettings },
): RelayPublisher {
  const { kafka, settings, ...rest } = options;
  return client === 'kafkajs' ? transactionalPublisher({ kafka, ...rest }) : platformaticPublisher({ kafka: settings, ...rest });
}

/** @platformatic/kafka's connection options from the settings kafkajs is built from (createKafka). */
export function platformaticConnection(settings: KafkaSettings): Pick<BaseOptions, 'clientId' | 'bootstrapBrokers' | 'sasl' | 'tls' | 'connectTimeout'> {
  const connection: Pick<BaseOptions, 'clientId' | 'bootstrapBrokers' | 'sasl' | 'tls' | 'connectTimeout'> = {
    clientId: settings.clientId,
    bootstrapBrokers: settings.brokers,
    connectTimeout: 5_000,
  };
  const sasl = settings.sasl as { mechanism: string; username?: string; password?: string } | undefined;
  if (sasl) {
    const mechanism = sasl.mechanism.toUpperCase();
    if (mechanism !== 'SCRAM-SHA-512' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'PLAIN') {
      throw new TypeError(`SASL mechanism ${sasl.mechanism} is not supported by the @platformatic/kafka relay publisher`);
    }
    connection.sasl = { mechanism: mechanism as SASLMechanismValue, username: sasl.username, password: sasl.password };
  }
  if (settings.ssl) connection.tls = settings.ssl === true ? {} : (settings.ssl as TlsOptions);
  return connection;
}

/**
 * The relay's messages as @platformatic/kafka sends them: each routed by the custody partitioner
 * (kafkajs's, the one every producer of ours uses) over the topic's partitions, and given that
 * partition explicitly; key, value and header values as Buffers (a header given several values
 * repeated, as kafkajs sends it); the timestamp kept. `partitionsOf` gives a topic's partitions.
 */
export function platformaticMessages(topicMessages: TopicMessages, partitionsOf: (topic: string) => PartitionMetadata[]): PlatformaticMessage[] {
  const route = custodyPartitioner();
  const out: PlatformaticMessage[] = [];
  for (const { topic, messages } of topicMessages) {
    const partitionMetadata = partitionsOf(topic);
    for (const message of messages) {
      const partition = route({ topic, partitionMetadata, message });
      out.push({
        topic,
        partition,
        key: asBuffer(message.key),
        value: asBuffer(message.value),
        headers: headersOf(message.headers),
        ...(message.timestamp === undefined ? {} : { timestamp: BigInt(message.timestamp) }),
      });
    }
  }
  return out;
}

function asBuffer(value: Message['key'] | Message['value']): Buffer | undefined {
  if (value === null || value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value : Buffer.from(value);
}

function headersOf(headers: IHeaders | undefined): Map<Buffer, Buffer> | undefined {
  if (!headers) return undefined;
  // Buffer keys: a header with several values is several entries of the map, each its own key.
  const map = new Map<Buffer, Buffer>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) map.set(Buffer.from(name), Buffer.isBuffer(one) ? one : Buffer.from(String(one)));
  }
  return map;
}

/** The partitions of a batch a producer's answer does not acknowledge, as `topic/partition`. */
export function unacknowledgedByPlatformatic(messages: readonly PlatformaticMessage[], offsets: ReadonlyArray<{ topic: string; partition: number }> | undefined): string[] {
  const acknowledged = new Set((offsets ?? []).map((o) => `${o.topic}/${o.partition}`));
  return [...new Set(messages.map((m) => `${m.topic}/${m.partition}`))].filter((key) => !acknowledged.has(key)).sort();
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The producer, asking AddPartitionsToTxn in version 3 at most. @platformatic/kafka 2.12 takes the
 * highest version the broker offers, and versions 4 and up are the brokers' own batched form
 * (KIP-890), which the broker authorises as a cluster action: a relay's principal, which has only
 * its ACLs (docs/security.md), is refused CLUSTER_AUTHORIZATION_FAILED at its first batch.
 */
function clientAddPartitions(producer: PlatformaticProducer): PlatformaticProducer {
  const getApi = producer[kGetApi].bind(producer) as (name: string, callback: (error: Error | null, api?: API<unknown[], unknown>) => void) => void;
  (producer as unknown as Record<symbol, unknown>)[kGetApi] = (name: string, callback: (error: Error | null, api?: API<unknown[], unknown>) => void) => {
    if (name !== 'AddPartitionsToTxn') return getApi(name, callback);
    getApi(name, (error, api) => (error || !api ? callback(error) : callback(null, api.version > 3 ? (addPartitionsToTxnV3.api as unknown as API<unknown[], unknown>) : api)));
  };
  return producer;
}

class PlatformaticTerm implements RelayTerm {
  /** The checkpoint group's coordinator (node id), found at the term's first batch. */
  private groupCoordinator: number | undefined;
  /** What ended the term, once a transaction failed. */
  private failed: unknown;

  private constructor(
    private readonly options: PlatformaticPublisherOptions,
    private readonly producer: PlatformaticProducer,
    private readonly admin: Admin,
    private readonly retryDelayMs: (attempt: number) => number,
    private readonly retries: number,
  ) {}

  static async begin(options: PlatformaticPublisherOptions): Promise<PlatformaticTerm> {
    // The kafkajs publisher's retries (relay-publishers.ts): 12, from 5 ms doubling to 5 s; retries
    // given in part are completed with kafkajs's own defaults, as kafkajs completes them.
    const retry = options.retry
      ? { retries: 5, initialRetryTime: 300, maxRetryTime: 30_000, ...options.retry }
      : { retries: 12, initialRetryTime: 5, maxRetryTime: 5_000 };
    const retryDelayMs = (attempt: number) => Math.min(retry.maxRetryTime, retry.initialRetryTime * 2 ** Math.max(0, attempt - 1));
    const connection = platformaticConnection(options.kafka);
    const common = { ...connection, retries: retry.retries, retryDelay: (_client: unknown, _operation: string, attempt: number) => retryDelayMs(attempt) };
    const producerOptions: PlatformaticProducerOptions = {
      ...common,
      transactionalId: options.transactionalId,
      idempotent: true,
      acks: ProduceAcks.ALL,
      autocreateTopics: false,
      // @platformatic/kafka gives this to InitProducerId as the transaction timeout, and to each
      // produce request as the time the broker may take to have it replicated.
      timeout: options.transactionTimeoutMs ?? 10_000,
    };
    const producer = clientAddPartitions(options.createProducer ? options.createProducer(producerOptions) : new Producer<Buffer, Buffer, Buffer, Buffer>(producerOptions));
    const admin = new Admin(common);
    try {
      // Beginning a transaction asks for the producer id and epoch of the transactional id
      // (InitProducerId): the broker fences every producer of an earlier term and completes or
      // aborts its last transaction before answering, so the checkpoint read next is final. The
      // empty transaction is then dropped on this side only (nothing was added to it on the broker).
      // The producer id and epoch are given as none (-1): @platformatic/kafka 2.12 otherwise sends
      // id 0, epoch 0, which the broker takes for a claim to be that producer and refuses as
      // fenced once the transactional id has a producer (every term after the first).
      const first = await producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
      await first.cancel();
      return new PlatformaticTerm(options, producer, admin, retryDelayMs, retry.retries);
    } catch (error) {
      await producer.close(true).catch(() => undefined);
      await admin.close().catch(() => undefined);
      throw fencedOr(options.transactionalId, error);
    }
  }

  async checkpoint(): Promise<Checkpoint | undefined> {
    const [group] = await this.admin.listConsumerGroupOffsets({
      groups: [{ groupId: this.options.transactionalId, topics: [{ name: this.options.checkpointTopic, partitionIndexes: [0] }] }],
      requireStable: true,
    });
    const committed = group?.topics.find((t) => t.name === this.options.checkpointTopic)?.partitions.find((p) => p.partitionIndex === 0);
    if (!committed || committed.committedOffset < 0n) return undefined;
    return committed.metadata || String(committed.committedOffset);
  }

  async publish(topicMessages: TopicMessages, checkpoint: Checkpoint): Promise<void> {
    // A failed transaction ends the term (ADR 0009). The producer is not used again: after a
    // refusal as fenced, @platformatic/kafka forgets its producer id, and its next transaction
    // would ask for a new one, fencing the relay that fenced it.
    if (this.failed) throw this.failed;
    const offset = BigInt(checkpointOffset(checkpoint));
    let transaction: Awaited<ReturnType<PlatformaticProducer['beginTransaction']>> | undefined;
    try {
      transaction = await this.producer.beginTransaction();
      const messages = topicMessages.length > 0 ? await this.routed(topicMessages) : [];
      if (messages.length > 0) {
        // @platformatic/kafka sends a batch to its leaders at once and answers only when every
        // request is done; a request it retries carries the same sequence numbers as before, so
        // the broker cannot append a copy (docs/adr/0018-relay-publisher-on-platformatic-kafka.md).
        // A batch it answers without some of its partitions is still refused (ADR 0009).
        const result = await transaction.send({ messages });
        const missing = unacknowledgedByPlatformatic(messages, result.offsets);
        if (missing.length > 0) throw new RelayPartialSendError(missing);
      }
      // AddOffsetsToTxn for the role's group (only the group id of the "consumer" is read).
      await transaction.addConsumer({ groupId: this.options.transactionalId } as never);
      await this.commitCheckpoint(offset, String(checkpoint));
      await transaction.commit();
    } catch (error) {
      if (transaction && !transaction.completed) await transaction.abort().catch(() => undefined);
      this.failed = fencedOr(this.options.transactionalId, error);
      throw this.failed;
    }
  }

  async close(): Promise<void> {
    await this.producer.close(true).catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }

  /** The batch's messages, each given the partition kafkajs's custody partitioner chooses over the topic's partitions. */
  private async routed(topicMessages: TopicMessages): Promise<PlatformaticMessage[]> {
    const topics = [...new Set(topicMessages.map((t) => t.topic))];
    const metadata = await this.producer.metadata({ topics });
    return platformaticMessages(topicMessages, (topic) => {
      const described = metadata.topics.get(topic);
      if (!described) throw new Error(`the broker's metadata has no topic ${topic}`);
      return described.partitions.map((p, partitionId) => ({
        partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        offlineReplicas: p.offlineReplicas,
        partitionErrorCode: 0,
      }));
    });
  }

  /**
   * TxnOffsetCommit of the checkpoint to the group's coordinator, in the open transaction: offset
   * = its position, metadata = the exact checkpoint, generation -1 and no member (as kafkajs's
   * sendOffsets). @platformatic/kafka's own addOffset commits a consumed message's offset without
   * metadata, so the request is made here, on the producer's connections, with its producer id
   * and epoch, and retried as the producer retries.
   */
  private async commitCheckpoint(offset: bigint, metadata: string): Promise<void> {
    const topics: txnOffsetCommitV4.TxnOffsetCommitRequestTopic[] = [
      { name: this.options.checkpointTopic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: metadata }] },
    ];
    for (let attempt = 0; ; attempt++) {
      try {
        const connection = await this.groupCoordinatorConnection();
        const api = await new Promise<API<unknown[], txnOffsetCommitV4.TxnOffsetCommitResponse>>((resolve, reject) =>
          this.producer[kGetApi]<unknown[], txnOffsetCommitV4.TxnOffsetCommitResponse>('TxnOffsetCommit', (error, found) => (error ? reject(error) : resolve(found!))),
        );
        await new Promise<void>((resolve, reject) =>
          api(
            connection,
            this.options.transactionalId,
            this.options.transactionalId,
            this.producer.producerId!,
            this.producer.producerEpoch!,
            -1,
            '',
            null,
            topics,
            (error: Error | null) => (error ? reject(error) : resolve()),
          ),
        );
        return;
      } catch (error) {
        if (findErrorBy(error as Error, 'canRetry', false) || attempt >= this.retries) throw error;
        if (
          findErrorBy(error as Error, 'apiId', 'NOT_COORDINATOR') ||
          findErrorBy(error as Error, 'apiId', 'COORDINATOR_NOT_AVAILABLE') ||
          findErrorBy(error as Error, 'code', 'PLT_KFK_NETWORK')
        ) {
          this.groupCoordinator = undefined;
        }
        await delay(this.retryDelayMs(attempt + 1));
      }
    }
  }

  private async groupCoordinatorConnection(): Promise<Connection> {
    if (this.groupCoordinator === undefined) {
      const [found] = await this.admin.findCoordinator({ keyType: FindCoordinatorKeyTypes.GROUP, keys: [this.options.transactionalId] });
      this.groupCoordinator = found.nodeId;
    }
    const metadata = await this.producer.metadata({ topics: [] });
    const broker = metadata.brokers.get(this.groupCoordinator);
    if (!broker) {
      this.groupCoordinator = undefined;
      throw new Error('the checkpoint group\'s coordinator is not among the brokers the producer knows');
    }
    return new Promise<Connection>((resolve, reject) => this.producer[kGetConnection](broker, (error, connection) => (error ? reject(error) : resolve(connection!))));
  }
}

import { Producer as PlatformaticKafkaProducer } from '@platformatic/kafka';
// Not exported from the package's root: the class a producer's beginTransaction answers with.
import type { Transaction as PlatformaticTransaction } from '@platformatic/kafka/dist/clients/producer/transaction';
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { createKafka, type KafkaSettings } from '../kafka';
import { platformaticPublisher, type PlatformaticMessage, type PlatformaticProducer, type PlatformaticProducerOptions, type RelayClient } from '../relay-publisher-platformatic';
import { transactionalPublisher, type RelayPublisher, type TransactionalPublisherOptions } from '../relay-publishers';

/** What a test hears of each transaction of a producer, and where it may hold one. */
export interface TransactionHooks {
  /** The batch was sent inside the open transaction (not committed): awaited before the commit. */
  afterSend?(ids: string[]): Promise<void> | void;
  /** The broker committed the transaction: awaited before the publisher returns. */
  afterCommit?(ids: string[]): Promise<void> | void;
  /** A send, the checkpoint or the commit failed, e.g. because another relay of the role fenced this one. */
  onError?(error: unknown, ids: string[]): void;
}

/** The ce_id headers of a batch: the event ids it carries. */
function idsOf(batch: Parameters<Transaction['sendBatch']>[0]): string[] {
  return batch.topicMessages!.flatMap((t) => t.messages.map((m) => String((m.headers as Record<string, unknown>).ce_id)));
}

/**
 * The same Kafka client, with every transaction of the producers it makes observed (and held
 * where a hook waits): a test stops a relay at a precise point of a batch's transaction.
 */
export function observeTransactions(kafka: Kafka, hooks: TransactionHooks): Kafka {
  const proxy = Object.create(kafka) as Kafka;
  proxy.producer = (config) => {
    const producer: Producer = kafka.producer(config);
    const begin = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const transaction: Transaction = await begin();
      let ids: string[] = [];
      return {
        ...transaction,
        sendBatch: async (batch) => {
          try {
            const result = await transaction.sendBatch(batch);
            ids = idsOf(batch);
            await hooks.afterSend?.(ids);
            return result;
          } catch (error) {
            hooks.onError?.(error, idsOf(batch));
            throw error;
          }
        },
        sendOffsets: async (offsets) => {
          try {
            await transaction.sendOffsets(offsets);
          } catch (error) {
            hooks.onError?.(error, ids);
            throw error;
          }
        },
        commit: async () => {
          try {
            await transaction.commit();
          } catch (error) {
            hooks.onError?.(error, ids);
            throw error;
          }
          if (ids.length > 0) await hooks.afterCommit?.(ids);
        },
      };
    };
    return producer;
  };
  return proxy;
}

/** The ce_id headers of @platformatic/kafka messages: the event ids they carry. */
function platformaticIdsOf(messages: PlatformaticMessage[]): string[] {
  return messages.map((m) => {
    for (const [name, value] of m.headers instanceof Map ? m.headers : []) if (String(name) === 'ce_id') return String(value);
    return '';
  });
}

/**
 * A producer factory for the @platformatic/kafka publisher (its `createProducer`) whose producers'
 * transactions are observed and held as {@link observeTransactions} does for kafkajs's.
 */
export function observePlatformaticTransactions(hooks: TransactionHooks): (options: PlatformaticProducerOptions) => PlatformaticProducer {
  return (options) => {
    const producer: PlatformaticProducer = new PlatformaticKafkaProducer<Buffer, Buffer, Buffer, Buffer>(options);
    const begin = producer.beginTransaction.bind(producer) as (options?: object) => Promise<PlatformaticTransaction>;
    producer.beginTransaction = (async (options?: object) => {
      const transaction = await begin(options);
      let ids: string[] = [];
      const send = transaction.send.bind(transaction) as (options: { messages: PlatformaticMessage[] }) => Promise<unknown>;
      const addConsumer = transaction.addConsumer.bind(transaction) as (consumer: never) => Promise<void>;
      const commit = transaction.commit.bind(transaction) as () => Promise<void>;
      transaction.send = (async (sent: { messages: PlatformaticMessage[] }) => {
        try {
          const result = await send(sent);
          ids = platformaticIdsOf(sent.messages);
          await hooks.afterSend?.(ids);
          return result;
        } catch (error) {
          hooks.onError?.(error, platformaticIdsOf(sent.messages));
          throw error;
        }
      }) as never;
      transaction.addConsumer = (async (consumer: never) => {
        try {
          await addConsumer(consumer);
        } catch (error) {
          hooks.onError?.(error, ids);
          throw error;
        }
      }) as never;
      transaction.commit = (async () => {
        try {
          await commit();
        } catch (error) {
          hooks.onError?.(error, ids);
          throw error;
        }
        if (ids.length > 0) await hooks.afterCommit?.(ids);
      }) as never;
      return transaction;
    }) as never;
    return producer;
  };
}

/**
 * The transactional publisher of a relay role on either client (docs/adr/0018-relay-publisher-on-platformatic-kafka.md),
 * its transactions observed by `hooks` when given; `kafka` is the kafkajs client to use (made from
 * `settings` when not given).
 */
export function observedPublisher(
  client: RelayClient,
  settings: KafkaSettings,
  role: Omit<TransactionalPublisherOptions, 'kafka'>,
  hooks?: TransactionHooks,
  kafka: Kafka = createKafka(settings),
): RelayPublisher {
  if (client === 'kafkajs') return transactionalPublisher({ kafka: hooks ? observeTransactions(kafka, hooks) : kafka, ...role });
  return platformaticPublisher({ kafka: settings, ...role, ...(hooks ? { createProducer: observePlatformaticTransactions(hooks) } : {}) });
}

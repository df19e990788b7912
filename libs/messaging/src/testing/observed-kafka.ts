import type { Kafka, Producer, Transaction } from 'kafkajs';

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

import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, Partitioners, type KafkaConfig, type SASLOptions } from 'kafkajs';
// Every kafkajs client of the process, ours or a test's, from the moment this seam is loaded: idle
// connections stop waking every millisecond (and Node 24 stops warning about it).
import './kafkajs-idle-queue';
import { kafkajsLogCreator } from './kafkajs-log';

/** How to reach the broker. SASL/TLS are optional and come from configuration. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** true, or TLS options (e.g. the certificate authorities to trust). */
  ssl?: boolean | ConnectionOptions;
  sasl?: SASLOptions;
  /** kafkajs log level; errors only by default. */
  logLevel?: logLevel;
}

/** A kafkajs client; our own small seam over it (kafkajs is in maintenance mode). */
export function createKafka(settings: KafkaSettings): Kafka {
  const config: KafkaConfig = {
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    sasl: settings.sasl,
    logLevel: settings.logLevel ?? logLevel.ERROR,
    logCreator: kafkajsLogCreator,
    retry: { initialRetryTime: 200, retries: 12, maxRetryTime: 5_000 },
    connectionTimeout: 5_000,
  };
  return new Kafka(config);
}

/**
 * The partitioner every producer of ours uses: Java-compatible murmur2 on the key, chosen
 * explicitly. Ministries' Java producers hash keys the same way; librdkafka producers must set
 * `partitioner=murmur2_random` to land a person's messages on the same partition.
 */
export const custodyPartitioner = Partitioners.DefaultPartitioner;

/**
 * Removes a member from a consumer group, as the member itself would leave it (a LeaveGroup
 * request to the group's coordinator naming its member id): what a restarted instance does with
 * the member its previous run left behind, so that the group's rebalance does not wait for that
 * member's session to time out (docs/adr/0017-restart-replaces-previous-member.md). The
 * coordinator takes the request from any connection allowed to read the group. 'gone': the
 * group no longer had that member (it left, or its session timed out).
 *
 * kafkajs's admin client has no such call; its cluster, which the admin client and the consumer
 * are built on, has (a broker's leaveGroup), and is reached through the client's own factory.
 */
export async function removeGroupMember(kafka: Kafka, groupId: string, memberId: string): Promise<'removed' | 'gone'> {
  const factory = Object.getOwnPropertySymbols(kafka).find((symbol) => symbol.description === 'private:Kafka:createCluster');
  const createCluster = factory ? (kafka as unknown as Record<symbol, unknown>)[factory] : undefined;
  if (typeof createCluster !== 'function') throw new Error('this kafkajs client has no cluster factory: a group member cannot be removed');
  const cluster = (createCluster as (options: object) => KafkajsCluster)({});
  await cluster.connect();
  try {
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
    return 'removed';
  } catch (error) {
    if ((error as { type?: unknown }).type === 'UNKNOWN_MEMBER_ID') return 'gone';
    throw error;
  } finally {
    await cluster.disconnect();
  }
}

/** What removeGroupMember uses of kafkajs's cluster (no declaration of it is exported). */
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{ leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown> }>;
}

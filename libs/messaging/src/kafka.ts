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

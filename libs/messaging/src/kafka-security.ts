import { readFileSync } from 'node:fs';
import type { SASLOptions } from 'kafkajs';
import type { KafkaSettings } from './kafka';

/** The Kafka security variables of a service (all optional: no SASL and no TLS by default). */
export interface KafkaSecurityVariables {
  /** `scram-sha-512` (or `scram-sha-256`, `plain`); empty: no SASL. */
  KAFKA_SASL_MECHANISM?: string;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
  /** `true`: TLS to the brokers. */
  KAFKA_SSL?: string;
  /** A PEM file of the certificate authorities to trust (default: the system's). */
  KAFKA_SSL_CA_FILE?: string;
}

/** The SASL and TLS part of KafkaSettings from configuration; throws a sentence naming a bad variable. */
export function kafkaSecurity(variables: KafkaSecurityVariables): Pick<KafkaSettings, 'sasl' | 'ssl'> {
  const settings: Pick<KafkaSettings, 'sasl' | 'ssl'> = {};
  const mechanism = variables.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism) {
    if (mechanism !== 'scram-sha-512' && mechanism !== 'scram-sha-256' && mechanism !== 'plain') {
      throw new TypeError('KAFKA_SASL_MECHANISM must be scram-sha-512, scram-sha-256 or plain');
    }
    if (!variables.KAFKA_SASL_USERNAME || !variables.KAFKA_SASL_PASSWORD) throw new TypeError('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM');
    settings.sasl = { mechanism, username: variables.KAFKA_SASL_USERNAME, password: variables.KAFKA_SASL_PASSWORD } as SASLOptions;
  }
  if (variables.KAFKA_SSL === 'true') settings.ssl = variables.KAFKA_SSL_CA_FILE ? { ca: [readFileSync(variables.KAFKA_SSL_CA_FILE, 'utf8')] } : true;
  return settings;
}

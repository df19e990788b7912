import { generateKeyPairSync } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { toKafkaMessage, type Topic, findMessage, TOPIC_PUBLISHERS } from '@custody/contracts';
import { custodyPartitioner } from '@custody/messaging';
import type { EventSigner } from '@custody/security';
import { createTestSchema, databaseUrl, kafkaBrokers, testKafka, uniqueName, type TestSchema } from '@custody/testing';
import type { Producer } from 'kafkajs';
import { createApp } from '../app';
import { AuditConfig } from '../config';
import type { LedgerEvent } from '../ledger/entry';

/** A running audit service on a fresh schema and its own topics, with a signing key made for the test. */
export interface TestAudit {
  app: INestApplication;
  config: AuditConfig;
  schema: TestSchema;
  producer: Producer;
  publicKeyPem: string;
  /**
   * Publishes events on the prefixed contract topics, as the other services' relays do (with their
   * places in their streams, when they have them). With `signers` (by service), the events of each
   * topic are signed as one batch by its publisher, as a relay signs (docs/adr/0013-signed-events.md).
   */
  publish(events: LedgerEvent[], signers?: Record<string, EventSigner>): Promise<void>;
  close(): Promise<void>;
}

export async function startTestAudit(label: string, overrides: Partial<AuditConfig> = {}): Promise<TestAudit> {
  const schema = await createTestSchema(label);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const config = Object.assign(new AuditConfig(), {
    DATABASE_URL: databaseUrl(),
    DATABASE_SCHEMA: schema.schema,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    KAFKA_CLIENT_ID: uniqueName('audit'),
    KAFKA_TOPIC_PREFIX: `${uniqueName(label)}.`,
    KAFKA_PARTITIONS: 2,
    KAFKA_GROUP_ID: uniqueName('audit-ledger'),
    LEDGER_CHAIN_INTERVAL_MS: 20,
    AUDIT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    AUDIT_SIGNING_KEY_ID: 'test-key',
    AUDIT_CHECKPOINT_INTERVAL_MS: 3_600_000,
    // Tests of the service's behaviour run without authentication; a test that passes issuers
    // (security.int-spec.ts) has it on.
    AUTH_MODE: overrides.AUTH_ISSUERS ? 'on' : 'off',
    // Other services' events unverified, unless the test names the publishers' keys.
    EVENT_SIGNATURES: overrides.EVENT_PUBLISHER_KEYS ? 'required' : 'off',
    RATE_LIMIT_PER_MINUTE: 100_000,
    ...overrides,
  });
  const app = await createApp(config, { logger: false });
  await app.init();
  await app.startAllMicroservices();
  const producer = testKafka('producer').producer({ createPartitioner: custodyPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  return {
    app,
    config,
    schema,
    producer,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    async publish(events, signers) {
      const messages = events.map((event) => {
        const message = toKafkaMessage({
          id: event.id,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: event.data,
          metadata: {
            correlationId: event.correlationId ?? event.id,
            occurredAt: event.occurredAt,
            ...(event.causationId ? { causationId: event.causationId } : {}),
            ...(event.lateRecordingReason ? { lateRecordingReason: event.lateRecordingReason } : {}),
          },
          recordedAt: event.recordedAt,
          // Its place in its stream, when the test gave one (History.revisioned), as the relays publish it.
          ...(event.stream !== undefined && event.streamRevision !== undefined
            ? { stream: { name: event.stream, revision: event.streamRevision, ...(event.streamPrevious === undefined ? {} : { previous: event.streamPrevious }) } }
            : {}),
        });
        return { topic: findMessage(event.type)!.topic as Topic, message };
      });
      if (signers) {
        for (const topic of new Set(messages.map((m) => m.topic))) {
          const ofTopic = messages.filter((m) => m.topic === topic);
          const signer = signers[TOPIC_PUBLISHERS[topic]![0]];
          signer.signedBatch(ofTopic.map((m) => m.message)).forEach((signed, i) => (ofTopic[i].message = signed));
        }
      }
      for (const { topic, message } of messages) {
        await producer.send({ topic: `${config.KAFKA_TOPIC_PREFIX}${topic}`, acks: -1, messages: [message] });
      }
    },
    async close() {
      await producer.disconnect();
      await app.close();
      await schema.drop();
    },
  };
}

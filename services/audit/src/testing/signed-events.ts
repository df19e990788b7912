import { generateKeyPairSync } from 'node:crypto';
import { findMessage, toKafkaMessage, TOPIC_PUBLISHERS, type OutgoingKafkaMessage, type Topic } from '@custody/contracts';
import { contractDecoder, TopicNames, type InboundMessage } from '@custody/messaging';
import { eventKeyId, EventSigner } from '@custody/security';
import { toLedgerEvent, toUnchainedEntry, type LedgerEvent, type UnchainedEntry } from '../ledger/entry';
import { keepingEventSignatures, signatureRecordOf } from '../ledger/event-signatures';

/** A service's event-signing key pair, generated for the test (docs/adr/0013-signed-events.md). */
export function serviceKey(service: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = eventKeyId(service, publicKey);
  return {
    service, kid, key: publicKey, signer: new EventSigner(kid, privateKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    /** As EVENT_PUBLISHER_KEYS lists it. */
    entry: { service, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  };
}

const names = new TopicNames('test.');
const decoder = keepingEventSignatures(contractDecoder(names), names);

/** An event as the other services' relays publish it (unsigned). */
export function messageOf(event: LedgerEvent): OutgoingKafkaMessage {
  return toKafkaMessage({
    id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data,
    metadata: { correlationId: event.correlationId ?? event.id, occurredAt: event.occurredAt }, recordedAt: event.recordedAt,
  });
}

/** The message as the ledger's consumer reads it off the (prefixed) topic. */
export function inbound(topic: string, message: OutgoingKafkaMessage): InboundMessage {
  return {
    topic: names.physical(topic), partition: 0, offset: '0', key: Buffer.from(message.key), value: Buffer.from(message.value),
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, Buffer.from(String(value))])),
  };
}

/** What the ledger's consumer writes for a message: the decoded event, and the signature record the decoder kept. */
export function unchainedOf(topic: string, message: OutgoingKafkaMessage): UnchainedEntry {
  const decoded = decoder.decode(inbound(topic, message));
  if (!decoded.ok) throw new Error(decoded.failure.reason);
  return toUnchainedEntry(toLedgerEvent(decoded.event, '2026-12-01T00:00:00Z'), signatureRecordOf(decoded.event));
}

/**
 * The unchained entries the ledger's consumer writes for the events, in their order: each topic's
 * events signed as one batch by its publisher's signer (`signers` by service), as a relay signs;
 * unsigned without `signers`.
 */
export function unchainedEntries(events: readonly LedgerEvent[], signers?: Record<string, EventSigner>): UnchainedEntry[] {
  const byTopic = new Map<Topic, OutgoingKafkaMessage[]>();
  const placed = events.map((event) => {
    const topic = findMessage(event.type)!.topic as Topic;
    const ofTopic = byTopic.get(topic) ?? [];
    byTopic.set(topic, [...ofTopic, messageOf(event)]);
    return { topic, index: ofTopic.length };
  });
  if (signers) for (const [topic, messages] of byTopic) byTopic.set(topic, signers[TOPIC_PUBLISHERS[topic]![0]].signedBatch(messages));
  return placed.map(({ topic, index }) => unchainedOf(topic, byTopic.get(topic)![index]));
}

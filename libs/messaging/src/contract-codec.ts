import { findMessage, fromKafkaMessage, toKafkaMessage, type Topic } from '@custody/contracts';
import type { GlobalEvent } from '@custody/event-store';
import type { DecodeResult, InboundMessage, MessageDecoder } from './codec';
import type { OutboundMessage } from './relay';

/**
 * Topic names on the broker: the contract's names, optionally behind a prefix (one
 * environment or one test run per prefix on a shared broker).
 */
export class TopicNames {
  constructor(readonly prefix = '') {}

  /** The broker's name of a contract topic. */
  physical(topic: Topic | string): string {
    return `${this.prefix}${topic}`;
  }

  /** The contract's name of a broker topic. */
  logical(physical: string): string {
    return this.prefix && physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : physical;
  }
}

/**
 * Decodes messages of the contract: the CloudEvents envelope, the type, the version
 * (upcasting older ones), the key and the payload. A violation becomes a dead-letter reason
 * with the contract's code and every failing field.
 */
export function contractDecoder(names: TopicNames = new TopicNames()): MessageDecoder {
  return {
    decode(message: InboundMessage): DecodeResult {
      const parsed = fromKafkaMessage(
        { key: message.key, value: message.value, headers: message.headers as Record<string, Buffer | string | undefined> },
        { topic: names.logical(message.topic) },
      );
      if (!parsed.ok) {
        const fields = parsed.error.errors.map((e) => `${e.path}: ${e.problem}`).join('; ');
        return { ok: false, failure: { code: parsed.error.code, reason: fields ? `${parsed.error.message} (${fields})` : parsed.error.message } };
      }
      const envelope = parsed.value;
      return {
        ok: true,
        event: {
          id: envelope.id,
          type: envelope.type,
          schemaVersion: envelope.schemaVersion,
          subject: envelope.subject,
          data: envelope.data,
          occurredAt: envelope.metadata.occurredAt,
          recordedAt: envelope.recordedAt,
          correlationId: envelope.metadata.correlationId,
          causationId: envelope.metadata.causationId,
          traceparent: envelope.metadata.traceparent,
          extensions: {
            actor: envelope.metadata.actor, source: envelope.source, key: envelope.key,
            ...(envelope.metadata.lateRecordingReason ? { lateRecordingReason: envelope.metadata.lateRecordingReason } : {}),
          },
        },
      };
    },
  };
}

/**
 * Where the relay sends a stored event: the topic the contract names for its type, keyed by
 * its subject, as a CloudEvents binary message. Events the contract does not publish (a
 * service's internal events) stay home.
 */
export function contractRoute(names: TopicNames = new TopicNames()): (event: GlobalEvent) => OutboundMessage | undefined {
  return (event) => {
    const definition = findMessage(event.type);
    if (!definition || definition.kind !== 'event') return undefined;
    const message = toKafkaMessage({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata as Parameters<typeof toKafkaMessage>[0]['metadata'],
      recordedAt: event.recordedAt,
    });
    return { topic: names.physical(definition.topic), key: message.key, value: message.value, headers: message.headers };
  };
}

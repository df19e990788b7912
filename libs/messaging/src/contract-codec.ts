import { type ContractViolation, findMessage, fromKafkaMessage, isInstant, messagesOnTopic, TOPICS, toKafkaMessage, type Topic } from '@custody/contracts';
import type { DecodeFailure, DecodeResult, InboundMessage, MessageDecoder } from './codec';
import { refuseInDecoder, type RefusedEnvelope } from './refusals';
import type { RelayRoute } from './relay';
import { PublishedRevisions, type StreamReader } from './stream-revisions';

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
 * with the contract's code and every failing field. On a commands topic, a violation whose
 * command id (ce_id, a UUID) and correlation id can still be read is also answered: the sender
 * gets a CommandRejected with the code and the fields (see {@link brokenCommand}).
 */
export function contractDecoder(names: TopicNames = new TopicNames()): MessageDecoder {
  return {
    decode(message: InboundMessage): DecodeResult {
      const topic = names.logical(message.topic);
      const parsed = fromKafkaMessage(
        { key: message.key, value: message.value, headers: message.headers as Record<string, Buffer | string | undefined> },
        { topic },
      );
      if (!parsed.ok) {
        const fields = parsed.error.errors.map((e) => `${e.path}: ${e.problem}`).join('; ');
        const failure: DecodeFailure = { code: parsed.error.code, reason: fields ? `${parsed.error.message} (${fields})` : parsed.error.message };
        const command = carriesCommands(topic) ? brokenCommand(message, parsed.error) : undefined;
        if (!command) return { ok: false, failure };
        const errors = parsed.error.errors.slice(0, MAX_ERRORS).map((e) => ({ path: clip(e.path, 500), problem: clip(e.problem, 1_000) }));
        return refuseInDecoder(message, command, failure, errors.length > 0 ? errors : [{ path: 'value', problem: clip(failure.reason, 1_000) }]);
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
            ...(envelope.stream ? { stream: envelope.stream } : {}),
          },
        },
      };
    },
  };
}

/** Whether the contract publishes events of a type (the others are a service's internal events). */
const isPublishedType = (type: string) => findMessage(type)?.kind === 'event';

/**
 * Where the relay sends a stored event: the topic the contract names for its type, keyed by
 * its subject, as a CloudEvents binary message with its place in its stream (ce_stream,
 * ce_streamrevision, ce_streamprevious; docs/adr/0011-stream-revisions-on-the-wire.md). Events the
 * contract does not publish (a service's internal events) stay home. Call it for every event of
 * the global log in order, as the relay does: it remembers each stream's last event to tell the
 * next one's previous published revision. With `store`, its `prepare` looks that up for streams
 * it does not remember; without, their events go out with the previous revision unknown.
 */
export function contractRoute(names: TopicNames = new TopicNames(), options: { store?: StreamReader } = {}): RelayRoute {
  const revisions = new PublishedRevisions(isPublishedType, options.store);
  const route: RelayRoute = (event) => {
    const stream = revisions.positionOf(event);
    const definition = findMessage(event.type);
    if (!definition || definition.kind !== 'event') return undefined;
    const message = toKafkaMessage({
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: event.data,
      metadata: event.metadata as Parameters<typeof toKafkaMessage>[0]['metadata'],
      recordedAt: event.recordedAt,
      stream,
    });
    return { topic: names.physical(definition.topic), key: message.key, value: message.value, headers: message.headers };
  };
  route.prepare = (batch) => revisions.prepare(batch);
  return route;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What CommandRejected allows (its payload's limits): fields listed, and the length of a type. */
const MAX_ERRORS = 500;
const COMMAND_TYPE = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
/** A correlation id the result can carry as its key and header: printable, at most 200 characters. */
const CORRELATION_ID = /^[\x21-\x7e]{1,200}$/;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Whether a contract topic carries commands (a service's commands topic). */
function carriesCommands(topic: string): boolean {
  return (Object.values(TOPICS) as string[]).includes(topic) && messagesOnTopic(topic as Topic).some((type) => findMessage(type)?.kind === 'command');
}

/** A header's text (the first value of a repeated header), by its name in any case. */
function header(message: InboundMessage, name: string): string | undefined {
  for (const [key, value] of Object.entries(message.headers)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (Buffer.isBuffer(first)) return first.toString('utf8');
    if (typeof first === 'string') return first;
  }
  return undefined;
}

/**
 * The command a message on a commands topic stands for, though it breaks the contract, when it can
 * be answered (docs/architecture.md, "Exactly one result per command"): its command id (ce_id, a
 * UUID) and its correlation id (ce_correlationid) can be read. The type is named when ce_type reads
 * as one (an unknown type included); a message whose type is an event of the catalogue is no
 * command and is only set aside. The answer's actor is never set: nothing of it was verified.
 */
export function brokenCommand(message: InboundMessage, violation: ContractViolation): RefusedEnvelope | undefined {
  const id = header(message, 'ce_id') ?? violation.context.id;
  const correlationId = header(message, 'ce_correlationid') ?? violation.context.correlationId;
  if (!id || !UUID.test(id) || !correlationId || !CORRELATION_ID.test(correlationId)) return undefined;
  const type = header(message, 'ce_type') ?? violation.context.type;
  if (type && findMessage(type) && findMessage(type)!.kind !== 'command') return undefined;
  const time = header(message, 'ce_time');
  const traceparent = header(message, 'traceparent');
  return {
    id,
    type: type && COMMAND_TYPE.test(type) ? type : '',
    correlationId,
    occurredAt: time && isInstant(time) ? time : new Date().toISOString(),
    ...(traceparent && /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/.test(traceparent) ? { traceparent } : {}),
  };
}

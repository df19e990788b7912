import { isInstant } from '../common/formats';
import { findMessage, payloadClass } from '../catalogue/catalogue';
import { ContractViolation } from '../rejections/errors';
import { unknownVersion, validatePayload } from '../validation/validate';
import { type Envelope, EXTENSIONS, MAX_MESSAGE_BYTES, type OutgoingKafkaMessage } from './envelope';
import { streamHeaders } from './stream';
import { messageKey, subjectAttribute, subjectOf } from './subject';

/** Bytes a message takes on the wire (key, value, header names and values). */
export function messageBytes(message: { key?: unknown; value: unknown; headers?: Record<string, unknown> }): number {
  const size = (v: unknown): number => {
    if (v === undefined || v === null) return 0;
    if (Buffer.isBuffer(v)) return v.length;
    if (Array.isArray(v)) return v.reduce((sum: number, item) => sum + size(item), 0);
    return Buffer.byteLength(String(v));
  };
  let total = size(message.key) + size(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) total += Buffer.byteLength(name) + size(value);
  return total;
}

function defined(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Throws the `ContractViolation` naming every field of `data` its payload class refuses (paths under `data.`). */
function assertValidPayload(payloadType: NonNullable<ReturnType<typeof payloadClass>>, data: unknown, context: ConstructorParameters<typeof ContractViolation>[2]): void {
  const { problems } = validatePayload(payloadType, data);
  if (problems.length > 0) throw new ContractViolation('VALIDATION_FAILED', problems.map((p) => ({ ...p, path: `data.${p.path}` })), context);
}

/**
 * Checks an event before it is stored (the event store's `checkEvent`, as the services configure
 * it): an event of the catalogue must be valid at its schema version, and is refused with the
 * `ContractViolation` naming every failing field otherwise; a type the catalogue does not hold is
 * a service's internal event and is not checked. Validated when written, an event need not be
 * validated again each time it is published (`toKafkaMessage`'s `validated`; docs/performance.md).
 */
export function checkStoredEvent(event: { id?: string; type: string; schemaVersion: number; data: unknown }): void {
  const definition = findMessage(event.type);
  if (definition?.kind !== 'event') return;
  const context = { id: event.id, type: event.type, schemaVersion: event.schemaVersion };
  const payloadType = payloadClass(event.type, event.schemaVersion);
  if (!payloadType) throw unknownVersion(event.type, event.schemaVersion, definition.version);
  assertValidPayload(payloadType, event.data, context);
}

/**
 * A message of the catalogue as a Kafka message: CloudEvents 1.0 in binary mode (`ce_*` headers,
 * `content-type: application/json`, the payload as the JSON value), keyed by its subject. The
 * payload is validated first, unless `validated` says it was when it was stored
 * ({@link checkStoredEvent}). Throws a `ContractViolation` (unknown type or version, invalid
 * payload, no subject, over 1 MiB): publishing a broken message is a defect of the publisher.
 */
export function toKafkaMessage(envelope: Envelope, { validated = false }: { validated?: boolean } = {}): OutgoingKafkaMessage {
  const definition = findMessage(envelope.type);
  const context = { id: envelope.id, type: envelope.type, schemaVersion: envelope.schemaVersion, correlationId: envelope.metadata.correlationId };
  if (!definition) {
    throw new ContractViolation('UNKNOWN_MESSAGE_TYPE', [{ path: 'type', problem: `${envelope.type} is not in the catalogue` }], context);
  }
  const payloadType = payloadClass(envelope.type, envelope.schemaVersion);
  if (!payloadType) throw unknownVersion(envelope.type, envelope.schemaVersion, definition.version);
  if (!validated) assertValidPayload(payloadType, envelope.data, context);

  const subject = subjectOf(envelope.type, envelope.data, envelope.metadata.correlationId);
  const key = messageKey(envelope.type, envelope.data, envelope.metadata.correlationId);
  if (!subject || !key) {
    throw new ContractViolation('VALIDATION_FAILED', [{ path: 'data', problem: `names no ${definition.subject} to key the message by` }], context);
  }
  if (!envelope.id) throw new ContractViolation('INVALID_ENVELOPE', [{ path: 'id', problem: 'the message has no id' }], context);
  if (!isInstant(envelope.metadata.occurredAt)) {
    throw new ContractViolation('INVALID_ENVELOPE', [{ path: 'metadata.occurredAt', problem: 'must be an RFC 3339 date-time with a time zone' }], context);
  }
  const actor = envelope.metadata.actor ?? {};
  // CloudEvents 1.0, Kafka protocol binding, binary content mode: `content-type` carries
  // datacontenttype, each other attribute and extension a `ce_<name>` header. Written out here
  // rather than through the package's CloudEvent object, whose construction validated the
  // attributes built just above a second time (docs/performance.md); the headers are the same,
  // in the same order (kafka.spec.ts compares them with the package's).
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ce_id: envelope.id,
    // The contract's time is the instant as given (ISO 8601 with zone), not re-formatted.
    ce_time: envelope.metadata.occurredAt,
    ce_type: envelope.type,
    ce_source: envelope.source ?? definition.source,
    ce_specversion: '1.0',
    ce_subject: subjectAttribute(subject),
  };
  const extensions: Record<string, string | undefined> = {
    [EXTENSIONS.recordedTime]: envelope.recordedAt,
    [EXTENSIONS.correlationId]: envelope.metadata.correlationId,
    [EXTENSIONS.causationId]: envelope.metadata.causationId,
    [EXTENSIONS.schemaVersion]: String(envelope.schemaVersion),
    [EXTENSIONS.actorState]: actor.state,
    [EXTENSIONS.actorOrganisation]: actor.organisation,
    [EXTENSIONS.actorOfficer]: actor.officer,
    [EXTENSIONS.actorSystem]: actor.system,
    [EXTENSIONS.actorSubject]: actor.subject,
    [EXTENSIONS.actorRoles]: actor.roles && actor.roles.length > 0 ? actor.roles.join(',') : undefined,
    [EXTENSIONS.actorVerifiedBy]: actor.verifiedBy,
    [EXTENSIONS.lateRecordingReason]: envelope.metadata.lateRecordingReason,
  };
  for (const name in extensions) {
    const value = extensions[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  // W3C trace context travels in its own headers, as OpenTelemetry's Kafka propagators expect.
  Object.assign(headers, defined({ traceparent: envelope.metadata.traceparent, tracestate: envelope.metadata.tracestate }));
  // Where the event lies in its stream: readers see a skipped one (docs/adr/0011-stream-revisions-on-the-wire.md).
  if (envelope.stream) Object.assign(headers, streamHeaders(envelope.stream));

  const message: OutgoingKafkaMessage = { key, value: JSON.stringify(envelope.data), headers };
  const bytes = messageBytes(message);
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new ContractViolation('MESSAGE_TOO_LARGE', [{ path: 'value', problem: `the message takes ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}` }], context);
  }
  return message;
}

import { type CloudEventV1, Kafka, ValidationError as CloudEventValidationError } from 'cloudevents';
import { findMessage } from '../catalogue/catalogue';
import { isInstant } from '../common/formats';
import { ContractViolation, type ContractViolationCode, type FieldProblem, type ViolationContext } from '../rejections/errors';
import type { Topic } from '../topics/topics';
import { unknownVersion, type Validated, validateCommand } from '../validation/validate';
import { readEvent } from '../versioning/read-event';
import { ACTOR_VERIFICATIONS, type ActorVerification, EXTENSIONS, type KafkaMessageLike, MAX_MESSAGE_BYTES, type ParsedEnvelope } from './envelope';
import { readStreamPosition } from './stream';
import { messageKey, subjectAttribute, subjectOf } from './subject';
import { messageBytes } from './write';

const REQUIRED_HEADERS = ['ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_time', 'ce_subject', `ce_${EXTENSIONS.schemaVersion}`, `ce_${EXTENSIONS.correlationId}`];

const text = (value: Buffer | string): string => (Buffer.isBuffer(value) ? value.toString('utf8') : value);

/** Header values as strings; a header given more than once is a problem. */
function normaliseHeaders(raw: KafkaMessageLike['headers'], problems: FieldProblem[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length !== 1) {
        problems.push({ path: `headers.${name}`, problem: 'the header must appear exactly once' });
        continue;
      }
      headers[name.toLowerCase()] = text(value[0]);
    } else {
      headers[name.toLowerCase()] = text(value);
    }
  }
  return headers;
}

function fail(code: ContractViolationCode, errors: FieldProblem[], context: ViolationContext): { ok: false; error: ContractViolation } {
  return { ok: false, error: new ContractViolation(code, errors, context) };
}

/**
 * Reads a Kafka message of the contract: checks size, the CloudEvents binary envelope, the type and
 * version, the key and subject, validates the payload and upcasts it to the current version.
 * Never throws for bad input: returns a `ContractViolation` with its own code
 * (`MESSAGE_TOO_LARGE`, `INVALID_ENVELOPE`, `UNKNOWN_MESSAGE_TYPE`, `UNKNOWN_SCHEMA_VERSION`,
 * `WRONG_TOPIC`, `VALIDATION_FAILED`) and every failing field, for the result or the dead-letter
 * headers. Pass `topic` to check that the type belongs on the topic it was read from.
 */
export function fromKafkaMessage(message: KafkaMessageLike, options: { topic?: Topic | string } = {}): Validated<ParsedEnvelope> {
  const problems: FieldProblem[] = [];
  const headers = normaliseHeaders(message.headers, problems);
  const context: ViolationContext = {
    id: headers.ce_id,
    type: headers.ce_type,
    correlationId: headers[`ce_${EXTENSIONS.correlationId}`],
  };
  const bytes = messageBytes(message);
  if (bytes > MAX_MESSAGE_BYTES) {
    return fail('MESSAGE_TOO_LARGE', [{ path: 'value', problem: `the message takes ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}` }], context);
  }

  for (const name of REQUIRED_HEADERS) {
    if (!headers[name]) problems.push({ path: `headers.${name}`, problem: 'the header is required' });
  }
  if (headers.ce_specversion && headers.ce_specversion !== '1.0') {
    problems.push({ path: 'headers.ce_specversion', problem: 'must be 1.0' });
  }
  if (headers['content-type'] !== 'application/json' && !headers['content-type']?.startsWith('application/json;')) {
    problems.push({ path: 'headers.content-type', problem: 'must be application/json (CloudEvents binary mode)' });
  }
  if (headers.ce_time && !isInstant(headers.ce_time)) {
    problems.push({ path: 'headers.ce_time', problem: 'must be an RFC 3339 date-time with a time zone' });
  }
  const recordedTime = headers[`ce_${EXTENSIONS.recordedTime}`];
  if (recordedTime && !isInstant(recordedTime)) {
    problems.push({ path: `headers.ce_${EXTENSIONS.recordedTime}`, problem: 'must be an RFC 3339 date-time with a time zone' });
  }
  const versionHeader = headers[`ce_${EXTENSIONS.schemaVersion}`];
  if (versionHeader && !/^[1-9]\d{0,5}$/.test(versionHeader)) {
    problems.push({ path: `headers.ce_${EXTENSIONS.schemaVersion}`, problem: 'must be a positive integer' });
  }
  const stream = readStreamPosition(headers);
  problems.push(...stream.problems);
  let event: CloudEventV1<unknown> | undefined;
  if (problems.length === 0) {
    try {
      const kafkaMessage = { key: text(message.key ?? ''), value: message.value ?? '', headers, body: message.value };
      event = Kafka.toEvent(kafkaMessage as Parameters<typeof Kafka.toEvent>[0]) as CloudEventV1<unknown>;
      (event as unknown as { validate(): boolean }).validate();
    } catch (error) {
      const reason = error instanceof CloudEventValidationError || error instanceof Error ? error.message : 'unreadable';
      problems.push({ path: 'value', problem: `not a CloudEvent with a JSON payload: ${reason}` });
    }
  }
  if (problems.length > 0 || !event) return fail('INVALID_ENVELOPE', problems, context);

  const type = headers.ce_type;
  const definition = findMessage(type);
  if (!definition) {
    return fail('UNKNOWN_MESSAGE_TYPE', [{ path: 'headers.ce_type', problem: `${type} is not in the catalogue` }], context);
  }
  const version = Number(versionHeader);
  context.schemaVersion = version;
  if (options.topic !== undefined) {
    const topic = options.topic.endsWith('.dlq') ? options.topic.slice(0, -4) : options.topic;
    if (topic !== definition.topic) {
      return fail('WRONG_TOPIC', [{ path: 'topic', problem: `${type} belongs on ${definition.topic}, not ${options.topic}` }], context);
    }
  }
  if (definition.kind === 'command' && version !== definition.version) {
    return { ok: false, error: unknownVersion(type, version, definition.version) };
  }

  const read = definition.kind === 'command' ? readCommand(type, version, event.data) : readEvent(type, version, event.data);
  if (!read.ok) {
    const errors = read.error.errors.map((p) => ({ ...p, path: p.path ? `data.${p.path}` : 'data' }));
    return fail(read.error.code, read.error.code === 'VALIDATION_FAILED' ? errors : read.error.errors.slice(), context);
  }
  const data = read.value.data as Record<string, unknown>;

  // The envelope must agree with the payload: key and subject name what the payload is about.
  const subject = subjectOf(type, data, context.correlationId);
  const key = messageKey(type, data, context.correlationId);
  if (!subject || !key) {
    return fail('VALIDATION_FAILED', [{ path: 'data', problem: `names no ${definition.subject} to key the message by` }], context);
  }
  if (text(message.key ?? '') !== key) {
    problems.push({ path: 'key', problem: `the key must be ${key} (the ${subject.kind === 'command' ? 'correlation' : subject.kind} id)` });
  }
  if (headers.ce_subject !== subjectAttribute(subject)) {
    problems.push({ path: 'headers.ce_subject', problem: `must be ${subjectAttribute(subject)}` });
  }
  if (definition.kind === 'command') {
    if (data.commandId !== headers.ce_id) problems.push({ path: 'headers.ce_id', problem: 'must equal the commandId of the body' });
    if (Date.parse(String(data.occurredAt)) !== Date.parse(headers.ce_time)) {
      problems.push({ path: 'headers.ce_time', problem: 'must be the occurredAt of the body' });
    }
    for (const actorHeader of [EXTENSIONS.actorState, EXTENSIONS.actorOrganisation]) {
      if (!headers[`ce_${actorHeader}`]) problems.push({ path: `headers.ce_${actorHeader}`, problem: 'a command names who sends it' });
    }
  }
  const verifiedBy = headers[`ce_${EXTENSIONS.actorVerifiedBy}`];
  if (verifiedBy !== undefined && !(ACTOR_VERIFICATIONS as readonly string[]).includes(verifiedBy)) {
    problems.push({ path: `headers.ce_${EXTENSIONS.actorVerifiedBy}`, problem: `must be one of ${ACTOR_VERIFICATIONS.join(', ')}` });
  }
  if (problems.length > 0) return fail('INVALID_ENVELOPE', problems, context);

  const actor = compact({
    state: headers[`ce_${EXTENSIONS.actorState}`],
    organisation: headers[`ce_${EXTENSIONS.actorOrganisation}`],
    officer: headers[`ce_${EXTENSIONS.actorOfficer}`],
    system: headers[`ce_${EXTENSIONS.actorSystem}`],
    subject: headers[`ce_${EXTENSIONS.actorSubject}`],
    roles: headers[`ce_${EXTENSIONS.actorRoles}`] ? headers[`ce_${EXTENSIONS.actorRoles}`].split(',') : undefined,
    verifiedBy: verifiedBy as ActorVerification | undefined,
  });
  const metadata = compact({
    correlationId: headers[`ce_${EXTENSIONS.correlationId}`],
    causationId: headers[`ce_${EXTENSIONS.causationId}`],
    actor: Object.keys(actor).length > 0 ? actor : undefined,
    occurredAt: headers.ce_time,
    traceparent: headers.traceparent ?? headers.ce_traceparent,
    tracestate: headers.tracestate ?? headers.ce_tracestate,
    lateRecordingReason: headers[`ce_${EXTENSIONS.lateRecordingReason}`],
  });
  const parsed: ParsedEnvelope = {
    id: headers.ce_id,
    type,
    schemaVersion: read.value.schemaVersion,
    writtenVersion: version,
    data,
    source: headers.ce_source,
    subject: headers.ce_subject,
    key,
    metadata,
  };
  if (recordedTime !== undefined) parsed.recordedAt = recordedTime;
  if (stream.position) parsed.stream = stream.position;
  return { ok: true, value: parsed };
}

/** The object without its undefined fields (so a round trip gives back exactly what was sent). */
function compact<T extends Record<string, unknown>>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as T;
}

function readCommand(type: string, version: number, data: unknown): Validated<{ schemaVersion: number; data: object }> {
  const validated = validateCommand(type, data);
  return validated.ok ? { ok: true, value: { schemaVersion: version, data: validated.value } } : validated;
}

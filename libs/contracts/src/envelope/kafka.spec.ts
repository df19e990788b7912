import { CloudEvent, Kafka } from 'cloudevents';
import { EXAMPLES } from '../examples/examples';
import { IDS } from '../examples/fixtures';
import { MESSAGE_DEFINITIONS } from '../catalogue/catalogue';
import { ContractViolation } from '../rejections/errors';
import type { Envelope, KafkaMessageLike } from './envelope';
import { MAX_MESSAGE_BYTES } from './envelope';
import { fromKafkaMessage } from './read';
import { streamPositionOf } from './stream';
import { checkStoredEvent, toKafkaMessage } from './write';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const actor = { state: 'BE', organisation: 'FPS Justice', officer: 'J. Dubois' };

function envelopeOf(type: (typeof MESSAGE_DEFINITIONS)[number]): Envelope {
  const data = EXAMPLES[type.type] as Record<string, unknown>;
  const isCommand = type.kind === 'command';
  return {
    id: isCommand ? (data.commandId as string) : IDS.event,
    type: type.type,
    schemaVersion: type.version,
    data,
    metadata: {
      correlationId: IDS.command,
      causationId: IDS.command,
      actor,
      occurredAt: isCommand ? (data.occurredAt as string) : '2026-03-02T09:30:00.125+01:00',
      traceparent: TRACEPARENT,
    },
    ...(isCommand ? {} : { recordedAt: '2026-03-02T08:30:01.5Z' }),
  };
}

/** As kafkajs hands a message to a consumer: Buffers everywhere. */
function asReceived(message: { key: string; value: string; headers: Record<string, string> }): KafkaMessageLike {
  return {
    key: Buffer.from(message.key),
    value: Buffer.from(message.value),
    headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v)])),
  };
}

function violation(result: ReturnType<typeof fromKafkaMessage>): ContractViolation {
  if (result.ok) throw new Error('expected a violation');
  return result.error;
}

const registerInmate = envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'RegisterInmate')!);
const produced = () => toKafkaMessage(registerInmate);

describe('toKafkaMessage', () => {
  it('writes CloudEvents 1.0 binary mode headers, keyed by the inmate', () => {
    const message = produced();
    expect(message.key).toBe(IDS.inmate);
    expect(message.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: IDS.command,
      ce_type: 'RegisterInmate',
      ce_source: '/custody/intake',
      ce_subject: `inmate/${IDS.inmate}`,
      ce_time: registerInmate.metadata.occurredAt,
      ce_correlationid: IDS.command,
      ce_causationid: IDS.command,
      ce_schemaversion: '1',
      ce_actorstate: 'BE',
      ce_actororganisation: 'FPS Justice',
      ce_actorofficer: 'J. Dubois',
      traceparent: TRACEPARENT,
    });
    expect(JSON.parse(message.value)).toEqual(registerInmate.data);
  });

  it('writes, for every message of the catalogue, the headers the CloudEvents package writes in binary mode, in its order', () => {
    // The reference: what toKafkaMessage wrote through the package's CloudEvent object before it
    // wrote the headers itself (docs/performance.md).
    const throughPackage = (envelope: Envelope, written: { headers: Record<string, string> }) => {
      const extensions = Object.fromEntries(
        Object.entries(written.headers)
          .filter(([name]) => name.startsWith('ce_') && !['ce_id', 'ce_type', 'ce_source', 'ce_specversion', 'ce_subject', 'ce_time'].includes(name) && !name.startsWith('ce_stream'))
          .map(([name, value]) => [name.slice(3), value]),
      );
      const event = new CloudEvent({
        specversion: '1.0', id: envelope.id, type: envelope.type, source: written.headers.ce_source, subject: written.headers.ce_subject,
        time: envelope.metadata.occurredAt, datacontenttype: 'application/json', data: envelope.data, ...extensions,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(Kafka.binary(event).headers)) {
        if (value !== undefined && name !== 'ce_datacontenttype') headers[name] = String(value);
      }
      headers.traceparent = TRACEPARENT;
      headers.ce_time = envelope.metadata.occurredAt;
      return headers;
    };
    for (const definition of MESSAGE_DEFINITIONS) {
      const envelope = envelopeOf(definition);
      const written = toKafkaMessage(envelope);
      expect(Object.entries(written.headers)).toEqual(Object.entries(throughPackage(envelope, written)));
    }
  });

  it('refuses a message without an id or with a time that is not an instant', () => {
    const envelope = envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'InmateRegistered')!);
    const code = (e: Envelope) => {
      try {
        toKafkaMessage(e);
        return 'published';
      } catch (error) {
        return `${(error as ContractViolation).code} ${(error as ContractViolation).errors.map((p) => p.path).join(',')}`;
      }
    };
    expect(code({ ...envelope, id: '' })).toBe('INVALID_ENVELOPE id');
    expect(code({ ...envelope, metadata: { ...envelope.metadata, occurredAt: '2026-03-02 09:30' } })).toBe('INVALID_ENVELOPE metadata.occurredAt');
  });

  it('keys facility-level messages by the facility and command results by the correlation id', () => {
    const facility = toKafkaMessage(envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'PlaceReserved')!));
    expect(facility.key).toBe(IDS.facility);
    expect(facility.headers.ce_subject).toBe(`facility/${IDS.facility}`);
    const result = toKafkaMessage({ ...envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'CommandAccepted')!), metadata: { correlationId: 'ministry-be-42', occurredAt: '2026-03-02T09:30:00Z' } });
    expect(result.key).toBe('ministry-be-42');
    expect(result.headers.ce_subject).toBe(`command/${IDS.command}`);
  });

  it('refuses to publish an invalid payload, naming the fields', () => {
    const broken = { ...registerInmate, data: { ...(registerInmate.data as object), inmateId: 42 } };
    expect(() => toKafkaMessage(broken)).toThrow(ContractViolation);
    try {
      toKafkaMessage(broken);
    } catch (error) {
      expect((error as ContractViolation).code).toBe('VALIDATION_FAILED');
      expect((error as ContractViolation).errors[0].path).toBe('data.inmateId');
    }
  });

  it('refuses to produce a message over 1 MiB', () => {
    const huge = { ...registerInmate, metadata: { ...registerInmate.metadata, tracestate: 'x'.repeat(MAX_MESSAGE_BYTES) } };
    expect(() => toKafkaMessage(huge)).toThrow(expect.objectContaining({ code: 'MESSAGE_TOO_LARGE' }));
  });

  it('keys a rejection of an unreadable command by its correlation id', () => {
    const rejected = { code: 'INVALID_ENVELOPE', message: 'The Kafka message is not a CloudEvent.', errors: [{ path: 'headers.ce_id', problem: 'the header is required' }] };
    const message = toKafkaMessage({ id: IDS.event, type: 'CommandRejected', schemaVersion: 1, data: rejected, metadata: { correlationId: 'be-justice-7', occurredAt: '2026-03-02T09:30:00Z' } });
    expect(message.key).toBe('be-justice-7');
    expect(message.headers.ce_subject).toBe('command/be-justice-7');
    expect(fromKafkaMessage(message).ok).toBe(true);
  });

  it('refuses a finding that names neither an inmate nor a facility', () => {
    const { inmateId: _inmate, ...finding } = EXAMPLES.FindingRaised as Record<string, unknown>;
    const envelope = { ...envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'FindingRaised')!), data: finding };
    expect(() => toKafkaMessage(envelope)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });

  it('writes a topic-level finding (version 2), keyed and subjected by its refused message\'s topic, and reads a version 1 finding lifted unchanged', () => {
    const { inmateId: _inmate, ...rest } = EXAMPLES.FindingRaised as Record<string, unknown>;
    const refusedMessage = { topic: 'custody.transfer.events', partition: 0, offset: '17', reasonCode: 'EVENT_SIGNATURE_INVALID', source: '/custody/transfer', kid: 'custody-0123456789abcdef' };
    const definition = MESSAGE_DEFINITIONS.find((d) => d.type === 'FindingRaised')!;
    expect(definition.version).toBe(2);
    const message = toKafkaMessage({ ...envelopeOf(definition), data: { ...rest, invariant: 'event-signatures-valid', refusedMessage } });
    expect(message.key).toBe('custody.transfer.events');
    expect(message.headers.ce_subject).toBe('topic/custody.transfer.events');
    const read = fromKafkaMessage(asReceived(message));
    expect(read.ok && read.value.data).toMatchObject({ refusedMessage });
    // A refused message with an offset that is no Kafka offset is refused.
    expect(() => toKafkaMessage({ ...envelopeOf(definition), data: { ...rest, refusedMessage: { ...refusedMessage, offset: '-1' } } })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    const v1 = toKafkaMessage({ ...envelopeOf(definition), schemaVersion: 1, data: EXAMPLES.FindingRaised });
    const lifted = fromKafkaMessage(asReceived(v1));
    expect(lifted.ok && lifted.value).toMatchObject({ schemaVersion: 2, writtenVersion: 1, data: EXAMPLES.FindingRaised });
  });

  it('refuses an unknown type', () => {
    expect(() => toKafkaMessage({ ...registerInmate, type: 'RegisterPrisoner' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_MESSAGE_TYPE' }));
  });
});

describe('fromKafkaMessage', () => {
  it('carries why an act was recorded late (Rule 17), the reason as written', () => {
    const late = { ...registerInmate, metadata: { ...registerInmate.metadata, lateRecordingReason: 'Entered from the paper register of Prison de Haren — five weeks late.' } };
    const message = toKafkaMessage(late);
    expect(message.headers.ce_laterecordingreason).toBe(late.metadata.lateRecordingReason);
    const read = fromKafkaMessage(asReceived(message));
    expect(read.ok && read.value.metadata.lateRecordingReason).toBe(late.metadata.lateRecordingReason);
    expect(toKafkaMessage(registerInmate).headers).not.toHaveProperty('ce_laterecordingreason');
  });

  it.each(MESSAGE_DEFINITIONS.map((d) => [d.type, d] as const))('%s: round trip gives back the same message', (_type, definition) => {
    const envelope = envelopeOf(definition);
    const parsed = fromKafkaMessage(asReceived(toKafkaMessage(envelope)), { topic: definition.topic });
    if (!parsed.ok) throw parsed.error;
    const { source, subject, key, writtenVersion, ...message } = parsed.value;
    expect(message).toEqual(envelope);
    expect(JSON.parse(JSON.stringify(message.data))).toEqual(envelope.data);
    expect(source).toBe(definition.source);
    expect(writtenVersion).toBe(definition.version);
    expect(subject).toMatch(/^(inmate|facility|command)\/[0-9a-f-]{36}$|^ledger$/);
    expect(key.length).toBeGreaterThan(0);
  });

  it('carries a verified actor\'s subject, roles and how it was verified', () => {
    const verified = { state: 'BE', organisation: 'FPS Justice', subject: 'officer-17', roles: ['intake-officer', 'integration'], verifiedBy: 'bearer-token' as const };
    const inmateRegistered = envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'InmateRegistered')!);
    const message = toKafkaMessage({ ...inmateRegistered, metadata: { ...inmateRegistered.metadata, actor: verified } });
    expect(message.headers).toMatchObject({ ce_actorsubject: 'officer-17', ce_actorroles: 'intake-officer,integration', ce_actorverifiedby: 'bearer-token' });
    const parsed = fromKafkaMessage(asReceived(message));
    expect(parsed.ok && parsed.value.metadata.actor).toEqual(verified);
  });

  it('rejects an actor verified by a means the contract does not know', () => {
    const message = produced();
    const error = violation(fromKafkaMessage(asReceived({ ...message, headers: { ...message.headers, ce_actorverifiedby: 'trust-me' } })));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors.map((e) => e.path)).toEqual(['headers.ce_actorverifiedby']);
  });

  it('passes the trace context through', () => {
    const parsed = fromKafkaMessage(asReceived(produced()));
    expect(parsed.ok && parsed.value.metadata.traceparent).toBe(TRACEPARENT);
  });

  it('rejects a message over 1 MiB with MESSAGE_TOO_LARGE', () => {
    const message = produced();
    const error = violation(fromKafkaMessage({ ...message, value: 'x'.repeat(MAX_MESSAGE_BYTES) }));
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.context).toMatchObject({ id: IDS.command, type: 'RegisterInmate', correlationId: IDS.command });
  });

  it('rejects missing CloudEvents headers with INVALID_ENVELOPE, each named', () => {
    const { ce_id: _id, ce_source: _source, ...headers } = produced().headers;
    const error = violation(fromKafkaMessage({ ...produced(), headers }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors.map((e) => e.path)).toEqual(['headers.ce_id', 'headers.ce_source']);
  });

  it('rejects structured mode and a wrong spec version', () => {
    const message = produced();
    const error = violation(fromKafkaMessage({ ...message, headers: { ...message.headers, 'content-type': 'application/cloudevents+json', ce_specversion: '0.3' } }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors.map((e) => e.path).sort()).toEqual(['headers.ce_specversion', 'headers.content-type']);
  });

  it('rejects a value that is not JSON', () => {
    const error = violation(fromKafkaMessage({ ...produced(), value: '{not json' }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors[0].path).toBe('value');
  });

  it('rejects a key that is not the subject, and a subject that does not match the payload', () => {
    const message = produced();
    const error = violation(fromKafkaMessage({ ...message, key: IDS.transfer, headers: { ...message.headers, ce_subject: `inmate/${IDS.transfer}` } }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors.map((e) => e.path)).toEqual(['key', 'headers.ce_subject']);
  });

  it('requires a command to name its sender and to agree with its body', () => {
    const { ce_actorstate: _state, ...headers } = produced().headers;
    const error = violation(fromKafkaMessage({ ...produced(), headers: { ...headers, ce_id: IDS.event } }));
    expect(error.errors.map((e) => e.path)).toEqual(['headers.ce_id', 'headers.ce_actorstate']);
  });

  it('rejects an unknown type with UNKNOWN_MESSAGE_TYPE', () => {
    const message = produced();
    const error = violation(fromKafkaMessage({ ...message, headers: { ...message.headers, ce_type: 'RegisterPrisoner' } }));
    expect(error.code).toBe('UNKNOWN_MESSAGE_TYPE');
    expect(error.context.type).toBe('RegisterPrisoner');
  });

  it('rejects an unknown schema version with UNKNOWN_SCHEMA_VERSION', () => {
    const message = produced();
    const error = violation(fromKafkaMessage({ ...message, headers: { ...message.headers, ce_schemaversion: '7' } }));
    expect(error.code).toBe('UNKNOWN_SCHEMA_VERSION');
  });

  it('rejects a message on the wrong topic with WRONG_TOPIC, but accepts it from its dead-letter twin', () => {
    expect(violation(fromKafkaMessage(produced(), { topic: 'custody.transfer.commands' })).code).toBe('WRONG_TOPIC');
    expect(fromKafkaMessage(produced(), { topic: 'custody.intake.commands.dlq' }).ok).toBe(true);
  });

  it('rejects an invalid payload with VALIDATION_FAILED and per-field paths under data', () => {
    const message = produced();
    const body = { ...JSON.parse(message.value), nationalities: [], extra: true };
    const error = violation(fromKafkaMessage({ ...message, value: JSON.stringify(body) }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors.map((e) => e.path).sort()).toEqual(['data.extra', 'data.nationalities']);
    expect(error.context.correlationId).toBe(IDS.command);
  });

  it('rejects a header given twice', () => {
    const message = produced();
    const error = violation(fromKafkaMessage({ ...message, headers: { ...message.headers, ce_type: ['RegisterInmate', 'RecordSentence'] } }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors.map((e) => e.path)).toContain('headers.ce_type');
  });
});

describe('where an event lies in its stream (ce_stream, ce_streamrevision, ce_streamprevious)', () => {
  const admitted = envelopeOf(MESSAGE_DEFINITIONS.find((d) => d.type === 'InmateAdmitted')!);
  const stream = { name: `custody-${IDS.inmate}`, revision: 3, previous: 1 };

  it('travels as three headers and is read back as written', () => {
    const message = toKafkaMessage({ ...admitted, stream });
    expect(message.headers).toMatchObject({ ce_stream: stream.name, ce_streamrevision: '3', ce_streamprevious: '1' });
    const read = fromKafkaMessage(asReceived(message));
    expect(read.ok && read.value.stream).toEqual(stream);
  });

  it('may leave the previous revision out (unknown), and is absent from events published without it', () => {
    const unknown = fromKafkaMessage(asReceived(toKafkaMessage({ ...admitted, stream: { name: stream.name, revision: 0 } })));
    expect(unknown.ok && unknown.value.stream).toEqual({ name: stream.name, revision: 0 });
    const without = toKafkaMessage(admitted);
    expect(Object.keys(without.headers).filter((name) => name.startsWith('ce_stream'))).toEqual([]);
    const read = fromKafkaMessage(asReceived(without));
    expect(read.ok && 'stream' in read.value).toBe(false);
  });

  it('is read by streamPositionOf from the raw headers, and ignored there when broken', () => {
    const message = asReceived(toKafkaMessage({ ...admitted, stream }));
    expect(streamPositionOf(message.headers)).toEqual(stream);
    expect(streamPositionOf({ ...message.headers, ce_streamrevision: Buffer.from('three') })).toBeUndefined();
    expect(streamPositionOf({})).toBeUndefined();
  });

  it.each([
    [{ ce_streamrevision: '3' }, ['headers.ce_stream']],
    [{ ce_stream: 'custody-1' }, ['headers.ce_streamrevision']],
    [{ ce_stream: 'custody 1', ce_streamrevision: '-1' }, ['headers.ce_stream', 'headers.ce_streamrevision']],
    [{ ce_stream: 'custody-1', ce_streamrevision: '03' }, ['headers.ce_streamrevision']],
    [{ ce_stream: 'custody-1', ce_streamrevision: '3', ce_streamprevious: '3' }, ['headers.ce_streamprevious']],
    [{ ce_stream: 'custody-1', ce_streamrevision: '3', ce_streamprevious: '-2' }, ['headers.ce_streamprevious']],
  ])('rejects %j with INVALID_ENVELOPE naming the headers', (headers, paths) => {
    const message = toKafkaMessage(admitted);
    const error = violation(fromKafkaMessage({ ...message, headers: { ...message.headers, ...headers } }));
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.errors.map((e) => e.path).sort()).toEqual([...paths].sort());
  });
});

describe('checkStoredEvent (the services\' stores, before an append)', () => {
  const example = (type: string) => (EXAMPLES as Record<string, object>)[type] as Record<string, unknown>;
  const codeOf = (event: { type: string; schemaVersion: number; data: unknown }) => {
    try {
      checkStoredEvent(event);
      return 'valid';
    } catch (error) {
      return `${(error as ContractViolation).code} ${(error as ContractViolation).errors.map((p) => p.path).join(',')}`;
    }
  };

  it('accepts every event of the catalogue as its example gives it, and refuses a broken payload naming the field', () => {
    for (const definition of MESSAGE_DEFINITIONS.filter((d) => d.kind === 'event')) {
      expect([definition.type, codeOf({ type: definition.type, schemaVersion: definition.version, data: example(definition.type) })]).toEqual([definition.type, 'valid']);
    }
    const data = { ...example('InmateRegistered'), nationalities: 'BE' };
    expect(codeOf({ type: 'InmateRegistered', schemaVersion: 1, data })).toMatch(/^VALIDATION_FAILED .*data\.nationalities/);
  });

  it('refuses a version the catalogue does not know, and leaves a service\'s internal events (no catalogue type) unchecked', () => {
    expect(codeOf({ type: 'InmateRegistered', schemaVersion: 99, data: example('InmateRegistered') })).toBe('UNKNOWN_SCHEMA_VERSION schemaVersion');
    expect(codeOf({ type: 'SearchKeysRotated', schemaVersion: 1, data: { anything: true } })).toBe('valid');
  });
});

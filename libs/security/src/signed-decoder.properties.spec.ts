import fc from 'fast-check';
import { exportSPKI, generateKeyPair, type KeyLike } from 'jose';
import { EXAMPLES, REJECTIONS, toKafkaMessage, TOPICS } from '@custody/contracts';
import { contractDecoder, decodeSafely, type InboundMessage, type MessageDecoder } from '@custody/messaging';
import { CommandSignatureVerifier, SIGNATURE_HEADER, signCommand, signedCommandDecoder, signedFieldsOf } from './signatures';

// A property runs a fixed number of cases, CPU-bound: its budget is that number, not the unit
// tier's 10 s of wall time, which a loaded machine can exceed without anything being wrong.
jest.setTimeout(120_000);

/**
 * No message can stop a consumer: whatever a ministry with broker access puts in the headers or
 * the value of a message, the decoder answers (a decoded event or a refusal with a catalogue code)
 * and never throws. Thrown at the real decoders a service runs (the contract's, behind the
 * signature check), with random messages and mutations of a genuine signed command.
 */
describe('the decoders under random and mutated messages', () => {
  const topic = TOPICS.intakeCommands;
  const registration = EXAMPLES.RegisterInmate as Record<string, unknown> & { commandId: string; occurredAt: string };
  let decoder: MessageDecoder;
  let genuine: { key: string; value: string; headers: Record<string, string> };
  let key: KeyLike;

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    key = pair.privateKey;
    const verifier = new CommandSignatureVerifier([{ kid: 'be-1', state: 'BE', publicKeyPem: await exportSPKI(pair.publicKey) }], {
      RegisterInmate: (data, state) => data.sendingState === state,
    });
    decoder = signedCommandDecoder(contractDecoder(), verifier, [topic]);
    const message = toKafkaMessage({
      id: registration.commandId, type: 'RegisterInmate', schemaVersion: 1, data: registration,
      metadata: { correlationId: registration.commandId, occurredAt: registration.occurredAt, actor: { state: 'BE', organisation: 'Justice BE' } },
    });
    const signature = await signCommand(message.value, key, { kid: 'be-1', algorithm: 'ES256', ...signedFieldsOf(message.headers) });
    genuine = { key: message.key, value: message.value, headers: { ...message.headers, [SIGNATURE_HEADER]: signature } };
  });

  const inbound = (value: Buffer | null, headers: InboundMessage['headers'], messageKey: Buffer | null = Buffer.from(genuine.key)): InboundMessage => ({
    topic, partition: 0, offset: '0', key: messageKey, value, headers,
  });
  const genuineHeaders = (): Record<string, Buffer> => Object.fromEntries(Object.entries(genuine.headers).map(([k, v]) => [k, Buffer.from(v)]));
  const codes = new Set(Object.keys(REJECTIONS));

  /** Any JSON value at all, as a protected header or a body would carry it. */
  const json = fc.jsonValue({ maxDepth: 3 });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? 'undefined').toString('base64url');
  /** A signature header: junk, or a detached JWS whose protected part is any JSON (null, numbers, arrays, odd kid/alg). */
  const signature = fc.oneof(
    fc.string(),
    json.map((header) => `${b64(header)}..${Buffer.from('x').toString('base64url')}`),
    fc.record({ alg: fc.oneof(json, fc.constantFrom('ES256', 'RS256', 'none')), kid: fc.oneof(json, fc.constant('be-1')) }, { requiredKeys: [] })
      .chain((header) => fc.uint8Array({ maxLength: 300 }).map((bytes) => `${b64(header)}..${Buffer.from(bytes).toString('base64url')}`)),
  );
  /** A header value as kafkajs may hand it over: a Buffer, a string, an array of either, or undefined. */
  const headerValue = fc.oneof(
    fc.string().map((s) => Buffer.from(s)),
    fc.string(),
    fc.array(fc.string().map((s) => Buffer.from(s)), { maxLength: 3 }),
    fc.constant(undefined),
    json.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  );
  const headerName = fc.oneof(
    fc.constantFrom('ce_id', 'ce_type', 'ce_specversion', 'ce_source', 'ce_subject', 'ce_time', 'ce_dataschema', 'ce_schemaversion', 'ce_actorstate', 'ce_actororganisation', 'ce_correlationid', SIGNATURE_HEADER, 'content-type'),
    fc.string({ maxLength: 20 }),
  );
  const value = fc.oneof(
    fc.constant(null),
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
    json.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
    fc.nat().map((cut) => Buffer.from(genuine.value.slice(0, cut % (genuine.value.length + 1)))),
  );

  /** A genuine signed command with some of its parts replaced. */
  /** Mostly the genuine part (undefined), so that most mutations get past the envelope to the signature check. */
  const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary, weight: 1 });
  const mutated = fc.record({
    value: sometimes(value),
    signature: fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: signature, weight: 3 }),
    changes: sometimes(fc.array(fc.tuple(headerName, headerValue), { minLength: 1, maxLength: 5 })).map((c) => c ?? []),
    removals: sometimes(fc.array(headerName, { minLength: 1, maxLength: 3 })).map((r) => r ?? []),
    key: sometimes(fc.oneof(fc.constant(null), fc.string().map((s) => Buffer.from(s)))),
  }).map(({ value: v, signature: s, changes, removals, key: k }) => {
    const headers: InboundMessage['headers'] = genuineHeaders();
    if (s !== undefined) headers[SIGNATURE_HEADER] = Buffer.from(s);
    for (const [name, replacement] of changes) headers[name] = replacement;
    for (const name of removals) delete headers[name];
    return inbound(v === undefined ? Buffer.from(genuine.value) : v, headers, k === undefined ? Buffer.from(genuine.key) : k);
  });

  /** A message made of nothing genuine. */
  const random = fc.record({ value, headers: fc.dictionary(headerName, headerValue, { maxKeys: 12 }), key: fc.oneof(fc.constant(null), fc.string().map((s) => Buffer.from(s))) })
    .map(({ value: v, headers, key: k }) => inbound(v, headers as InboundMessage['headers'], k));

  const answers = (message: InboundMessage) => {
    const result = decoder.decode(message);
    if (!result.ok) expect(codes).toContain(result.failure.code);
    const safe = decodeSafely(decoder, message);
    expect(safe.ok).toBe(result.ok);
  };

  it('the genuine command decodes (the mutations start from a valid message)', () => {
    expect(decoder.decode(inbound(Buffer.from(genuine.value), genuineHeaders())).ok).toBe(true);
  });

  it('never throws on 5,000 mutations of a genuine signed command: each is decoded or refused with a catalogue code', () => {
    fc.assert(fc.property(mutated, answers), { numRuns: 5_000 });
  });

  it('never throws on 5,000 random messages', () => {
    fc.assert(fc.property(random, answers), { numRuns: 5_000 });
  });

  it('refuses a signature whose protected header is JSON null, a number or an array as SIGNATURE_INVALID', () => {
    for (const header of [null, 42, [], ['kid'], 'be-1']) {
      const headers = genuineHeaders();
      headers[SIGNATURE_HEADER] = Buffer.from(`${b64(header)}..AAAA`);
      const result = decoder.decode(inbound(Buffer.from(genuine.value), headers));
      expect(result.ok ? 'decoded' : result.failure).toEqual({ code: 'SIGNATURE_INVALID', reason: 'the signature header is not a JSON object' });
    }
  });
});

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { InvalidConfigurationError } from '@custody/config';
import { TopicNames, type InboundMessage, type MessageDecoder } from '@custody/messaging';
import {
  EVENT_SIGNATURE_HEADER, eventKeyId, EventSignatureVerifier, eventSignatures, EventSigner, eventSigningInput, parsePublisherKeys, signedEventDecoder,
} from './event-signatures';

const pem = (key: KeyObject, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();

function serviceKey(service: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const kid = eventKeyId(service, publicKey);
  return { service, kid, privateKey, publicKey, signer: new EventSigner(kid, privateKey), held: { service, kid, key: publicKey } };
}

const transfer = serviceKey('transfer');
const custody = serviceKey('custody');

/** A CustodyReceived as the transfer service's relay produces it. */
const event = () => ({
  key: 'a5b3c1d0-0000-4000-8000-000000000001',
  value: JSON.stringify({ transferId: 't-1', inmateId: 'a5b3c1d0-0000-4000-8000-000000000001', receivedBy: { state: 'BE' } }),
  headers: {
    ce_specversion: '1.0',
    ce_id: 'e-1',
    ce_type: 'CustodyReceived',
    ce_source: '/custody/transfer',
    ce_subject: 'inmate/a5b3c1d0-0000-4000-8000-000000000001',
    ce_time: '2026-03-01T10:00:00Z',
    ce_schemaversion: '1',
    ce_stream: 'transfer-t-1',
    ce_streamrevision: '4',
    ce_streamprevious: '3',
    ce_correlationid: 'c-1',
    ce_causationid: 'k-1',
    ce_actorstate: 'BE',
    ce_actororganisation: 'ministry-of-justice',
    ce_actorofficer: 'officer-7',
    'content-type': 'application/json',
  } as Record<string, string>,
});

const verifier = new EventSignatureVerifier([transfer.held, custody.held]);
const asInbound = (m: { key: string; value: string; headers: Record<string, string | string[]> }, topic = 'custody.transfer.events'): InboundMessage => ({
  topic, partition: 0, offset: '0', key: Buffer.from(m.key), value: Buffer.from(m.value),
  headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => Buffer.from(x)) : Buffer.from(v)])),
});

describe('event signatures', () => {
  it('verifies an event signed by its topic\'s publisher, as produced (strings) and as read (buffers)', () => {
    const signed = transfer.signer.signed(event());
    expect(signed.headers[EVENT_SIGNATURE_HEADER]).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(signed.headers[EVENT_SIGNATURE_HEADER].split('.')[0], 'base64url').toString())).toEqual({ alg: 'EdDSA', kid: transfer.kid });
    expect(verifier.check(signed, ['transfer'])).toEqual({ ok: true, service: 'transfer', kid: transfer.kid });
    expect(verifier.check(asInbound(signed), ['transfer'])).toEqual({ ok: true, service: 'transfer', kid: transfer.kid });
  });

  it('signs a canonical input: the headers\' order does not matter, and the signature header is not covered', () => {
    const e = event();
    const reversed = { ...e, headers: Object.fromEntries(Object.entries(e.headers).reverse()) };
    expect(eventSigningInput(reversed).equals(eventSigningInput(e))).toBe(true);
    expect(eventSigningInput({ ...e, headers: { ...e.headers, [EVENT_SIGNATURE_HEADER]: 'x..y', traceparent: '00-1-2-01' } }).equals(eventSigningInput(e))).toBe(true);
  });

  it.each([
    'ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'ce_schemaversion', 'ce_stream', 'ce_streamrevision', 'ce_streamprevious',
    'ce_correlationid', 'ce_causationid', 'ce_actorstate', 'ce_actororganisation', 'ce_actorofficer', 'content-type',
  ])('refuses the event once %s is changed, or removed', (header) => {
    const signed = transfer.signer.signed(event());
    const changed = { ...signed, headers: { ...signed.headers, [header]: `${signed.headers[header]}0` } };
    expect(verifier.check(changed, ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('does not verify') });
    const { [header]: _removed, ...rest } = signed.headers;
    expect(verifier.check({ ...signed, headers: rest }, ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('does not verify') });
  });

  it('refuses the event once its value or key is changed, or a CloudEvents header added or repeated', () => {
    const signed = transfer.signer.signed(event());
    const value = signed.value.replace('"BE"', '"NL"');
    expect(verifier.check({ ...signed, value }, ['transfer']).ok).toBe(false);
    expect(verifier.check({ ...signed, key: 'another' }, ['transfer']).ok).toBe(false);
    expect(verifier.check({ ...signed, value: null }, ['transfer']).ok).toBe(false);
    expect(verifier.check({ ...signed, headers: { ...signed.headers, ce_laterecordingreason: 'x' } }, ['transfer']).ok).toBe(false);
    expect(verifier.check({ ...signed, headers: { ...signed.headers, CE_ACTORSTATE: 'NL' } }, ['transfer']).ok).toBe(false);
    expect(verifier.check(asInbound({ ...signed, headers: { ...signed.headers, ce_actorstate: ['BE', 'NL'] } }), ['transfer']).ok).toBe(false);
  });

  it('refuses an unsigned event, one signed by another publisher\'s key, by an unknown key, or with a borrowed kid', () => {
    expect(verifier.check(event(), ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('carries no signature') });
    expect(verifier.check(custody.signer.signed(event()), ['transfer'])).toEqual({ ok: false, reason: `signed by custody (key ${custody.kid}); only transfer may publish on this topic` });
    const ministry = serviceKey('ministry');
    expect(verifier.check(ministry.signer.signed(event()), ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining(`${ministry.kid} is not a configured publisher key`) });
    // A ministry's key claiming the transfer service's key id: the signature does not verify with transfer's key.
    const forged = new EventSigner(transfer.kid, ministry.privateKey).signed(event());
    expect(verifier.check(forged, ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('does not verify') });
  });

  it('refuses, without throwing, signatures that cannot be read', () => {
    const withSignature = (signature: string | string[]) => ({ ...event(), headers: { ...event().headers, [EVENT_SIGNATURE_HEADER]: signature } });
    const header = (json: string) => Buffer.from(json).toString('base64url');
    for (const signature of ['', 'x', 'a.b.c', 'a..', `${header('null')}..AA`, `${header('[1]')}..AA`, `${header('{')}..AA`, `${header('{"alg":"ES256","kid":"k"}')}..AA`,
      `${header('{"alg":"EdDSA"}')}..AA`, `${header(JSON.stringify({ alg: 'EdDSA', kid: transfer.kid }))}..AA`]) {
      expect(verifier.check(withSignature(signature), ['transfer'])).toEqual({ ok: false, reason: expect.any(String) });
    }
    expect(verifier.check(asInbound(withSignature(['a..b', 'c..d'])), ['transfer']).ok).toBe(false);
  });

  it('accepts every key of a publisher (a rotation), each under its own id', () => {
    const next = serviceKey('transfer');
    const rotating = new EventSignatureVerifier([transfer.held, next.held]);
    expect(rotating.check(transfer.signer.signed(event()), ['transfer']).ok).toBe(true);
    expect(rotating.check(next.signer.signed(event()), ['transfer'])).toEqual({ ok: true, service: 'transfer', kid: next.kid });
    expect(next.kid).not.toBe(transfer.kid);
  });
});

describe('signedEventDecoder', () => {
  const inner: MessageDecoder = { decode: (m) => ({ ok: true, event: { id: m.offset, type: 'T', schemaVersion: 1, subject: 's', data: {}, occurredAt: 'now', extensions: {} } }) };
  const decoder = signedEventDecoder(inner, verifier, new Map([['custody.transfer.events', ['transfer']]]));

  it('passes a signed event on, naming its publisher; sets aside any other as EVENT_SIGNATURE_INVALID; leaves other topics alone', () => {
    expect(decoder.decode(asInbound(transfer.signer.signed(event())))).toEqual({
      ok: true, event: expect.objectContaining({ extensions: { publisher: { service: 'transfer', kid: transfer.kid } } }),
    });
    expect(decoder.decode(asInbound(event()))).toEqual({ ok: false, failure: { code: 'EVENT_SIGNATURE_INVALID', reason: expect.stringContaining('carries no signature') } });
    expect(decoder.decode(asInbound(custody.signer.signed(event())))).toEqual({ ok: false, failure: { code: 'EVENT_SIGNATURE_INVALID', reason: expect.stringContaining('signed by custody') } });
    expect(decoder.decode(asInbound(event(), 'custody.transfer.commands')).ok).toBe(true);
  });
});

describe('eventSignatures (the configuration)', () => {
  const names = new TopicNames('p.');
  const inner: MessageDecoder = { decode: () => ({ ok: false, failure: { code: 'INNER', reason: '' } }) };
  const keys = (...held: Array<{ service: string; publicKey: KeyObject }>) => JSON.stringify(held.map((k) => ({ service: k.service, publicKeyPem: pem(k.publicKey, 'spki') })));
  const problem = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (error instanceof InvalidConfigurationError) return error.problems[0];
      throw error;
    }
    throw new Error('no configuration error');
  };

  it('signs with EVENT_SIGNING_KEY under its default id, and verifies what the consumer reads', () => {
    const intake = eventSignatures({ EVENT_SIGNATURES: 'required', EVENT_SIGNING_KEY: pem(custody.privateKey, 'pkcs8'), EVENT_SIGNING_KEY_ID: '', EVENT_PUBLISHER_KEYS: keys(transfer) }, 'custody', names);
    const signed = intake.sign!(event());
    expect(new EventSignatureVerifier([custody.held]).check(signed, ['custody']).ok).toBe(true);
    const decoder = intake.decoder(inner, ['p.custody.transfer.events', 'p.custody.facility.commands']);
    expect(decoder.decode(asInbound(event(), 'p.custody.transfer.events'))).toEqual({ ok: false, failure: expect.objectContaining({ code: 'EVENT_SIGNATURE_INVALID' }) });
    expect(decoder.decode(asInbound(event(), 'p.custody.facility.commands'))).toEqual({ ok: false, failure: { code: 'INNER', reason: '' } });
  });

  it('refuses to start, naming the variable, without a signing key or a publisher\'s key while required', () => {
    expect(problem(() => eventSignatures({ EVENT_SIGNATURES: 'required', EVENT_SIGNING_KEY: '', EVENT_SIGNING_KEY_ID: '', EVENT_PUBLISHER_KEYS: '[]' }, 'intake', names))).toEqual({
      variable: 'EVENT_SIGNING_KEY', problem: expect.stringContaining('no event-signing key while EVENT_SIGNATURES=required'),
    });
    const config = { EVENT_SIGNATURES: 'required' as const, EVENT_SIGNING_KEY: pem(custody.privateKey, 'pkcs8'), EVENT_SIGNING_KEY_ID: 'k', EVENT_PUBLISHER_KEYS: keys(transfer) };
    expect(problem(() => eventSignatures(config, 'custody', names).decoder(inner, ['p.custody.intake.events']))).toEqual({
      variable: 'EVENT_PUBLISHER_KEYS', problem: 'no key of intake, the publisher of custody.intake.events, while EVENT_SIGNATURES=required',
    });
    expect(problem(() => eventSignatures({ ...config, EVENT_PUBLISHER_KEYS: '{}' }, 'custody', names)).variable).toBe('EVENT_PUBLISHER_KEYS');
    expect(problem(() => eventSignatures({ ...config, EVENT_SIGNING_KEY: 'not a key' }, 'custody', names)).variable).toBe('EVENT_SIGNING_KEY');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(problem(() => eventSignatures({ ...config, EVENT_SIGNING_KEY: pem(rsa.privateKey, 'pkcs8') }, 'custody', names)).problem).toMatch(/Ed25519/);
  });

  it('with EVENT_SIGNATURES=off verifies nothing, and still signs when a key is given', () => {
    const off = eventSignatures({ EVENT_SIGNATURES: 'off', EVENT_SIGNING_KEY: '', EVENT_SIGNING_KEY_ID: '', EVENT_PUBLISHER_KEYS: '[]' }, 'intake', names);
    expect(off.decoder(inner, ['p.custody.transfer.events'])).toBe(inner);
    expect(off.sign).toBeUndefined();
    const signing = eventSignatures({ EVENT_SIGNATURES: 'off', EVENT_SIGNING_KEY: pem(transfer.privateKey, 'pkcs8'), EVENT_SIGNING_KEY_ID: 'transfer-2026', EVENT_PUBLISHER_KEYS: '[]' }, 'transfer', names);
    expect(JSON.parse(Buffer.from(signing.sign!(event()).headers[EVENT_SIGNATURE_HEADER].split('.')[0], 'base64url').toString()).kid).toBe('transfer-2026');
  });

  it('parses EVENT_PUBLISHER_KEYS: kid by default from the key, named entries at fault', () => {
    expect(parsePublisherKeys(keys(transfer))).toEqual([{ service: 'transfer', kid: transfer.kid, key: expect.anything() }]);
    expect(() => parsePublisherKeys('[{"publicKeyPem":"x"}]')).toThrow('[0].service must name a service');
    expect(() => parsePublisherKeys('[{"service":"transfer"}]')).toThrow('[0] needs publicKeyPem or keyFile');
    expect(() => parsePublisherKeys('[{"service":"transfer","keyFile":"/nonexistent/key.pem"}]')).toThrow('[0].keyFile cannot be read (ENOENT)');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => parsePublisherKeys(JSON.stringify([{ service: 'transfer', publicKeyPem: pem(ec.publicKey, 'spki') }]))).toThrow('[0] is not an Ed25519 key');
    expect(() => new EventSignatureVerifier([transfer.held, transfer.held])).toThrow(`the key id ${transfer.kid} is given twice`);
  });
});

import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { InvalidConfigurationError } from '@custody/config';
import { TopicNames, type InboundMessage, type MessageDecoder } from '@custody/messaging';
import {
  EVENT_BATCH_SIGNATURE_TYPE, EVENT_SIGNATURE_HEADER, EVENT_SIGNATURE_PATH_HEADER, eventKeyId, EventSignatureVerifier, eventSignatures, EventSigner, eventSigningInput, parsePublisherKeys, signedEventDecoder,
} from './event-signatures';
import { merkleRootFromPath, merkleTree } from './merkle';

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

describe('batch signatures (one Ed25519 signature over a Merkle root, each event with its path)', () => {
  type Signed = ReturnType<typeof event>;
  /** `count` distinct CustodyReceived events of one stream, as a relay batch. */
  const batch = (count: number, tag = 'a'): Signed[] =>
    Array.from({ length: count }, (_, i) => {
      const e = event();
      return { ...e, headers: { ...e.headers, ce_id: `e-${tag}-${i}`, ce_streamrevision: String(i + 4), ce_streamprevious: String(i + 3) } };
    });
  const fresh = () => new EventSignatureVerifier([transfer.held, custody.held]);
  const path = (m: Signed) => m.headers[EVENT_SIGNATURE_PATH_HEADER];
  const withPath = (m: Signed, value: string) => ({ ...m, headers: { ...m.headers, [EVENT_SIGNATURE_PATH_HEADER]: value } });

  it.each([1, 2, 3, 5, 8, 13, 100])('each event of a batch of %i verifies alone, as produced and as read, with a path of ceil(log2 n) hashes', (count) => {
    const signed = transfer.signer.signedBatch(batch(count));
    expect(new Set(signed.map((m) => m.headers[EVENT_SIGNATURE_HEADER])).size).toBe(1);
    for (const [index, message] of signed.entries()) {
      expect(path(message).split('.').slice(0, 2)).toEqual([String(index), String(count)]);
      expect(path(message).split('.').length - 2).toBeLessThanOrEqual(Math.ceil(Math.log2(count)));
      // A fresh verifier each time: no event leans on another's verification.
      expect(fresh().check(message, ['transfer'])).toEqual({ ok: true, service: 'transfer', kid: transfer.kid });
      expect(fresh().check(asInbound(message), ['transfer'])).toEqual({ ok: true, service: 'transfer', kid: transfer.kid });
    }
  });

  it('names the scheme in the protected header; a batch of one has a path of length zero', () => {
    const [only] = transfer.signer.signedBatch([event()]);
    expect(JSON.parse(Buffer.from(only.headers[EVENT_SIGNATURE_HEADER].split('.')[0], 'base64url').toString())).toEqual({ alg: 'EdDSA', kid: transfer.kid, typ: EVENT_BATCH_SIGNATURE_TYPE });
    expect(only.headers[EVENT_SIGNATURE_HEADER]).toMatch(/^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+$/);
    expect(path(only)).toBe('0.1');
    expect(verifier.check(only, ['transfer']).ok).toBe(true);
    expect(transfer.signer.signedBatch([])).toEqual([]);
  });

  it('builds RFC 6962 trees: leaf 0x00, node 0x01, split at the largest power of two', () => {
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    const leaves = ['a', 'b', 'c'].map((x) => sha(Buffer.from([0]), Buffer.from(x)));
    const node = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
    const { root, paths } = merkleTree(leaves);
    expect(root.equals(node(node(leaves[0], leaves[1]), leaves[2]))).toBe(true);
    expect(paths[2].map((h) => h.toString('hex'))).toEqual([node(leaves[0], leaves[1]).toString('hex')]);
    for (const [i, leaf] of leaves.entries()) expect(merkleRootFromPath(leaf, i, 3, paths[i])?.equals(root)).toBe(true);
    // The same path at another index, or for another size, does not fold to the root.
    expect(merkleRootFromPath(leaves[0], 1, 3, paths[0])?.equals(root)).not.toBe(true);
    expect(merkleRootFromPath(leaves[2], 2, 4, paths[2])).toBeUndefined();
    expect(merkleRootFromPath(leaves[0], 3, 3, paths[0])).toBeUndefined();
  });

  it('refuses a tampered event of a batch, and its neighbours still verify', () => {
    const signed = transfer.signer.signedBatch(batch(5));
    const tampered = { ...signed[2], value: signed[2].value.replace('"BE"', '"NL"') };
    expect(fresh().check(tampered, ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('does not verify over the root') });
    const header = { ...signed[3], headers: { ...signed[3].headers, ce_actorstate: 'NL' } };
    expect(fresh().check(header, ['transfer']).ok).toBe(false);
    const v = fresh();
    expect(v.check(signed[0], ['transfer']).ok).toBe(true);
    // The root is cached as verified now: a tampered event of the same batch still folds to another root.
    expect(v.check(tampered, ['transfer']).ok).toBe(false);
    expect(v.check(signed[4], ['transfer']).ok).toBe(true);
  });

  it('refuses an event with another event\'s path, a path from another batch, or a mangled path', () => {
    const signed = transfer.signer.signedBatch(batch(6));
    const other = transfer.signer.signedBatch(batch(6, 'b'));
    const v = fresh();
    expect(v.check(signed[0], ['transfer']).ok).toBe(true); // the root is cached
    expect(v.check(withPath(signed[1], path(signed[2])), ['transfer']).ok).toBe(false);
    expect(v.check(withPath(signed[1], path(signed[0])), ['transfer']).ok).toBe(false);
    // Another batch's path with this batch's signature; and another batch's signature with this path.
    expect(v.check(withPath(signed[1], path(other[1])), ['transfer']).ok).toBe(false);
    expect(v.check({ ...signed[1], headers: { ...signed[1].headers, [EVENT_SIGNATURE_HEADER]: other[1].headers[EVENT_SIGNATURE_HEADER] } }, ['transfer']).ok).toBe(false);
    // Same hashes, another place claimed: another index, another size, a hash dropped or added.
    const [, size, ...hashes] = path(signed[1]).split('.');
    expect(v.check(withPath(signed[1], ['3', size, ...hashes].join('.')), ['transfer']).ok).toBe(false);
    expect(v.check(withPath(signed[1], ['1', '7', ...hashes].join('.')), ['transfer']).ok).toBe(false);
    expect(v.check(withPath(signed[1], ['1', size, ...hashes.slice(1)].join('.')), ['transfer']).ok).toBe(false);
    expect(v.check(withPath(signed[1], ['1', size, ...hashes, hashes[0]].join('.')), ['transfer']).ok).toBe(false);
    for (const mangled of ['', '1', 'x.6', '1.0', '6.6', '-1.6', `1.6.${'A'.repeat(42)}`, `1.6.${hashes[0]}=`, `01.6.${hashes.join('.')}`]) {
      expect(v.check(withPath(signed[1], mangled), ['transfer'])).toEqual({ ok: false, reason: expect.any(String) });
    }
    const { [EVENT_SIGNATURE_PATH_HEADER]: _path, ...withoutPath } = signed[1].headers;
    expect(v.check({ ...signed[1], headers: withoutPath }, ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('without the event\'s path') });
    expect(v.check(asInbound({ ...signed[1], headers: { ...signed[1].headers, [EVENT_SIGNATURE_PATH_HEADER]: [path(signed[1]), path(signed[1])] } }), ['transfer']).ok).toBe(false);
    expect(v.check(signed[1], ['transfer']).ok).toBe(true);
  });

  it('refuses a reordered batch: paths computed over the events in another order do not fold to the signed root', () => {
    const events = batch(4);
    const signed = transfer.signer.signedBatch(events);
    const reordered = transfer.signer.signedBatch([events[1], events[0], events[3], events[2]]);
    // Each event keeps the genuine signature but takes the place (and path) it has in the reordered batch.
    const v = fresh();
    expect(v.check(signed[0], ['transfer']).ok).toBe(true);
    expect(v.check(withPath(signed[0], path(reordered[1])), ['transfer']).ok).toBe(false);
    expect(v.check(withPath(signed[1], path(reordered[0])), ['transfer']).ok).toBe(false);
    expect(v.check(withPath(signed[2], path(reordered[3])), ['transfer']).ok).toBe(false);
  });

  it('refuses a root signed by another key: another publisher, an unknown key, or a borrowed kid', () => {
    expect(fresh().check(custody.signer.signedBatch(batch(3))[1], ['transfer'])).toEqual({ ok: false, reason: `signed by custody (key ${custody.kid}); only transfer may publish on this topic` });
    const ministry = serviceKey('ministry');
    expect(fresh().check(ministry.signer.signedBatch(batch(3))[1], ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining(`${ministry.kid} is not a configured publisher key`) });
    const forged = new EventSigner(transfer.kid, ministry.privateKey).signedBatch(batch(3));
    expect(fresh().check(forged[1], ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('does not verify over the root') });
    // A root verified for custody is not accepted for transfer's topic, cached or not.
    const v = fresh();
    const byCustody = custody.signer.signedBatch(batch(3));
    expect(v.check(byCustody[0], ['custody']).ok).toBe(true);
    expect(v.check(byCustody[1], ['transfer']).ok).toBe(false);
  });

  it('pays one Ed25519 verification per batch, and its cache never accepts another root, size or signature', () => {
    const v = fresh();
    const signed = transfer.signer.signedBatch(batch(8));
    for (const message of signed) expect(v.check(message, ['transfer']).ok).toBe(true);
    expect(v.cachedRoots).toBe(1);
    // The genuine signature over a root the cache holds, with a forged batch's path: another root, verified afresh, refused.
    const forgedBatch = new EventSigner(transfer.kid, serviceKey('ministry').privateKey).signedBatch(batch(8, 'f'));
    const withGenuineSignature = { ...forgedBatch[3], headers: { ...forgedBatch[3].headers, [EVENT_SIGNATURE_HEADER]: signed[3].headers[EVENT_SIGNATURE_HEADER] } };
    expect(v.check(withGenuineSignature, ['transfer']).ok).toBe(false);
    expect(v.check(forgedBatch[3], ['transfer']).ok).toBe(false);
    expect(v.cachedRoots).toBe(1);
    // Bounded: the least recently used root goes first, and is verified again when it comes back.
    const small = new EventSignatureVerifier([transfer.held], 2);
    const batches = [batch(2, 'x'), batch(2, 'y'), batch(2, 'z')].map((b) => transfer.signer.signedBatch(b));
    for (const b of batches) expect(small.check(b[0], ['transfer']).ok).toBe(true);
    expect(small.cachedRoots).toBe(2);
    expect(small.check(batches[0][1], ['transfer']).ok).toBe(true);
    expect(small.cachedRoots).toBe(2);
  });

  it('still verifies the single-event form (events signed before batches), and refuses it with a path beside it', () => {
    const old = transfer.signer.signed(event());
    expect(fresh().check(old, ['transfer'])).toEqual({ ok: true, service: 'transfer', kid: transfer.kid });
    const [batched] = transfer.signer.signedBatch([event()]);
    expect(fresh().check(withPath(old, path(batched)), ['transfer'])).toEqual({ ok: false, reason: expect.stringContaining('single-event signature comes with no') });
    // A batch signature stripped of its typ does not pass as a single-event one, nor the reverse.
    expect(fresh().check({ ...old, headers: { ...old.headers, [EVENT_SIGNATURE_PATH_HEADER]: '0.1' } }, ['transfer']).ok).toBe(false);
    const [, , sig] = batched.headers[EVENT_SIGNATURE_HEADER].split('.');
    const noTyp = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: transfer.kid })).toString('base64url')}..${sig}`;
    expect(fresh().check({ ...batched, headers: { ...event().headers, [EVENT_SIGNATURE_HEADER]: noTyp } }, ['transfer']).ok).toBe(false);
    const otherTyp = `${Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: transfer.kid, typ: 'other' })).toString('base64url')}..${sig}`;
    expect(fresh().check({ ...batched, headers: { ...batched.headers, [EVENT_SIGNATURE_HEADER]: otherTyp } }, ['transfer'])).toEqual({
      ok: false, reason: expect.stringContaining('signature type "other" is not accepted'),
    });
  });

  it('refuses, never throwing, any other path: random strings, and the genuine path with one part changed, dropped or added', () => {
    const signed = transfer.signer.signedBatch(batch(11));
    const v = fresh();
    expect(v.check(signed[6], ['transfer']).ok).toBe(true); // its root cached: only the path can let a wrong one through
    const genuine = path(signed[6]).split('.');
    const hash = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url'));
    const part = fc.oneof(hash, fc.nat({ max: 20 }).map(String), fc.string({ maxLength: 50 }));
    const mutated = fc.oneof(
      fc.tuple(fc.nat({ max: genuine.length - 1 }), part).map(([at, p]) => genuine.map((g, i) => (i === at ? p : g))),
      fc.nat({ max: genuine.length - 1 }).map((at) => genuine.filter((_, i) => i !== at)),
      fc.tuple(fc.nat({ max: genuine.length }), part).map(([at, p]) => [...genuine.slice(0, at), p, ...genuine.slice(at)]),
    ).map((parts) => parts.join('.')).filter((p) => p !== path(signed[6]));
    fc.assert(fc.property(fc.oneof(mutated, fc.string({ maxLength: 400 })), (p) => {
      const result = v.check(withPath(signed[6], p), ['transfer']);
      expect(result).toEqual({ ok: false, reason: expect.any(String) });
    }), { numRuns: 3_000 });
    expect(v.cachedRoots).toBe(1);
  });

  it('replaces any signature or path a message had, and the path is not covered by the leaf', () => {
    const stale = withPath({ ...event(), headers: { ...event().headers, [EVENT_SIGNATURE_HEADER]: 'x..y' } }, '9.9');
    const [resigned] = transfer.signer.signedBatch([stale]);
    expect(path(resigned)).toBe('0.1');
    expect(fresh().check(resigned, ['transfer']).ok).toBe(true);
    expect(eventSigningInput(stale).equals(eventSigningInput(event()))).toBe(true);
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
    const [, second] = transfer.signer.signedBatch([event(), event()]);
    expect(decoder.decode(asInbound(second))).toEqual({ ok: true, event: expect.objectContaining({ extensions: { publisher: { service: 'transfer', kid: transfer.kid } } }) });
    expect(decoder.decode(asInbound({ ...second, value: second.value.replace('"BE"', '"NL"') }))).toEqual({
      ok: false, failure: { code: 'EVENT_SIGNATURE_INVALID', reason: expect.stringContaining('does not verify over the root') },
    });
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
    const signed = intake.signBatch!([event(), event()]);
    expect(signed.map((m) => new EventSignatureVerifier([custody.held]).check(m, ['custody']).ok)).toEqual([true, true]);
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
    expect(off.signBatch).toBeUndefined();
    const signing = eventSignatures({ EVENT_SIGNATURES: 'off', EVENT_SIGNING_KEY: pem(transfer.privateKey, 'pkcs8'), EVENT_SIGNING_KEY_ID: 'transfer-2026', EVENT_PUBLISHER_KEYS: '[]' }, 'transfer', names);
    expect(JSON.parse(Buffer.from(signing.signBatch!([event()])[0].headers[EVENT_SIGNATURE_HEADER].split('.')[0], 'base64url').toString()).kid).toBe('transfer-2026');
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

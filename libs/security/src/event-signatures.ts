import { createHash, createPrivateKey, createPublicKey, sign as signBytes, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidConfigurationError } from '@custody/config';
import { TOPIC_PUBLISHERS, type Topic } from '@custody/contracts';
import type { DecodeResult, InboundMessage, MessageDecoder, TopicNames } from '@custody/messaging';
import { merkleLeafHash, merkleRootFromPath, merkleTree } from './merkle';

type IHeaders = InboundMessage['headers'];

/**
 * The Kafka header that carries an event's signature by the service that published it
 * (docs/adr/0013-signed-events.md): a compact JWS with a detached payload, `<header>..<signature>`,
 * EdDSA (Ed25519), the protected header naming the key (`kid`).
 */
export const EVENT_SIGNATURE_HEADER = 'ce_eventsignature';

/**
 * The Kafka header that carries an event's place in its batch when the relay signed the batch (one
 * signature over a Merkle root, docs/adr/0013-signed-events.md): `<index>.<size>[.<hash>…]`, the
 * leaf's index, the number of leaves, and the audit path (RFC 6962, leaf upward), base64url.
 */
export const EVENT_SIGNATURE_PATH_HEADER = 'ce_eventsignaturepath';

/** The `typ` of a batch signature's protected header: the signature is over a Merkle root (the single-event form has none). */
export const EVENT_BATCH_SIGNATURE_TYPE = 'custody-event-batch/1';

/** The catalogue code of an event set aside for its signature. */
export const EVENT_SIGNATURE_INVALID = 'EVENT_SIGNATURE_INVALID';

/** The version of the signed content's form (in the payload, so that a later form cannot be confused with this one). */
const FORM = 'custody-event-signature/1';

/** A message as the relay produces it, or as it came off a topic. */
export interface SignableMessage {
  key: Buffer | string | null | undefined;
  value: Buffer | string | null | undefined;
  headers: IHeaders | undefined;
}

/**
 * Whether a header is covered by the signature: every CloudEvents header (ce_*) but the signature
 * and its path, and content-type. The audit ledger keeps these headers with each signature.
 */
export function coveredByEventSignature(name: string): boolean {
  const lower = name.toLowerCase();
  return (lower.startsWith('ce_') && lower !== EVENT_SIGNATURE_HEADER && lower !== EVENT_SIGNATURE_PATH_HEADER) || lower === 'content-type';
}

const text = (value: Buffer | string | null | undefined): string | null =>
  value === null || value === undefined ? null : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);

/**
 * What an event's signature covers, as bytes: every ce_* header of the message (id, type, source,
 * subject, time, schema version, stream, revision and previous revision, correlation, causation,
 * the actor's headers: whichever are present, by their exact name, a repeated header with all its
 * values), content-type, the key and the SHA-256 digest of the value. A header added, removed,
 * renamed or changed, another key or another value: another content, and the signature fails.
 */
export function eventSigningInput(message: SignableMessage): Buffer {
  const headers: Array<[string, Array<string | null>]> = [];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (!coveredByEventSignature(name) || value === undefined) continue;
    headers.push([name, (Array.isArray(value) ? value : [value]).map((v) => text(v as Buffer | string))]);
  }
  headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const value = message.value === null || message.value === undefined ? null : createHash('sha256').update(message.value).digest('base64url');
  return Buffer.from(JSON.stringify({ form: FORM, headers, key: text(message.key), sha256: value }), 'utf8');
}

/** The default id of a key: `<service>-<the first 16 hex digits of the SHA-256 of its public key (SPKI DER)>`; a new key, a new id. */
export function eventKeyId(service: string, publicKey: KeyObject): string {
  return `${service}-${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;
}

/** Signs events with a service's Ed25519 key. Synchronous (node:crypto), so that the relay signs while it encodes a batch. */
export class EventSigner {
  private readonly header: string;

  constructor(
    readonly kid: string,
    private readonly privateKey: KeyObject,
  ) {
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`the event-signing key must be an Ed25519 private key, not ${privateKey.asymmetricKeyType ?? privateKey.type}`);
    this.header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid })).toString('base64url');
  }

  /** The signature of a message (the value of its ce_eventsignature header). */
  sign(message: SignableMessage): string {
    const input = Buffer.from(`${this.header}.${eventSigningInput(message).toString('base64url')}`);
    return `${this.header}..${signBytes(null, input, this.privateKey).toString('base64url')}`;
  }

  /** The message with its signature in ce_eventsignature (any signature it had replaced). */
  signed<M extends SignableMessage>(message: M): M {
    const headers = { ...(message.headers ?? {}) };
    delete headers[EVENT_SIGNATURE_HEADER];
    const unsigned = { ...message, headers };
    return { ...unsigned, headers: { ...headers, [EVENT_SIGNATURE_HEADER]: this.sign(unsigned) } };
  }

  /**
   * A batch signed with one signature (docs/adr/0013-signed-events.md): each message's leaf is the
   * SHA-256 of 0x00 and its {@link eventSigningInput}, the tree is RFC 6962's (nodes: SHA-256 of
   * 0x01, left, right), and one Ed25519 signature covers the root and the number of leaves. Each
   * message carries that signature (ce_eventsignature, its protected header `typ`
   * {@link EVENT_BATCH_SIGNATURE_TYPE}) and its own audit path (ce_eventsignaturepath), so that it
   * verifies alone. Any signature or path a message had is replaced. A batch of one has a path of length zero.
   */
  signedBatch<M extends SignableMessage>(messages: readonly M[]): M[] {
    if (messages.length === 0) return [];
    const unsigned = messages.map((message) => {
      const headers = { ...(message.headers ?? {}) };
      delete headers[EVENT_SIGNATURE_HEADER];
      delete headers[EVENT_SIGNATURE_PATH_HEADER];
      return { ...message, headers };
    });
    const { root, paths } = merkleTree(unsigned.map((message) => merkleLeafHash(eventSigningInput(message))));
    const protectedHeader = this.batchHeader;
    const input = Buffer.from(`${protectedHeader}.${batchPayload(root, unsigned.length)}`);
    const signature = `${protectedHeader}..${signBytes(null, input, this.privateKey).toString('base64url')}`;
    return unsigned.map((message, index) => ({
      ...message,
      headers: { ...message.headers, [EVENT_SIGNATURE_HEADER]: signature, [EVENT_SIGNATURE_PATH_HEADER]: encodePath(index, unsigned.length, paths[index]) },
    }));
  }

  private get batchHeader(): string {
    return (this.batchHeaderCache ??= Buffer.from(JSON.stringify({ alg: 'EdDSA', kid: this.kid, typ: EVENT_BATCH_SIGNATURE_TYPE })).toString('base64url'));
  }

  private batchHeaderCache?: string;
}

/** The detached payload a batch signature covers: the root and the number of leaves, in a form of their own. */
function batchPayload(root: Buffer, size: number): string {
  return Buffer.from(JSON.stringify({ form: EVENT_BATCH_SIGNATURE_TYPE, root: root.toString('base64url'), size })).toString('base64url');
}

function encodePath(index: number, size: number, path: readonly Buffer[]): string {
  return [String(index), String(size), ...path.map((hash) => hash.toString('base64url'))].join('.');
}

/** The leaf's index, the tree's size and the path of a ce_eventsignaturepath header, or the reason it cannot be read. */
function decodePath(raw: string): { index: number; size: number; path: Buffer[] } | string {
  const parts = raw.split('.');
  if (parts.length < 2 || !/^(0|[1-9][0-9]{0,8})$/.test(parts[0]) || !/^[1-9][0-9]{0,8}$/.test(parts[1])) {
    return 'the signature path is not <index>.<size>[.<hash>…]';
  }
  const index = Number(parts[0]);
  const size = Number(parts[1]);
  if (index >= size) return `the signature path places the event at ${index} of a batch of ${size}`;
  if (parts.length - 2 > 64) return 'the signature path is longer than any batch';
  const path: Buffer[] = [];
  for (const part of parts.slice(2)) {
    const hash = /^[A-Za-z0-9_-]{43}$/.test(part) ? Buffer.from(part, 'base64url') : undefined;
    if (!hash || hash.length !== 32) return 'the signature path holds something other than SHA-256 hashes (base64url)';
    path.push(hash);
  }
  return { index, size, path };
}

/** A publisher's public key, as EVENT_PUBLISHER_KEYS names it. */
export interface PublisherKey {
  service: string;
  kid: string;
  key: KeyObject;
}

/** The outcome of an event's check; `reason` says what is wrong, for the dead-letter topic. */
export type EventSignatureCheck = { ok: true; service: string; kid: string } | { ok: false; reason: string };

/**
 * The publishing services' public keys by key id (several per service while a key is rotated), and
 * the check of an event's signature against the publishers of its topic.
 */
export class EventSignatureVerifier {
  private readonly keys = new Map<string, PublisherKey>();
  /**
   * Batch signatures already verified (their exact signing input and signature, which name the key,
   * the root and the size), least recently used first: the events of one batch cost one Ed25519
   * verification. Bounded by `cacheSize`; a different root, size, key or signature is another entry.
   */
  private readonly verifiedRoots = new Map<string, true>();

  constructor(
    keys: readonly PublisherKey[],
    private readonly cacheSize = 1_024,
  ) {
    for (const key of keys) {
      if (this.keys.has(key.kid)) throw new TypeError(`the key id ${key.kid} is given twice`);
      if (key.key.asymmetricKeyType !== 'ed25519') throw new TypeError(`the key ${key.kid} is not an Ed25519 public key`);
      this.keys.set(key.kid, key);
    }
  }

  /** The services with at least one key. */
  services(): Set<string> {
    return new Set([...this.keys.values()].map((k) => k.service));
  }

  /** Whether `message` carries a valid signature by a key of one of `publishers`. Never throws. */
  check(message: SignableMessage, publishers: readonly string[]): EventSignatureCheck {
    try {
      return this.verify(message, publishers);
    } catch (error) {
      return { ok: false, reason: `the signature cannot be checked (${(error as Error)?.message ?? String(error)})` };
    }
  }

  private verify(message: SignableMessage, publishers: readonly string[]): EventSignatureCheck {
    const raw = message.headers?.[EVENT_SIGNATURE_HEADER];
    if (raw === undefined) return { ok: false, reason: `the event carries no signature (header ${EVENT_SIGNATURE_HEADER}); only ${publishers.join(' or ')} may publish on this topic` };
    if (Array.isArray(raw)) return { ok: false, reason: `the event carries ${raw.length} signature headers; one is expected` };
    const signature = text(raw as Buffer | string) ?? '';
    const parts = signature.split('.');
    if (parts.length !== 3 || parts[1] !== '' || !parts[0] || !parts[2]) return { ok: false, reason: 'the signature is not a compact JWS with a detached payload' };
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'the signature header cannot be read' };
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return { ok: false, reason: 'the signature header is not a JSON object' };
    const { alg, kid, typ } = header as { alg?: unknown; kid?: unknown; typ?: unknown };
    if (alg !== 'EdDSA') return { ok: false, reason: `the signature algorithm ${JSON.stringify(alg)} is not accepted (EdDSA)` };
    if (typeof kid !== 'string') return { ok: false, reason: 'the signature names no key (kid)' };
    if (typ !== undefined && typ !== EVENT_BATCH_SIGNATURE_TYPE) return { ok: false, reason: `the signature type ${JSON.stringify(typ)} is not accepted (none, or ${EVENT_BATCH_SIGNATURE_TYPE})` };
    const key = this.keys.get(kid);
    if (!key) return { ok: false, reason: `the signing key ${kid} is not a configured publisher key (EVENT_PUBLISHER_KEYS)` };
    if (!publishers.includes(key.service)) {
      return { ok: false, reason: `signed by ${key.service} (key ${kid}); only ${publishers.join(' or ')} may publish on this topic` };
    }
    const rawPath = message.headers?.[EVENT_SIGNATURE_PATH_HEADER];
    if (typ === undefined) {
      // The single-event form (events signed before batch signatures, still on topics and in dead letters).
      if (rawPath !== undefined) return { ok: false, reason: `a single-event signature comes with no ${EVENT_SIGNATURE_PATH_HEADER}` };
      const input = Buffer.from(`${parts[0]}.${eventSigningInput(message).toString('base64url')}`);
      if (!verifyBytes(null, input, key.key, Buffer.from(parts[2], 'base64url'))) {
        return { ok: false, reason: `the signature of key ${kid} does not verify over the event (its headers, key or value differ from what ${key.service} signed)` };
      }
      return { ok: true, service: key.service, kid };
    }
    if (rawPath === undefined) return { ok: false, reason: `the batch signature comes without the event's path (header ${EVENT_SIGNATURE_PATH_HEADER})` };
    if (Array.isArray(rawPath)) return { ok: false, reason: `the event carries ${rawPath.length} signature path headers; one is expected` };
    const place = decodePath(text(rawPath as Buffer | string) ?? '');
    if (typeof place === 'string') return { ok: false, reason: place };
    const root = merkleRootFromPath(merkleLeafHash(eventSigningInput(message)), place.index, place.size, place.path);
    if (!root) return { ok: false, reason: `the signature path does not fit a batch of ${place.size} (${place.path.length} hashes for event ${place.index})` };
    const input = `${parts[0]}.${batchPayload(root, place.size)}`;
    const cacheKey = `${input}.${parts[2]}`;
    if (this.verifiedRoots.has(cacheKey)) {
      this.verifiedRoots.delete(cacheKey);
      this.verifiedRoots.set(cacheKey, true);
      return { ok: true, service: key.service, kid };
    }
    if (!verifyBytes(null, Buffer.from(input), key.key, Buffer.from(parts[2], 'base64url'))) {
      return {
        ok: false,
        reason: `the batch signature of key ${kid} does not verify over the root the event's path leads to (its headers, key, value or path differ from what ${key.service} signed)`,
      };
    }
    this.verifiedRoots.set(cacheKey, true);
    if (this.verifiedRoots.size > this.cacheSize) this.verifiedRoots.delete(this.verifiedRoots.keys().next().value!);
    return { ok: true, service: key.service, kid };
  }

  /** How many batch signatures are held as verified (for tests and metrics). */
  get cachedRoots(): number {
    return this.verifiedRoots.size;
  }
}

/**
 * A decoder that lets through an event on a publishers' topic (`publishers`: physical topic → the
 * services that publish it) only with a valid signature by one of them, naming the publisher in
 * `extensions.publisher` ({ service, kid }); any other is refused before it is even decoded:
 * EVENT_SIGNATURE_INVALID, set aside in the dead-letter topic and never applied, and the partition
 * moves on. Other topics (commands) are left to `inner`.
 */
export function signedEventDecoder(inner: MessageDecoder, verifier: EventSignatureVerifier, publishers: ReadonlyMap<string, readonly string[]>): MessageDecoder {
  return {
    ...inner,
    decode(message: InboundMessage): DecodeResult {
      const owners = publishers.get(message.topic);
      if (!owners) return inner.decode(message);
      const check = verifier.check(message, owners);
      if (!check.ok) return { ok: false, failure: { code: EVENT_SIGNATURE_INVALID, reason: check.reason } };
      const decoded = inner.decode(message);
      if (!decoded.ok) return decoded;
      return { ok: true, event: { ...decoded.event, extensions: { ...decoded.event.extensions, publisher: { service: check.service, kid: check.kid } } } };
    },
  };
}

/** The variables of event signatures, as ServiceConfig (@custody/platform) declares them. */
export interface EventSignatureSettings {
  EVENT_SIGNATURES: 'required' | 'off';
  EVENT_SIGNING_KEY: string;
  EVENT_SIGNING_KEY_ID: string;
  EVENT_PUBLISHER_KEYS: string;
}

/** A service's side of event signatures: how its relay signs, and how its consumer's decoder verifies. */
export interface EventSignatures {
  /** The relay's signer hook: one batch, one signature over its Merkle root, each message with its path; undefined without EVENT_SIGNING_KEY. */
  signBatch?: <M extends SignableMessage>(messages: readonly M[]) => M[];
  /** The consumer's decoder for `consumed` (physical topics): the events of publishers' topics verified, unless EVENT_SIGNATURES=off. */
  decoder(inner: MessageDecoder, consumed: readonly string[]): MessageDecoder;
}

/**
 * Parses EVENT_PUBLISHER_KEYS, a JSON array of `{ service, publicKeyPem | keyFile, kid? }` (kid by
 * default {@link eventKeyId}); throws a TypeError naming the entry at fault.
 */
export function parsePublisherKeys(json: string): PublisherKey[] {
  const parsed: unknown = JSON.parse(json || '[]');
  if (!Array.isArray(parsed)) throw new TypeError('must be a JSON array');
  return parsed.map((entry: { service?: unknown; kid?: unknown; publicKeyPem?: unknown; keyFile?: unknown }, index) => {
    if (typeof entry?.service !== 'string' || !/^[a-z][a-z0-9-]{0,62}$/.test(entry.service)) throw new TypeError(`[${index}].service must name a service (e.g. transfer)`);
    let pem = entry.publicKeyPem;
    if (pem === undefined && typeof entry.keyFile === 'string') {
      try {
        pem = readFileSync(entry.keyFile, 'utf8');
      } catch (error) {
        throw new TypeError(`[${index}].keyFile cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
    }
    if (typeof pem !== 'string') throw new TypeError(`[${index}] needs publicKeyPem or keyFile`);
    let key: KeyObject;
    try {
      key = createPublicKey(pem);
    } catch (error) {
      throw new TypeError(`[${index}] is not a PEM public key (${(error as Error).message})`);
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`[${index}] is not an Ed25519 key`);
    if (entry.kid !== undefined && (typeof entry.kid !== 'string' || !entry.kid)) throw new TypeError(`[${index}].kid must be a non-empty string`);
    return { service: entry.service, kid: (entry.kid as string | undefined) ?? eventKeyId(entry.service, key), key };
  });
}

/**
 * A service's event signatures from its configuration (docs/adr/0013-signed-events.md). With
 * EVENT_SIGNING_KEY its relay signs every event it publishes (whatever EVENT_SIGNATURES says, so
 * that publishers can sign before consumers require it). EVENT_SIGNATURES=required (the default)
 * also needs that key, and at least one key in EVENT_PUBLISHER_KEYS for each topic the consumer
 * reads that has publishers; missing or unreadable, the service refuses to start naming the
 * variable. `off`: nothing is verified (local development, the rollout's first step).
 */
export function eventSignatures(config: EventSignatureSettings, service: string, names: TopicNames): EventSignatures {
  const problem = (variable: string, text: string) => new InvalidConfigurationError([{ variable, problem: text }]);
  let signer: EventSigner | undefined;
  if (config.EVENT_SIGNING_KEY) {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(config.EVENT_SIGNING_KEY);
    } catch (error) {
      throw problem('EVENT_SIGNING_KEY', `is not a PEM private key (${(error as Error).message})`);
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') throw problem('EVENT_SIGNING_KEY', `must be an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
    signer = new EventSigner(config.EVENT_SIGNING_KEY_ID || eventKeyId(service, createPublicKey(privateKey)), privateKey);
  } else if (config.EVENT_SIGNATURES === 'required') {
    throw problem('EVENT_SIGNING_KEY', `${service} has no event-signing key while EVENT_SIGNATURES=required (set EVENT_SIGNATURES=off only for local development)`);
  }
  let keys: PublisherKey[];
  try {
    keys = parsePublisherKeys(config.EVENT_PUBLISHER_KEYS);
  } catch (error) {
    throw problem('EVENT_PUBLISHER_KEYS', (error as Error).message);
  }
  let verifier: EventSignatureVerifier;
  try {
    verifier = new EventSignatureVerifier(keys);
  } catch (error) {
    throw problem('EVENT_PUBLISHER_KEYS', (error as Error).message);
  }
  return {
    ...(signer ? { signBatch: <M extends SignableMessage>(messages: readonly M[]) => signer.signedBatch(messages) } : {}),
    decoder(inner, consumed) {
      if (config.EVENT_SIGNATURES === 'off') return inner;
      const publishers = new Map<string, readonly string[]>();
      const held = verifier.services();
      for (const physical of consumed) {
        const owners = TOPIC_PUBLISHERS[names.logical(physical) as Topic];
        if (!owners) continue;
        if (!owners.some((owner) => held.has(owner))) {
          throw problem('EVENT_PUBLISHER_KEYS', `no key of ${owners.join(' or ')}, the publisher of ${names.logical(physical)}, while EVENT_SIGNATURES=required`);
        }
        publishers.set(physical, owners);
      }
      return signedEventDecoder(inner, verifier, publishers);
    },
  };
}

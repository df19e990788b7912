import { createHash, createPrivateKey, createPublicKey, sign as signBytes, verify as verifyBytes, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidConfigurationError } from '@custody/config';
import { TOPIC_PUBLISHERS, type Topic } from '@custody/contracts';
import type { DecodeResult, InboundMessage, MessageDecoder, TopicNames } from '@custody/messaging';

type IHeaders = InboundMessage['headers'];

/**
 * The Kafka header that carries an event's signature by the service that published it
 * (docs/adr/0013-signed-events.md): a compact JWS with a detached payload, `<header>..<signature>`,
 * EdDSA (Ed25519), the protected header naming the key (`kid`).
 */
export const EVENT_SIGNATURE_HEADER = 'ce_eventsignature';

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

/** Whether a header is covered by the signature: every CloudEvents header (ce_*) but the signature itself, and content-type. */
function covered(name: string): boolean {
  const lower = name.toLowerCase();
  return (lower.startsWith('ce_') && lower !== EVENT_SIGNATURE_HEADER) || lower === 'content-type';
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
    if (!covered(name) || value === undefined) continue;
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

  constructor(keys: readonly PublisherKey[]) {
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
    const { alg, kid } = header as { alg?: unknown; kid?: unknown };
    if (alg !== 'EdDSA') return { ok: false, reason: `the signature algorithm ${JSON.stringify(alg)} is not accepted (EdDSA)` };
    if (typeof kid !== 'string') return { ok: false, reason: 'the signature names no key (kid)' };
    const key = this.keys.get(kid);
    if (!key) return { ok: false, reason: `the signing key ${kid} is not a configured publisher key (EVENT_PUBLISHER_KEYS)` };
    if (!publishers.includes(key.service)) {
      return { ok: false, reason: `signed by ${key.service} (key ${kid}); only ${publishers.join(' or ')} may publish on this topic` };
    }
    const input = Buffer.from(`${parts[0]}.${eventSigningInput(message).toString('base64url')}`);
    if (!verifyBytes(null, input, key.key, Buffer.from(parts[2], 'base64url'))) {
      return { ok: false, reason: `the signature of key ${kid} does not verify over the event (its headers, key or value differ from what ${key.service} signed)` };
    }
    return { ok: true, service: key.service, kid };
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
  /** The relay's signer hook; undefined without EVENT_SIGNING_KEY. */
  sign?: <M extends SignableMessage>(message: M) => M;
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
    ...(signer ? { sign: <M extends SignableMessage>(message: M) => signer.signed(message) } : {}),
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

import { createPublicKey } from 'node:crypto';
import { canonicalJson, findUpcaster, TOPIC_PUBLISHERS, type Topic } from '@custody/contracts';
import { contractDecoder, TopicNames, type DecodedEvent, type DecodeFailure, type InboundMessage, type MessageDecoder } from '@custody/messaging';
import {
  coveredByEventSignature, EVENT_SIGNATURE_HEADER, EVENT_SIGNATURE_INVALID, EVENT_SIGNATURE_PATH_HEADER, EventSignatureVerifier, type PublisherKey,
} from '@custody/security';
import { toLedgerEvent, type EventSignatureRecord, type LedgerEntry, type LedgerEvent } from './entry';
import type { SignatureRefusal } from './ledger.repository';

/**
 * The publishers' signatures in the ledger (docs/adr/0013-signed-events.md, "The ledger keeps each
 * signature"): the consumer keeps each event's signature with the message as it was signed, and
 * `verify` checks it again against the publishers' public keys from configuration (never from the
 * ledger's database), and checks that the entry's body is what the signed message says.
 */

/** Where the decoder leaves the signature record of a signed event, for the ledger's consumer. */
const RECORD = 'eventSignature';

type RawHeader = InboundMessage['headers'][string];

const text = (value: Buffer | string): string => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));

/** The key id a signature's protected header names, or '' when it cannot be read. */
function kidOf(signature: string): string {
  try {
    const header = JSON.parse(Buffer.from(signature.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header?.kid === 'string' ? header.kid : '';
  } catch {
    return '';
  }
}

/** The signature record of a message as it came off a topic; undefined when it carries no (single) signature header. */
export function signatureRecordOfMessage(message: InboundMessage, topic: string): EventSignatureRecord | undefined {
  const raw = message.headers[EVENT_SIGNATURE_HEADER];
  const rawPath = message.headers[EVENT_SIGNATURE_PATH_HEADER];
  if (raw === undefined || Array.isArray(raw) || Array.isArray(rawPath)) return undefined;
  const signature = text(raw);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(message.headers) as Array<[string, RawHeader]>) {
    if (value === undefined || !coveredByEventSignature(name)) continue;
    headers[name] = Array.isArray(value) ? value.map((v) => text(v)) : text(value);
  }
  return {
    signature,
    ...(rawPath === undefined ? {} : { path: text(rawPath) }),
    kid: kidOf(signature),
    topic,
    key: message.key === null ? null : message.key.toString('utf8'),
    value: message.value === null ? null : message.value.toString('utf8'),
    headers,
  };
}

/**
 * The ledger's decoder: `inner`'s decoding, with the signature record of a signed event in its
 * extensions for the consumer to keep. Wrapped by the signature check of the service's consumer
 * (EVENT_SIGNATURES=required), it sees only events whose signature holds; with `off`, it keeps
 * whatever signature came, which `verify` checks later like any other.
 */
export function keepingEventSignatures(inner: MessageDecoder, names: TopicNames): MessageDecoder {
  return {
    ...inner,
    decode(message) {
      const decoded = inner.decode(message);
      if (!decoded.ok) return decoded;
      const record = signatureRecordOfMessage(message, names.logical(message.topic));
      return record ? { ok: true, event: { ...decoded.event, extensions: { ...decoded.event.extensions, [RECORD]: record } } } : decoded;
    },
  };
}

/** The signature record the decoder left with an event; null when it came unsigned. */
export function signatureRecordOf(event: DecodedEvent): EventSignatureRecord | null {
  return (event.extensions[RECORD] as EventSignatureRecord | undefined) ?? null;
}

/**
 * The audit service's own record of an event its consumer refused for its signature: handed to
 * the ledger's consumer through the inbox before the message is set aside, so that the refusal
 * raises a finding (docs/adr/0013-signed-events.md). Not an event of the contract: it never
 * leaves the service.
 */
export const EVENT_SIGNATURE_REFUSED = 'EventSignatureRefused';

/** A header's text (the first value of a repeated one), at most `max` characters. */
function headerText(message: InboundMessage, name: string, max = 200): string | null {
  const raw = message.headers[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined ? null : text(first).slice(0, max);
}

/**
 * The event recording a refusal EVENT_SIGNATURE_INVALID of a message of the ledger's topics
 * (ServiceMessaging.recordRefusal); undefined for any other refusal. Its id is its place on the
 * topic, so that the same message read again is recorded once.
 */
export function signatureRefusalOf(message: InboundMessage, failure: DecodeFailure, names: TopicNames, at: () => string = () => new Date().toISOString()): DecodedEvent | undefined {
  if (failure.code !== EVENT_SIGNATURE_INVALID) return undefined;
  const signature = headerText(message, EVENT_SIGNATURE_HEADER, 10_000);
  const subject = headerText(message, 'ce_subject');
  const refusal: SignatureRefusal = {
    topic: names.logical(message.topic),
    partition: message.partition,
    offset: message.offset,
    eventId: headerText(message, 'ce_id'),
    type: headerText(message, 'ce_type'),
    source: headerText(message, 'ce_source'),
    subject: subject && /^(inmate|facility)\//i.test(subject) ? subject.toLowerCase() : subject,
    kid: signature ? kidOf(signature).slice(0, 200) || null : null,
    reason: failure.reason.slice(0, 2_000),
  };
  return {
    id: `${EVENT_SIGNATURE_REFUSED}:${refusal.topic}:${refusal.partition}:${refusal.offset}`,
    type: EVENT_SIGNATURE_REFUSED,
    schemaVersion: 1,
    subject: refusal.subject ?? '',
    data: refusal,
    occurredAt: at(),
    extensions: { source: 'audit' },
  };
}

/** What the check of an entry's stored signature found. */
export type EntrySignatureCheck =
  | { status: 'valid'; service: string; kid: string }
  | { status: 'missing' }
  | { status: 'invalid'; reason: string };

const isStringMap = (value: unknown): value is Record<string, string | string[]> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')));

/** A stored signature record, or why it cannot be read. */
function readRecord(stored: string): EventSignatureRecord | string {
  let record: Partial<EventSignatureRecord>;
  try {
    record = JSON.parse(stored) as Partial<EventSignatureRecord>;
  } catch {
    return 'the stored signature is not JSON';
  }
  if (typeof record !== 'object' || record === null) return 'the stored signature is not a JSON object';
  if (typeof record.signature !== 'string' || typeof record.kid !== 'string' || typeof record.topic !== 'string') return 'the stored signature lacks its signature, key id or topic';
  if (record.path !== undefined && typeof record.path !== 'string') return 'the stored signature path is not text';
  if ((record.key !== null && typeof record.key !== 'string') || (record.value !== null && typeof record.value !== 'string')) return 'the stored message has no key or value';
  if (!isStringMap(record.headers)) return 'the stored message headers are not text';
  return record as EventSignatureRecord;
}

/** The body's data lifted to `version` by the contract's upcasters, as the decoder lifts a message (undefined when no upcaster leads there). */
function lifted(body: LedgerEvent, version: number): LedgerEvent | undefined {
  let data: unknown = body.data;
  for (let v = body.schemaVersion; v < version; v++) {
    const upcaster = findUpcaster(body.type, v);
    if (!upcaster) return undefined;
    data = upcaster.upcast(data);
  }
  return { ...body, schemaVersion: version, data: data as Record<string, unknown> };
}

const decoder = contractDecoder(new TopicNames());

/**
 * Checks an entry's stored signature: that a publisher of the topic signed the message with a key
 * `verifier` holds (the publishers' keys from configuration), that the key id kept is the one the
 * signature names, and that the entry's body is what the contract's decoder makes of that signed
 * message (an upcaster added since the entry was written lifts both). Never throws.
 */
export function checkEntrySignature(entry: Pick<LedgerEntry, 'body' | 'signature'>, verifier: EventSignatureVerifier): EntrySignatureCheck {
  if (typeof entry.signature !== 'string') return { status: 'missing' };
  try {
    const record = readRecord(entry.signature);
    if (typeof record === 'string') return { status: 'invalid', reason: record };
    const publishers = TOPIC_PUBLISHERS[record.topic as Topic];
    if (!publishers) return { status: 'invalid', reason: `${record.topic} is not a topic of the contract with a publisher` };
    const message: InboundMessage = {
      topic: record.topic,
      partition: 0,
      offset: '0',
      key: record.key === null ? null : Buffer.from(record.key, 'utf8'),
      value: record.value === null ? null : Buffer.from(record.value, 'utf8'),
      headers: { ...record.headers, [EVENT_SIGNATURE_HEADER]: record.signature, ...(record.path === undefined ? {} : { [EVENT_SIGNATURE_PATH_HEADER]: record.path }) },
    };
    const check = verifier.check(message, publishers);
    if (!check.ok) return { status: 'invalid', reason: check.reason };
    if (check.kid !== record.kid) return { status: 'invalid', reason: `the signature names key ${check.kid}, the entry keeps ${record.kid}` };
    const decoded = decoder.decode(message);
    if (!decoded.ok) return { status: 'invalid', reason: `the signed message does not read as an event of the contract (${decoded.failure.code}: ${decoded.failure.reason})` };
    const body = JSON.parse(entry.body) as LedgerEvent;
    const signed = toLedgerEvent(decoded.event, body.recordedAt);
    const held = body.schemaVersion < signed.schemaVersion ? lifted(body, signed.schemaVersion) : body;
    if (!held || canonicalJson(held) !== canonicalJson(signed)) {
      return { status: 'invalid', reason: `the entry's body is not the event ${check.service} signed (key ${check.kid})` };
    }
    return { status: 'valid', service: check.service, kid: check.kid };
  } catch (error) {
    return { status: 'invalid', reason: `the signature cannot be checked (${(error as Error)?.message ?? String(error)})` };
  }
}

/** A publisher's public key as an export carries it. */
export interface ExportedPublisherKey {
  service: string;
  kid: string;
  publicKeyPem: string;
}

/** The key ids the stored signatures of `entries` name, sorted. */
export function namedKeyIds(entries: ReadonlyArray<Pick<LedgerEntry, 'signature'>>): string[] {
  const named = new Set<string>();
  for (const entry of entries) {
    if (typeof entry.signature !== 'string') continue;
    const record = readRecord(entry.signature);
    if (typeof record !== 'string') named.add(record.kid);
  }
  return [...named].sort();
}

/** The keys of `keys` that the stored signatures name, as an export carries them. */
export function exportedPublisherKeys(keys: readonly PublisherKey[], entries: ReadonlyArray<Pick<LedgerEntry, 'signature'>>): ExportedPublisherKey[] {
  const named = new Set(namedKeyIds(entries));
  return keys
    .filter((key) => named.has(key.kid))
    .map((key) => ({ service: key.service, kid: key.kid, publicKeyPem: key.key.export({ type: 'spki', format: 'pem' }).toString() }))
    .sort((a, b) => (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0));
}

/** The publisher keys an export carries, read; throws naming the entry at fault. */
export function readExportedPublisherKeys(keys: unknown): PublisherKey[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw new TypeError('publisherKeys must be an array');
  return keys.map((entry: Partial<ExportedPublisherKey>, index) => {
    if (typeof entry?.service !== 'string' || typeof entry.kid !== 'string' || typeof entry.publicKeyPem !== 'string') {
      throw new TypeError(`publisherKeys[${index}] needs service, kid and publicKeyPem`);
    }
    const key = createPublicKey(entry.publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`publisherKeys[${index}] is not an Ed25519 key`);
    return { service: entry.service, kid: entry.kid, key };
  });
}

/** How many signatures a verification checked, and the entries whose signature is missing or does not hold. */
export interface SignatureReport {
  /** Entries checked. */
  checked: number;
  valid: number;
  /** Entries without a signature (recorded before the ledger kept them, or with EVENT_SIGNATURES=off). */
  missing: number;
  invalid: number;
  /** Valid signatures by publishing service. */
  bySigner: Record<string, number>;
  /** The entries at fault, in position order: every invalid one and the first missing ones (at most {@link LISTED} of each). */
  entries: Array<{ position: number; eventId: string; status: 'missing' | 'invalid'; reason?: string }>;
}

/** How many entries of each kind a report lists (counts are always whole). */
export const LISTED = 1_000;

/** Collects entry signature checks into a report. */
export class SignatureTally {
  readonly report: SignatureReport = { checked: 0, valid: 0, missing: 0, invalid: 0, bySigner: {}, entries: [] };

  constructor(private readonly verifier: EventSignatureVerifier) {}

  add(entry: Pick<LedgerEntry, 'position' | 'eventId' | 'body' | 'signature'>): EntrySignatureCheck {
    const check = checkEntrySignature(entry, this.verifier);
    const report = this.report;
    report.checked++;
    if (check.status === 'valid') {
      report.valid++;
      report.bySigner[check.service] = (report.bySigner[check.service] ?? 0) + 1;
    } else if (check.status === 'missing') {
      if (report.missing++ < LISTED) report.entries.push({ position: entry.position, eventId: entry.eventId, status: 'missing' });
    } else if (report.invalid++ < LISTED) {
      report.entries.push({ position: entry.position, eventId: entry.eventId, status: 'invalid', reason: check.reason });
    }
    return check;
  }
}

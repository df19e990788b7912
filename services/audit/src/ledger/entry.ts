import { hash } from 'node:crypto';
import { canonicalJson, type StreamPosition } from '@custody/contracts';
import type { DecodedEvent } from '@custody/messaging';

/** What the ledger keeps of an integration event: the event as the contract carried it. */
export interface LedgerEvent {
  id: string;
  type: string;
  schemaVersion: number;
  /** The CloudEvents subject: `inmate/<id>` or `facility/<id>`. */
  subject: string;
  occurredAt: string;
  /** When the publishing service recorded it (`ce_recordedtime`), else when the ledger received it. */
  recordedAt: string;
  source?: string;
  correlationId?: string;
  causationId?: string;
  actor?: Record<string, unknown>;
  data: Record<string, unknown>;
  /**
   * Where the event lies in its publisher's stream (ce_stream, ce_streamrevision,
   * ce_streamprevious), when the message said: what the completeness of a history is checked on
   * (docs/architecture.md, "Completeness"). Absent on events published before revisions were.
   */
  stream?: string;
  streamRevision?: number;
  /** The revision of the stream's previous published event (-1: none); absent when the publisher could not tell. */
  streamPrevious?: number;
  /**
   * Why the act was recorded late (`ce_laterecordingreason`, the command's `lateRecordingReason`),
   * when its recording service kept one: docs/domain.md, Rule 17. Absent on the other events.
   */
  lateRecordingReason?: string;
}

/** A ledger entry before it is chained: its canonical body and the keys it is found by. */
export interface UnchainedEntry {
  eventId: string;
  subject: string;
  /** The person the event is about (its subject, or `inmateId` of a facility event), if any. */
  inmateId: string | null;
  /** RFC 8785 canonical JSON of the LedgerEvent: the bytes the hash covers. */
  body: string;
  /**
   * RFC 8785 canonical JSON of the publisher's signature of the event as received
   * ({@link EventSignatureRecord}); null or absent for an event that came unsigned, or was recorded
   * before the ledger kept signatures. Covered by the hash of an entry of version 2
   * (docs/adr/0013-signed-events.md, "The ledger keeps each signature").
   */
  signature?: string | null;
}

/**
 * The publisher's signature of an event, as the ledger keeps it beside the entry: the signature
 * and its batch path as they came (ce_eventsignature, ce_eventsignaturepath), the key id it names,
 * the topic it was read from, and the message as signed (its key, its value as text, and every
 * header the signature covers), so that anyone holding the publishers' public keys can check it
 * again, and check that the entry's body is what that message says (docs/adr/0013-signed-events.md).
 */
export interface EventSignatureRecord {
  signature: string;
  path?: string;
  kid: string;
  /** The contract's name of the topic (no prefix). */
  topic: string;
  key: string | null;
  value: string | null;
  /** The headers the signature covers (every ce_* header but the signature and its path, and content-type), by their exact names. */
  headers: Record<string, string | string[]>;
}

/** A chained entry: its position in the global chain and the links to its predecessors. */
export interface LedgerEntry extends UnchainedEntry {
  position: number;
  /** Hash of the entry at position - 1; null for the first entry. */
  prevHash: string | null;
  /** Hash of the previous entry with the same subject; null for the subject's first. */
  subjectPrevHash: string | null;
  /** SHA-256 (hex) of the entry's hash input. */
  hash: string;
}

/** The person an event is about: the subject's id for `inmate/<id>`, else the payload's `inmateId`. */
export function inmateOf(subject: string, data: Record<string, unknown>): string | null {
  if (subject.startsWith('inmate/')) return subject.slice('inmate/'.length);
  return typeof data.inmateId === 'string' ? data.inmateId : null;
}

/** The entry the ledger stores for an event. */
export function toUnchainedEntry(event: LedgerEvent, signature?: EventSignatureRecord | null): UnchainedEntry {
  return {
    eventId: event.id, subject: event.subject, inmateId: inmateOf(event.subject, event.data), body: canonicalJson(event),
    signature: signature ? canonicalJson(signature) : null,
  };
}

/** The version tag that starts every hash input; a new layout gets a new tag. */
export const ENTRY_HASH_TAG = 'custody-ledger-entry/1';

/** The tag of an entry that carries its event's signature (version 2): the signature record is hashed too. */
export const SIGNED_ENTRY_HASH_TAG = 'custody-ledger-entry/2';

/**
 * The bytes an entry's hash covers, one field per line (the body and the signature record are
 * canonical JSON, which has no raw newline): tag, position, previous hash, previous hash of the
 * subject, subject, inmate, body, and for an entry of version 2 (one that holds its event's
 * signature) the signature record. An entry without a signature keeps version 1, so entries
 * chained before the ledger kept signatures verify as they were. An auditor can recompute it
 * with any SHA-256 tool.
 */
export function entryHashInput(entry: Omit<LedgerEntry, 'hash' | 'eventId'>): string {
  // Concatenated rather than joined from an array: the same bytes, without the array (a full
  // verify builds this for every entry of the ledger).
  const input = `${typeof entry.signature === 'string' ? SIGNED_ENTRY_HASH_TAG : ENTRY_HASH_TAG}\n${entry.position}\n${entry.prevHash ?? ''}\n${entry.subjectPrevHash ?? ''}\n${entry.subject}\n${entry.inmateId ?? ''}\n${entry.body}`;
  return typeof entry.signature === 'string' ? `${input}\n${entry.signature}` : input;
}

/** SHA-256 (hex) of the entry's hash input. */
export function entryHash(entry: Omit<LedgerEntry, 'hash' | 'eventId'>): string {
  return hash('sha256', entryHashInput(entry), 'hex');
}

/**
 * Chains entries after a head: assigns positions from `size` on and links each to the one
 * before it, globally and per subject. `subjectHeads` is updated in place.
 */
export function chain(
  entries: UnchainedEntry[],
  head: { size: number; hash: string | null },
  subjectHeads: Map<string, string>,
): LedgerEntry[] {
  let prevHash = head.hash;
  return entries.map((entry, i) => {
    const linked = { ...entry, position: head.size + i, prevHash, subjectPrevHash: subjectHeads.get(entry.subject) ?? null };
    const chained: LedgerEntry = { ...linked, hash: entryHash(linked) };
    prevHash = chained.hash;
    subjectHeads.set(entry.subject, chained.hash);
    return chained;
  });
}

/** The event as the ledger keeps it: the decoded envelope, with the time the ledger received it as a fallback. */
export function toLedgerEvent(event: DecodedEvent, receivedAt: string): LedgerEvent {
  const actor = event.extensions.actor as Record<string, unknown> | undefined;
  const source = event.extensions.source as string | undefined;
  const stream = event.extensions.stream as StreamPosition | undefined;
  const lateRecordingReason = event.extensions.lateRecordingReason;
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    subject: event.subject,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt ?? receivedAt,
    source,
    correlationId: event.correlationId,
    causationId: event.causationId,
    actor,
    data: JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>,
    // Hashed with the rest: the place of each event in its stream is evidence too.
    ...(stream ? { stream: stream.name, streamRevision: stream.revision, ...(stream.previous === undefined ? {} : { streamPrevious: stream.previous }) } : {}),
    // Hashed too: why an act was recorded late is part of its evidence (docs/domain.md, Rule 17).
    ...(typeof lateRecordingReason === 'string' && lateRecordingReason !== '' ? { lateRecordingReason } : {}),
  };
}

/**
 * Whether the body the ledger holds and the body received are the same event. When the message
 * did not carry its recorded time, the ledger put the time it received it there: that field is
 * then left out of the comparison (a redelivery is received at another time). An entry recorded
 * before the ledger kept the late-recording reason lacks it: the reason is then left out too.
 */
export function sameLedgerEvent(held: string, received: string, receivedCarriedRecordedAt: boolean): boolean {
  if (held === received) return true;
  const heldEvent = JSON.parse(held) as Record<string, unknown>;
  const receivedEvent = JSON.parse(received) as Record<string, unknown>;
  if (heldEvent.lateRecordingReason === undefined) delete receivedEvent.lateRecordingReason;
  if (!receivedCarriedRecordedAt) {
    delete heldEvent.recordedAt;
    delete receivedEvent.recordedAt;
  }
  return canonicalJson(heldEvent) === canonicalJson(receivedEvent);
}

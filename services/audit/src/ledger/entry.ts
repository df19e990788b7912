import { hash } from 'node:crypto';
import { canonicalJson } from '@custody/contracts';

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
export function toUnchainedEntry(event: LedgerEvent): UnchainedEntry {
  return { eventId: event.id, subject: event.subject, inmateId: inmateOf(event.subject, event.data), body: canonicalJson(event) };
}

/** The version tag that starts every hash input; a new layout gets a new tag. */
export const ENTRY_HASH_TAG = 'custody-ledger-entry/1';

/**
 * The bytes an entry's hash covers, one field per line (the body is canonical JSON, which has
 * no raw newline): tag, position, previous hash, previous hash of the subject, subject, inmate,
 * body. An auditor can recompute it with any SHA-256 tool.
 */
export function entryHashInput(entry: Omit<LedgerEntry, 'hash' | 'eventId'>): string {
  return [
    ENTRY_HASH_TAG,
    String(entry.position),
    entry.prevHash ?? '',
    entry.subjectPrevHash ?? '',
    entry.subject,
    entry.inmateId ?? '',
    entry.body,
  ].join('\n');
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

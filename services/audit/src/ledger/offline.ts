import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '@custody/contracts';
import { foldTimeline, type Timeline } from '../timeline/timeline';
import { EventSignatureVerifier, type PublisherKey } from '@custody/security';
import { EXPORT_FORMATS, toTimelineEvent, type ExportedEntry, type ExportHeader } from './audit-ledger';
import { isSignatureValid, type Checkpoint } from './checkpoint';
import { missingEvents, type RevisionedEvent, type StreamsCompleteness } from '../invariants/completeness.checks';
import { entryHash, type LedgerEvent } from './entry';
import { readExportedPublisherKeys, SignatureTally, type SignatureReport } from './event-signatures';
import { verifyInclusion } from './merkle';

/** What is wrong with an export, at which line. */
export interface ExportProblem {
  line: number;
  position?: number;
  eventId?: string;
  problem: string;
}

export interface ExportVerification {
  isIntact: boolean;
  inmateId?: string;
  entries: number;
  checkpointId?: string;
  problems: ExportProblem[];
  /**
   * Whether the person's history in the export is complete: no revision missing from the streams
   * of their entries (docs/architecture.md, "Completeness"). The entries' revisions are covered by
   * their hashes.
   */
  history?: { isComplete: boolean } & StreamsCompleteness;
  /**
   * The publishers' signatures of the entries (docs/adr/0013-signed-events.md), checked with the
   * keys the auditor gave and, for the key ids they do not name, the keys the export carries
   * (`keysFromExport`: compare those with the keys the services published). An invalid signature
   * is also a problem of its entry.
   */
  signatures?: SignatureReport & { keysFromExport: string[] };
}

/** Reads an export (NDJSON: a header line, then one line per entry). */
export function parseExport(text: string): { header: ExportHeader; entries: ExportedEntry[] } {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new Error('the export is empty');
  const header = JSON.parse(lines[0]) as ExportHeader;
  if (header.kind !== 'header' || !(EXPORT_FORMATS as readonly string[]).includes(header.format)) throw new Error('the first line is not a custody-audit export header');
  return { header, entries: lines.slice(1).map((line) => JSON.parse(line) as ExportedEntry) };
}

/** Writes an export as NDJSON. */
export function formatExport(header: ExportHeader, entries: ExportedEntry[]): string {
  return [header, ...entries].map((line) => JSON.stringify(line)).join('\n') + '\n';
}

/**
 * Verifies an export with nothing but the file, a checkpoint and the ledger's public key: the
 * checkpoint's signature, that the export was made against that checkpoint, each entry's hash
 * from its content, its inclusion proof up to the signed Merkle root, the person's own chain
 * (no entry of the person left out between the first and the last), and each entry's event
 * signature by its publisher, with `publisherKeys` (the auditor's) and the keys the export carries
 * for the key ids those do not name (docs/adr/0013-signed-events.md).
 */
export function verifyExport(text: string, checkpoint: Checkpoint, publicKey: KeyObject, options: { publisherKeys?: readonly PublisherKey[] } = {}): ExportVerification {
  const problems: ExportProblem[] = [];
  let parsed: { header: ExportHeader; entries: ExportedEntry[] };
  try {
    parsed = parseExport(text);
  } catch (error) {
    return { isIntact: false, entries: 0, problems: [{ line: 1, problem: (error as Error).message }] };
  }
  const { header, entries } = parsed;
  if (!isSignatureValid(checkpoint, publicKey)) problems.push({ line: 0, problem: `checkpoint ${checkpoint.checkpointId} is not signed by this key` });
  if (canonicalJson(header.checkpoint) !== canonicalJson(checkpoint)) {
    problems.push({ line: 1, problem: `the export was made against checkpoint ${header.checkpoint?.checkpointId}, not ${checkpoint.checkpointId}` });
  }
  if (header.entryCount !== entries.length) problems.push({ line: 1, problem: `the header counts ${header.entryCount} entries; the file holds ${entries.length}` });
  const given = options.publisherKeys ?? [];
  const keys = [...given];
  const keysFromExport: string[] = [];
  try {
    for (const carried of readExportedPublisherKeys(header.publisherKeys)) {
      const same = given.find((key) => key.kid === carried.kid);
      if (!same) {
        keys.push(carried);
        keysFromExport.push(carried.kid);
      } else if (same.service !== carried.service || !same.key.equals(carried.key)) {
        problems.push({ line: 1, problem: `the export names key ${carried.kid} as ${carried.service}'s with another key than the one given for it` });
      }
    }
  } catch (error) {
    problems.push({ line: 1, problem: `the export's publisher keys cannot be read (${(error as Error).message})` });
  }
  let signatures: SignatureTally | undefined;
  try {
    signatures = new SignatureTally(new EventSignatureVerifier(keys));
  } catch (error) {
    problems.push({ line: 1, problem: `the publisher keys cannot be used (${(error as Error).message})` });
  }
  const personSubject = `inmate/${header.inmateId}`;
  let personHead: string | null = null;
  const ownEvents: RevisionedEvent[] = [];
  entries.forEach((entry, i) => {
    const line = i + 2;
    const at = { line, position: entry.position, eventId: entry.eventId };
    if (entry.inmateId !== header.inmateId) problems.push({ ...at, problem: `the entry is about ${entry.inmateId}, not ${header.inmateId}` });
    const hash = entryHash(entry);
    if (hash !== entry.hash) problems.push({ ...at, problem: 'the content does not give the recorded hash' });
    else if (!verifyInclusion(hash, entry.position, checkpoint.entryCount, entry.proof ?? [], checkpoint.merkleRoot)) {
      problems.push({ ...at, problem: `no valid inclusion proof up to the root of checkpoint ${checkpoint.checkpointId}` });
    }
    const signature = signatures?.add(entry);
    if (signature?.status === 'invalid') problems.push({ ...at, problem: `the event's signature does not hold: ${signature.reason}` });
    if (entry.subject === personSubject) {
      if (entry.subjectPrevHash !== personHead) problems.push({ ...at, problem: "the person's chain is broken here: an entry of the person is missing or out of order" });
      personHead = entry.hash;
    }
    try {
      const body = JSON.parse(entry.body) as LedgerEvent;
      if (body.id !== entry.eventId) problems.push({ ...at, problem: 'the body is another event' });
      else if (entry.subject === personSubject) ownEvents.push({ ...body, subject: entry.subject });
    } catch {
      problems.push({ ...at, problem: 'the body is not JSON' });
    }
  });
  const history = missingEvents(ownEvents);
  return {
    isIntact: problems.length === 0, inmateId: header.inmateId, entries: entries.length, checkpointId: checkpoint.checkpointId, problems,
    history: { isComplete: history.missing.length === 0, ...history },
    ...(signatures ? { signatures: { ...signatures.report, keysFromExport } } : {}),
  };
}

/** The timeline of an export, folded exactly as the service folds the ledger. */
export function timelineOfExport(text: string, window: { asOf?: string; knownAt?: string } = {}): Timeline {
  const { header, entries } = parseExport(text);
  return foldTimeline(header.inmateId, entries.map(toTimelineEvent), window);
}

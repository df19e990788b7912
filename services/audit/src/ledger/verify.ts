import type { Checkpoint } from './checkpoint';
import { entryHash, type LedgerEntry } from './entry';
import type { SignatureReport, SignatureTally } from './event-signatures';
import { MerkleFrontier } from './merkle';

/** What is wrong at the first broken entry. */
export type BreakKind =
  | 'missing-entry' // a position has no entry (deleted, or the ledger ends before its head or checkpoint)
  | 'hash-mismatch' // the entry's content does not give its recorded hash (changed, or moved)
  | 'broken-link' // the entry does not name the hash of the entry before it
  | 'broken-subject-link' // the entry does not name the hash of the previous entry of its subject
  | 'checkpoint-mismatch' // a signed checkpoint names another Merkle root or head at its size
  | 'untrusted-checkpoint'; // a checkpoint no trusted key confirms (signed by another key, or altered)

export interface LedgerBreak {
  /** The position at which the ledger stops being what was recorded. */
  position: number;
  /** The event of the entry found at that position (the next one, when the position is missing). */
  eventId: string | null;
  kind: BreakKind;
  message: string;
}

export interface VerifyReport {
  isIntact: boolean;
  fromPosition: number;
  /** Entries checked. */
  checked: number;
  /** Entries in the ledger as read (the position after the last one). */
  size: number;
  headHash: string | null;
  /** The Merkle root of the whole ledger, when verified from position 0. */
  merkleRoot?: string;
  /** Checkpoints whose size was reached and whose root and head matched. */
  checkpointsMatched: number;
  break?: LedgerBreak;
  /**
   * The publishers' signatures of the entries checked (docs/adr/0013-signed-events.md): absent when
   * no publisher key is configured. An invalid signature is reported here with its position; it
   * does not stop the walk, which checks the chain to its end.
   */
  signatures?: SignatureReport;
}

export interface VerifyOptions {
  fromPosition?: number;
  /** The recorded hash of the entry before `fromPosition` (trusted as the starting point). */
  previousHash?: string | null;
  /** Signed checkpoints (signatures already checked), to compare with the recomputed tree. */
  checkpoints?: Checkpoint[];
  /** The size the ledger claims (its head, the latest checkpoint): fewer entries is a break. */
  expectedSize?: number;
  onProgress?: (checked: number) => void;
  progressEvery?: number;
  /** Checks each entry's stored event signature against the publishers' keys from configuration. */
  signatures?: SignatureTally;
}

/**
 * Recomputes the ledger in position order: each entry's hash from its content, its link to the
 * entry before it and to the previous entry of its subject, and (from position 0) the Merkle
 * tree, compared with every checkpoint whose size it passes. Stops at the first break. Entries
 * come in pages, in position order.
 */
export async function verifyLedger(
  pages: AsyncIterable<readonly LedgerEntry[]> | Iterable<readonly LedgerEntry[]>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const fromPosition = options.fromPosition ?? 0;
  const isFromStart = fromPosition === 0;
  const frontier = isFromStart ? new MerkleFrontier() : undefined;
  const checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.entryCount - b.entryCount);
  let nextCheckpoint = 0;
  const subjectHeads = new Map<string, string>();
  let previousHash = isFromStart ? null : (options.previousHash ?? null);
  let position = fromPosition;
  const progressEvery = options.progressEvery ?? 10_000;
  const report = (found?: LedgerBreak): VerifyReport => ({
    isIntact: found === undefined,
    fromPosition,
    checked: position - fromPosition,
    size: position,
    headHash: previousHash,
    merkleRoot: frontier?.root(),
    checkpointsMatched: nextCheckpoint,
    break: found,
    ...(options.signatures ? { signatures: options.signatures.report } : {}),
  });

  const checkCheckpoints = (): LedgerBreak | undefined => {
    while (frontier && nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint].entryCount <= position) {
      const checkpoint = checkpoints[nextCheckpoint];
      if (checkpoint.entryCount === position) {
        if (checkpoint.merkleRoot !== frontier.root() || checkpoint.headHash !== previousHash) {
          return {
            position: position - 1,
            eventId: null,
            kind: 'checkpoint-mismatch',
            message: `checkpoint ${checkpoint.checkpointId} signed ${checkpoint.entryCount} entries with another Merkle root or head: the ledger up to it was rewritten`,
          };
        }
      }
      nextCheckpoint++;
    }
    return undefined;
  };

  // Pages, not single entries: one await per page instead of one per entry.
  for await (const page of pages) for (const entry of page) {
    if (entry.position !== position) {
      return report({
        position,
        eventId: entry.eventId,
        kind: 'missing-entry',
        message: `no entry at position ${position}; the next one is at ${entry.position} (event ${entry.eventId})`,
      });
    }
    const recomputed = entryHash(entry);
    if (recomputed !== entry.hash) {
      return report({ position, eventId: entry.eventId, kind: 'hash-mismatch', message: `the content of entry ${position} (event ${entry.eventId}) does not give its recorded hash` });
    }
    if (entry.prevHash !== previousHash) {
      return report({ position, eventId: entry.eventId, kind: 'broken-link', message: `entry ${position} (event ${entry.eventId}) does not link to the entry before it` });
    }
    const subjectHead = subjectHeads.get(entry.subject);
    // From position 0 every subject's first entry must link to nothing; from elsewhere, only
    // the subjects already met can be checked.
    if ((subjectHead !== undefined || isFromStart) && entry.subjectPrevHash !== (subjectHead ?? null)) {
      return report({
        position,
        eventId: entry.eventId,
        kind: 'broken-subject-link',
        message: `entry ${position} (event ${entry.eventId}) does not link to the previous entry of ${entry.subject}`,
      });
    }
    options.signatures?.add(entry);
    subjectHeads.set(entry.subject, recomputed);
    previousHash = recomputed;
    frontier?.append(recomputed);
    position++;
    const mismatch = checkCheckpoints();
    if (mismatch) return report(mismatch);
    if (options.onProgress && (position - fromPosition) % progressEvery === 0) options.onProgress(position - fromPosition);
  }
  const expectedSize = Math.max(options.expectedSize ?? 0, isFromStart ? (checkpoints[checkpoints.length - 1]?.entryCount ?? 0) : 0);
  if (position < expectedSize) {
    return report({ position, eventId: null, kind: 'missing-entry', message: `the ledger ends at ${position} entries but its head or a signed checkpoint counts ${expectedSize}` });
  }
  return report();
}

import { notYetKnownHere, reject } from '@custody/contracts';
import type { EventStore } from '@custody/event-store';
import { EventSignatureVerifier, type PublisherKey } from '@custody/security';
import type { MissingEvent } from '../invariants/completeness.checks';
import { foldTimeline, type Timeline, type TimelineEvent } from '../timeline/timeline';
import { isSignatureValid, publicKeyPem, type Checkpoint, type TrustedKeys } from './checkpoint';
import { readCheckpoints } from './checkpoints';
import type { LedgerEntry, LedgerEvent } from './entry';
import { exportedPublisherKeys, SignatureTally, type ExportedPublisherKey } from './event-signatures';
import { LedgerRepository } from './ledger.repository';
import { InclusionProofs } from './merkle';
import { verifyLedger, type VerifyReport } from './verify';

/** One line of an export: an entry of the person with its inclusion proof. */
export interface ExportedEntry extends LedgerEntry {
  kind: 'entry';
  proof: string[];
}

/** The export formats: /2 adds the publishers' keys and the entries' signatures (docs/adr/0013-signed-events.md); /1 is still read. */
export const EXPORT_FORMATS = ['custody-audit-export/1', 'custody-audit-export/2'] as const;

/** The first line of an export: what it is, and the checkpoint its proofs lead to. */
export interface ExportHeader {
  kind: 'header';
  format: (typeof EXPORT_FORMATS)[number];
  inmateId: string;
  exportedAt: string;
  checkpoint: Checkpoint;
  /** The public key (PEM) that signed the checkpoint, from the service's trusted keys (a convenience: verify with the key the ministry published). */
  publicKey?: string;
  entryCount: number;
  /**
   * The public keys of the publishers whose signatures the entries hold (format /2), from the
   * audit service's EVENT_PUBLISHER_KEYS: which service each key id is, so that the export's
   * signatures can be checked with nothing else; an auditor who holds the keys the services
   * published gives them to verify, which then compares.
   */
  publisherKeys?: ExportedPublisherKey[];
}

/** The completeness of one person's or facility's history in the ledger. */
export interface SubjectHistory {
  /** `inmate/<id>` or `facility/<id>`. */
  subject: string;
  entries: number;
  /** Its streams whose entries carry revisions. */
  streams: number;
  /** Its entries without a revision (published before revisions were): unknown places, never gaps. */
  unrevisioned: number;
  /** No revision missing from its streams. */
  isComplete: boolean;
  missing: MissingEvent[];
}

/** A verification's report as `GET /ledger/verify` answers it. */
export type LedgerVerification = VerifyReport & {
  invalidCheckpoints: string[];
  /** The size of the ledger's head when the run began: what it set out to verify (`size` is where it stopped). */
  headSize: number;
  /** When the run began and when it ended (ISO 8601). */
  startedAt: string;
  verifiedAt: string;
  /**
   * 'background': a recorded whole-chain verification (a scheduled run, or the first one, run when
   * a request found none recorded); 'request': a run for the request (`?fromPosition=N`).
   */
  trigger: 'background' | 'request';
};

/** Whether the histories in the ledger are complete, as `custody-audit verify` reports it. */
export interface HistoryReport {
  /** No revision missing from any stream of the ledger. */
  isComplete: boolean;
  /** Streams whose entries carry revisions, and entries that carry none. */
  streams: number;
  unrevisioned: number;
  missingRevisions: number;
  people: number;
  incompletePeople: number;
  facilities: number;
  /** The facilities whose histories miss events (facility ids are not personal data). */
  incompleteFacilities: SubjectHistory[];
  /** Each person asked for, complete or not (only when asked: their ids are personal data). */
  persons?: SubjectHistory[];
}

/** An entry's body as a timeline event. */
export function toTimelineEvent(entry: Pick<LedgerEntry, 'body' | 'position'>): TimelineEvent {
  return { ...(JSON.parse(entry.body) as LedgerEvent), position: entry.position };
}

/** How often a timeline read waiting for the chainer looks again. */
const CHAIN_WAIT_POLL_MS = 20;

/** The reads an auditor makes, online: timelines, verification, exports (the HTTP API and the CLI share them). */
export class AuditLedger {
  constructor(
    readonly repository: LedgerRepository,
    private readonly store: EventStore,
    /** The keys whose checkpoints are believed: from configuration, never from the ledger's database. */
    private readonly trusted: TrustedKeys,
    /**
     * The messages about a person not yet consumed from the events topics (docs/adr/0012-not-yet-known-here.md):
     * the first topic whose partition of the person is behind; undefined when all are consumed,
     * or where no consumer runs (the CLI).
     */
    private readonly inFlight: (inmateId: string) => Promise<{ topic: string; unconsumed: number; retryAfterSeconds: number } | undefined> = async () => undefined,
    /**
     * The publishers' public keys the entries' event signatures are checked with: from
     * configuration (EVENT_PUBLISHER_KEYS), never from the ledger's database. None: signatures are
     * not checked (docs/adr/0013-signed-events.md).
     */
    private readonly publishers: readonly PublisherKey[] = [],
    /**
     * How long a timeline read waits for entries of the person that reached the service to be
     * chained, before it answers NOT_YET_KNOWN_HERE (NOT_YET_KNOWN_WAIT_MS; 0 in the CLI).
     */
    private readonly chainWaitMs = 0,
  ) {}

  /**
   * The person's custody timeline from the chained ledger; cost follows the person's history.
   * A person with no chained entry is not an empty timeline: an auditor must be able to tell
   * "nothing happened" from "nothing has reached the ledger yet". NOT_YET_KNOWN_HERE while
   * entries of the person wait for the chainer, or while the person's partition on an events
   * topic holds unconsumed messages (docs/adr/0012-not-yet-known-here.md); otherwise INMATE_NOT_FOUND.
   */
  async timeline(inmateId: string, window: { asOf?: string; knownAt?: string } = {}): Promise<Timeline> {
    let entries = await this.repository.entriesOfInmate(inmateId);
    if (entries.length === 0) {
      // In this order: once the partitions are consumed, every entry of the person is pending or
      // chained; one that the chainer links between the two reads below is seen by the second.
      const inFlight = await this.inFlight(inmateId);
      if (inFlight) {
        throw notYetKnownHere(`events about this person on ${inFlight.topic} have not reached the audit service yet`, inFlight.retryAfterSeconds, {
          inmateId, awaitedTopic: inFlight.topic, unconsumedMessages: inFlight.unconsumed,
        });
      }
      let unchained = await this.repository.pendingOfInmate(inmateId);
      // The chainer links entries within tens of milliseconds: wait for it rather than send the client away for a second.
      for (const deadline = Date.now() + this.chainWaitMs; unchained > 0 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, CHAIN_WAIT_POLL_MS));
        unchained = await this.repository.pendingOfInmate(inmateId);
      }
      if (unchained > 0) {
        throw notYetKnownHere('events about this person have reached the audit service but are not chained into the ledger yet', 1, { inmateId, unchainedEntries: unchained });
      }
      entries = await this.repository.entriesOfInmate(inmateId);
      if (entries.length === 0) throw reject('INMATE_NOT_FOUND', { inmateId }, 'Neither the ledger nor the messages on their way to it hold an entry about this person.');
    }
    return foldTimeline(inmateId, entries.map(toTimelineEvent), window);
  }

  /** Checkpoints whose signature a trusted key confirms, and the ones none does (signed by an unknown key, or altered). */
  async checkpoints(): Promise<{ valid: Checkpoint[]; invalid: Checkpoint[] }> {
    return this.sortByTrust(await readCheckpoints(this.store));
  }

  /** The same for checkpoints from elsewhere (kept by a ministry from custody.audit.checkpoints). */
  sortByTrust(checkpoints: readonly Checkpoint[]): { valid: Checkpoint[]; invalid: Checkpoint[] } {
    const valid: Checkpoint[] = [];
    const invalid: Checkpoint[] = [];
    for (const checkpoint of checkpoints) {
      const key = this.trusted.get(checkpoint.keyId);
      (key && isSignatureValid(checkpoint, key) ? valid : invalid).push(checkpoint);
    }
    return { valid, invalid };
  }

  /**
   * The route's verification: a request for a range whose verification is already running gets
   * that run's report instead of starting another. A whole chain costs seconds of hashing per
   * million entries, and any number of auditors may ask at once (docs/auditor-view.md).
   */
  verifyShared(fromPosition = 0): Promise<LedgerVerification> {
    const running = this.verifying.get(fromPosition);
    if (running) return running;
    const startedAt = new Date().toISOString();
    const run = this.verify({ fromPosition })
      .then((report): LedgerVerification => ({ ...report, startedAt, verifiedAt: new Date().toISOString(), trigger: 'request' }))
      .finally(() => this.verifying.delete(fromPosition));
    this.verifying.set(fromPosition, run);
    return run;
  }

  private readonly verifying = new Map<number, Promise<LedgerVerification>>();

  /**
   * Recomputes the ledger from a position; compares with the head and, from 0, with every signed
   * checkpoint a trusted key confirms, the ledger's own and those the auditor brings (`kept`). A
   * checkpoint no trusted key confirms breaks the report: the ledger may have been rewritten and
   * signed again with a key of the rewriter's.
   */
  async verify(
    options: { fromPosition?: number; kept?: readonly Checkpoint[]; onProgress?: (checked: number, total: number) => void; signal?: AbortSignal } = {},
  ): Promise<VerifyReport & { invalidCheckpoints: string[]; headSize: number }> {
    // Each stored event signature is checked as the entries go by, with the publishers' keys from configuration.
    const signatures = this.publishers.length > 0 ? new SignatureTally(new EventSignatureVerifier(this.publishers)) : undefined;
    const fromPosition = options.fromPosition ?? 0;
    const head = await this.repository.head();
    const own = await this.checkpoints();
    const kept = this.sortByTrust(options.kept ?? []);
    const valid = [...own.valid, ...kept.valid];
    const invalid = [...own.invalid, ...kept.invalid];
    const previous = fromPosition > 0 ? await this.repository.entryAt(fromPosition - 1) : undefined;
    const report = await verifyLedger(options.signal ? untilAborted(this.repository.scan(fromPosition), options.signal) : this.repository.scan(fromPosition), {
      fromPosition,
      previousHash: previous?.hash ?? null,
      checkpoints: valid,
      expectedSize: head.size,
      ...(signatures ? { signatures } : {}),
      onProgress: options.onProgress && ((checked) => options.onProgress!(checked, head.size - fromPosition)),
    });
    const untrusted = invalid[0];
    if (report.isIntact && untrusted) {
      return {
        ...report,
        isIntact: false,
        break: {
          position: Math.max(untrusted.entryCount - 1, 0),
          eventId: null,
          kind: 'untrusted-checkpoint',
          message: this.trusted.has(untrusted.keyId)
            ? `checkpoint ${untrusted.checkpointId} does not verify with the trusted key ${untrusted.keyId}: it was altered`
            : `checkpoint ${untrusted.checkpointId} is signed by key ${untrusted.keyId}, which is not a trusted key (AUDIT_TRUSTED_KEYS): the ledger may have been signed again by whoever rewrote it`,
        },
        invalidCheckpoints: invalid.map((c) => c.checkpointId),
        headSize: head.size,
      };
    }
    return { ...report, invalidCheckpoints: invalid.map((c) => c.checkpointId), headSize: head.size };
  }

  /**
   * Whether the histories in the ledger are complete (docs/architecture.md, "Completeness"): no
   * revision missing from the streams of any person or facility. Counts for everyone; the
   * facilities that miss events by id; people by id only when `people` asks for them ('all', or
   * the ids given): their ids are personal data (the CLI records such a read in the access log).
   */
  async history(people?: 'all' | readonly string[]): Promise<HistoryReport> {
    const history = await this.repository.history();
    const missingOf = new Map<string, MissingEvent[]>();
    for (const gap of history.missing) missingOf.set(gap.subject, [...(missingOf.get(gap.subject) ?? []), gap]);
    const subjects: SubjectHistory[] = history.subjects.map((s) => {
      const missing = missingOf.get(s.subject) ?? [];
      return { ...s, isComplete: missing.length === 0, missing };
    });
    const isPerson = (s: SubjectHistory) => s.subject.startsWith('inmate/');
    const isFacility = (s: SubjectHistory) => s.subject.startsWith('facility/');
    const report: HistoryReport = {
      isComplete: history.missing.length === 0,
      streams: history.streams,
      unrevisioned: subjects.reduce((sum, s) => sum + s.unrevisioned, 0),
      missingRevisions: history.missing.length,
      people: subjects.filter(isPerson).length,
      incompletePeople: subjects.filter((s) => isPerson(s) && !s.isComplete).length,
      facilities: subjects.filter(isFacility).length,
      incompleteFacilities: subjects.filter((s) => isFacility(s) && !s.isComplete),
    };
    if (people) {
      const wanted = people === 'all' ? undefined : new Set(people.map((id) => `inmate/${id.toLowerCase()}`));
      const bySubject = new Map(subjects.map((s) => [s.subject, s]));
      report.persons = wanted
        ? [...wanted].map((subject) => bySubject.get(subject) ?? { subject, entries: 0, streams: 0, unrevisioned: 0, isComplete: true, missing: [] })
        : subjects.filter(isPerson);
    }
    return report;
  }

  /** The trusted public key (PEM) of a key id, if any. */
  trustedKeyPem(keyId: string): string | undefined {
    const key = this.trusted.get(keyId);
    return key ? publicKeyPem(key) : undefined;
  }

  /**
   * The person's entries with their Merkle inclusion proofs against the latest signed checkpoint:
   * everything an auditor needs to verify and replay them offline.
   */
  async export(inmateId: string, onProgress?: (stage: string, done: number, total: number) => void): Promise<{ header: ExportHeader; entries: ExportedEntry[] }> {
    const { valid } = await this.checkpoints();
    const checkpoint = valid[valid.length - 1];
    if (!checkpoint) throw new Error('no signed checkpoint yet: an export needs one to be verifiable offline');
    const entries = await this.repository.entriesOfInmate(inmateId, checkpoint.entryCount);
    // The proofs from the hashes read once in order, without holding the tree (merkle.ts, InclusionProofs).
    const tree = new InclusionProofs(checkpoint.entryCount, entries.map((entry) => entry.position));
    let read = 0;
    for await (const page of this.repository.hashesUpTo(checkpoint.entryCount)) {
      for (const hash of page) tree.append(hash);
      read += page.length;
      onProgress?.('reading hashes', read, checkpoint.entryCount);
    }
    if (read !== checkpoint.entryCount) {
      throw new Error(`the ledger holds ${read} of the ${checkpoint.entryCount} entries signed in checkpoint ${checkpoint.checkpointId}: run verify`);
    }
    const { root, proofs } = tree.finish();
    if (root !== checkpoint.merkleRoot) {
      throw new Error(`the ledger's first ${checkpoint.entryCount} entries no longer give the root signed in checkpoint ${checkpoint.checkpointId}: run verify`);
    }
    return {
      header: {
        kind: 'header',
        format: 'custody-audit-export/2',
        inmateId,
        exportedAt: new Date().toISOString(),
        checkpoint,
        publicKey: this.trustedKeyPem(checkpoint.keyId),
        entryCount: entries.length,
        publisherKeys: exportedPublisherKeys(this.publishers, entries),
      },
      entries: entries.map((entry) => ({ kind: 'entry', ...entry, proof: proofs.get(entry.position)! })),
    };
  }
}

/** The pages of a scan until `signal` is aborted: then the verification ends with an error (a service stopping). */
async function* untilAborted<T>(pages: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const page of pages) {
    if (signal.aborted) throw new Error('the verification was stopped before the end of the ledger (the service is stopping)');
    yield page;
  }
}

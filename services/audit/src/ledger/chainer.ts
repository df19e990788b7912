import type { Pool } from 'pg';
import { chain, type LedgerEntry, type UnchainedEntry } from './entry';
import { MerkleFrontier } from './merkle';
import { MARK_CONFLICT } from '../findings/findings.repository';
import { quoted } from './ledger.repository';

/** What one batch did. */
export interface ChainedBatch {
  /** Pending entries taken (chained, or dropped as already chained). */
  taken: number;
  entries: LedgerEntry[];
  size: number;
  headHash: string | null;
}

/**
 * The single writer of the chain. Consumers only write unchained entries (any number, in
 * parallel); the chainer takes them in arrival order, assigns positions and hashes and links
 * them in one transaction per batch, under a PostgreSQL advisory lock so that only one chainer
 * writes at a time (another instance skips its turn). Chaining one event per transaction with
 * a lock on the head caps near 1,500 appends/s; a batch costs one round trip for many entries.
 */
export class Chainer {
  private readonly s: string;
  private readonly lockKey: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly batchSize = 2000,
    /**
     * How long after its entries are chained a subject's invariant check is due
     * (INVARIANT_CHECK_DELAY_MS): entries of the subject chained meanwhile join the same check.
     */
    private readonly checkDelayMs = 0,
  ) {
    this.s = quoted(schema);
    this.lockKey = `audit-chainer:${schema}`;
  }

  /**
   * Chains up to one batch; undefined when entries wait and another chainer holds the lock.
   *
   * Seven round trips for a batch and one for an idle look (the chainer runs after every commit
   * of the ledger's consumer, and once more after each batch): the look, BEGIN, the lock, the
   * head, the pending entries with what the ledger already holds of them, one statement for
   * every write, COMMIT. The chainer is on the path of every case to the ledger.
   */
  async chainBatch(): Promise<ChainedBatch | undefined> {
    // Look before any transaction: an idle look (many a second) takes no transaction id, which
    // would hold back vacuum's horizon, and no lock.
    const { rows: look } = await this.pool.query<{ waiting: boolean; size: string; head_hash: string | null }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.s}.ledger_pending) AS waiting, size, head_hash FROM ${this.s}.ledger_head`,
    );
    if (!look[0].waiting) return { taken: 0, entries: [], size: Number(look[0].size), headHash: look[0].head_hash };
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [this.lockKey]);
      if (!lock[0].locked) {
        await client.query('ROLLBACK');
        return undefined;
      }
      const { rows: headRows } = await client.query<{ size: string; head_hash: string | null; frontier: { size: number; nodes: string[] } }>(
        `SELECT size, head_hash, frontier FROM ${this.s}.ledger_head FOR UPDATE`,
      );
      const head = headRows[0];
      // Each pending entry with whether its event is chained already (a race with a redelivery:
      // it is dropped) and the last hash of its subject's chain.
      const { rows: pending } = await client.query<{
        arrival: string;
        event_id: string;
        subject: string;
        inmate_id: string | null;
        body: string;
        signature: string | null;
        is_chained: boolean;
        subject_head: string | null;
      }>(
        `WITH p AS (SELECT arrival, event_id, subject, inmate_id, body, signature FROM ${this.s}.ledger_pending ORDER BY arrival LIMIT $1)
         SELECT p.arrival, p.event_id, p.subject, p.inmate_id, p.body, p.signature,
                EXISTS (SELECT 1 FROM ${this.s}.ledger l WHERE l.event_id = p.event_id) AS is_chained,
                (SELECT l.hash FROM ${this.s}.ledger l WHERE l.subject = p.subject ORDER BY l.position DESC LIMIT 1) AS subject_head
         FROM p ORDER BY p.arrival`,
        [this.batchSize],
      );
      if (pending.length === 0) {
        await client.query('COMMIT');
        return { taken: 0, entries: [], size: Number(head.size), headHash: head.head_hash };
      }
      const fresh: UnchainedEntry[] = pending
        .filter((p) => !p.is_chained)
        .map((p) => ({ eventId: p.event_id, subject: p.subject, inmateId: p.inmate_id, body: p.body, signature: p.signature }));
      const subjectHeads = new Map<string, string>();
      for (const p of pending) if (p.subject_head !== null) subjectHeads.set(p.subject, p.subject_head);
      const size = Number(head.size);
      const entries = chain(fresh, { size, hash: head.head_hash }, subjectHeads);
      const frontier = MerkleFrontier.fromJson(head.frontier);
      for (const entry of entries) frontier.append(entry.hash);
      // The people and facilities these entries touch are due for an invariant check, marked in
      // the same transaction so that no chained entry escapes the checks.
      const touched = [...new Set(entries.flatMap((e) => [e.subject, ...(e.inmateId ? [`inmate/${e.inmateId}`] : [])]))];
      const last = entries[entries.length - 1];
      const headHash = last ? last.hash : head.head_hash;
      await client.query(
        `WITH chained AS (
           INSERT INTO ${this.s}.ledger (position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash, signature)
           SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         ), due AS (
           INSERT INTO ${this.s}.invariant_checks_due (subject, due_at) SELECT unnest($10::text[]), now() + $15 * interval '1 millisecond' ${MARK_CONFLICT(this.s)}
         ), taken AS (
           DELETE FROM ${this.s}.ledger_pending WHERE arrival = ANY($11::bigint[])
         )
         UPDATE ${this.s}.ledger_head SET size = $12, head_hash = $13, frontier = $14`,
        [
          entries.map((e) => e.position),
          entries.map((e) => e.eventId),
          entries.map((e) => e.subject),
          entries.map((e) => e.inmateId),
          entries.map((e) => e.body),
          entries.map((e) => e.prevHash),
          entries.map((e) => e.subjectPrevHash),
          entries.map((e) => e.hash),
          entries.map((e) => e.signature ?? null),
          touched,
          pending.map((p) => p.arrival),
          size + entries.length,
          headHash,
          JSON.stringify(frontier.toJson()),
          this.checkDelayMs,
        ],
      );
      await client.query('COMMIT');
      return { taken: pending.length, entries, size: size + entries.length, headHash };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Chains until nothing is pending (tests, the CLI's catch-up). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.chainBatch();
      if (!batch || batch.taken === 0) return total;
      total += batch.entries.length;
    }
  }
}

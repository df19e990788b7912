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
  ) {
    this.s = quoted(schema);
    this.lockKey = `audit-chainer:${schema}`;
  }

  /** Chains up to one batch; undefined when another chainer holds the lock. */
  async chainBatch(): Promise<ChainedBatch | undefined> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked', [this.lockKey]);
      if (!lock[0].locked) {
        await client.query('ROLLBACK');
        return undefined;
      }
      // Look before locking: an idle tick (many a second) must not take a transaction id, which
      // would hold back the horizon of every reader of the server while it runs.
      const { rows: waiting } = await client.query(`SELECT 1 FROM ${this.s}.ledger_pending LIMIT 1`);
      if (waiting.length === 0) {
        const { rows: idleHead } = await client.query<{ size: string; head_hash: string | null }>(`SELECT size, head_hash FROM ${this.s}.ledger_head`);
        await client.query('COMMIT');
        return { taken: 0, entries: [], size: Number(idleHead[0].size), headHash: idleHead[0].head_hash };
      }
      const { rows: headRows } = await client.query<{ size: string; head_hash: string | null; frontier: { size: number; nodes: string[] } }>(
        `SELECT size, head_hash, frontier FROM ${this.s}.ledger_head FOR UPDATE`,
      );
      const head = headRows[0];
      const { rows: pending } = await client.query<{ arrival: string; event_id: string; subject: string; inmate_id: string | null; body: string; signature: string | null }>(
        `SELECT p.arrival, p.event_id, p.subject, p.inmate_id, p.body, p.signature FROM ${this.s}.ledger_pending p ORDER BY p.arrival LIMIT $1`,
        [this.batchSize],
      );
      if (pending.length === 0) {
        await client.query('COMMIT');
        return { taken: 0, entries: [], size: Number(head.size), headHash: head.head_hash };
      }
      // A pending entry whose event is already chained (a race with a redelivery) is dropped.
      const { rows: known } = await client.query<{ event_id: string }>(
        `SELECT event_id FROM ${this.s}.ledger WHERE event_id = ANY($1::uuid[])`,
        [pending.map((p) => p.event_id)],
      );
      const isKnown = new Set(known.map((k) => k.event_id));
      const fresh: UnchainedEntry[] = pending
        .filter((p) => !isKnown.has(p.event_id))
        .map((p) => ({ eventId: p.event_id, subject: p.subject, inmateId: p.inmate_id, body: p.body, signature: p.signature }));
      const subjects = [...new Set(fresh.map((e) => e.subject))];
      const { rows: heads } = await client.query<{ subject: string; hash: string }>(
        `SELECT DISTINCT ON (subject) subject, hash FROM ${this.s}.ledger WHERE subject = ANY($1::text[]) ORDER BY subject, position DESC`,
        [subjects],
      );
      const subjectHeads = new Map(heads.map((h) => [h.subject, h.hash]));
      const size = Number(head.size);
      const entries = chain(fresh, { size, hash: head.head_hash }, subjectHeads);
      const frontier = MerkleFrontier.fromJson(head.frontier);
      for (const entry of entries) frontier.append(entry.hash);
      if (entries.length > 0) {
        await client.query(
          `INSERT INTO ${this.s}.ledger (position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash, signature)
           SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
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
          ],
        );
      }
      // The people and facilities these entries touch are due for an invariant check, marked in
      // the same transaction so that no chained entry escapes the checks.
      const touched = [...new Set(entries.flatMap((e) => [e.subject, ...(e.inmateId ? [`inmate/${e.inmateId}`] : [])]))];
      if (touched.length > 0) {
        await client.query(`INSERT INTO ${this.s}.invariant_checks_due (subject, due_at) SELECT unnest($1::text[]), now() ${MARK_CONFLICT(this.s)}`, [touched]);
      }
      await client.query(`DELETE FROM ${this.s}.ledger_pending WHERE arrival = ANY($1::bigint[])`, [pending.map((p) => p.arrival)]);
      const last = entries[entries.length - 1];
      const headHash = last ? last.hash : head.head_hash;
      await client.query(`UPDATE ${this.s}.ledger_head SET size = $1, head_hash = $2, frontier = $3`, [
        size + entries.length,
        headHash,
        JSON.stringify(frontier.toJson()),
      ]);
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

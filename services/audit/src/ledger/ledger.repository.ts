import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import Cursor from 'pg-cursor';
import { migrateSchema, migrationSet } from '@custody/event-store';
import { MARK_CONFLICT } from '../findings/findings.repository';
import type { MissingEvent } from '../invariants/completeness.checks';
import type { LedgerEntry, UnchainedEntry } from './entry';
import { MerkleFrontier } from './merkle';

/** The head of the chained ledger: its size, last hash and Merkle frontier. */
export interface LedgerHead {
  size: number;
  headHash: string | null;
  frontier: MerkleFrontier;
}

interface EntryRow {
  position: string;
  event_id: string;
  subject: string;
  inmate_id: string | null;
  body: string;
  prev_hash: string | null;
  subject_prev_hash: string | null;
  hash: string;
  signature: string | null;
}

const ENTRY_COLUMNS = 'position, event_id, subject, inmate_id, body, prev_hash, subject_prev_hash, hash, signature';

/** ENTRY_COLUMNS as a row in array form: what scan reads. */
type EntryTuple = [string, string, string, string | null, string, string | null, string | null, string, string | null];

/** Every column as PostgreSQL sent it, as text: scan parses the position itself. */
const TEXT_AS_SENT = { getTypeParser: () => (value: string) => value };

function toEntry(row: EntryRow): LedgerEntry {
  return {
    position: Number(row.position),
    eventId: row.event_id,
    subject: row.subject,
    inmateId: row.inmate_id,
    body: row.body,
    prevHash: row.prev_hash,
    subjectPrevHash: row.subject_prev_hash,
    hash: row.hash,
    signature: row.signature,
  };
}

/** The completeness of the ledger's streams, as LedgerRepository.history computes it. */
export interface LedgerHistory {
  /** Streams whose entries carry revisions. */
  streams: number;
  /** Every subject of the ledger (`inmate/<id>`, `facility/<id>`): its entries, its streams with revisions, and its entries without. */
  subjects: Array<{ subject: string; entries: number; streams: number; unrevisioned: number }>;
  /** Every revision missing, by stream. */
  missing: MissingEvent[];
}

/** An event of the ledger's topics refused for its signature, as the consumer saw it (its headers unverified). */
export interface SignatureRefusal {
  /** The contract's topic (no prefix), the partition and the offset it was read at. */
  topic: string;
  partition: number;
  offset: string;
  eventId: string | null;
  type: string | null;
  source: string | null;
  subject: string | null;
  /** The key id its signature names, if any could be read. */
  kid: string | null;
  reason: string;
}

/** The subjects the invariant checks take: a person or a facility, by UUID. */
const CHECKED_SUBJECT_PATTERN = '^(inmate|facility)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const CHECKED_SUBJECT = new RegExp(CHECKED_SUBJECT_PATTERN);

/**
 * The subject of a topic's refused messages that name no person or facility: checked like a
 * person's, it raises a topic-level finding for each (FindingRaised version 2, `refusedMessage`;
 * docs/adr/0013-signed-events.md, "A forgery that names no one").
 */
export const TOPIC_SUBJECT_PREFIX = 'topic/';
export const topicSubject = (topic: string) => `${TOPIC_SUBJECT_PREFIX}${topic}`;

/** Quotes a schema name for SQL. */
export const quoted = (schema: string) => `"${schema.replace(/"/g, '""')}"`;

/**
 * The ledger's tables, in the service's schema:
 * - `ledger_pending`: entries as the consumers wrote them, not yet chained (unique by event id);
 * - `ledger`: the chained entries, insert-only: position, content, links and hash;
 * - `ledger_head`: one row, the chainer's head (size, last hash, Merkle frontier);
 * - `ledger_signing_keys`: the public keys that signed checkpoints, for verifiers;
 * - `invariant_checks_due`: people and facilities whose invariants are to be checked (marked by the chainer);
 * - `ledger_id_conflicts` (version 2): events whose id the ledger already holds with another body,
 *   kept aside, never chained: each is an EVENT_ID_CONFLICT finding (docs/adr/0014-namespaced-event-ids.md);
 * - `signature` of `ledger_pending` and `ledger` (version 3): the publisher's signature of the event
 *   as received, with the message it covers (canonical JSON of an EventSignatureRecord), null for an
 *   event that came unsigned; an entry that holds one is of version 2, its hash covering it
 *   (docs/adr/0013-signed-events.md). Entries chained before stay as they were (null, version 1);
 * - `ledger_signature_refusals` (version 4): events of the ledger's topics that the consumer refused
 *   for their signature (EVENT_SIGNATURE_INVALID), by their place on the topic, never chained: each
 *   is an event-signatures-valid finding of the person or facility its (unverified) subject names,
 *   or, when it names neither, a topic-level finding of its topic (version 5 marks the topics of
 *   refusals recorded before for a check, so that they raise theirs);
 * - `ledger_verifications` (version 6): every whole-chain verification the service ran, with its
 *   report as `GET /ledger/verify` answers it: the route returns the latest
 *   (docs/adr/0020-background-ledger-verification.md).
 * Text, not jsonb, holds the body: the exact bytes the hash covers. Version 1 is the DDL from
 * before versioned migrations, kept with IF NOT EXISTS: a no-op where it ran.
 */
export const LEDGER_MIGRATIONS = migrationSet('audit-ledger', ['pending and chained entries, head, invariant checks due, signing keys', (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.ledger_pending (
        arrival bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        subject text NOT NULL,
        inmate_id uuid,
        body text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS ${s}.ledger (
        position bigint PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        subject text NOT NULL,
        inmate_id uuid,
        body text NOT NULL,
        prev_hash text,
        subject_prev_hash text,
        hash text NOT NULL,
        chained_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS ledger_by_inmate ON ${s}.ledger (inmate_id, position);
      CREATE INDEX IF NOT EXISTS ledger_by_subject ON ${s}.ledger (subject, position);
      CREATE TABLE IF NOT EXISTS ${s}.ledger_head (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        size bigint NOT NULL,
        head_hash text,
        frontier jsonb NOT NULL
      );
      INSERT INTO ${s}.ledger_head (size, head_hash, frontier) VALUES (0, NULL, '{"size":0,"nodes":[]}') ON CONFLICT DO NOTHING;
      CREATE TABLE IF NOT EXISTS ${s}.invariant_checks_due (
        subject text PRIMARY KEY,
        due_at timestamptz NOT NULL,
        mark bigint NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS invariant_checks_due_by_time ON ${s}.invariant_checks_due (due_at);
      CREATE TABLE IF NOT EXISTS ${s}.ledger_signing_keys (
        key_id text PRIMARY KEY,
        public_key text NOT NULL,
        first_used_at timestamptz NOT NULL DEFAULT now()
      );
      `], ['event ids seen again with other content', (s) => `
      CREATE TABLE ${s}.ledger_id_conflicts (
        event_id uuid NOT NULL,
        body_hash text NOT NULL,
        subject text NOT NULL,
        inmate_id uuid,
        source text,
        body text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (event_id, body_hash)
      );
      CREATE INDEX ledger_id_conflicts_by_subject ON ${s}.ledger_id_conflicts (subject);
      `], ['the publisher\'s signature of each event', (s) => `
      ALTER TABLE ${s}.ledger_pending ADD COLUMN signature text;
      ALTER TABLE ${s}.ledger ADD COLUMN signature text;
      `], ['events refused for their signature', (s) => `
      CREATE TABLE ${s}.ledger_signature_refusals (
        topic text NOT NULL,
        partition integer NOT NULL,
        "offset" bigint NOT NULL,
        event_id text,
        type text,
        source text,
        subject text,
        kid text,
        reason text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition, "offset")
      );
      CREATE INDEX ledger_signature_refusals_by_subject ON ${s}.ledger_signature_refusals (subject);
      `], ['refusals that name no person or facility: checked per topic', (s) => `
      INSERT INTO ${s}.invariant_checks_due (subject, due_at)
      SELECT DISTINCT '${TOPIC_SUBJECT_PREFIX}' || topic, now() FROM ${s}.ledger_signature_refusals
       WHERE subject IS NULL OR subject !~ '${CHECKED_SUBJECT_PATTERN}'
      ON CONFLICT (subject) DO NOTHING;
      `], ['whole-chain verifications and their reports', (s) => `
      CREATE TABLE ${s}.ledger_verifications (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        started_at timestamptz NOT NULL,
        verified_at timestamptz NOT NULL,
        is_intact boolean NOT NULL,
        size bigint NOT NULL,
        report jsonb NOT NULL
      );
      `]);

/** Applies the ledger's missing migrations; safe when several instances start at once. */
export async function migrateLedger(pool: Pool, schema: string): Promise<void> {
  await migrateSchema(pool, schema, LEDGER_MIGRATIONS);
}

/** SQL access to the ledger (the service and the CLI use the same). */
export class LedgerRepository {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = quoted(schema);
  }

  /**
   * Writes an unchained entry. An event id already pending or chained is either a redelivery (the
   * same body: 'redelivery', nothing changes) or a conflict (another body under the id: 'conflict',
   * kept aside in ledger_id_conflicts and its subject marked for a check, which raises the
   * EVENT_ID_CONFLICT finding; the entry the ledger holds is not touched). `sameEvent` tells the
   * two bodies apart (the default: byte-equal canonical JSON).
   */
  async recordPending(
    query: (sql: string, params: unknown[]) => Promise<{ rowCount: number | null; rows: unknown[] }>,
    entry: UnchainedEntry,
    sameEvent: (held: string, received: string) => boolean = (held, received) => held === received,
  ): Promise<'recorded' | 'redelivery' | 'conflict'> {
    const inserted = await query(
      `INSERT INTO ${this.s}.ledger_pending (event_id, subject, inmate_id, body, signature)
       SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.ledger WHERE event_id = $1)
       ON CONFLICT (event_id) DO NOTHING`,
      [entry.eventId, entry.subject, entry.inmateId, entry.body, entry.signature ?? null],
    );
    if (inserted.rowCount !== 0) return 'recorded';
    const held = (await query(
      `SELECT body, subject FROM ${this.s}.ledger WHERE event_id = $1
       UNION ALL SELECT body, subject FROM ${this.s}.ledger_pending WHERE event_id = $1 LIMIT 1`,
      [entry.eventId],
    )).rows[0] as { body: string; subject: string } | undefined;
    if (!held || sameEvent(held.body, entry.body)) return 'redelivery';
    const source = (JSON.parse(entry.body) as { source?: unknown }).source;
    await query(
      `INSERT INTO ${this.s}.ledger_id_conflicts (event_id, body_hash, subject, inmate_id, source, body) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING`,
      [entry.eventId, createHash('sha256').update(entry.body).digest('hex'), entry.subject, entry.inmateId, typeof source === 'string' ? source : null, entry.body],
    );
    await query(
      `INSERT INTO ${this.s}.invariant_checks_due (subject, due_at) SELECT unnest($1::text[]), now() ${MARK_CONFLICT(this.s)}`,
      [[...new Set([entry.subject, held.subject])]],
    );
    return 'conflict';
  }

  /** The event ids a subject's events came again with under other content (version 2's table), oldest first. */
  async idConflicts(subject: string): Promise<Array<{ eventId: string; bodyHash: string; source: string | null; type: string | null; heldSource: string | null; receivedAt: string }>> {
    const { rows } = await this.pool.query<{ event_id: string; body_hash: string; source: string | null; type: string | null; held_source: string | null; received_at: Date }>(
      `SELECT c.event_id, c.body_hash, c.source, c.body::jsonb->>'type' AS type,
              coalesce(l.body, p.body)::jsonb->>'source' AS held_source, c.received_at
       FROM ${this.s}.ledger_id_conflicts c
       LEFT JOIN ${this.s}.ledger l ON l.event_id = c.event_id
       LEFT JOIN ${this.s}.ledger_pending p ON p.event_id = c.event_id
       WHERE c.subject = $1 ORDER BY c.received_at, c.event_id`,
      [subject],
    );
    return rows.map((r) => ({ eventId: r.event_id, bodyHash: r.body_hash, source: r.source, type: r.type, heldSource: r.held_source, receivedAt: r.received_at.toISOString() }));
  }

  /**
   * Records an event the consumer refused for its signature (version 4's table; once per place on
   * the topic) and marks the person or facility its subject names for a check, which raises the
   * event-signatures-valid finding. The subject is the refused message's own, unverified: when it
   * names no person or facility (none, garbage, a message that cannot be read at all), the topic is
   * marked instead (`topic/<topic>`), whose check raises a topic-level finding (docs/adr/0013-signed-events.md).
   */
  async recordSignatureRefusal(
    query: (sql: string, params: unknown[]) => Promise<{ rowCount: number | null; rows: unknown[] }>,
    refusal: SignatureRefusal,
  ): Promise<boolean> {
    const inserted = await query(
      `INSERT INTO ${this.s}.ledger_signature_refusals (topic, partition, "offset", event_id, type, source, subject, kid, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT DO NOTHING`,
      [refusal.topic, refusal.partition, refusal.offset, refusal.eventId, refusal.type, refusal.source, refusal.subject, refusal.kid, refusal.reason],
    );
    const checked = refusal.subject && CHECKED_SUBJECT.test(refusal.subject) ? refusal.subject : topicSubject(refusal.topic);
    await query(`INSERT INTO ${this.s}.invariant_checks_due (subject, due_at) SELECT unnest($1::text[]), now() ${MARK_CONFLICT(this.s)}`, [[checked]]);
    return inserted.rowCount !== 0;
  }

  /** The events refused for their signature on `topic` whose subject names no person or facility, oldest first. */
  async unnamedSignatureRefusals(topic: string): Promise<Array<SignatureRefusal & { receivedAt: string }>> {
    return this.refusalsWhere(`topic = $1 AND (subject IS NULL OR subject !~ $2)`, [topic, CHECKED_SUBJECT_PATTERN]);
  }

  /** The events refused for their signature whose subject is `subject`, oldest first. */
  async signatureRefusals(subject: string): Promise<Array<SignatureRefusal & { receivedAt: string }>> {
    return this.refusalsWhere('subject = $1', [subject]);
  }

  private async refusalsWhere(condition: string, params: unknown[]): Promise<Array<SignatureRefusal & { receivedAt: string }>> {
    const { rows } = await this.pool.query<{ topic: string; partition: number; offset: string; event_id: string | null; type: string | null; source: string | null; subject: string | null; kid: string | null; reason: string; received_at: Date }>(
      `SELECT topic, partition, "offset", event_id, type, source, subject, kid, reason, received_at FROM ${this.s}.ledger_signature_refusals WHERE ${condition} ORDER BY received_at, topic, partition, "offset"`,
      params,
    );
    return rows.map((r) => ({
      topic: r.topic, partition: r.partition, offset: r.offset, eventId: r.event_id, type: r.type, source: r.source, subject: r.subject, kid: r.kid, reason: r.reason, receivedAt: r.received_at.toISOString(),
    }));
  }

  async head(client: Pool | PoolClient = this.pool): Promise<LedgerHead> {
    const { rows } = await client.query<{ size: string; head_hash: string | null; frontier: { size: number; nodes: string[] } }>(
      `SELECT size, head_hash, frontier FROM ${this.s}.ledger_head`,
    );
    const row = rows[0];
    return { size: Number(row.size), headHash: row.head_hash, frontier: MerkleFrontier.fromJson(row.frontier) };
  }

  /** Entries chained so far. */
  async pendingCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.ledger_pending`);
    return Number(rows[0].n);
  }

  /** How many entries of a person the consumers wrote and the chainer has not linked yet. */
  async pendingOfInmate(inmateId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.s}.ledger_pending WHERE inmate_id = $1`, [inmateId]);
    return Number(rows[0].n);
  }

  /** A person's entries in ledger order: those with the person as subject and facility events naming them. */
  async entriesOfInmate(inmateId: string, upToSize?: number): Promise<LedgerEntry[]> {
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.s}.ledger WHERE inmate_id = $1 AND position < $2 ORDER BY position`,
      [inmateId, upToSize ?? Number.MAX_SAFE_INTEGER],
    );
    return rows.map(toEntry);
  }

  /** Entries of one subject (e.g. `facility/<id>`) in ledger order, from a position on (all by default). */
  async entriesOfSubject(subject: string, fromPosition = 0): Promise<LedgerEntry[]> {
    const { rows } = await this.pool.query<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ${this.s}.ledger WHERE subject = $1 AND position >= $2 ORDER BY position`,
      [subject, fromPosition],
    );
    return rows.map(toEntry);
  }

  /** When each entry of a person (or of a subject) was chained: when the ledger learnt of it. */
  async arrivals(of: { inmateId: string } | { subject: string }): Promise<Map<string, string>> {
    const [column, value] = 'inmateId' in of ? ['inmate_id', of.inmateId] : ['subject', of.subject];
    const { rows } = await this.pool.query<{ event_id: string; chained_at: Date }>(`SELECT event_id, chained_at FROM ${this.s}.ledger WHERE ${column} = $1`, [value]);
    return new Map(rows.map((r) => [r.event_id, r.chained_at.toISOString()]));
  }

  async entryAt(position: number): Promise<LedgerEntry | undefined> {
    const { rows } = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ${this.s}.ledger WHERE position = $1`, [position]);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  /**
   * Every entry from a position on, in position order, page by page, read with a cursor (constant
   * memory: one page in hand, the next on its way). The next page is asked for before this one is
   * handed out, so the server reads it while the caller works on this one (a verify hashes).
   */
  async *scan(fromPosition = 0, pageSize = 2000): AsyncGenerator<LedgerEntry[]> {
    const client = await this.pool.connect();
    try {
      // Rows as arrays of the text sent, not objects built by pg's type parsers: a full verify
      // reads every row of the ledger (docs/performance.md).
      const cursor = client.query(
        new Cursor<EntryTuple>(`SELECT ${ENTRY_COLUMNS} FROM ${this.s}.ledger WHERE position >= $1 ORDER BY position`, [fromPosition], { rowMode: 'array', types: TEXT_AS_SENT }),
      );
      let next: Promise<EntryTuple[]> | undefined = cursor.read(pageSize);
      try {
        for (;;) {
          const rows: EntryTuple[] = await next;
          next = undefined;
          if (rows.length === 0) return;
          next = cursor.read(pageSize);
          // Read by the next turn of the loop; a caller that stops early leaves it to the close below.
          next.catch(() => undefined);
          const page = new Array<LedgerEntry>(rows.length);
          for (let i = 0; i < rows.length; i++) {
            const [position, eventId, subject, inmateId, body, prevHash, subjectPrevHash, hash, signature] = rows[i];
            page[i] = { position: Number(position), eventId, subject, inmateId, body, prevHash, subjectPrevHash, hash, signature };
          }
          yield page;
        }
      } finally {
        if (next) await next.catch(() => undefined);
        await cursor.close();
      }
    } finally {
      client.release();
    }
  }

  /** The entry hashes of positions 0 .. size-1 in order, a page at a time, for Merkle proofs against a checkpoint (merkle.ts, InclusionProofs). */
  async *hashesUpTo(size: number, pageSize = 10_000): AsyncGenerator<string[]> {
    const client = await this.pool.connect();
    try {
      const cursor = client.query(new Cursor<{ hash: string }>(`SELECT hash FROM ${this.s}.ledger WHERE position < $1 ORDER BY position`, [size]));
      try {
        for (;;) {
          const rows = await cursor.read(pageSize);
          if (rows.length === 0) return;
          yield rows.map((row) => row.hash);
        }
      } finally {
        await cursor.close();
      }
    } finally {
      client.release();
    }
  }

  /**
   * What the chained entries say of the completeness of their streams (docs/architecture.md,
   * "Completeness"), the rule of missingEvents (invariants/completeness.checks.ts) computed by the
   * database over the whole ledger: the revisions named as a stream's previous published one
   * that no entry has (except, where the subject has entries of the same publisher without
   * revisions, one named below the stream's first revisioned entry: unknown, not missing); how
   * many streams carry revisions, how many entries carry none; and every subject of the ledger
   * with its entries and streams.
   */
  async history(): Promise<LedgerHistory> {
    // One statement: one snapshot, and it runs on a read-only replica as well.
    const { rows } = await this.pool.query<{
      kind: 'missing' | 'subject' | 'total'; subject: string | null; source: string | null; stream: string | null; missing: string | null;
      revision: string | null; event_id: string | null; entries: string | null; streams: string | null; unrevisioned: string | null;
    }>(
      `WITH placed AS MATERIALIZED (
         SELECT event_id, subject, coalesce(b->>'source', '') AS source, b->>'stream' AS stream,
                (b->>'streamRevision')::bigint AS revision, (b->>'streamPrevious')::bigint AS previous
         FROM (SELECT event_id, subject, body::jsonb AS b FROM ${this.s}.ledger) entries
       ), revisioned AS (
         SELECT *, min(revision) OVER (PARTITION BY source, stream) AS first FROM placed WHERE stream IS NOT NULL AND revision IS NOT NULL
       ), legacy AS (
         SELECT DISTINCT subject, source FROM placed WHERE stream IS NULL OR revision IS NULL
       ), missing AS (
         SELECT DISTINCT ON (r.source, r.stream, r.previous) r.subject, r.source, r.stream, r.previous, r.revision, r.event_id
         FROM revisioned r
         LEFT JOIN revisioned m ON m.source = r.source AND m.stream = r.stream AND m.revision = r.previous
         LEFT JOIN legacy l ON l.subject = r.subject AND l.source = r.source
         WHERE r.previous >= 0 AND m.event_id IS NULL AND NOT (r.previous < r.first AND l.subject IS NOT NULL)
         ORDER BY r.source, r.stream, r.previous, r.revision
       )
       SELECT 'missing' AS kind, subject, source, stream, previous AS missing, revision, event_id::text, NULL::bigint AS entries, NULL::bigint AS streams, NULL::bigint AS unrevisioned FROM missing
       UNION ALL
       SELECT 'subject', subject, NULL, NULL, NULL, NULL, NULL, count(*),
              count(DISTINCT (source, stream)) FILTER (WHERE stream IS NOT NULL AND revision IS NOT NULL),
              count(*) FILTER (WHERE stream IS NULL OR revision IS NULL)
       FROM placed GROUP BY subject
       UNION ALL
       SELECT 'total', NULL, NULL, NULL, NULL, NULL, NULL, NULL, count(DISTINCT (source, stream)), NULL FROM revisioned`,
    );
    const history: LedgerHistory = { streams: 0, subjects: [], missing: [] };
    for (const row of rows) {
      if (row.kind === 'total') history.streams = Number(row.streams);
      else if (row.kind === 'subject') history.subjects.push({ subject: row.subject!, entries: Number(row.entries), streams: Number(row.streams), unrevisioned: Number(row.unrevisioned) });
      else {
        history.missing.push({
          subject: row.subject!,
          source: row.source!,
          stream: row.stream!,
          revision: Number(row.missing),
          followedBy: { revision: Number(row.revision), eventId: row.event_id! },
        });
      }
    }
    history.subjects.sort((a, b) => a.subject.localeCompare(b.subject));
    history.missing.sort((a, b) => a.subject.localeCompare(b.subject) || a.source.localeCompare(b.source) || a.stream.localeCompare(b.stream) || a.revision - b.revision);
    return history;
  }

  /** Records a whole-chain verification and its report (the report as the route answers it). */
  async recordVerification(verification: { startedAt: Date; verifiedAt: Date; isIntact: boolean; size: number; report: object }): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.ledger_verifications (started_at, verified_at, is_intact, size, report) VALUES ($1, $2, $3, $4, $5)`,
      [verification.startedAt, verification.verifiedAt, verification.isIntact, verification.size, JSON.stringify(verification.report)],
    );
  }

  /** The latest whole-chain verification recorded, if any. */
  async lastVerification(): Promise<{ startedAt: Date; verifiedAt: Date; report: unknown } | undefined> {
    const { rows } = await this.pool.query<{ started_at: Date; verified_at: Date; report: unknown }>(
      `SELECT started_at, verified_at, report FROM ${this.s}.ledger_verifications ORDER BY id DESC LIMIT 1`,
    );
    const row = rows[0];
    return row && { startedAt: row.started_at, verifiedAt: row.verified_at, report: row.report };
  }

  async rememberSigningKey(keyId: string, publicKeyPem: string): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.ledger_signing_keys (key_id, public_key) VALUES ($1, $2) ON CONFLICT (key_id) DO NOTHING`, [keyId, publicKeyPem]);
  }

  async signingKeys(): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ key_id: string; public_key: string }>(`SELECT key_id, public_key FROM ${this.s}.ledger_signing_keys`);
    return new Map(rows.map((r) => [r.key_id, r.public_key]));
  }
}

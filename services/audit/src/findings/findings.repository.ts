import { hash } from 'node:crypto';
import type { Invariant, RefusedMessage } from '@custody/contracts';
import type { Pool } from 'pg';
import { migrateSchema, migrationSet } from '@custody/event-store';
import { quoted, topicSubject } from '../ledger/ledger.repository';

/** A finding as `GET /findings` lists it (the read model of FindingRaised and FindingResolved). */
export interface Finding {
  findingId: string;
  invariant: Invariant;
  /** `inmate/<id>`, `facility/<id>`, or `topic/<topic>` for a topic-level finding. */
  subject: string;
  inmateId?: string;
  facilityId?: string;
  /** A topic-level finding's message: refused off the topic, naming no person or facility (FindingRaised version 2). */
  refusedMessage?: RefusedMessage;
  status: 'open' | 'resolved';
  description: string;
  evidenceEventIds: string[];
  raisedAt: string;
  raisedEventId: string;
  /** The ledger's size when it was raised: entries from there on are the evidence that can resolve it. */
  raisedAtLedgerSize: number;
  resolvedAt?: string;
  resolution?: string;
  resolutionEventIds?: string[];
  /** Revision of the finding's stream (`finding-<id>`) after its last event. */
  revision: number;
}

/** The stream of the service's event store that holds one finding's events. */
export const findingStream = (findingId: string) => `finding-${findingId}`;

/** The same violation always gets the same finding id: a UUID (version 5 layout) from SHA-256 of its key. */
export function findingIdOf(key: string): string {
  const h = hash('sha256', `custody-audit-finding/1\n${key}`, 'hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A finding event as the projection reads it (from a transaction's append, or replayed from the store). */
export interface FindingEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: string;
  revision: number;
  ledgerSize?: number;
}

/** A subject due for a check, with the mark it had when read (a newer mark keeps it due). */
export interface DueCheck {
  subject: string;
  mark: string;
}

/** Marking again keeps the earlier instant and bumps the mark, so that a check in progress does not clear it. */
export const MARK_CONFLICT = (s: string) =>
  `ON CONFLICT (subject) DO UPDATE SET due_at = LEAST(${s}.invariant_checks_due.due_at, EXCLUDED.due_at), mark = ${s}.invariant_checks_due.mark + 1`;

type Query = (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

/** Whose a raised finding is: the person, else the facility, else (a topic-level finding, version 2) the refused message's topic. */
function subjectOfFinding(d: Record<string, unknown>): string {
  if (d.inmateId) return `inmate/${String(d.inmateId)}`;
  if (d.facilityId) return `facility/${String(d.facilityId)}`;
  return topicSubject(String((d.refusedMessage as { topic?: unknown } | undefined)?.topic));
}

interface FindingRow {
  finding_id: string;
  invariant: Invariant;
  subject: string;
  inmate_id: string | null;
  facility_id: string | null;
  status: 'open' | 'resolved';
  description: string;
  evidence_event_ids: string[];
  raised_at: string;
  raised_event_id: string;
  raised_at_ledger_size: string;
  resolved_at: string | null;
  resolution: string | null;
  resolution_event_ids: string[] | null;
  revision: number;
  refused_message: RefusedMessage | null;
}

function toFinding(row: FindingRow): Finding {
  const finding: Finding = {
    findingId: row.finding_id,
    invariant: row.invariant,
    subject: row.subject,
    status: row.status,
    description: row.description,
    evidenceEventIds: row.evidence_event_ids,
    raisedAt: row.raised_at,
    raisedEventId: row.raised_event_id,
    raisedAtLedgerSize: Number(row.raised_at_ledger_size),
    revision: row.revision,
  };
  if (row.inmate_id) finding.inmateId = row.inmate_id;
  if (row.facility_id) finding.facilityId = row.facility_id;
  if (row.refused_message) finding.refusedMessage = row.refused_message;
  if (row.resolved_at) finding.resolvedAt = row.resolved_at;
  if (row.resolution) finding.resolution = row.resolution;
  if (row.resolution_event_ids) finding.resolutionEventIds = row.resolution_event_ids;
  return finding;
}

const COLUMNS = 'finding_id, invariant, subject, inmate_id, facility_id, status, description, evidence_event_ids, raised_at, raised_event_id, raised_at_ledger_size, resolved_at, resolution, resolution_event_ids, revision, refused_message';

/**
 * The findings table's migrations; version 1 keeps IF NOT EXISTS, a no-op where the old DDL ran.
 * Version 2: `refused_message`, a topic-level finding's refused message (its subject `topic/<topic>`).
 */
export const FINDINGS_MIGRATIONS = migrationSet('audit-findings', ['findings', (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.findings (
        finding_id uuid PRIMARY KEY,
        invariant text NOT NULL,
        subject text NOT NULL,
        inmate_id uuid,
        facility_id uuid,
        status text NOT NULL,
        description text NOT NULL,
        evidence_event_ids jsonb NOT NULL,
        raised_at text NOT NULL,
        raised_event_id uuid NOT NULL,
        raised_at_ledger_size bigint NOT NULL,
        resolved_at text,
        resolution text,
        resolution_event_ids jsonb,
        revision integer NOT NULL
      );
      CREATE INDEX IF NOT EXISTS findings_by_subject ON ${s}.findings (subject, status);
      CREATE INDEX IF NOT EXISTS findings_by_inmate ON ${s}.findings (inmate_id, raised_at);
      `], ['topic-level findings: the refused message', (s) => `
      ALTER TABLE ${s}.findings ADD COLUMN refused_message jsonb;
      `]);

/**
 * The findings read model (`findings`), kept in the same transaction as the finding events it
 * comes from, and rebuildable from position 0 of the service's event store. Instants are kept as
 * the events wrote them (text), so that a rebuild gives the same bytes.
 */
export class FindingsRepository {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.s = quoted(schema);
  }

  static async migrate(pool: Pool, schema: string): Promise<void> {
    await migrateSchema(pool, schema, FINDINGS_MIGRATIONS);
  }

  /** Applies one finding event to the read model (live, in the append's transaction, or in a rebuild). */
  async apply(query: Query, event: FindingEvent): Promise<void> {
    const d = event.data;
    if (event.type === 'FindingRaised') {
      await query(
        `INSERT INTO ${this.s}.findings (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, NULL, NULL, NULL, $11, $12)
         ON CONFLICT (finding_id) DO UPDATE SET status = 'open', description = $6, evidence_event_ids = $7, raised_at = $8,
           raised_event_id = $9, raised_at_ledger_size = $10, resolved_at = NULL, resolution = NULL, resolution_event_ids = NULL, revision = $11, refused_message = $12`,
        [
          d.findingId, d.invariant, subjectOfFinding(d), d.inmateId ?? null, d.facilityId ?? null,
          d.description, JSON.stringify(d.evidenceEventIds), event.occurredAt, event.id, event.ledgerSize ?? 0, event.revision,
          d.refusedMessage ? JSON.stringify(d.refusedMessage) : null,
        ],
      );
    } else if (event.type === 'FindingResolved') {
      await query(
        `UPDATE ${this.s}.findings SET status = 'resolved', resolved_at = $2, resolution = $3, resolution_event_ids = $4, revision = $5 WHERE finding_id = $1`,
        [d.findingId, event.occurredAt, d.resolution, JSON.stringify(d.evidenceEventIds), event.revision],
      );
    }
  }

  /** Findings, newest first, optionally of one person, facility or topic (its topic-level findings) and in one status. */
  async list(filter: { inmateId?: string; facilityId?: string; topic?: string; status?: 'open' | 'resolved' } = {}, query: Query = (sql, params) => this.pool.query(sql, params)): Promise<Finding[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter.inmateId) conditions.push(`inmate_id = $${params.push(filter.inmateId)}`);
    if (filter.facilityId) conditions.push(`facility_id = $${params.push(filter.facilityId)}`);
    if (filter.topic) conditions.push(`subject = $${params.push(topicSubject(filter.topic))}`);
    if (filter.status) conditions.push(`status = $${params.push(filter.status)}`);
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const { rows } = await query(`SELECT ${COLUMNS} FROM ${this.s}.findings ${where} ORDER BY raised_at DESC, finding_id`, params);
    return (rows as unknown as FindingRow[]).map(toFinding);
  }

  /** Findings of one subject, by id (inside the reconciling transaction). */
  async ofSubject(query: Query, subject: string): Promise<Map<string, Finding>> {
    const { rows } = await query(`SELECT ${COLUMNS} FROM ${this.s}.findings WHERE subject = $1`, [subject]);
    return new Map((rows as unknown as FindingRow[]).map((r) => [r.finding_id, toFinding(r)]));
  }

  /** Every open finding in id order: part of the state digest. */
  async open(query: Query = (sql, params) => this.pool.query(sql, params)): Promise<Finding[]> {
    const { rows } = await query(`SELECT ${COLUMNS} FROM ${this.s}.findings WHERE status = 'open' ORDER BY finding_id`, []);
    return (rows as unknown as FindingRow[]).map(toFinding);
  }

  async clear(query: Query): Promise<void> {
    await query(`DELETE FROM ${this.s}.findings`, []);
  }

  /** Subjects whose invariants are due for a check (newly chained entries, a grace period or deadline run out). */
  async dueSubjects(limit: number, now: string): Promise<DueCheck[]> {
    const { rows } = await this.pool.query<{ subject: string; mark: string }>(
      `SELECT subject, mark FROM ${this.s}.invariant_checks_due WHERE due_at <= $1 ORDER BY due_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ subject: r.subject, mark: r.mark }));
  }

  /** Marks a subject to be checked at an instant (the earlier mark wins). */
  async markDue(query: Query, subject: string, at: string): Promise<void> {
    await query(`INSERT INTO ${this.s}.invariant_checks_due (subject, due_at) VALUES ($1, $2) ${MARK_CONFLICT(this.s)}`, [subject, at]);
  }

  /** Clears a mark that was checked, unless it was marked again meanwhile. */
  async clearDue(query: Query, due: DueCheck): Promise<void> {
    await query(`DELETE FROM ${this.s}.invariant_checks_due WHERE subject = $1 AND mark = $2`, [due.subject, due.mark]);
  }
}

import { createHash } from 'node:crypto';
import { canonicalJson } from '@custody/contracts';
import type { PostgresEventStore } from '@custody/event-store';
import type { Pool } from 'pg';
import Cursor from 'pg-cursor';
import type { LedgerEvent } from '../ledger/entry';
import { quoted } from '../ledger/ledger.repository';
import { foldTimeline, type TimelineEvent } from '../timeline/timeline';
import { type Finding, FindingsRepository } from './findings.repository';
import { FINDINGS_LOCK } from './invariant-checker';

/** The digest of the audit service's state, and what it covers. */
export interface StateDigest {
  algorithm: 'SHA-256';
  /** Hex SHA-256 of the RFC 8785 canonical JSON `{"openFindings":[…],"timelines":[…]}`. */
  digest: string;
  ledgerSize: number;
  people: number;
  openFindings: number;
}

/** What of an open finding the digest covers: everything its events say (not the read model's bookkeeping). */
const digestOf = (f: Finding) => ({
  findingId: f.findingId,
  invariant: f.invariant,
  subject: f.subject,
  ...(f.inmateId ? { inmateId: f.inmateId } : {}),
  ...(f.facilityId ? { facilityId: f.facilityId } : {}),
  ...(f.refusedMessage ? { refusedMessage: f.refusedMessage } : {}),
  description: f.description,
  evidenceEventIds: f.evidenceEventIds,
  raisedAt: f.raisedAt,
  raisedEventId: f.raisedEventId,
});

/**
 * SHA-256 over the canonical JSON of the open findings (by id) and of every person's custody
 * timeline (by inmate id, folded from the chained ledger up to `ledgerSize`). Written piece by
 * piece, each piece canonical, so that the bytes are those of the whole document and memory
 * follows one person's history, not the ledger's size.
 */
export async function stateDigest(pool: Pool, schema: string, findings: FindingsRepository, onProgress?: (people: number) => void): Promise<StateDigest> {
  const s = quoted(schema);
  const client = await pool.connect();
  try {
    // One snapshot for the head, the findings and the ledger: a consistent state even while the service runs.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: head } = await client.query<{ size: string }>(`SELECT size FROM ${s}.ledger_head`);
    const ledgerSize = Number(head[0].size);
    const open = await findings.open((sql, params) => client.query(sql, params));
    const sha = createHash('sha256');
    sha.update(`{"openFindings":[${open.map((f) => canonicalJson(digestOf(f))).join(',')}],"timelines":[`);
    let people = 0;
    let current: { inmateId: string; events: TimelineEvent[] } | undefined;
    const flush = () => {
      if (!current) return;
      sha.update((people > 0 ? ',' : '') + canonicalJson(foldTimeline(current.inmateId, current.events)));
      people += 1;
      if (people % 1000 === 0) onProgress?.(people);
    };
    const cursor = client.query(
      new Cursor<{ inmate_id: string; position: string; body: string }>(
        `SELECT inmate_id, position, body FROM ${s}.ledger WHERE inmate_id IS NOT NULL AND position < $1 ORDER BY inmate_id, position`,
        [ledgerSize],
      ),
    );
    for (;;) {
      const rows = await cursor.read(5000);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (current?.inmateId !== row.inmate_id) {
          flush();
          current = { inmateId: row.inmate_id, events: [] };
        }
        current.events.push({ ...(JSON.parse(row.body) as LedgerEvent), position: Number(row.position) });
      }
    }
    flush();
    await cursor.close();
    await client.query('COMMIT');
    sha.update(']}');
    onProgress?.(people);
    return { algorithm: 'SHA-256', digest: sha.digest('hex'), ledgerSize, people, openFindings: open.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Rebuilds the findings read model from position 0 of the service's event store (under the lock
 * every finding writer takes, so no check interleaves), then digests the resulting state. The
 * timelines need no rebuild: they are folded from the ledger on every read.
 */
export async function rebuildFindings(pool: Pool, store: PostgresEventStore, schema: string, onProgress?: (stage: string, done: number) => void): Promise<StateDigest> {
  const findings = new FindingsRepository(pool, schema);
  await FindingsRepository.migrate(pool, schema);
  await store.transaction(async (tx) => {
    const query = (sql: string, params: unknown[]) => tx.query(sql, params);
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [FINDINGS_LOCK(schema)]);
    const events = [];
    for await (const event of store.readAll({ filter: { eventTypes: ['FindingRaised', 'FindingResolved'] } })) events.push(event);
    await findings.clear(query);
    for (const [i, event] of events.entries()) {
      await findings.apply(query, {
        id: event.id,
        type: event.type,
        data: event.data as Record<string, unknown>,
        occurredAt: event.metadata.occurredAt,
        revision: event.revision,
        ledgerSize: typeof event.metadata.ledgerSize === 'number' ? event.metadata.ledgerSize : undefined,
      });
      if ((i + 1) % 1000 === 0) onProgress?.('finding events replayed', i + 1);
    }
    onProgress?.('finding events replayed', events.length);
  });
  return stateDigest(pool, schema, findings, (people) => onProgress?.('timelines digested', people));
}

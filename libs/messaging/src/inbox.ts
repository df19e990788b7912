import { createHash } from 'node:crypto';
import { migrationSet, type MigrationRun, type MigrationSet } from '@custody/event-store';

/** What the inbox needs of a database transaction. */
export interface InboxTransaction {
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null; rows?: unknown[] }>;
}

/** Runs work in one database transaction (the event store's unit of work), and applies migration sets to its database. */
export interface TransactionRunner<Tx extends InboxTransaction> {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  applyMigrations(set: MigrationSet, schemaName?: string): Promise<MigrationRun>;
}

/**
 * processed: the work ran. duplicate: this (source, id) was processed before with the same
 * content, nothing ran. conflict: this (source, id) was processed before with other content,
 * nothing ran: another message took an id already used (docs/adr/0014-namespaced-event-ids.md).
 */
export type InboxOutcome = 'processed' | 'duplicate' | 'conflict';

/**
 * Which message a claim is for: its id (ce_id), its sender (ce_source; '' when it has none) and
 * a digest of its content ({@link messageDigest}). A bare string is an id with no source and no
 * digest (its duplicates are never told apart from conflicts).
 */
export interface InboxKey {
  id: string;
  source: string;
  digest?: string;
}

/**
 * The digest the inbox keeps of a message: SHA-256 over its type, subject and value (the value of
 * a CloudEvents binary message is its data). A true redelivery, or the relay publishing the same
 * stored event again, gives the same digest; another content under the same id does not.
 */
export function messageDigest(message: { type: string; subject?: string; value: Buffer | string | null }): string {
  const hash = createHash('sha256');
  for (const part of [message.type, message.subject ?? '']) hash.update(`${Buffer.byteLength(part)}:${part}`);
  if (message.value !== null) hash.update(message.value);
  return hash.digest('hex');
}

/**
 * The inbox's table. Version 1 is the DDL from before versioned migrations (IF NOT EXISTS): a
 * no-op where it ran. Version 2 keys it by (consumer, source, id) and keeps a digest of each
 * message's content; rows from before keep source '' and no digest, and are still found (a
 * redelivery of a message processed before the upgrade stays a duplicate).
 */
export const INBOX_MIGRATIONS = migrationSet(
  'inbox',
  ['inbox table', (s) => `
    CREATE TABLE IF NOT EXISTS ${s}.inbox (
      consumer text NOT NULL,
      event_id text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      "offset" bigint NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, event_id)
    )`],
  ['inbox keyed by (source, id), with a digest of the content', (s) => `
    ALTER TABLE ${s}.inbox ADD COLUMN source text NOT NULL DEFAULT '', ADD COLUMN digest text;
    ALTER TABLE ${s}.inbox DROP CONSTRAINT inbox_pkey, ADD PRIMARY KEY (consumer, source, event_id);
  `],
  // The member id each instance of a consumer group last joined with, removed from the group when
  // the instance starts again (docs/adr/0017-restart-replaces-previous-member.md).
  ['group members of each instance', (s) => `
    CREATE TABLE IF NOT EXISTS ${s}.consumer_member (
      consumer text NOT NULL,
      instance_id text NOT NULL,
      member_id text NOT NULL,
      joined_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (consumer, instance_id)
    )`],
);

const keyOf = (key: string | InboxKey): InboxKey => (typeof key === 'string' ? { id: key, source: '' } : key);

/**
 * The inbox: the (source, id) of the messages a consumer has processed, with a digest of each,
 * kept in the consumer's own database and written in the same transaction as whatever the handler
 * appends. A redelivered or duplicated message finds its (source, id) and digest and changes
 * nothing; a message whose (source, id) was processed with another content changes nothing
 * either, and is answered 'conflict' for the consumer to raise (never a silent drop).
 */
export class PostgresInbox<Tx extends InboxTransaction> {
  private readonly table: string;
  private readonly members: string;

  constructor(
    private readonly runner: TransactionRunner<Tx>,
    private readonly schema: string,
  ) {
    this.table = `"${schema.replace(/"/g, '""')}".inbox`;
    this.members = `"${schema.replace(/"/g, '""')}".consumer_member`;
  }

  /**
   * The member id this instance of the consumer group last joined with, if it recorded one: the
   * member its previous run left in the group (docs/adr/0017-restart-replaces-previous-member.md).
   */
  async previousMember(consumer: string, instanceId: string): Promise<string | undefined> {
    const result = await this.runner.transaction((tx) => tx.query(`SELECT member_id FROM ${this.members} WHERE consumer = $1 AND instance_id = $2`, [consumer, instanceId]));
    return (result.rows?.[0] as { member_id: string } | undefined)?.member_id;
  }

  /** Records the member id this instance of the consumer group joined with (replacing the one before). */
  async recordMember(consumer: string, instanceId: string, memberId: string): Promise<void> {
    await this.runner.transaction((tx) =>
      tx.query(
        `INSERT INTO ${this.members} (consumer, instance_id, member_id) VALUES ($1, $2, $3)
         ON CONFLICT (consumer, instance_id) DO UPDATE SET member_id = EXCLUDED.member_id, joined_at = now()`,
        [consumer, instanceId, memberId],
      ),
    );
  }

  /** Creates or migrates the inbox table (the project's migration runner); safe when several instances start at once. */
  async migrate(): Promise<void> {
    await this.runner.applyMigrations(INBOX_MIGRATIONS, this.schema);
  }

  /**
   * Runs `work` once per (consumer, source, id): claims it and runs the work in one transaction.
   * If it was already claimed, nothing runs: 'duplicate' when the content is the same (or unknown),
   * 'conflict' when its digest differs. If the work throws, the claim rolls back with everything else.
   */
  async runOnce(
    consumer: string,
    key: string | InboxKey,
    origin: { topic: string; partition: number; offset: string },
    work: (tx: Tx) => Promise<void>,
    { claim = true }: { claim?: boolean } = {},
  ): Promise<InboxOutcome> {
    return this.runner.transaction((tx) => this.claimAndRun(tx, consumer, key, origin, work, claim));
  }

  /**
   * Runs several messages' work in one transaction, in order: one commit for the lot. Stops at
   * the first work that throws: what ran before it commits, its own claim and work do not, and
   * the error is returned in its place so the caller can retry that message alone. Same guarantee
   * as runOnce: effects and inbox entries commit together. With `maxMs`, also stops (and commits)
   * once the transaction has run that long, after at least one item: fewer results than items
   * means the rest is still to do.
   *
   * No savepoint guards each message (two round trips each, for a failure that is rare): a work
   * that throws rolls the whole transaction back, and the messages before it run again, in a
   * transaction of their own, without it (docs/architecture.md, "Consumers: handlers, inbox, retries and dead letters"). A work may therefore
   * run more than once before its effects commit, as it may on any retry; only the committed run
   * counts.
   */
  async runMany(
    consumer: string,
    items: Array<{ eventId: string | InboxKey; origin: { topic: string; partition: number; offset: string }; work: (tx: Tx) => Promise<void>; claim?: boolean }>,
    { maxMs }: { maxMs?: number } = {},
  ): Promise<Array<InboxOutcome | { error: unknown }>> {
    // One message (the usual batch below full load): its failure rolls the transaction back,
    // which undoes exactly its claim and its work; a failure to begin or commit still throws.
    if (items.length === 1) return [await this.runAlone(consumer, items[0])];
    if (items.length === 0) return [];
    let failed: { index: number; error: unknown };
    try {
      return await this.runner.transaction(async (tx) => {
        const started = Date.now();
        const results: InboxOutcome[] = [];
        for (const [index, { eventId, origin, work, claim }] of items.entries()) {
          if (maxMs !== undefined && results.length > 0 && Date.now() - started >= maxMs) break;
          try {
            results.push(await this.claimAndRun(tx, consumer, eventId, origin, work, claim));
          } catch (error) {
            throw new ItemFailed(error, index);
          }
        }
        return results;
      });
    } catch (error) {
      if (!(error instanceof ItemFailed)) throw error;
      failed = { index: error.index, error: error.failure };
    }
    // The messages before the failed one, again and without it (each rerun is shorter: this ends).
    const before = await this.runMany(consumer, items.slice(0, failed.index), { maxMs });
    if (before.length < failed.index || before.some((r) => typeof r !== 'string')) return before;
    return [...before, { error: failed.error }];
  }

  /** One message of runMany in a transaction of its own: its claim's or its work's error is returned, not thrown. */
  private async runAlone(
    consumer: string,
    { eventId, origin, work, claim }: { eventId: string | InboxKey; origin: { topic: string; partition: number; offset: string }; work: (tx: Tx) => Promise<void>; claim?: boolean },
  ): Promise<InboxOutcome | { error: unknown }> {
    try {
      return await this.runner.transaction(async (tx) => {
        try {
          return await this.claimAndRun(tx, consumer, eventId, origin, work, claim);
        } catch (error) {
          throw new ItemFailed(error);
        }
      });
    } catch (error) {
      if (error instanceof ItemFailed) return { error: error.failure };
      throw error;
    }
  }

  /**
   * Claims the message in `tx` and, when this transaction took it, runs its work there. With
   * `claim` false the work runs without a claim, every time the message comes: for a handler whose
   * own writes are idempotent and tell a redelivery from a conflict themselves (the audit ledger's,
   * docs/adr/0014-namespaced-event-ids.md, "The ledger's consumer").
   */
  private async claimAndRun(
    tx: Tx,
    consumer: string,
    key: string | InboxKey,
    origin: { topic: string; partition: number; offset: string },
    work: (tx: Tx) => Promise<void>,
    claim = true,
  ): Promise<InboxOutcome> {
    if (!claim) {
      await work(tx);
      return 'processed';
    }
    const outcome = await this.claim(tx, consumer, keyOf(key), origin);
    if (outcome === 'processed') await work(tx);
    return outcome;
  }

  /**
   * Claims (consumer, source, id): 'processed' when this transaction took it; otherwise what was
   * claimed before says 'duplicate' (same digest, or a row or a message without one) or
   * 'conflict'. A row from before version 2 (source '') counts as the same message's.
   */
  private async claim(tx: Tx, consumer: string, key: InboxKey, origin: { topic: string; partition: number; offset: string }): Promise<InboxOutcome> {
    // One round trip: what was claimed before (this source's row, else a row from before version
    // 2), and the claim when there was none.
    const claim = () =>
      tx.query(
        `WITH seen AS (
           SELECT digest FROM ${this.table} WHERE consumer = $1 AND event_id = $3 AND source IN ($2, '') ORDER BY source DESC LIMIT 1
         ), claimed AS (
           INSERT INTO ${this.table} (consumer, source, event_id, digest, topic, partition, "offset")
           SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM seen)
           ON CONFLICT DO NOTHING RETURNING 1
         )
         SELECT EXISTS (SELECT 1 FROM claimed) AS claimed, EXISTS (SELECT 1 FROM seen) AS seen, (SELECT digest FROM seen) AS digest`,
        [consumer, key.source, key.id, key.digest ?? null, origin.topic, origin.partition, origin.offset],
      );
    let row = (await claim()).rows?.[0] as { claimed: boolean; seen: boolean; digest: string | null } | undefined;
    if (!row) throw new Error('inbox: the claim returned no row');
    if (row.claimed) return 'processed';
    // Claimed meanwhile by a transaction that has committed since (the insert waited for it): a new statement sees its row.
    if (!row.seen) row = (await claim()).rows?.[0] as typeof row;
    if (row.claimed) return 'processed';
    return row.digest === null || key.digest === undefined || row.digest === key.digest ? 'duplicate' : 'conflict';
  }
}

/** The failure of one message's claim or work, carried out of its transaction (which it rolls back). */
class ItemFailed extends Error {
  constructor(
    readonly failure: unknown,
    /** Its place in runMany's items (0 for runAlone's one). */
    readonly index = 0,
  ) {
    super('inbox: the message failed');
  }
}

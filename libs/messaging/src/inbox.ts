/** What the inbox needs of a database transaction. */
export interface InboxTransaction {
  query(sql: string, params?: unknown[]): Promise<{ rowCount: number | null }>;
}

/** Runs work in one database transaction (the event store's unit of work). */
export interface TransactionRunner<Tx extends InboxTransaction> {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

export type InboxOutcome = 'processed' | 'duplicate';

/**
 * The inbox: the ids of the events a consumer has processed, kept in the consumer's own
 * database and written in the same transaction as whatever the handler appends. A
 * redelivered or duplicated message finds its id and changes nothing.
 */
export class PostgresInbox<Tx extends InboxTransaction> {
  private readonly table: string;

  constructor(
    private readonly runner: TransactionRunner<Tx>,
    schema: string,
  ) {
    this.table = `"${schema.replace(/"/g, '""')}".inbox`;
  }

  /** Creates the inbox table if missing; safe when several instances start at once. */
  async migrate(): Promise<void> {
    await this.runner.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [this.table]);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           consumer text NOT NULL,
           event_id text NOT NULL,
           topic text NOT NULL,
           partition integer NOT NULL,
           "offset" bigint NOT NULL,
           processed_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (consumer, event_id)
         )`,
      );
    });
  }

  /**
   * Runs `work` once per (consumer, event id): claims the id and runs the work in one
   * transaction. If the id was already claimed, nothing runs and the outcome is 'duplicate'.
   * If the work throws, the claim rolls back with everything else.
   */
  async runOnce(
    consumer: string,
    eventId: string,
    origin: { topic: string; partition: number; offset: string },
    work: (tx: Tx) => Promise<void>,
  ): Promise<InboxOutcome> {
    return this.runner.transaction(async (tx) => {
      const claimed = await tx.query(
        `INSERT INTO ${this.table} (consumer, event_id, topic, partition, "offset")
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [consumer, eventId, origin.topic, origin.partition, origin.offset],
      );
      if (claimed.rowCount === 0) return 'duplicate';
      await work(tx);
      return 'processed';
    });
  }

  /**
   * Runs several messages' work in one transaction, in order, each behind a savepoint: one
   * commit for the lot. Stops at the first work that throws: its savepoint is rolled back (its
   * claim with it), what ran before it commits, and the error is returned in its place so the
   * caller can retry that message alone. Same guarantee as runOnce: effects and inbox entries
   * commit together. With `maxMs`, also stops (and commits) once the transaction has run that
   * long, after at least one item: fewer results than items means the rest is still to do.
   */
  async runMany(
    consumer: string,
    items: Array<{ eventId: string; origin: { topic: string; partition: number; offset: string }; work: (tx: Tx) => Promise<void> }>,
    { maxMs }: { maxMs?: number } = {},
  ): Promise<Array<InboxOutcome | { error: unknown }>> {
    return this.runner.transaction(async (tx) => {
      const started = Date.now();
      const results: Array<InboxOutcome | { error: unknown }> = [];
      for (const { eventId, origin, work } of items) {
        if (maxMs !== undefined && results.length > 0 && Date.now() - started >= maxMs) break;
        await tx.query('SAVEPOINT inbox_message');
        try {
          const claimed = await tx.query(
            `INSERT INTO ${this.table} (consumer, event_id, topic, partition, "offset")
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
            [consumer, eventId, origin.topic, origin.partition, origin.offset],
          );
          if (claimed.rowCount !== 0) await work(tx);
          await tx.query('RELEASE SAVEPOINT inbox_message');
          results.push(claimed.rowCount === 0 ? 'duplicate' : 'processed');
        } catch (error) {
          await tx.query('ROLLBACK TO SAVEPOINT inbox_message');
          results.push({ error });
          break;
        }
      }
      return results;
    });
  }
}

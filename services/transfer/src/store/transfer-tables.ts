import type { Pool } from 'pg';
import { migrateSchema, migrationSet } from '@custody/event-store';

/** What the tables need of a connection: the pool, or a unit of work's transaction. */
export interface Queryable {
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/**
 * The tables' migrations. Version 1 is the DDL from before versioned migrations, kept with IF NOT
 * EXISTS so that it changes nothing on a schema it already made.
 */
export const TRANSFER_TABLE_MIGRATIONS = migrationSet('transfer-tables', ['inmates, active transfers, read model, deadlines and checkpoints', (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.inmates (
          inmate_id uuid PRIMARY KEY,
          record jsonb NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS ${s}.active_transfers (
          inmate_id uuid PRIMARY KEY,
          transfer_id uuid NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS ${s}.transfers (
          transfer_id uuid PRIMARY KEY,
          inmate_id uuid NOT NULL,
          stage text NOT NULL,
          sending_state text NOT NULL,
          receiving_state text NOT NULL,
          legal_basis text NOT NULL,
          view jsonb NOT NULL,
          last_revision integer NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS transfers_stage ON ${s}.transfers (stage, receiving_state);
        CREATE TABLE IF NOT EXISTS ${s}.transfer_deadlines (
          transfer_id uuid NOT NULL,
          inmate_id uuid NOT NULL,
          kind text NOT NULL,
          due_at text NOT NULL,
          due timestamptz NOT NULL,
          status text NOT NULL,
          PRIMARY KEY (transfer_id, kind));
        CREATE INDEX IF NOT EXISTS transfer_deadlines_due ON ${s}.transfer_deadlines (due) WHERE status = 'open';
        CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (
          name text PRIMARY KEY,
          checkpoint text NOT NULL);
      `]);

/**
 * The service's own tables beside its events, all derived or guarded:
 * - `inmates`: the inmate facts kept from intake events (written in the inbox transaction);
 * - `active_transfers`: one open case per inmate (Rule 6), written in the command's transaction;
 * - `transfers` and `transfer_deadlines`: the read model and the durable deadlines, kept from our
 *   own events by the projection (rebuildable from position 0);
 * - `projection_checkpoints`: where the projection stands in the global log.
 */
export class TransferTables {
  readonly s: string;

  constructor(
    readonly pool: Pool,
    readonly schema: string,
  ) {
    this.s = `"${schema.replace(/"/g, '""')}"`;
  }

  /** Applies the tables' missing migrations; safe when several instances start at once. */
  async migrate(): Promise<void> {
    await migrateSchema(this.pool, this.schema, TRANSFER_TABLE_MIGRATIONS);
  }
}

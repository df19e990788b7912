import type { Pool } from 'pg';
import { migrateSchema, migrationSet } from '@custody/event-store';

/** Quotes a schema name for SQL. */
export const quoted = (schema: string): string => `"${schema.replace(/"/g, '""')}"`;

/**
 * The service's own tables beside the events: read models kept from its events, and what it
 * learns from the transfer and intake services. Version 1 is the DDL from before versioned
 * migrations, kept with IF NOT EXISTS so that it changes nothing on a schema it already made.
 */
export const CUSTODY_READ_MODEL_MIGRATIONS = migrationSet('custody-read-models', ['read models, checkpoints, transfer cases and sentences', (s) => `
      CREATE TABLE IF NOT EXISTS ${s}.projection_checkpoints (
        name text PRIMARY KEY,
        checkpoint text NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${s}.facilities (
        facility_id uuid PRIMARY KEY,
        name text NOT NULL,
        country text NOT NULL,
        operating_state text NOT NULL,
        jurisdiction text NOT NULL,
        lessee_state text,
        treaty_id text,
        capacity integer NOT NULL,
        occupied integer NOT NULL DEFAULT 0,
        reserved integer NOT NULL DEFAULT 0,
        units jsonb NOT NULL DEFAULT '[]',
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${s}.facility_reservations (
        reservation_id uuid PRIMARY KEY,
        facility_id uuid NOT NULL,
        transfer_id uuid NOT NULL,
        inmate_id uuid NOT NULL,
        status text NOT NULL,
        expires_at timestamptz NOT NULL,
        reserved_at timestamptz NOT NULL,
        ended_at timestamptz
      );
      CREATE INDEX IF NOT EXISTS facility_reservations_held ON ${s}.facility_reservations (facility_id, status, expires_at);
      CREATE TABLE IF NOT EXISTS ${s}.facility_refusals (
        facility_id uuid NOT NULL,
        reservation_id uuid NOT NULL,
        event_id uuid PRIMARY KEY,
        transfer_id uuid NOT NULL,
        inmate_id uuid NOT NULL,
        code text NOT NULL,
        reason text NOT NULL,
        refused_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${s}.facility_occupancy_history (
        facility_id uuid NOT NULL,
        event_id uuid PRIMARY KEY,
        position bigint NOT NULL,
        event_type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        capacity integer NOT NULL,
        occupied integer NOT NULL,
        reserved integer NOT NULL
      );
      CREATE INDEX IF NOT EXISTS facility_occupancy_history_time ON ${s}.facility_occupancy_history (facility_id, occurred_at, position);
      CREATE TABLE IF NOT EXISTS ${s}.custody_persons (
        inmate_id uuid PRIMARY KEY,
        facility_id uuid NOT NULL,
        document jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${s}.transfer_cases (
        transfer_id uuid PRIMARY KEY,
        inmate_id uuid NOT NULL,
        legal_basis text,
        sending_state text,
        receiving_state text,
        facility_id uuid,
        reservation_id uuid,
        adapted_sentence jsonb,
        dispatched_at timestamptz,
        received_at timestamptz,
        received_at_facility_id uuid,
        ended text,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE IF NOT EXISTS ${s}.inmate_sentences (
        inmate_id uuid PRIMARY KEY,
        sentence jsonb NOT NULL,
        occurred_at timestamptz NOT NULL
      );
      `], ['returns (Rule 19): the case a return undoes and the facility the person leaves', (s) => `
      ALTER TABLE ${s}.transfer_cases ADD COLUMN IF NOT EXISTS return_of uuid;
      ALTER TABLE ${s}.transfer_cases ADD COLUMN IF NOT EXISTS return_from_facility_id uuid;
      `]);

/** Applies the read models' missing migrations; safe when several instances start at once. */
export async function migrateReadModels(pool: Pool, schema: string): Promise<void> {
  await migrateSchema(pool, schema, CUSTODY_READ_MODEL_MIGRATIONS);
}

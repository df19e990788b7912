import type { Pool, PoolClient } from 'pg';
import { EventStoreConfigurationError, EventStoreOrderError } from '../errors';

/** One versioned change of a schema's tables. `sql` gets the quoted schema name. */
export interface SchemaMigration {
  version: number;
  name: string;
  sql: (schema: string) => string;
}

/**
 * A numbered list of migrations owned by one part of a service (the event store, a read model,
 * the access log...), applied once each and recorded under the set's name in the schema's
 * `schema_migrations`. Never edit a released migration: add the next one. The first migration of
 * a set that replaced older unversioned DDL keeps its `IF NOT EXISTS`, so that on a schema that
 * DDL created it changes nothing and is only recorded.
 */
export interface MigrationSet {
  name: string;
  migrations: readonly SchemaMigration[];
}

/** What a run of {@link migrateSchema} applied (nothing when the schema was up to date). */
export interface MigrationRun {
  applied: number[];
}

/**
 * The schema, in order. Never edit a released migration: add the next one.
 *
 * - `streams` holds one row per stream: its revision and whether it is closed. Appends to a
 *   stream serialise on this row (UPDATE ... WHERE revision = expected), never on a table lock.
 * - `events.transaction_id` is the writing transaction (pg_current_xact_id()). Global reads
 *   return only rows below the oldest transaction still running, in (transaction_id, position)
 *   order, so that an event whose position was taken earlier but committed later is never
 *   skipped (sequence values commit out of order).
 * - `append_events` does an append in one statement (one round trip, one commit): checks the
 *   expected revision on the stream row, inserts the events and optionally notifies. The store
 *   no longer calls it: it sends the same claim and insert as one plain statement (no PL/pgSQL
 *   call, about a tenth more appends a second; ADR 0001). The function stays for instances of
 *   the previous release that run against a migrated schema during a rolling upgrade; it
 *   maintains the stream row exactly as the statement does.
 */
const MIGRATIONS: SchemaMigration[] = [
  {
    version: 1,
    name: 'streams, events and append_events',
    sql: (s) => `
      CREATE TABLE ${s}.streams (
        stream_name text PRIMARY KEY,
        category text NOT NULL,
        revision bigint NOT NULL,
        is_closed boolean NOT NULL DEFAULT false
      );

      CREATE TABLE ${s}.events (
        position bigint GENERATED ALWAYS AS IDENTITY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        stream_name text NOT NULL,
        category text NOT NULL,
        revision bigint NOT NULL,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        schema_version integer NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        -- The global order is the primary key; position alone is unique by its identity.
        CONSTRAINT events_global_order PRIMARY KEY (transaction_id, position),
        CONSTRAINT events_stream_revision UNIQUE (stream_name, revision),
        CONSTRAINT events_event_id UNIQUE (event_id)
      );

      CREATE FUNCTION ${s}.append_events(
        p_stream text, p_category text, p_expected text, p_expected_revision bigint, p_events jsonb, p_channel text,
        p_probe_ids boolean
      ) RETURNS TABLE (outcome text, stream_revision bigint, last_position bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_count integer := jsonb_array_length(p_events);
        v_ids uuid[];
        v_revision bigint;
        v_is_closed boolean;
        v_position bigint;
      BEGIN
        -- A retried append (ids already stored) is resolved by the caller, which compares content.
        -- Without the probe, a stored id fails the insert on the unique index (and the caller,
        -- whose statement rolled back, asks again with the probe): the probe costs every append
        -- an index search, so only callers that cannot afford a failed statement (a unit of work) ask for it.
        IF p_probe_ids THEN
          v_ids := ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_events) e);
          IF EXISTS (SELECT 1 FROM ${s}.events WHERE event_id = ANY (v_ids)) THEN
            RETURN QUERY SELECT 'stored_ids'::text, NULL::bigint, NULL::bigint;
            RETURN;
          END IF;
        END IF;

        IF p_expected = 'any' THEN
          INSERT INTO ${s}.streams AS st (stream_name, category, revision) VALUES (p_stream, p_category, v_count - 1)
          ON CONFLICT (stream_name) DO UPDATE SET revision = st.revision + v_count WHERE NOT st.is_closed
          RETURNING st.revision INTO v_revision;
        ELSIF p_expected = 'no_stream' THEN
          INSERT INTO ${s}.streams (stream_name, category, revision) VALUES (p_stream, p_category, v_count - 1)
          ON CONFLICT (stream_name) DO NOTHING
          RETURNING revision INTO v_revision;
        ELSIF p_expected = 'stream_exists' THEN
          UPDATE ${s}.streams st SET revision = st.revision + v_count
          WHERE st.stream_name = p_stream AND st.revision >= 0 AND NOT st.is_closed
          RETURNING st.revision INTO v_revision;
        ELSE
          UPDATE ${s}.streams st SET revision = st.revision + v_count
          WHERE st.stream_name = p_stream AND st.revision = p_expected_revision AND NOT st.is_closed
          RETURNING st.revision INTO v_revision;
        END IF;

        IF v_revision IS NULL THEN
          SELECT st.revision, st.is_closed INTO v_revision, v_is_closed FROM ${s}.streams st WHERE st.stream_name = p_stream;
          IF EXISTS (
            SELECT 1 FROM ${s}.events WHERE event_id IN (SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_events) e)
          ) THEN
            -- A retry (perhaps of an append that committed while we waited for the stream row),
            -- even if the stream has been closed since.
            RETURN QUERY SELECT 'stored_ids'::text, NULL::bigint, NULL::bigint;
          ELSIF v_is_closed THEN
            RETURN QUERY SELECT 'closed'::text, v_revision, NULL::bigint;
          ELSE
            RETURN QUERY SELECT 'conflict'::text, v_revision, NULL::bigint;
          END IF;
          RETURN;
        END IF;

        WITH inserted AS (
          INSERT INTO ${s}.events (stream_name, category, revision, event_id, event_type, schema_version, data, metadata)
          SELECT p_stream, p_category, v_revision - v_count + e.ord, (e.event->>'id')::uuid, e.event->>'type',
                 (e.event->>'schemaVersion')::integer, e.event->'data', e.event->'metadata'
          FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(event, ord)
          ORDER BY e.ord
          RETURNING position
        )
        SELECT max(position) INTO v_position FROM inserted;

        IF p_channel IS NOT NULL THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
        RETURN QUERY SELECT 'appended'::text, v_revision, v_position;
      END;
      $fn$;
    `,
  },
  {
    version: 2,
    name: 'global_position assigned by the store after commit',
    sql: (s) => `
      ALTER TABLE ${s}.events ADD COLUMN global_position bigint;

      -- Existing rows take their place in the order readers used until now, so that an old
      -- "<transaction id>:<position>" checkpoint maps onto exactly the same prefix. Rows written
      -- by transactions of another cluster (a restore) cannot be ordered that way: they are left
      -- unsequenced, and the store refuses to start until repair_order() has been run.
      UPDATE ${s}.events e SET global_position = o.n
      FROM (SELECT position, row_number() OVER (ORDER BY transaction_id, position) AS n FROM ${s}.events) o
      WHERE e.position = o.position
        AND NOT EXISTS (
          SELECT 1 FROM ${s}.events f WHERE f.transaction_id >= pg_snapshot_xmax(pg_current_snapshot())
        );

      CREATE UNIQUE INDEX events_global_position ON ${s}.events (global_position) WHERE global_position IS NOT NULL;
      CREATE INDEX events_unsequenced ON ${s}.events (position) WHERE global_position IS NULL;

      -- The sequencer: one short transaction, serialised per store by a transaction-level
      -- advisory lock. It numbers committed rows that have no global position yet, in position
      -- order (the order of their inserts: appends to one stream are serialised by the stream
      -- row, so each stream keeps its order), from max(global_position) + 1 on, a bounded batch
      -- at a time. Each run assigns one contiguous range after the previous run committed, so a
      -- reader never sees n + 1 before n. No sequence object: the order is data, carried by
      -- pg_dump and logical replication.
      CREATE FUNCTION ${s}.sequence_events(p_lock_class integer, p_lock_key integer, p_limit integer, p_channel text)
      RETURNS TABLE (assigned integer, head bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_base bigint;
        v_count integer;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM ${s}.events WHERE global_position IS NULL) THEN
          RETURN QUERY SELECT 0, (SELECT max(global_position) FROM ${s}.events);
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(p_lock_class, p_lock_key);
        -- A new statement, so a new snapshot: it sees every run that committed before the lock was granted.
        SELECT coalesce(max(global_position), 0) INTO v_base FROM ${s}.events;
        WITH batch AS (
          SELECT position, row_number() OVER (ORDER BY position) AS n
          FROM (SELECT position FROM ${s}.events WHERE global_position IS NULL ORDER BY position LIMIT p_limit) u
        )
        UPDATE ${s}.events e SET global_position = v_base + batch.n FROM batch WHERE e.position = batch.position;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        IF v_count > 0 AND p_channel IS NOT NULL THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
        RETURN QUERY SELECT v_count, v_base + v_count;
      END;
      $fn$;

      -- The documented repair after rows written by another cluster were restored unsequenced
      -- (README, "Refused order"): restored rows (positions up to p_restored_up_to, by default the
      -- highest position among rows whose transaction id lies beyond this cluster's counter)
      -- first, in their cluster's (transaction id, position) order, then the rest the same way.
      CREATE FUNCTION ${s}.repair_order(p_restored_up_to bigint DEFAULT NULL)
      RETURNS bigint
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_boundary bigint := p_restored_up_to;
        v_base bigint;
        v_count bigint;
      BEGIN
        LOCK TABLE ${s}.events IN SHARE ROW EXCLUSIVE MODE;
        IF v_boundary IS NULL THEN
          SELECT coalesce(max(position), 0) INTO v_boundary FROM ${s}.events
          WHERE global_position IS NULL AND transaction_id >= pg_snapshot_xmax(pg_current_snapshot());
        END IF;
        SELECT coalesce(max(global_position), 0) INTO v_base FROM ${s}.events;
        WITH batch AS (
          SELECT position, row_number() OVER (ORDER BY position > v_boundary, transaction_id, position) AS n
          FROM ${s}.events WHERE global_position IS NULL
        )
        UPDATE ${s}.events e SET global_position = v_base + batch.n FROM batch WHERE e.position = batch.position;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        RETURN v_count;
      END;
      $fn$;
    `,
  },
  {
    version: 3,
    name: 'the sequencer finds its rows through the unsequenced index; the (transaction id, position) key dropped',
    sql: (s) => `
      -- The key of the order that preceded the store's own. It cost every append an index entry,
      -- and every numbering a second one (global_position is indexed, so the sequencer's UPDATE is
      -- never HOT and rewrites every index), and only the mapping of a legacy "<xid>:<position>"
      -- checkpoint still read it (now a scan, once per such checkpoint). Logical replication
      -- identifies a row by its event id instead.
      ALTER TABLE ${s}.events DROP CONSTRAINT events_global_order;
      ALTER TABLE ${s}.events REPLICA IDENTITY USING INDEX events_event_id;

      -- As in migration 2, but the UPDATE names global_position IS NULL, so that each row is found
      -- through events_unsequenced: by position alone no index applied, and each row cost a scan
      -- of the whole primary key, so numbering slowed as the store grew.
      CREATE OR REPLACE FUNCTION ${s}.sequence_events(p_lock_class integer, p_lock_key integer, p_limit integer, p_channel text)
      RETURNS TABLE (assigned integer, head bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_base bigint;
        v_count integer;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM ${s}.events WHERE global_position IS NULL) THEN
          RETURN QUERY SELECT 0, (SELECT max(global_position) FROM ${s}.events);
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(p_lock_class, p_lock_key);
        SELECT coalesce(max(global_position), 0) INTO v_base FROM ${s}.events;
        WITH batch AS (
          SELECT position, row_number() OVER (ORDER BY position) AS n
          FROM (SELECT position FROM ${s}.events WHERE global_position IS NULL ORDER BY position LIMIT p_limit) u
        )
        UPDATE ${s}.events e SET global_position = v_base + batch.n FROM batch
        WHERE e.position = batch.position AND e.global_position IS NULL;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        IF v_count > 0 AND p_channel IS NOT NULL THEN
          PERFORM pg_notify(p_channel, '');
        END IF;
        RETURN QUERY SELECT v_count, v_base + v_count;
      END;
      $fn$;

      CREATE OR REPLACE FUNCTION ${s}.repair_order(p_restored_up_to bigint DEFAULT NULL)
      RETURNS bigint
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_boundary bigint := p_restored_up_to;
        v_base bigint;
        v_count bigint;
      BEGIN
        LOCK TABLE ${s}.events IN SHARE ROW EXCLUSIVE MODE;
        IF v_boundary IS NULL THEN
          SELECT coalesce(max(position), 0) INTO v_boundary FROM ${s}.events
          WHERE global_position IS NULL AND transaction_id >= pg_snapshot_xmax(pg_current_snapshot());
        END IF;
        SELECT coalesce(max(global_position), 0) INTO v_base FROM ${s}.events;
        WITH batch AS (
          SELECT position, row_number() OVER (ORDER BY position > v_boundary, transaction_id, position) AS n
          FROM ${s}.events WHERE global_position IS NULL
        )
        UPDATE ${s}.events e SET global_position = v_base + batch.n FROM batch
        WHERE e.position = batch.position AND e.global_position IS NULL;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        RETURN v_count;
      END;
      $fn$;
    `,
  },
];

/** The latest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The event store's own set; its name is the one the rows recorded before sets existed take. */
export const EVENT_STORE_MIGRATIONS: MigrationSet = { name: 'event-store', migrations: MIGRATIONS };

// Advisory lock class of every migration of a schema (the second key is the schema's hash).
const MIGRATION_LOCK_CLASS = 0x45535431;

/**
 * Creates the event store's schema if needed and applies its missing migrations. Refuses
 * (EventStoreOrderError) a store holding events it cannot order: rows restored from another
 * cluster before migration 2 numbered them (see repair_order in migration 2, committed first so
 * that the repair can be run). `toVersion` stops early (tests of the migrations).
 */
export async function migrate(pool: Pool, schemaName: string, options: { toVersion?: number } = {}): Promise<void> {
  const toVersion = options.toVersion ?? SCHEMA_VERSION;
  await migrateSchema(pool, schemaName, { ...EVENT_STORE_MIGRATIONS, migrations: MIGRATIONS.filter((m) => m.version <= toVersion) });
  if (toVersion < 2) return;
  const s = quoteIdentifier(schemaName);
  const { rows: foreign } = await pool.query<{ count: string; max_transaction: string }>(
    `SELECT count(*) AS count, max(transaction_id)::text AS max_transaction FROM ${s}.events
     WHERE global_position IS NULL AND transaction_id >= pg_snapshot_xmax(pg_current_snapshot())`,
  );
  if (Number(foreign[0].count) > 0) throw new EventStoreOrderError(schemaName, Number(foreign[0].count), foreign[0].max_transaction);
}

/**
 * Creates the schema if needed and applies the set's missing migrations, in order, in one
 * transaction under a transaction-level advisory lock on the schema: instances starting at the
 * same time wait for each other, and the second finds the work done. `then` runs last in the same
 * transaction, still under the lock (e.g. seeding rows the new tables need).
 */
export async function migrateSchema(
  pool: Pool,
  schemaName: string,
  set: MigrationSet,
  then?: (client: PoolClient) => Promise<void>,
): Promise<MigrationRun> {
  assertMigrationSet(set);
  const s = quoteIdentifier(schemaName);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schemaName]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await ensureMigrationsTable(client, schemaName);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations WHERE migration_set = $1`, [set.name]);
    const recorded = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of set.migrations) {
      if (recorded.has(migration.version)) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (migration_set, version, name) VALUES ($1, $2, $3)`, [set.name, migration.version, migration.name]);
      applied.push(migration.version);
    }
    await then?.(client);
    await client.query('COMMIT');
    return { applied };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The schema's record of migrations, one row per (set, version). A schema migrated before there
 * were sets has the event store's rows keyed by version alone: they are given the event store's
 * set, and the key becomes (set, version).
 */
async function ensureMigrationsTable(client: PoolClient, schemaName: string): Promise<void> {
  const s = quoteIdentifier(schemaName);
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
       migration_set text NOT NULL,
       version integer NOT NULL,
       name text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now(),
       PRIMARY KEY (migration_set, version)
     )`,
  );
  const { rows } = await client.query<{ has_set: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'schema_migrations' AND column_name = 'migration_set'
     ) AS has_set`,
    [schemaName],
  );
  if (rows[0].has_set) return;
  await client.query(`ALTER TABLE ${s}.schema_migrations ADD COLUMN migration_set text NOT NULL DEFAULT '${EVENT_STORE_MIGRATIONS.name}'`);
  await client.query(`ALTER TABLE ${s}.schema_migrations ALTER COLUMN migration_set DROP DEFAULT`);
  await client.query(`ALTER TABLE ${s}.schema_migrations DROP CONSTRAINT schema_migrations_pkey, ADD PRIMARY KEY (migration_set, version)`);
}

/** Versions strictly increasing from 1: a set out of order would apply a later change first. */
function assertMigrationSet(set: MigrationSet): void {
  set.migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new EventStoreConfigurationError(`migration set ${set.name}: migration ${index + 1} is numbered ${migration.version}; number them 1, 2, 3...`);
    }
  });
}

/** Quotes a schema name that has been checked to be a plain identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

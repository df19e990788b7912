import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
// Integration tests of an adapter use the shared test infrastructure (a test-only dependency).
import { databaseUrl, uniqueSchemaName } from '@custody/testing';
import { EventStoreConfigurationError } from '../errors';
import { migrate, migrateSchema, type MigrationSet } from './migrations';
import { PostgresEventStore } from './postgres-event-store';

const READ_MODEL: MigrationSet = {
  name: 'read-model',
  migrations: [
    { version: 1, name: 'cases', sql: (s) => `CREATE TABLE IF NOT EXISTS ${s}.cases (case_id text PRIMARY KEY, stage text NOT NULL)` },
    { version: 2, name: 'cases.opened_at', sql: (s) => `ALTER TABLE ${s}.cases ADD COLUMN opened_at timestamptz` },
  ],
};

describe('migrateSchema (versioned migrations by set)', () => {
  let pool: Pool;
  const schemas: string[] = [];
  const newSchema = (label: string) => {
    const schema = uniqueSchemaName(label);
    schemas.push(schema);
    return schema;
  };

  beforeAll(() => {
    pool = new Pool({ connectionString: databaseUrl(), max: 12 });
  });

  afterAll(async () => {
    for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  const recorded = async (schema: string) =>
    (await pool.query<{ migration_set: string; version: number }>(`SELECT migration_set, version FROM "${schema}".schema_migrations ORDER BY migration_set, version`)).rows;

  it('applies a set once when runners start at the same time on one schema', async () => {
    const schema = newSchema('migrations_race');
    const runs = await Promise.all(Array.from({ length: 6 }, () => migrateSchema(pool, schema, READ_MODEL)));
    // ALTER TABLE ... ADD COLUMN (not IF NOT EXISTS) fails on a second run: passing proves it ran once.
    expect(runs.filter((run) => run.applied.length > 0)).toEqual([{ applied: [1, 2] }]);
    expect(await recorded(schema)).toEqual([
      { migration_set: 'read-model', version: 1 },
      { migration_set: 'read-model', version: 2 },
    ]);
  });

  it('does nothing on a run over an up-to-date schema', async () => {
    const schema = newSchema('migrations_rerun');
    await migrateSchema(pool, schema, READ_MODEL);
    await pool.query(`INSERT INTO "${schema}".cases (case_id, stage) VALUES ('c-1', 'requested')`);
    expect(await migrateSchema(pool, schema, READ_MODEL)).toEqual({ applied: [] });
    expect((await pool.query(`SELECT case_id, stage FROM "${schema}".cases`)).rows).toEqual([{ case_id: 'c-1', stage: 'requested' }]);
  });

  it('upgrades a schema whose tables the unversioned DDL created: the first migration is recorded, the next applied', async () => {
    const schema = newSchema('migrations_legacy');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(`CREATE TABLE "${schema}".cases (case_id text PRIMARY KEY, stage text NOT NULL)`);
    await pool.query(`INSERT INTO "${schema}".cases (case_id, stage) VALUES ('c-1', 'requested')`);
    expect(await migrateSchema(pool, schema, READ_MODEL)).toEqual({ applied: [1, 2] });
    const { rows } = await pool.query(`SELECT case_id, stage, opened_at FROM "${schema}".cases`);
    expect(rows).toEqual([{ case_id: 'c-1', stage: 'requested', opened_at: null }]);
  });

  it('keeps the sets of one schema apart, the event store\'s among them', async () => {
    const schema = newSchema('migrations_sets');
    const store = new PostgresEventStore({ connection: pool, schema });
    try {
      await Promise.all([store.migrate(), migrateSchema(pool, schema, READ_MODEL)]);
      expect(await recorded(schema)).toEqual([
        { migration_set: 'event-store', version: 1 },
        { migration_set: 'event-store', version: 2 },
        { migration_set: 'event-store', version: 3 },
        { migration_set: 'read-model', version: 1 },
        { migration_set: 'read-model', version: 2 },
      ]);
    } finally {
      await store.close();
    }
  });

  it('gives the rows of a schema migrated before sets existed to the event store\'s set', async () => {
    const schema = newSchema('migrations_before_sets');
    await pool.query(`CREATE SCHEMA "${schema}"`);
    await pool.query(`CREATE TABLE "${schema}".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    // The event store's first migration, as the runner before sets recorded it.
    await pool.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (1, 'streams, events and append_events')`);
    expect(await migrateSchema(pool, schema, READ_MODEL)).toEqual({ applied: [1, 2] });
    expect(await recorded(schema)).toEqual([
      { migration_set: 'event-store', version: 1 },
      { migration_set: 'read-model', version: 1 },
      { migration_set: 'read-model', version: 2 },
    ]);
    // The event store finds its migration done: its DDL (no IF NOT EXISTS) would fail on an existing table.
    // (Up to version 1: the stand-in table has none of the columns migration 2 numbers.)
    await pool.query(`CREATE TABLE "${schema}".events (position bigint)`);
    await expect(migrate(pool, schema, { toVersion: 1 })).resolves.toBeUndefined();
    expect(await recorded(schema)).toContainEqual({ migration_set: 'event-store', version: 1 });
    expect(await recorded(schema)).not.toContainEqual({ migration_set: 'event-store', version: 2 });
  });

  it('runs `then` in the migration\'s transaction: when it fails, nothing is applied', async () => {
    const schema = newSchema('migrations_then');
    await expect(migrateSchema(pool, schema, READ_MODEL, async () => {
      throw new Error('seeding failed');
    })).rejects.toThrow('seeding failed');
    const { rows } = await pool.query(`SELECT to_regclass($1) AS cases`, [`"${schema}".cases`]);
    expect(rows).toEqual([{ cases: null }]);
  });

  it('refuses a set whose versions do not run 1, 2, 3...', async () => {
    const schema = newSchema('migrations_gap');
    const gap: MigrationSet = { name: 'gap', migrations: [READ_MODEL.migrations[1]] };
    await expect(migrateSchema(pool, schema, gap)).rejects.toBeInstanceOf(EventStoreConfigurationError);
  });

  it('event store migration 3 drops the old order\'s key and keeps every global position: numbered rows keep theirs, the rest follow', async () => {
    const schema = newSchema('migrations_store_v3');
    await migrate(pool, schema, { toVersion: 2 });
    const before = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 60_000 });
    const event = () => ({ id: randomUUID(), type: 'Registered', schemaVersion: 1, data: {}, metadata: { correlationId: randomUUID(), occurredAt: new Date().toISOString() } });
    const numbered = [event(), event(), event()];
    const waiting = [event(), event()];
    try {
      for (const [i, e] of numbered.entries()) await before.appendToStream(`inmate-${i}`, [e]);
      // Reading numbers what is committed; the two appended after wait unnumbered across the migration.
      for await (const _ of before.readAll()) void _;
      for (const [i, e] of waiting.entries()) await before.appendToStream(`inmate-w${i}`, [e]);
    } finally {
      await before.close();
    }
    const positions = async () =>
      (await pool.query<{ event_id: string; global_position: string | null }>(`SELECT event_id, global_position::text FROM "${schema}".events ORDER BY position`)).rows;
    expect((await positions()).map((r) => r.global_position)).toEqual(['1', '2', '3', null, null]);

    await migrate(pool, schema);
    const { rows: constraints } = await pool.query(`SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`, [`"${schema}".events`]);
    expect(constraints.map((c) => c.conname)).toEqual(['events_event_id', 'events_stream_revision']);
    const { rows: identity } = await pool.query(
      `SELECT c.relreplident, (SELECT relname FROM pg_class WHERE oid = i.indexrelid) AS index FROM pg_class c JOIN pg_index i ON i.indrelid = c.oid AND i.indisreplident WHERE c.oid = $1::regclass`,
      [`"${schema}".events`],
    );
    expect(identity).toEqual([{ relreplident: 'i', index: 'events_event_id' }]);

    const after = new PostgresEventStore({ connection: pool, schema, pollIntervalMs: 60_000 });
    try {
      const read: string[] = [];
      for await (const e of after.readAll()) read.push(e.id);
      expect(read).toEqual([...numbered, ...waiting].map((e) => e.id));
      expect((await positions()).map((r) => r.global_position)).toEqual(['1', '2', '3', '4', '5']);
    } finally {
      await after.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import type { OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { reject } from '@custody/contracts';
import { migrateSchema, migrationSet, type PostgresTransaction } from '@custody/event-store';
import { BlindIndexKeys } from './index-keys';
import type { PersonalDataConfig } from './personal-data.config';
import {
  generateDataKey, masterKeyFor, parseMasterKey, parseRetiredMasterKeys, unwrapDataKey, wrapDataKey, type MasterKeyring,
} from './personal-data-crypto';
import type { DataKey, KeyAccess } from './personal-fields';
import { countByMasterKey, rewrapBatch, type WrappedKeyTable } from './rewrap';

/**
 * One destruction, as the destruction log keeps it (append-only: a trigger refuses UPDATE, DELETE and
 * TRUNCATE). The ground, the release and the retention period are those of the sending state's
 * erasure (intake's PersonalDataErased); `erasureEventId` is the event the destroying service appended.
 */
export interface Destruction {
  inmateId: string;
  sendingState: string;
  keyId: string | null;
  masterKeyId: string | null;
  ground: string;
  releasedOn: string;
  retentionPeriod: string;
  erasableOn: string;
  erasureEventId: string;
  correlationId?: string;
  actor?: Record<string, unknown>;
}

export interface DestructionLogEntry extends Destruction {
  entry: number;
  destroyedAt: string;
}

/** How many held keys one master key wraps, and what it is to this service. */
export interface MasterKeyUsage {
  masterKeyId: string;
  /** `unknown`: neither the current master key nor a retired one; its keys cannot be read. */
  role: 'current' | 'retired' | 'unknown';
  dataKeys: number;
  indexKeys: number;
}

/** What one rewrap did: keys moved under the current master key; `isStopped` when it was stopped before the end. */
export interface RewrapRun {
  dataKeys: number;
  indexKeys: number;
  isStopped: boolean;
}

/** What a key store needs of the configuration. */
export type PersonalDataKeysConfig = Pick<
  PersonalDataConfig, 'DATABASE_SCHEMA' | 'PERSONAL_DATA_MASTER_KEY' | 'PERSONAL_DATA_MASTER_KEY_ID' | 'PERSONAL_DATA_RETIRED_MASTER_KEYS'
>;

/**
 * The tables of the persons' keys and of the destruction log (Rule 16). Version 1 is the DDL from
 * before versioned migrations (IF NOT EXISTS, functions and triggers created or replaced): on a
 * schema it already made it changes nothing.
 */
export const PERSONAL_DATA_KEY_MIGRATIONS = migrationSet('personal-data-keys', ['data keys, destruction log, blind-index keys', (s) => `
          CREATE TABLE IF NOT EXISTS ${s}.personal_data_keys (
            inmate_id uuid PRIMARY KEY,
            key_id uuid,
            master_key_id text,
            wrapped_key text,
            created_at timestamptz NOT NULL DEFAULT now(),
            destroyed_at timestamptz,
            destruction_reason text,
            CONSTRAINT personal_data_key_held_or_destroyed CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
          );
          CREATE TABLE IF NOT EXISTS ${s}.personal_data_destructions (
            entry bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            inmate_id uuid NOT NULL,
            sending_state text NOT NULL,
            key_id uuid,
            master_key_id text,
            ground text NOT NULL,
            released_on date NOT NULL,
            retention_period text NOT NULL,
            erasable_on date NOT NULL,
            erasure_event_id uuid NOT NULL UNIQUE,
            correlation_id text,
            actor jsonb,
            destroyed_at timestamptz NOT NULL DEFAULT now()
          );
          CREATE INDEX IF NOT EXISTS personal_data_destructions_state ON ${s}.personal_data_destructions (sending_state, entry);
          CREATE OR REPLACE FUNCTION ${s}.personal_data_destructions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            RAISE EXCEPTION 'the destruction log is append-only: % refused', TG_OP;
          END $$;
          CREATE OR REPLACE TRIGGER personal_data_destructions_no_change BEFORE UPDATE OR DELETE ON ${s}.personal_data_destructions
            FOR EACH ROW EXECUTE FUNCTION ${s}.personal_data_destructions_append_only();
          CREATE OR REPLACE TRIGGER personal_data_destructions_no_truncate BEFORE TRUNCATE ON ${s}.personal_data_destructions
            FOR EACH STATEMENT EXECUTE FUNCTION ${s}.personal_data_destructions_append_only();
          CREATE TABLE IF NOT EXISTS ${s}.personal_data_index_keys (
            purpose text PRIMARY KEY,
            master_key_id text NOT NULL,
            wrapped_key text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
          );
      `]);

/**
 * The data keys of persons (crypto-shredding, Rule 16), in the service's schema: one per person,
 * kept only wrapped by the master key of the configuration. Destroying a key deletes the
 * wrapped key and keeps the row as the record that it was destroyed, when and why; the same
 * transaction appends the destruction to the destruction log. Nothing here is cached: a key
 * destroyed by another instance is gone for this one at its next read. Each service that keeps
 * personal data (intake, custody) has its own keys and log in its own schema, under the master key
 * of the configuration.
 *
 * Rotation: a key is unwrapped by whichever master key its row names, the current one or one of
 * PERSONAL_DATA_RETIRED_MASTER_KEYS; new keys are wrapped by the current one, and
 * {@link rewrapRetired} moves the others under it. The blind-index keys of the purposes given in
 * `indexPurposes` are stored and rewrapped the same way ({@link BlindIndexKeys}).
 */
export class PersonalDataKeys implements OnModuleInit {
  private readonly ring: MasterKeyring;
  private readonly schema: string;
  private readonly s: string;
  private readonly dataKeys: WrappedKeyTable;
  private readonly indexKeys: BlindIndexKeys;
  private migrated?: Promise<void>;

  constructor(
    private readonly pool: Pool,
    config: PersonalDataKeysConfig,
    options: { indexPurposes?: readonly string[] } = {},
  ) {
    const current = parseMasterKey(config.PERSONAL_DATA_MASTER_KEY, config.PERSONAL_DATA_MASTER_KEY_ID);
    this.ring = { current, retired: parseRetiredMasterKeys(config.PERSONAL_DATA_RETIRED_MASTER_KEYS, current.id) };
    this.schema = config.DATABASE_SCHEMA;
    this.s = `"${config.DATABASE_SCHEMA}"`;
    this.dataKeys = {
      name: this.keysTable, idColumn: 'inmate_id', idType: 'uuid',
      describe: (inmateId) => `the data key of inmate ${inmateId}`,
      unwrap: unwrapDataKey,
      wrap: wrapDataKey,
    };
    this.indexKeys = new BlindIndexKeys(`${this.s}.personal_data_index_keys`, this.keysTable, options.indexPurposes ?? []);
  }

  /**
   * The blind index of a value for one of the purposes declared (`indexPurposes`), under the key
   * stored for it. Synchronous: throws BlindIndexKeyError before the store migrated (onModuleInit).
   */
  blindIndex(purpose: string, value: string): string {
    return this.indexKeys.index(purpose, value);
  }

  /** The ids of the retired master keys this service holds (PERSONAL_DATA_RETIRED_MASTER_KEYS). */
  get retiredMasterKeyIds(): string[] {
    return this.ring.retired.map((retired) => retired.id);
  }

  get keysTable(): string {
    return `${this.s}.personal_data_keys`;
  }

  get destructionLogTable(): string {
    return `${this.s}.personal_data_destructions`;
  }

  onModuleInit(): Promise<void> {
    return this.migrate();
  }

  migrate(): Promise<void> {
    // The blind-index keys are loaded under the migration's lock: instances starting together store one key per purpose.
    this.migrated ??= migrateSchema(this.pool, this.schema, PERSONAL_DATA_KEY_MIGRATIONS, (client) => this.indexKeys.load(client, this.ring))
      .then(() => undefined)
      .catch((error: unknown) => {
        this.migrated = undefined;
        throw error;
      });
    return this.migrated;
  }

  /** What reading the person's events can use: the unwrapped key, the fact that it was destroyed, or nothing yet. */
  async access(inmateId: string): Promise<KeyAccess> {
    await this.migrate();
    const { rows } = await this.pool.query<{ key_id: string | null; master_key_id: string | null; wrapped_key: string | null; destroyed_at: Date | null }>(
      `SELECT key_id, master_key_id, wrapped_key, destroyed_at FROM ${this.keysTable} WHERE inmate_id = $1`,
      [inmateId],
    );
    const row = rows[0];
    if (!row) return { status: 'none' };
    if (row.destroyed_at !== null || row.wrapped_key === null) return { status: 'erased' };
    return { status: 'held', key: this.unwrap(inmateId, row.key_id!, row.master_key_id!, row.wrapped_key) };
  }

  /**
   * The key to encrypt the person's fields with, created on first use. Refused with
   * PERSONAL_DATA_ERASED once destroyed: an erased person's identity is not recorded again.
   */
  async forWriting(inmateId: string): Promise<DataKey> {
    const access = await this.access(inmateId);
    if (access.status === 'held') return access.key;
    if (access.status === 'erased') throw reject('PERSONAL_DATA_ERASED', { inmateId });
    const key = generateDataKey();
    const wrapped = wrapDataKey(this.ring.current, inmateId, key);
    await this.pool.query(
      `INSERT INTO ${this.keysTable} (inmate_id, key_id, master_key_id, wrapped_key) VALUES ($1, $2, $3, $4) ON CONFLICT (inmate_id) DO NOTHING`,
      [inmateId, randomUUID(), wrapped.masterKeyId, wrapped.wrapped],
    );
    // Another writer may have created it first: use whichever was stored.
    return this.forWriting(inmateId);
  }

  /** The id of the person's data key, while it is held. */
  async keyId(inmateId: string): Promise<string | undefined> {
    await this.migrate();
    const { rows } = await this.pool.query<{ key_id: string }>(`SELECT key_id FROM ${this.keysTable} WHERE inmate_id = $1 AND wrapped_key IS NOT NULL`, [inmateId]);
    return rows[0]?.key_id;
  }

  /**
   * Destroys the person's data key and appends the destruction to the log, in the caller's
   * transaction (the one that appends PersonalDataErased). A person whose fields were never
   * encrypted gets a row that says the key is destroyed, so that reads show the fields erased.
   */
  async destroy(tx: PostgresTransaction, destruction: Omit<Destruction, 'keyId' | 'masterKeyId'>): Promise<DestructionLogEntry> {
    const reason = `${destruction.ground}: released on ${destruction.releasedOn}, retention ${destruction.retentionPeriod}`;
    const destroyed = await tx.query<{ key_id: string | null; master_key_id: string | null }>(
      `INSERT INTO ${this.keysTable} AS k (inmate_id, destroyed_at, destruction_reason) VALUES ($1, now(), $2)
       ON CONFLICT (inmate_id) DO UPDATE SET wrapped_key = NULL, destroyed_at = COALESCE(k.destroyed_at, now()),
         destruction_reason = COALESCE(k.destruction_reason, EXCLUDED.destruction_reason)
       RETURNING key_id, master_key_id`,
      [destruction.inmateId, reason],
    );
    const { key_id: keyId, master_key_id: masterKeyId } = destroyed.rows[0];
    const { rows } = await tx.query<{ entry: string; destroyed_at: Date }>(
      `INSERT INTO ${this.destructionLogTable} (inmate_id, sending_state, key_id, master_key_id, ground, released_on, retention_period, erasable_on,
         erasure_event_id, correlation_id, actor)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING entry, destroyed_at`,
      [
        destruction.inmateId, destruction.sendingState, keyId, masterKeyId, destruction.ground, destruction.releasedOn, destruction.retentionPeriod,
        destruction.erasableOn, destruction.erasureEventId, destruction.correlationId ?? null, destruction.actor ? JSON.stringify(destruction.actor) : null,
      ],
    );
    return { ...destruction, keyId, masterKeyId, entry: Number(rows[0].entry), destroyedAt: rows[0].destroyed_at.toISOString() };
  }

  /** The destruction log, oldest first, for the states given (all when undefined). */
  async destructionLog(options: { states?: string[]; after?: number; limit: number }): Promise<DestructionLogEntry[]> {
    await this.migrate();
    const values: unknown[] = [options.after ?? 0];
    let where = 'entry > $1';
    if (options.states) {
      values.push(options.states);
      where += ` AND sending_state = ANY ($${values.length})`;
    }
    values.push(options.limit);
    const { rows } = await this.pool.query<{
      entry: string; inmate_id: string; sending_state: string; key_id: string | null; master_key_id: string | null; ground: string;
      released_on: string; retention_period: string; erasable_on: string; erasure_event_id: string; correlation_id: string | null;
      actor: Record<string, unknown> | null; destroyed_at: Date;
    }>(
      `SELECT entry, inmate_id, sending_state, key_id, master_key_id, ground, released_on::text AS released_on, retention_period,
              erasable_on::text AS erasable_on, erasure_event_id, correlation_id, actor, destroyed_at
       FROM ${this.destructionLogTable} WHERE ${where} ORDER BY entry LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => ({
      entry: Number(row.entry), inmateId: row.inmate_id, sendingState: row.sending_state, keyId: row.key_id, masterKeyId: row.master_key_id,
      ground: row.ground, releasedOn: row.released_on, retentionPeriod: row.retention_period, erasableOn: row.erasable_on,
      erasureEventId: row.erasure_event_id, ...(row.correlation_id ? { correlationId: row.correlation_id } : {}),
      ...(row.actor ? { actor: row.actor } : {}), destroyedAt: row.destroyed_at.toISOString(),
    }));
  }

  /** The master keys that wrap held keys: each retired one (also when it wraps none any more), the current one, and any other. */
  async masterKeyUsage(): Promise<MasterKeyUsage[]> {
    await this.migrate();
    const [dataKeys, indexKeys] = await Promise.all([countByMasterKey(this.pool, this.dataKeys), countByMasterKey(this.pool, this.indexKeys.table)]);
    const ids = new Set([this.ring.current.id, ...this.retiredMasterKeyIds, ...dataKeys.keys(), ...indexKeys.keys()]);
    return [...ids].map((masterKeyId) => ({
      masterKeyId,
      role: masterKeyId === this.ring.current.id ? 'current' : this.retiredMasterKeyIds.includes(masterKeyId) ? 'retired' : 'unknown',
      dataKeys: dataKeys.get(masterKeyId) ?? 0,
      indexKeys: indexKeys.get(masterKeyId) ?? 0,
    }));
  }

  /**
   * Moves every held key wrapped by a retired master key under the current one, `batchSize` per
   * transaction, until none is left that another instance is not moving at the same time (see
   * {@link rewrapBatch}); `signal` stops it between two batches. Destroyed keys stay destroyed.
   */
  async rewrapRetired(options: { batchSize?: number; signal?: AbortSignal } = {}): Promise<RewrapRun> {
    await this.migrate();
    const batchSize = options.batchSize ?? 500;
    const run: RewrapRun = { dataKeys: 0, indexKeys: 0, isStopped: false };
    for (const [table, counted] of [[this.indexKeys.table, 'indexKeys'], [this.dataKeys, 'dataKeys']] as const) {
      for (;;) {
        if (options.signal?.aborted) return { ...run, isStopped: true };
        const moved = await rewrapBatch(this.pool, table, this.ring, batchSize);
        run[counted] += moved;
        // Fewer than asked: none left, or the rest locked by another instance, which moves them.
        if (moved < batchSize) break;
      }
    }
    return run;
  }

  private unwrap(inmateId: string, kid: string, masterKeyId: string, wrapped: string): DataKey {
    const master = masterKeyFor(this.ring, masterKeyId, this.dataKeys.describe(inmateId));
    return { kid, key: unwrapDataKey(master, inmateId, { masterKeyId, wrapped }) };
  }
}

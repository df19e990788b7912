import type { PoolClient } from 'pg';
import {
  blindIndex, deriveIndexKey, masterKeyFor, unwrapIndexKey, wrapIndexKey, type MasterKey, type MasterKeyring,
} from './personal-data-crypto';
import type { WrappedKeyTable } from './rewrap';

/** A blind index asked for a purpose the key store was not given, or before its keys are loaded. */
export class BlindIndexKeyError extends Error {
  readonly code = 'BLIND_INDEX_KEY_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'BlindIndexKeyError';
  }
}

/**
 * The blind-index keys of a service, one per purpose it declares, in its schema
 * (`personal_data_index_keys`), each kept wrapped by a master key like a person's data key and
 * rewrapped with them. Storing the key, not deriving it from the current master key, is what keeps
 * every index (e.g. the name of an identity document's stream) the same across a rotation.
 * A purpose met for the first time stores the key its indexes were made with before keys were
 * stored: derived from the master key that wraps the oldest held data key (the one master key
 * there was then), or from the current one in a new store. The keys are loaded once, when the
 * schema is migrated, so that indexing stays synchronous.
 */
export class BlindIndexKeys {
  readonly table: WrappedKeyTable;
  private loaded?: ReadonlyMap<string, Buffer>;

  constructor(
    tableName: string,
    private readonly dataKeysTable: string,
    private readonly purposes: readonly string[],
  ) {
    this.table = {
      name: tableName, idColumn: 'purpose', idType: 'text',
      describe: (purpose) => `the blind-index key of ${purpose}`,
      unwrap: unwrapIndexKey,
      wrap: wrapIndexKey,
    };
  }

  /** In the migration's transaction: stores the key of each declared purpose not stored yet, and unwraps them all. */
  async load(client: PoolClient, ring: MasterKeyring): Promise<void> {
    if (this.purposes.length === 0) {
      this.loaded = new Map();
      return;
    }
    const stored = async () => (await client.query<{ purpose: string; master_key_id: string; wrapped_key: string }>(
      `SELECT purpose, master_key_id, wrapped_key FROM ${this.table.name} WHERE purpose = ANY ($1::text[])`, [this.purposes],
    )).rows;
    let rows = await stored();
    const absent = this.purposes.filter((purpose) => !rows.some((row) => row.purpose === purpose));
    if (absent.length > 0) {
      const seed = await this.seedMaster(client, ring);
      for (const purpose of absent) {
        const wrapped = wrapIndexKey(ring.current, purpose, deriveIndexKey(seed, purpose));
        await client.query(`INSERT INTO ${this.table.name} (purpose, master_key_id, wrapped_key) VALUES ($1, $2, $3) ON CONFLICT (purpose) DO NOTHING`,
          [purpose, wrapped.masterKeyId, wrapped.wrapped]);
      }
      rows = await stored();
    }
    this.loaded = new Map(rows.map((row) => {
      const master = masterKeyFor(ring, row.master_key_id, this.table.describe(row.purpose));
      return [row.purpose, unwrapIndexKey(master, row.purpose, { masterKeyId: row.master_key_id, wrapped: row.wrapped_key })];
    }));
  }

  /** The blind index of a value for a declared purpose ({@link blindIndex}). */
  index(purpose: string, value: string): string {
    if (!this.purposes.includes(purpose)) {
      throw new BlindIndexKeyError(`no blind-index key for "${purpose}": the purposes of a key store are declared when it is built (indexPurposes)`);
    }
    const key = this.loaded?.get(purpose);
    if (!key) throw new BlindIndexKeyError(`the blind-index keys are not loaded yet: they are loaded when the key store migrates (onModuleInit)`);
    return blindIndex(key, value);
  }

  /** The master key the indexes made before keys were stored came from. */
  private async seedMaster(client: PoolClient, ring: MasterKeyring): Promise<MasterKey> {
    const { rows } = await client.query<{ master_key_id: string }>(
      `SELECT master_key_id FROM ${this.dataKeysTable} WHERE wrapped_key IS NOT NULL ORDER BY created_at, inmate_id LIMIT 1`,
    );
    return rows[0] ? masterKeyFor(ring, rows[0].master_key_id, 'the blind-index keys (made from the master key of the oldest data key)') : ring.current;
  }
}

import type { Pool } from 'pg';
import { masterKeyFor, PersonalDataDecryptionError, type MasterKey, type MasterKeyring, type WrappedDataKey } from './personal-data-crypto';

/**
 * A table of keys kept wrapped by a master key (the persons' data keys, the blind-index keys):
 * `master_key_id` and `wrapped_key` beside the key column; a destroyed key has no `wrapped_key`.
 */
export interface WrappedKeyTable {
  name: string;
  idColumn: string;
  idType: 'uuid' | 'text';
  /** The key as an error names it, e.g. `the data key of inmate …`. */
  describe(id: string): string;
  unwrap(master: MasterKey, id: string, wrapped: WrappedDataKey): Buffer;
  wrap(master: MasterKey, id: string, key: Buffer): WrappedDataKey;
}

/** How many keys each master key wraps (destroyed keys are not counted). */
export async function countByMasterKey(pool: Pool, table: WrappedKeyTable): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ master_key_id: string; keys: number }>(
    `SELECT master_key_id, count(*)::int AS keys FROM ${table.name} WHERE wrapped_key IS NOT NULL GROUP BY master_key_id`,
  );
  return new Map(rows.map((row) => [row.master_key_id, row.keys]));
}

/**
 * Moves at most `batchSize` keys wrapped by a retired master key under the current one, in one
 * transaction, and says how many. The rows are locked (FOR UPDATE SKIP LOCKED): another instance
 * rewrapping at the same time takes other rows, and an erasure that holds a row is left to finish
 * first. Only held keys are taken, and the UPDATE asks again, so a destroyed key is never written
 * back; an erasure that comes after waits for this transaction and then deletes the new wrapping.
 * A retired key that does not unwrap (the wrong bytes under its id) stops the run, naming the key.
 */
export async function rewrapBatch(pool: Pool, table: WrappedKeyTable, ring: MasterKeyring, batchSize: number): Promise<number> {
  if (ring.retired.length === 0) return 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string; master_key_id: string; wrapped_key: string }>(
      `SELECT ${table.idColumn}::text AS id, master_key_id, wrapped_key FROM ${table.name}
       WHERE wrapped_key IS NOT NULL AND master_key_id = ANY ($1::text[])
       ORDER BY ${table.idColumn} LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [ring.retired.map((retired) => retired.id), batchSize],
    );
    const rewrapped = rows.map((row) => {
      const master = masterKeyFor(ring, row.master_key_id, table.describe(row.id));
      let key: Buffer;
      try {
        key = table.unwrap(master, row.id, { masterKeyId: row.master_key_id, wrapped: row.wrapped_key });
      } catch (error) {
        if (!(error instanceof PersonalDataDecryptionError)) throw error;
        throw new PersonalDataDecryptionError(table.describe(row.id), `master key ${master.id} does not unwrap it (the wrong key under that id, or altered bytes)`);
      }
      return table.wrap(ring.current, row.id, key).wrapped;
    });
    if (rows.length > 0) {
      await client.query(
        `UPDATE ${table.name} AS k SET master_key_id = $1, wrapped_key = v.wrapped
         FROM unnest($2::${table.idType}[], $3::text[]) AS v(id, wrapped)
         WHERE k.${table.idColumn} = v.id AND k.wrapped_key IS NOT NULL`,
        [ring.current.id, rows.map((row) => row.id), rewrapped],
      );
    }
    await client.query('COMMIT');
    return rows.length;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

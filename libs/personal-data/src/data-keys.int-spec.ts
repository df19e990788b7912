import { randomUUID } from 'node:crypto';
import type { PostgresTransaction } from '@custody/event-store';
import { createTestSchema, type TestSchema } from '@custody/testing';
import { PersonalDataKeys } from './data-keys';
import { BlindIndexKeyError } from './index-keys';
import { blindIndex, deriveIndexKey, generateMasterKey, parseMasterKey, PersonalDataDecryptionError } from './personal-data-crypto';

const PURPOSE = 'identity-document';
const PASSPORT = 'passport\u0000AL\u0000BA1234567';

interface Master {
  id: string;
  key: string;
}

/**
 * A rotation of the master key over the real database: keys written under master key A are read
 * by a service with B current and A retired, rewrapped under B (in batches, by two instances at
 * once, while persons are erased), and then read with B alone; the blind index stays the same.
 */
describe('PersonalDataKeys: rotating the master key (real PostgreSQL)', () => {
  const A: Master = { id: 'master-a', key: generateMasterKey() };
  const B: Master = { id: 'master-b', key: generateMasterKey() };
  const schemas: TestSchema[] = [];

  afterAll(async () => {
    for (const schema of schemas) await schema.drop();
  });

  /** A fresh schema, and the service's key store in it under `current` (and `retired`). */
  const storeIn = (test: TestSchema) => (current: Master, retired: Master[] = [], indexPurposes: string[] = [PURPOSE]) =>
    new PersonalDataKeys(test.pool, {
      DATABASE_SCHEMA: test.schema,
      PERSONAL_DATA_MASTER_KEY: current.key,
      PERSONAL_DATA_MASTER_KEY_ID: current.id,
      PERSONAL_DATA_RETIRED_MASTER_KEYS: retired.map((master) => `${master.id}=${master.key}`).join(','),
    }, { indexPurposes });

  /** `count` persons whose keys were written under A, with the key each has. */
  async function writtenUnderA(count: number) {
    const test = await createTestSchema('data-keys');
    schemas.push(test);
    const keys = storeIn(test);
    const underA = keys(A);
    await underA.migrate();
    const persons = new Map<string, Buffer>();
    for (let i = 0; i < count; i++) {
      const inmateId = randomUUID();
      persons.set(inmateId, (await underA.forWriting(inmateId)).key);
    }
    return { test, keys, persons, index: underA.blindIndex(PURPOSE, PASSPORT) };
  }

  const heldByMaster = async (test: TestSchema, table = 'personal_data_keys') => Object.fromEntries((await test.pool.query<{ master_key_id: string; n: number }>(
    `SELECT master_key_id, count(*)::int AS n FROM "${test.schema}".${table} WHERE wrapped_key IS NOT NULL GROUP BY master_key_id`,
  )).rows.map((row) => [row.master_key_id, row.n]));

  /** Erases one person as a service does: destroys the key and logs it, in one transaction. */
  async function erase(test: TestSchema, keys: PersonalDataKeys, inmateId: string): Promise<void> {
    const client = await test.pool.connect();
    try {
      await client.query('BEGIN');
      const tx = { schema: test.schema, query: client.query.bind(client) } as unknown as PostgresTransaction;
      await keys.destroy(tx, {
        inmateId, sendingState: 'BE', ground: 'retention-expired', releasedOn: '2020-01-10', retentionPeriod: 'P1Y', erasableOn: '2021-01-10',
        erasureEventId: randomUUID(),
      });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }

  /** Every person's key as `keys` reads it: the same bytes as when written, or erased. */
  async function expectReadable(keys: PersonalDataKeys, persons: Map<string, Buffer>, erased: string[] = []): Promise<void> {
    for (const [inmateId, key] of persons) {
      const access = await keys.access(inmateId);
      if (erased.includes(inmateId)) expect(access).toEqual({ status: 'erased' });
      else expect(access.status === 'held' && access.key.key.equals(key)).toBe(true);
    }
  }

  it('reads keys written under A with B current and A retired, and wraps new keys under B', async () => {
    const { test, keys, persons } = await writtenUnderA(5);
    const rotated = keys(B, [A]);
    await rotated.migrate();
    await expectReadable(rotated, persons);

    const newcomer = randomUUID();
    await rotated.forWriting(newcomer);
    expect(await heldByMaster(test)).toEqual({ 'master-a': 5, 'master-b': 1 });
    expect(await rotated.masterKeyUsage()).toEqual(expect.arrayContaining([
      { masterKeyId: 'master-a', role: 'retired', dataKeys: 5, indexKeys: 1 },
      { masterKeyId: 'master-b', role: 'current', dataKeys: 1, indexKeys: 0 },
    ]));
  });

  it('rewraps every held key under B in batches while persons are erased; an erased key stays erased, and B alone then reads every key', async () => {
    const { test, keys, persons } = await writtenUnderA(40);
    const erasedBefore = [...persons.keys()].slice(0, 3);
    for (const inmateId of erasedBefore) await erase(test, keys(A), inmateId);
    const rotated = keys(B, [A]);
    await rotated.migrate();

    const erasedMeanwhile = [...persons.keys()].slice(20, 26);
    const [run] = await Promise.all([
      rotated.rewrapRetired({ batchSize: 4 }),
      ...erasedMeanwhile.map((inmateId) => erase(test, rotated, inmateId)),
    ]);
    const erased = [...erasedBefore, ...erasedMeanwhile];
    expect(run.isStopped).toBe(false);
    expect(run.indexKeys).toBe(1);
    // Each key still held when the rewrap reached it moved once; a key erased first was not taken.
    expect(run.dataKeys).toBeGreaterThanOrEqual(40 - erased.length);
    expect(run.dataKeys).toBeLessThanOrEqual(40 - erasedBefore.length);
    expect(await heldByMaster(test)).toEqual({ 'master-b': 40 - erased.length });
    expect(await heldByMaster(test, 'personal_data_index_keys')).toEqual({ 'master-b': 1 });

    const destroyed = await test.pool.query<{ inmate_id: string }>(
      `SELECT inmate_id FROM "${test.schema}".personal_data_keys WHERE wrapped_key IS NULL AND destroyed_at IS NOT NULL`);
    expect(destroyed.rows.map((row) => row.inmate_id).sort()).toEqual([...erased].sort());
    expect((await rotated.masterKeyUsage()).find((usage) => usage.masterKeyId === 'master-a')).toEqual({ masterKeyId: 'master-a', role: 'retired', dataKeys: 0, indexKeys: 0 });

    // A removed from the configuration: every key is read with B alone.
    const afterRotation = keys(B);
    await afterRotation.migrate();
    await expectReadable(afterRotation, persons, erased);
    expect(await rotated.rewrapRetired({ batchSize: 4 })).toEqual({ dataKeys: 0, indexKeys: 0, isStopped: false });
  });

  it('two instances rewrapping at once neither lose nor double a key', async () => {
    const { test, keys, persons } = await writtenUnderA(60);
    const [first, second] = [keys(B, [A]), keys(B, [A])];
    await Promise.all([first.migrate(), second.migrate()]);

    const runs = await Promise.all([first.rewrapRetired({ batchSize: 3 }), second.rewrapRetired({ batchSize: 3 })]);
    expect(runs[0].dataKeys + runs[1].dataKeys).toBe(60);
    expect(runs[0].indexKeys + runs[1].indexKeys).toBe(1);
    expect(await heldByMaster(test)).toEqual({ 'master-b': 60 });
    await expectReadable(keys(B), persons);
  });

  it('stops between two batches when asked', async () => {
    const { test, keys } = await writtenUnderA(10);
    const rotated = keys(B, [A]);
    const stop = new AbortController();
    stop.abort();
    expect(await rotated.rewrapRetired({ batchSize: 2, signal: stop.signal })).toEqual({ dataKeys: 0, indexKeys: 0, isStopped: true });
    expect(await heldByMaster(test)).toEqual({ 'master-a': 10 });
  });

  it('keeps the blind index of a value the same before, during and after the rotation', async () => {
    const { keys, index } = await writtenUnderA(2);
    // Indexes made before keys were stored came from a key derived from the master key: the stored key is that one.
    expect(index).toBe(blindIndex(deriveIndexKey(parseMasterKey(A.key, A.id), PURPOSE), PASSPORT));

    const rotated = keys(B, [A]);
    await rotated.migrate();
    expect(rotated.blindIndex(PURPOSE, PASSPORT)).toBe(index);
    await rotated.rewrapRetired();
    const afterRotation = keys(B);
    await afterRotation.migrate();
    expect(afterRotation.blindIndex(PURPOSE, PASSPORT)).toBe(index);
    expect(afterRotation.blindIndex(PURPOSE, PASSPORT.replace('567', '568'))).not.toBe(index);
  });

  it('keeps the blind index when a store written before index keys were stored is opened already rotated (B current, A retired)', async () => {
    const { test, keys, index } = await writtenUnderA(2);
    await test.pool.query(`DELETE FROM "${test.schema}".personal_data_index_keys`);

    const rotated = keys(B, [A]);
    await rotated.migrate();
    expect(rotated.blindIndex(PURPOSE, PASSPORT)).toBe(index);
    expect(await heldByMaster(test, 'personal_data_index_keys')).toEqual({ 'master-b': 1 });
  });

  it('refuses, naming master key A, when B alone reads keys not yet rewrapped', async () => {
    const { keys, persons } = await writtenUnderA(1);
    const [inmateId] = persons.keys();
    const withoutIndex = keys(B, [], []);
    await expect(withoutIndex.access(inmateId)).rejects.toThrow(PersonalDataDecryptionError);
    await expect(withoutIndex.access(inmateId)).rejects.toThrow(/wrapped by master key master-a, which this service does not hold/);
    // A service with a blind index cannot even start: its index key is wrapped by A too.
    await expect(keys(B).migrate()).rejects.toThrow(/the blind-index key of identity-document does not decrypt: it is wrapped by master key master-a/);
  });

  it('answers a blind index only for a declared purpose, and only once the keys are loaded', async () => {
    const test = await createTestSchema('data-keys');
    schemas.push(test);
    const keys = storeIn(test)(B);
    expect(() => keys.blindIndex(PURPOSE, PASSPORT)).toThrow(BlindIndexKeyError);
    expect(() => keys.blindIndex(PURPOSE, PASSPORT)).toThrow(/not loaded yet/);
    await keys.onModuleInit();
    expect(keys.blindIndex(PURPOSE, PASSPORT)).toMatch(/^[0-9a-f]{64}$/);
    expect(() => keys.blindIndex('another-purpose', PASSPORT)).toThrow(/no blind-index key for "another-purpose"/);
  });
});

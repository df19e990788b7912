import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { databaseUrl } from '@custody/testing';
import { prepareRepeatedStatements } from './prepared-statements';

// Named prepared statements on a real server (docs/performance.md, "Prepared statements").
describe('prepareRepeatedStatements on PostgreSQL', () => {
  let pool: Pool;
  const schema = `prepared_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    pool = new Pool({ connectionString: databaseUrl(), max: 1 });
    pool.on('connect', (client) => prepareRepeatedStatements(client));
    await pool.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int PRIMARY KEY, a text)`);
  });

  afterAll(async () => {
    await pool.query(`DROP SCHEMA ${schema} CASCADE`);
    await pool.end();
  });

  const preparedTexts = async () =>
    (await pool.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%' || $1 || '%'`, [`${schema}.t`])).rows.map((r) => r.statement);

  it('prepares a parameterised statement once on the connection, and answers it as before', async () => {
    const insert = `INSERT INTO ${schema}.t (id, a) VALUES ($1, $2)`;
    const select = `SELECT id, a FROM ${schema}.t WHERE id = $1`;
    for (let id = 1; id <= 3; id++) await pool.query(insert, [id, `row ${id}`]);
    expect((await pool.query(select, [2])).rows).toEqual([{ id: 2, a: 'row 2' }]);
    expect((await pool.query({ text: select, values: [3], rowMode: 'array' })).rows).toEqual([[3, 'row 3']]);
    expect((await preparedTexts()).sort()).toEqual([insert, select].sort());
  });

  it('keeps working when a migration adds a column to a prepared statement\'s table, and does not prepare a * select list', async () => {
    const select = `SELECT id, a FROM ${schema}.t WHERE id = $1`;
    const star = `SELECT * FROM ${schema}.t WHERE id = $1`;
    expect((await pool.query(star, [1])).rows).toEqual([{ id: 1, a: 'row 1' }]);
    await pool.query(`ALTER TABLE ${schema}.t ADD COLUMN b text NOT NULL DEFAULT 'b'`);
    expect((await pool.query(select, [1])).rows).toEqual([{ id: 1, a: 'row 1' }]);
    expect((await pool.query(star, [1])).rows).toEqual([{ id: 1, a: 'row 1', b: 'b' }]);
    expect(await preparedTexts()).not.toContain(star);
  });

  it('a statement that fails to parse leaves the connection usable, and fails again the same way', async () => {
    const broken = `SELECT no_such_column FROM ${schema}.t WHERE id = $1`;
    await expect(pool.query(broken, [1])).rejects.toMatchObject({ code: '42703' });
    await expect(pool.query(broken, [1])).rejects.toMatchObject({ code: '42703' });
    expect((await pool.query(`SELECT a FROM ${schema}.t WHERE id = $1`, [2])).rows).toEqual([{ a: 'row 2' }]);
  });
});

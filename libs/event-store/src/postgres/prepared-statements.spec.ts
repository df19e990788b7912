import { prepareRepeatedStatements } from './prepared-statements';

/** A client that records what reaches node-postgres's query. */
function recording() {
  const calls: unknown[][] = [];
  const client = { query: (...args: unknown[]) => calls.push(args) };
  return { client: prepareRepeatedStatements(client, { maxStatements: 100 }), calls };
}

describe('prepareRepeatedStatements', () => {
  it('names a parameterised text by a digest of it, the same name for the same text on every client', () => {
    const a = recording();
    const b = recording();
    a.client.query('SELECT a FROM t WHERE id = $1' as never, [1] as never);
    b.client.query('SELECT a FROM t WHERE id = $1' as never, [2] as never);
    const [first] = a.calls[0] as [{ name: string; text: string; values: unknown[] }];
    const [second] = b.calls[0] as [{ name: string; text: string; values: unknown[] }];
    expect(first).toEqual({ name: expect.stringMatching(/^pq_[0-9a-f]{24}$/), text: 'SELECT a FROM t WHERE id = $1', values: [1] });
    expect(second).toEqual({ ...first, values: [2] });
  });

  it('names a config object, keeping its other fields and the values given beside it', () => {
    const { client, calls } = recording();
    const callback = () => undefined;
    client.query({ text: 'SELECT b FROM t WHERE id = $1', values: [7], rowMode: 'array' } as never, undefined as never, callback as never);
    client.query({ text: 'SELECT c FROM t WHERE id = $1' } as never, [8] as never);
    expect(calls[0]).toEqual([{ text: 'SELECT b FROM t WHERE id = $1', values: [7], rowMode: 'array', name: expect.stringMatching(/^pq_/) }, undefined, callback]);
    expect(calls[1]).toEqual([{ text: 'SELECT c FROM t WHERE id = $1', name: expect.stringMatching(/^pq_/) }, [8]]);
  });

  it('leaves alone statements without parameters, named ones, submittables and * select lists', () => {
    const { client, calls } = recording();
    const cursor = { text: 'SELECT d FROM t WHERE id = $1', values: [1], submit: () => undefined };
    client.query('BEGIN' as never);
    client.query('SELECT 1; SELECT 2' as never, [] as never);
    client.query({ name: 'mine', text: 'SELECT e FROM t WHERE id = $1', values: [1] } as never);
    client.query(cursor as never);
    client.query('SELECT * FROM t WHERE id = $1' as never, [1] as never);
    client.query('SELECT DISTINCT * FROM t WHERE id = $1' as never, [1] as never);
    client.query('SELECT t.a, * FROM t WHERE id = $1' as never, [1] as never);
    client.query('INSERT INTO t (a) VALUES ($1) RETURNING *' as never, [1] as never);
    expect(calls).toEqual([
      ['BEGIN', undefined],
      ['SELECT 1; SELECT 2', []],
      [{ name: 'mine', text: 'SELECT e FROM t WHERE id = $1', values: [1] }, undefined],
      [cursor, undefined],
      ['SELECT * FROM t WHERE id = $1', [1]],
      ['SELECT DISTINCT * FROM t WHERE id = $1', [1]],
      ['SELECT t.a, * FROM t WHERE id = $1', [1]],
      ['INSERT INTO t (a) VALUES ($1) RETURNING *', [1]],
    ]);
    // count(*) and a multiplication are no select list of *: named.
    client.query('SELECT count(*) AS n, $1::int * 2 AS twice FROM t' as never, [1] as never);
    expect((calls[8][0] as { name?: string }).name).toMatch(/^pq_/);
  });

  it('names at most maxStatements distinct texts in a process; the texts after those run unnamed', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh = require('./prepared-statements') as typeof import('./prepared-statements');
      const calls: unknown[][] = [];
      const client = fresh.prepareRepeatedStatements({ query: (...args: unknown[]) => calls.push(args) }, { maxStatements: 2 });
      for (const column of ['a', 'b', 'c', 'a']) client.query(`SELECT ${column} FROM t WHERE id = $1` as never, [1] as never);
      expect(calls.map(([config]) => (typeof config === 'string' ? 'unnamed' : 'named'))).toEqual(['named', 'named', 'unnamed', 'named']);
    });
  });
});

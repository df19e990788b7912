import { createHash } from 'node:crypto';

/** What prepareRepeatedStatements needs of a node-postgres client: its query method. */
export interface QueryingClient {
  query: (...args: never[]) => unknown;
}

/** Options of prepareRepeatedStatements. */
export interface PreparedStatementOptions {
  /**
   * Most distinct statement texts given a name in this process (default 2,000): a text built
   * anew for each call would otherwise make each connection keep one prepared statement per call.
   * Texts beyond that run unnamed, as before.
   */
  maxStatements?: number;
}

/**
 * The statement texts named so far in this process, by text. Shared by every client so that
 * the bound holds per process, not per connection.
 */
const names = new Map<string, string>();

/** The name of a text: a digest, so that one text has one name on every connection. */
function nameOf(text: string, maxStatements: number): string | undefined {
  const known = names.get(text);
  if (known !== undefined) return known;
  if (names.size >= maxStatements) return undefined;
  const name = `pq_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  names.set(text, name);
  return name;
}

/**
 * Whether a text may be prepared under a name: it has parameters (so it is sent with the extended
 * protocol already, and is one statement), and no `*` in its select list or RETURNING clause. A
 * prepared `SELECT *` fails with "cached plan must not change result type" once a migration adds a
 * column to its table (another instance's, in a rolling upgrade), on every connection that
 * prepared it.
 */
const STAR = /(\bSELECT\s+(DISTINCT\s+)?\*|,\s*\*\s*(,|\bFROM\b)|\bRETURNING\s+\*)/i;

/**
 * Has the client send every parameterised statement as a named prepared statement, its name a
 * digest of its text (docs/adr/0019-named-prepared-statements.md). PostgreSQL then parses and
 * plans each text once per connection instead of at every call, which is most of the server's
 * work for the short statements of a command or a message (a primary-key SELECT ran at 1.4 to 1.8
 * times the rate unnamed). node-postgres keeps which names a connection has prepared, and sends the
 * parse only the first time.
 *
 * Untouched: statements without parameters (the simple protocol: BEGIN, COMMIT, several
 * statements in one text), statements that already have a name, submittables (cursors, streams),
 * texts with a `*` select list (see STAR), and texts beyond `maxStatements`.
 */
export function prepareRepeatedStatements<C extends QueryingClient>(client: C, { maxStatements = 2000 }: PreparedStatementOptions = {}): C {
  const query = client.query as unknown as (...args: unknown[]) => unknown;
  const prepared = function (this: unknown, config: unknown, values?: unknown, ...rest: unknown[]): unknown {
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0 && !STAR.test(config)) {
      const name = nameOf(config, maxStatements);
      if (name !== undefined) return query.call(this, { name, text: config, values }, ...rest);
    } else if (
      config !== null &&
      typeof config === 'object' &&
      typeof (config as { submit?: unknown }).submit !== 'function' &&
      (config as { name?: unknown }).name === undefined &&
      typeof (config as { text?: unknown }).text === 'string'
    ) {
      const text = (config as { text: string }).text;
      const params = Array.isArray(values) ? values : (config as { values?: unknown }).values;
      if (Array.isArray(params) && params.length > 0 && !STAR.test(text)) {
        const name = nameOf(text, maxStatements);
        if (name !== undefined) return query.call(this, { ...(config as object), name }, values, ...rest);
      }
    }
    return query.call(this, config, values, ...rest);
  };
  (client as { query: unknown }).query = prepared;
  return client;
}

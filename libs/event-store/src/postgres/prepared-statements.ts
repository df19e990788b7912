import { createHash } from 'node:crypto';

/** What prepareRepeatedStatements needs of a node-postgres client: its query method. */
export interface QueryingClient {
  query: (...args: never[]) => unknown;
}

/** Options of prepareRepeatedStatements. */
export interface PreparedStatementOptions {
  /**
   * Most distinct statement texts looked at in this process (default 2,000): a text built anew
   * for each call would otherwise make each connection keep one prepared statement per call.
   * Texts beyond that run unnamed, as before.
   */
  maxStatements?: number;
}

/**
 * What was decided of each text seen in this process: its name, or null when it stays unnamed (a
 * `*` list, see STAR). Shared by every client so that the bound holds per process, not per
 * connection, and so that a text is looked at once, not at every call.
 */
const names = new Map<string, string | null>();

/**
 * Whether a text may be prepared under a name: no `*` in its select list or RETURNING clause. A
 * prepared `SELECT *` fails with "cached plan must not change result type" once a migration adds a
 * column to its table (another instance's, in a rolling upgrade), on every connection that
 * prepared it.
 */
const STAR = /(\bSELECT\s+(DISTINCT\s+)?\*|,\s*\*\s*(,|\bFROM\b)|\bRETURNING\s+\*)/i;

/** The name of a text (a digest, so that one text has one name on every connection); undefined when it stays unnamed. */
function nameOf(text: string, maxStatements: number): string | undefined {
  const known = names.get(text);
  if (known !== undefined) return known ?? undefined;
  if (names.size >= maxStatements) return undefined;
  const name = STAR.test(text) ? null : `pq_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  names.set(text, name);
  return name ?? undefined;
}

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
    // A text and its parameters (only statements with parameters use the extended protocol and are one statement).
    const isConfig =
      config !== null && typeof config === 'object' && typeof (config as { submit?: unknown }).submit !== 'function' && (config as { name?: unknown }).name === undefined;
    const text = typeof config === 'string' ? config : isConfig ? (config as { text?: unknown }).text : undefined;
    const params = Array.isArray(values) ? values : isConfig ? (config as { values?: unknown }).values : undefined;
    const name = typeof text === 'string' && Array.isArray(params) && params.length > 0 ? nameOf(text, maxStatements) : undefined;
    if (name === undefined) return query.call(this, config, values, ...rest);
    return typeof config === 'string' ? query.call(this, { name, text, values }, ...rest) : query.call(this, { ...(config as object), name }, values, ...rest);
  };
  (client as { query: unknown }).query = prepared;
  return client;
}

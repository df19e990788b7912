import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { migrateSchema, migrationSet } from '@custody/event-store';

/** One disclosure of personal data, as the interceptor appends it. */
export interface Disclosure {
  service: string;
  /** The principal: `sub`, issuer, state, organisation and roles of the token ('anonymous' with AUTH_MODE=off). */
  subject: string;
  issuer: string | null;
  state: string | null;
  organisation: string | null;
  roles: string[];
  purpose: string;
  recipient: string;
  method: string;
  /** The route's pattern (`/inmates/:id`) and the path as called, without its query string. */
  route: string;
  path: string;
  /** What was disclosed: `inmate`, `case`, `custody`… (the route's `@PersonalDataRead` kind). */
  kind: string;
  /** Every person whose data the answer carried. */
  personIds: string[];
  /** The states the disclosed data belongs to (the resource's, as the route resolved them), for the auditors' scope. */
  jurisdictions: string[];
  status: number;
  traceId: string | null;
  correlationId: string | null;
}

/** An entry of the log: the disclosure with its id, its place in the log and the time it was recorded. */
export interface AccessLogEntry extends Disclosure {
  position: string;
  id: string;
  at: string;
}

/** What an auditor asks for; `visibleTo` limits the entries to one state's (see {@link PostgresAccessLog.query}). */
export interface AccessLogFilter {
  personId?: string;
  subject?: string;
  state?: string;
  from?: string;
  to?: string;
  after?: string;
  limit: number;
  visibleTo?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The access log's migrations. Version 1 is the DDL from before versioned migrations (IF NOT
 * EXISTS, the trigger created or replaced): on a schema it already made it changes nothing.
 */
export const ACCESS_LOG_MIGRATIONS = migrationSet('access-log', ['access_log, its indexes and the append-only trigger', (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.access_log (
          position bigserial PRIMARY KEY,
          id uuid NOT NULL UNIQUE,
          at timestamptz NOT NULL DEFAULT clock_timestamp(),
          service text NOT NULL,
          subject text NOT NULL,
          issuer text,
          state text,
          organisation text,
          roles text[] NOT NULL,
          purpose text NOT NULL,
          recipient text NOT NULL,
          method text NOT NULL,
          route text NOT NULL,
          path text NOT NULL,
          kind text NOT NULL,
          person_ids text[] NOT NULL,
          jurisdictions text[] NOT NULL,
          status integer NOT NULL,
          trace_id text,
          correlation_id text
        );
        CREATE INDEX IF NOT EXISTS access_log_person_ids ON ${s}.access_log USING gin (person_ids);
        CREATE INDEX IF NOT EXISTS access_log_jurisdictions ON ${s}.access_log USING gin (jurisdictions);
        CREATE INDEX IF NOT EXISTS access_log_subject ON ${s}.access_log (subject, position);
        CREATE INDEX IF NOT EXISTS access_log_at ON ${s}.access_log (at);
        CREATE OR REPLACE FUNCTION ${s}.access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
          RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END;
        $fn$;
        CREATE OR REPLACE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.access_log
          FOR EACH STATEMENT EXECUTE FUNCTION ${s}.access_log_append_only();
      `]);

interface Row {
  position: string;
  id: string;
  at: Date;
  service: string;
  subject: string;
  issuer: string | null;
  state: string | null;
  organisation: string | null;
  roles: string[];
  purpose: string;
  recipient: string;
  method: string;
  route: string;
  path: string;
  kind: string;
  person_ids: string[];
  jurisdictions: string[];
  status: number;
  trace_id: string | null;
  correlation_id: string | null;
}

/**
 * The access log of one service (Directive (EU) 2016/680 Art 25), a table in the service's
 * schema. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, whoever asks.
 */
export class PostgresAccessLog {
  readonly table: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    if (!IDENTIFIER.test(schema)) throw new RangeError(`the schema name ${JSON.stringify(schema)} is not a plain lower-case identifier`);
    this.table = `"${schema}".access_log`;
  }

  /** Applies the table's missing migrations (instances starting together wait for each other). */
  async migrate(): Promise<void> {
    await migrateSchema(this.pool, this.schema, ACCESS_LOG_MIGRATIONS);
  }

  /** Appends one disclosure; resolves once it is committed. */
  async append(disclosure: Disclosure): Promise<string> {
    const id = randomUUID();
    const d = disclosure;
    await this.pool.query(
      `INSERT INTO ${this.table} (id, service, subject, issuer, state, organisation, roles, purpose, recipient, method, route, path, kind,
                                  person_ids, jurisdictions, status, trace_id, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [id, d.service, d.subject, d.issuer, d.state, d.organisation, d.roles, d.purpose, d.recipient, d.method, d.route, d.path, d.kind,
        d.personIds, d.jurisdictions, d.status, d.traceId, d.correlationId],
    );
    return id;
  }

  /**
   * Entries in the order they were recorded, `limit` at a time after the position `after`.
   * With `visibleTo`, only the entries made by principals of that state or about data of that
   * state (its `jurisdictions`).
   */
  async query(filter: AccessLogFilter): Promise<{ items: AccessLogEntry[]; nextAfter: string | null }> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const where = (sql: (p: string) => string, value: unknown) => {
      values.push(value);
      conditions.push(sql(`$${values.length}`));
    };
    if (filter.visibleTo !== undefined) where((p) => `(state = ${p} OR jurisdictions @> ARRAY[${p}]::text[])`, filter.visibleTo);
    if (filter.personId !== undefined) where((p) => `person_ids @> ARRAY[${p}]::text[]`, filter.personId);
    if (filter.subject !== undefined) where((p) => `subject = ${p}`, filter.subject);
    if (filter.state !== undefined) where((p) => `state = ${p}`, filter.state);
    if (filter.from !== undefined) where((p) => `at >= ${p}::timestamptz`, filter.from);
    if (filter.to !== undefined) where((p) => `at < ${p}::timestamptz`, filter.to);
    if (filter.after !== undefined) where((p) => `position > ${p}::bigint`, filter.after);
    values.push(filter.limit + 1);
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.table} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY position LIMIT $${values.length}`,
      values,
    );
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map((row) => ({
        position: row.position,
        id: row.id,
        at: row.at.toISOString(),
        service: row.service,
        subject: row.subject,
        issuer: row.issuer,
        state: row.state,
        organisation: row.organisation,
        roles: row.roles,
        purpose: row.purpose,
        recipient: row.recipient,
        method: row.method,
        route: row.route,
        path: row.path,
        kind: row.kind,
        personIds: row.person_ids,
        jurisdictions: row.jurisdictions,
        status: row.status,
        traceId: row.trace_id,
        correlationId: row.correlation_id,
      })),
      nextAfter: rows.length > filter.limit ? page[page.length - 1].position : null,
    };
  }
}

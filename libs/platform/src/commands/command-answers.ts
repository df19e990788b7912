import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { canonicalJson, CommandRejection, ContractViolation, isRejectionCode, REJECTIONS, type FieldProblem } from '@custody/contracts';
import { migrateSchema, migrationSet, type NewEvent } from '@custody/event-store';
import { asRejection, type CommandOutcome, type Handled } from '@custody/event-sourcing';

/**
 * The answer to each command, by command id (docs/architecture.md, "Idempotent commands";
 * docs/adr/0010-http-idempotency-by-command-id.md): who sent it (`scope`), what it said
 * (`fingerprint`), its outcome, and over HTTP the status and body it was answered with, written in
 * the transaction of the command's effect. Kept as long as the events it answers for.
 */
export const COMMAND_ANSWER_MIGRATIONS = migrationSet('command-answers', ['command_answers: the answer to each command, by command id', (s) => `
        CREATE TABLE IF NOT EXISTS ${s}.command_answers (
          command_id uuid PRIMARY KEY,
          command_type text NOT NULL,
          scope text NOT NULL,
          fingerprint text NOT NULL,
          channel text NOT NULL CHECK (channel IN ('http', 'kafka')),
          outcome jsonb NOT NULL,
          http_status integer,
          http_body text,
          answered_at timestamptz NOT NULL DEFAULT now()
        );
      `]);

/** What the answers need of a connection: the pool, or the transaction of a command's effect. */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** The scope of a command sent by nobody verified (AUTH_MODE=off, COMMAND_SIGNATURES=off). */
export const UNVERIFIED_SCOPE = 'unverified';

/**
 * Who a command id belongs to: the state that sent it, as verified (the issuer of the bearer
 * token, the state of the key that signed a Kafka command). A state never hears another's answer.
 */
export const scopeOf = (state: string | undefined): string => state ?? UNVERIFIED_SCOPE;

/** What makes two sends the same command: its id, its type, who sent it and what it says. */
export interface CommandIdentity {
  commandId: string;
  commandType: string;
  scope: string;
  /** SHA-256 of the RFC 8785 canonical JSON of `{ type, command }`: the same JSON value, whatever its key order or spacing. */
  fingerprint: string;
}

export function commandIdentity(commandType: string, command: unknown, scope: string): CommandIdentity {
  const commandId = String((command as { commandId?: unknown } | null)?.commandId ?? '').toLowerCase();
  const fingerprint = createHash('sha256').update(canonicalJson({ type: commandType, command })).digest('hex');
  return { commandId, commandType, scope, fingerprint };
}

/** A stored answer. */
export interface StoredAnswer {
  commandId: string;
  commandType: string;
  scope: string;
  fingerprint: string;
  channel: 'http' | 'kafka';
  outcome: CommandOutcome;
  /** Over HTTP: the status and the exact JSON text of the body it was answered with. */
  httpStatus?: number;
  httpBody?: string;
}

interface AnswerRow {
  command_id: string;
  command_type: string;
  scope: string;
  fingerprint: string;
  channel: 'http' | 'kafka';
  outcome: CommandOutcome;
  http_status: number | null;
  http_body: string | null;
}

/** The answer to a command whose id was taken by another: 422 IDEMPOTENCY_KEY_REUSED, naming nothing of the other. */
export function keyReused(commandId: string): CommandRejection {
  return new CommandRejection('IDEMPOTENCY_KEY_REUSED', REJECTIONS.IDEMPOTENCY_KEY_REUSED.message, {}, [
    { path: 'commandId', problem: `commandId ${commandId} was already used for another command; a resend must repeat the command unchanged` },
  ]);
}

/** An answer's problem body, as the service's error filter writes it: `{ code, message, errors, details }`. */
export function problemOf(rejection: Extract<CommandOutcome, { accepted: false }>): { status: number; body: Record<string, unknown> } {
  const status = isRejectionCode(rejection.code) ? REJECTIONS[rejection.code].status : 422;
  return { status, body: { code: rejection.code, message: rejection.message, errors: rejection.errors, details: rejection.details } };
}

/**
 * The rejection of an error, when it is the command's answer: a rule's refusal (4xx of the
 * catalogue). CONCURRENCY_CONFLICT is none (another writer won a race: sending again may
 * succeed), nor NOT_YET_KNOWN_HERE (what the command needs is still on its way from another
 * service: the same command sent again after Retry-After may succeed; docs/adr/0012-not-yet-known-here.md),
 * nor is a failure of the service (5xx), which records nothing.
 */
export function answeringRejection(error: unknown): Extract<CommandOutcome, { accepted: false }> | undefined {
  const rejection = asRejection(error);
  if (!rejection || rejection.code === 'CONCURRENCY_CONFLICT' || rejection.code === 'NOT_YET_KNOWN_HERE') return undefined;
  return problemOf(rejection).status < 500 ? rejection : undefined;
}

/** The outcome of an accepted command, as CommandAccepted carries it: every event it appended, and its stream's revision. */
export function acceptedOutcome(events: readonly NewEvent[], revision?: number): CommandOutcome {
  return { accepted: true, eventIds: events.map((e) => e.id), ...(revision === undefined ? {} : { streamRevision: revision }) };
}

/** The outcome of what handleCommand did: the command's events and those it appended beside them. */
export const handledOutcome = (handled: Pick<Handled<unknown, unknown>, 'events' | 'also' | 'revision'>): CommandOutcome =>
  acceptedOutcome([...handled.events, ...handled.also.flatMap((a) => a.events)], handled.revision);

/** The stored answers of a service's commands, in its schema. */
@Injectable()
export class CommandAnswers {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`the schema name ${JSON.stringify(schema)} is not a plain lower-case identifier`);
    this.table = `"${schema}".command_answers`;
  }

  /** Applies the table's missing migrations. */
  async migrate(): Promise<void> {
    await migrateSchema(this.pool, this.schema, COMMAND_ANSWER_MIGRATIONS);
  }

  /** The stored answer to a command, read through `on` (the pool, or a transaction that may have written it). */
  async find(commandId: string, on: Queryable = this.pool): Promise<StoredAnswer | undefined> {
    const { rows } = await on.query<AnswerRow>(
      `SELECT command_id, command_type, scope, fingerprint, channel, outcome, http_status, http_body FROM ${this.table} WHERE command_id = $1`,
      [commandId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      commandId: row.command_id,
      commandType: row.command_type,
      scope: row.scope,
      fingerprint: row.fingerprint,
      channel: row.channel,
      outcome: row.outcome,
      ...(row.http_status === null ? {} : { httpStatus: row.http_status }),
      ...(row.http_body === null ? {} : { httpBody: row.http_body }),
    };
  }

  /**
   * Stores a command's answer through `on`; false when the command id has one already (stored by
   * a transaction that committed meanwhile: PostgreSQL waits for a concurrent one to end).
   */
  async insert(answer: StoredAnswer, on: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await on.query(
      `INSERT INTO ${this.table} (command_id, command_type, scope, fingerprint, channel, outcome, http_status, http_body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (command_id) DO NOTHING`,
      [answer.commandId, answer.commandType, answer.scope, answer.fingerprint, answer.channel, JSON.stringify(answer.outcome), answer.httpStatus ?? null, answer.httpBody ?? null],
    );
    return rowCount === 1;
  }

  /**
   * Stores a command's answer through `on`, failing when the command id has one already: in the
   * transaction of the command's effect, so that the effect and its answer commit together or
   * not at all, and a second execution of the command cannot commit an effect of its own.
   */
  async insertOrFail(answer: StoredAnswer, on: Queryable): Promise<void> {
    if (!(await this.insert(answer, on))) throw new AnsweredMeanwhile(answer.commandId);
  }
}

/** Raised in the unit of work of a command whose id got an answer meanwhile: the effect rolls back, the stored answer is given. */
export class AnsweredMeanwhile extends Error {
  readonly code = 'ANSWERED_MEANWHILE';
  /** A race with another writer of the command's answer: a consumer retries the command, and finds that answer (ADR 0008). */
  readonly transient = true;

  constructor(readonly commandId: string) {
    super(`command ${commandId} was answered meanwhile`);
    this.name = 'AnsweredMeanwhile';
  }
}

/** The Idempotency-Key header, when given, must be the body's commandId: a command has one key. */
export function checkIdempotencyKey(header: string | undefined, commandId: string): void {
  if (header === undefined) return;
  if (header.trim().toLowerCase() === commandId.toLowerCase()) return;
  const problem: FieldProblem = {
    path: 'headers.idempotency-key',
    problem: `Idempotency-Key must be the body's commandId (${commandId}) or be left out: a command's key is its commandId`,
  };
  throw new ContractViolation('VALIDATION_FAILED', [problem]);
}

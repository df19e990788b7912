import { Injectable } from '@nestjs/common';
import type { CommandRejection } from '@custody/contracts';
import { asRejection, type CommandOutcome, type Handled } from '@custody/event-sourcing';
import type { PostgresTransaction } from '@custody/event-store';
import type { Caller } from '../event-metadata';
import {
  answeringRejection, checkIdempotencyKey, CommandAnswers, commandIdentity, handledOutcome, keyReused, problemOf, scopeOf,
  type CommandIdentity, type Queryable, type StoredAnswer,
} from './command-answers';

/**
 * The answer to an HTTP command, handed to the service's port: the port records it in the unit of
 * work of the command's effect, so that the effect and the answer commit together or not at all
 * (docs/architecture.md, "Idempotent commands"). A command that writes nothing needs no call: its
 * answer is recorded once the port returns.
 */
export interface CommandAnswer {
  readonly commandId: string;
  /**
   * handleCommand's `onApplied`: records `respond(handled)`, the route's body, with the command's
   * outcome, through `txOf(unit)` (by default the unit itself, a transaction).
   */
  whenApplied<Unit, H extends Pick<Handled<unknown, unknown>, 'events' | 'also' | 'revision'>>(
    respond: (handled: H) => unknown,
    txOf?: (unit: Unit) => Queryable,
  ): (unit: Unit, handled: H) => Promise<void>;
  /** Records through `tx` the route's body and the command's outcome, or a rejection written with events (a refusal the rules record). */
  record(tx: Queryable, answer: { body: unknown; outcome: CommandOutcome } | { rejection: CommandRejection }): Promise<void>;
}

/** What the route answers: a status and its body, and whether they are the stored answer given again. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** An HTTP command as the route received it. */
export interface HttpCommand {
  type: string;
  /** The route's status for a success (200 or 201). */
  status: number;
  /** The body as the client sent it (its JSON, before the validation pipe made it a class). */
  raw: unknown;
  /** The Idempotency-Key header, when given. */
  idempotencyKey?: string;
  caller: Caller;
}

class RecordingAnswer implements CommandAnswer {
  /** The text of the last answer recorded in a unit of work (whether that unit committed, the stored row tells). */
  recorded?: string;
  /** The answer recorded by a unit of work that said it committed (PostgresTransaction.afterCommit). */
  committed?: StoredAnswer;

  constructor(
    private readonly answers: CommandAnswers,
    private readonly identity: CommandIdentity,
    private readonly status: number,
  ) {}

  get commandId(): string {
    return this.identity.commandId;
  }

  whenApplied<Unit, H extends Pick<Handled<unknown, unknown>, 'events' | 'also' | 'revision'>>(
    respond: (handled: H) => unknown,
    txOf: (unit: Unit) => Queryable = (unit) => unit as unknown as Queryable,
  ): (unit: Unit, handled: H) => Promise<void> {
    return (unit, handled) => this.record(txOf(unit), { body: respond(handled), outcome: handledOutcome(handled) });
  }

  async record(tx: Queryable, answer: { body: unknown; outcome: CommandOutcome } | { rejection: CommandRejection }): Promise<void> {
    const stored = 'rejection' in answer ? this.rejected(answer.rejection) : this.accepted(answer.body, answer.outcome);
    await this.answers.insertOrFail(stored, tx);
    this.recorded = stored.httpBody;
    // A unit of work that can say it committed spares the look at the stored answer afterwards.
    const { afterCommit } = tx as Partial<Pick<PostgresTransaction, 'afterCommit'>>;
    if (typeof afterCommit === 'function') afterCommit.call(tx, () => (this.committed = stored));
  }

  accepted(body: unknown, outcome: CommandOutcome): StoredAnswer {
    return { ...this.identity, channel: 'http', outcome, httpStatus: this.status, httpBody: JSON.stringify(body) };
  }

  rejected(error: unknown): StoredAnswer {
    const rejection = asRejection(error)!;
    const problem = problemOf(rejection);
    return { ...this.identity, channel: 'http', outcome: rejection, httpStatus: problem.status, httpBody: JSON.stringify(problem.body) };
  }
}

/**
 * Idempotent HTTP commands (docs/adr/0010-http-idempotency-by-command-id.md). A command's key is
 * its commandId (an Idempotency-Key header, when given, must be the same); its answer is stored
 * with the state that sent it and the fingerprint of what it said. Sent again by the same state
 * with the same content, it is answered with the stored status and body, byte for byte, without
 * running again; with other content, from another state or on another route, 422
 * IDEMPOTENCY_KEY_REUSED, naming nothing of the first. Rejections of the rules are answers too.
 *
 * Concurrent sends of one command: within an instance, they wait for the first to finish and
 * then hear its answer; between instances, the answer is written in the transaction of the
 * effect under the command id's primary key, so one execution commits and the others, failing
 * or deciding otherwise, are given its answer.
 */
@Injectable()
export class HttpCommandAnswers {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly answers: CommandAnswers) {}

  async answer(command: HttpCommand, execute: (answer: CommandAnswer) => Promise<unknown>): Promise<HttpAnswer> {
    const identity = commandIdentity(command.type, command.raw, scopeOf(command.caller.principal?.state));
    checkIdempotencyKey(command.idempotencyKey, identity.commandId);
    return this.oneAtATime(identity.commandId, () => this.run(identity, command.status, execute));
  }

  private async run(identity: CommandIdentity, status: number, execute: (answer: CommandAnswer) => Promise<unknown>): Promise<HttpAnswer> {
    const stored = await this.answers.find(identity.commandId);
    if (stored) return replay(stored, identity, status);
    const answer = new RecordingAnswer(this.answers, identity, status);
    // The stored answer: this execution's own, recorded with its effect, or a concurrent one's that won.
    const given = (found: StoredAnswer): HttpAnswer => {
      const replayed = replay(found, identity, status);
      return found.httpBody !== undefined && found.httpBody === answer.recorded ? { ...replayed, replayed: false } : replayed;
    };
    let body: unknown;
    try {
      body = await execute(answer);
    } catch (error) {
      const rejection = answeringRejection(error);
      if (rejection && (await this.answers.insert(answer.rejected(error)))) return { ...problemOf(rejection), replayed: false };
      const meanwhile = await this.answers.find(identity.commandId);
      if (meanwhile) return given(meanwhile);
      throw error;
    }
    // Its own answer, committed with its effect: the stored answer, as a look would read it.
    const { committed } = answer;
    if (committed?.httpStatus !== undefined && committed.httpBody !== undefined) return { status: committed.httpStatus, body: JSON.parse(committed.httpBody), replayed: false };
    const meanwhile = await this.answers.find(identity.commandId);
    if (meanwhile) return given(meanwhile);
    // The command wrote nothing (no unit of work): its answer is recorded now.
    if (await this.answers.insert(answer.accepted(body, { accepted: true, eventIds: [] }))) return { status, body, replayed: false };
    return given((await this.answers.find(identity.commandId))!);
  }

  /** Sends of one command id in this instance run one after the other: the later ones hear the first's answer. */
  private async oneAtATime<T>(commandId: string, work: () => Promise<T>): Promise<T> {
    for (let running = this.inFlight.get(commandId); running; running = this.inFlight.get(commandId)) await running;
    const done = work();
    const settled = done.then(() => undefined, () => undefined);
    this.inFlight.set(commandId, settled);
    try {
      return await done;
    } finally {
      if (this.inFlight.get(commandId) === settled) this.inFlight.delete(commandId);
    }
  }
}

/**
 * The stored answer given again, to the same state for the same command; 422 IDEMPOTENCY_KEY_REUSED
 * otherwise. A command answered on Kafka is answered as its result there says: a rejection as
 * the same problem, an acceptance with the route's status and the result's fields.
 */
export function replay(stored: StoredAnswer, identity: CommandIdentity, status: number): HttpAnswer {
  if (stored.scope !== identity.scope || stored.fingerprint !== identity.fingerprint) throw keyReused(identity.commandId);
  if (stored.httpStatus !== undefined && stored.httpBody !== undefined) return { status: stored.httpStatus, body: JSON.parse(stored.httpBody), replayed: true };
  const outcome = stored.outcome;
  if (!outcome.accepted) return { ...problemOf(outcome), replayed: true };
  const body = { commandId: identity.commandId, eventIds: outcome.eventIds, ...(outcome.streamRevision === undefined ? {} : { streamRevision: outcome.streamRevision }) };
  return { status, body, replayed: true };
}

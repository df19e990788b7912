import { type RejectionCode, REJECTIONS } from './codes';

/** One failing field: a dotted path (`identity.documents.0.number`, `headers.ce_id`) and the problem. */
export interface FieldProblem {
  path: string;
  problem: string;
}

/**
 * A decider's refusal: a stable code of the catalogue, the catalogue's sentence (or a more specific
 * one), and details a client can use (e.g. `{ existingInmateId }`). Thrown by deciders, turned into
 * a 4xx answer or a `CommandRejected` result at the edge.
 */
export class CommandRejection extends Error {
  override readonly name = 'CommandRejection';

  constructor(
    readonly code: RejectionCode,
    message: string = REJECTIONS[code].message,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly errors: readonly FieldProblem[] = [],
  ) {
    super(message);
  }

  /** The HTTP status for this code. */
  get status(): number {
    return REJECTIONS[this.code].status;
  }
}

/** Builds a rejection with the catalogue's sentence: `throw reject('DEADLINE_PASSED', { dueAt })`. */
export function reject(code: RejectionCode, details: Record<string, unknown> = {}, message?: string): CommandRejection {
  return new CommandRejection(code, message ?? REJECTIONS[code].message, details);
}

/**
 * A refusal that a pure rule described without knowing this catalogue's classes (e.g. a time rule of
 * the legal library, Rule 17): its code, the sentence naming what is wrong, details and failing fields.
 */
export function rejectionOf(problem: { code: RejectionCode; message: string; details?: Record<string, unknown>; errors?: readonly FieldProblem[] }): CommandRejection {
  return new CommandRejection(problem.code, problem.message, problem.details ?? {}, problem.errors ?? []);
}

/** Codes the contract itself produces when a message or payload breaks it. */
export type ContractViolationCode = Extract<
  RejectionCode,
  'VALIDATION_FAILED' | 'INVALID_ENVELOPE' | 'UNKNOWN_MESSAGE_TYPE' | 'UNKNOWN_SCHEMA_VERSION' | 'MESSAGE_TOO_LARGE' | 'WRONG_TOPIC'
>;

/** What was read from a broken message before it failed; enough to answer and to dead-letter it. */
export interface ViolationContext {
  id?: string;
  type?: string;
  schemaVersion?: number;
  correlationId?: string;
}

/**
 * A message or payload that breaks the contract, with every failing field. Returned by the
 * validation and envelope functions (never thrown as a string).
 */
export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';

  constructor(
    readonly code: ContractViolationCode,
    readonly errors: readonly FieldProblem[],
    readonly context: ViolationContext = {},
    message: string = REJECTIONS[code].message,
  ) {
    super(message);
  }

  get status(): number {
    return REJECTIONS[this.code].status;
  }
}

/**
 * NOT_YET_KNOWN_HERE (docs/adr/0012-not-yet-known-here.md): what the command needs was sent by
 * another service, or may have been, and has not been read here yet. `awaited` says what, as a
 * sentence ("intake's registration of this person has not reached the transfer service yet");
 * `retryAfterSeconds` is the wait the client is asked for (HTTP's Retry-After).
 */
export function notYetKnownHere(awaited: string, retryAfterSeconds: number, details: Record<string, unknown> = {}): CommandRejection {
  return reject('NOT_YET_KNOWN_HERE', { ...details, retryAfterSeconds }, `${awaited.charAt(0).toUpperCase()}${awaited.slice(1)}: send the request again in ${retryAfterSeconds} s.`);
}

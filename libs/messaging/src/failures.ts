/**
 * What a handler's failure means for its message (docs/adr/0008-transient-failures-block-the-partition.md):
 *
 * - `transient`: the world around the message failed (the database or the broker out of reach, a
 *   timeout, a serialization failure or deadlock, a key this instance cannot unwrap yet). Retrying
 *   will succeed once the world is back, and skipping the message would apply later messages for
 *   the same person without it: the partition waits and retries, for as long as it takes.
 * - `permanent`: the message breaks a rule (the contract, validation, authorisation, a decision
 *   refused). Retrying gives the same answer: it goes to the dead-letter topic at once.
 * - `unknown`: anything else (most likely a defect of the handler). Retried a bounded number of
 *   times, then dead-lettered as HANDLER_FAILED, from where an operator replays it once fixed.
 */
export type FailureKind = 'transient' | 'permanent' | 'unknown';

export interface ClassifiedFailure {
  kind: FailureKind;
  /** A stable code: the rule's (permanent), or what failed (SQLSTATE, errno, error name). */
  code: string;
  /** The error's message. */
  reason: string;
}

/**
 * SQLSTATE classes of PostgreSQL errors that say nothing about the message: 08 connection
 * exception, 40 transaction rollback (serialization failure, deadlock), 53 insufficient resources,
 * 57 operator intervention (admin shutdown, crash shutdown, cannot connect now, query canceled by a
 * statement timeout), 58 system error (I/O).
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '40', '53', '57', '58']);
/** Single SQLSTATEs of the same nature outside those classes; and 40002, which is about the data. */
const TRANSIENT_SQLSTATES = new Set(['55P03' /* lock_not_available */, '55006' /* object_in_use */, '25P03' /* idle_in_transaction_session_timeout */, '25P04' /* transaction_timeout */]);
const NOT_TRANSIENT_SQLSTATES = new Set(['40002' /* transaction_integrity_constraint_violation: the data broke a deferred constraint */]);

/** Node's system error codes of a network that failed, not of a message. */
const TRANSIENT_ERRNO = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EHOSTDOWN',
  'ENETUNREACH', 'ENETDOWN', 'ENETRESET', 'EAI_AGAIN', 'ENOTFOUND', 'EADDRNOTAVAIL',
]);

/** node-postgres and its pool report a lost or unobtainable connection without a code. */
const TRANSIENT_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /client has encountered a connection error and is not queryable/i,
  /client was closed and is not queryable/i,
  /cannot use a pool after calling end on the pool/i,
  /query read timeout/i,
  /terminating connection/i,
];

/** Event-store error codes of a race another writer won: the next attempt reads the new state. */
const TRANSIENT_STORE_CODES = new Set(['WRONG_EXPECTED_REVISION']);
/** Event-store error codes that the message's content causes. */
const PERMANENT_STORE_CODES = new Set(['STREAM_CLOSED', 'INVALID_STREAM_NAME', 'EVENT_TOO_LARGE', 'NON_SERIALISABLE_EVENT', 'INVALID_EXPECTED_REVISION', 'DUPLICATE_EVENT_ID', 'INVALID_EVENT']);
/** Rejection codes that are a race or an outage, not a decision: retried like one. */
const TRANSIENT_REJECTION_CODES = new Set(['CONCURRENCY_CONFLICT', 'ACCESS_LOG_UNAVAILABLE']);

type Inspectable = Error & { code?: unknown; type?: unknown; retriable?: unknown; transient?: unknown; permanent?: unknown; errors?: unknown; cause?: unknown };

const isObject = (value: unknown): value is Inspectable => typeof value === 'object' && value !== null;
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Whether one error (not its causes) is transient; undefined when it does not say. */
function transientCode(error: Inspectable): string | undefined {
  if (error.transient === true) return text(error.code) || error.name || 'TRANSIENT';
  const code = text(error.code);
  if (TRANSIENT_ERRNO.has(code)) return code;
  if (/^[0-9A-Z]{5}$/.test(code) && !NOT_TRANSIENT_SQLSTATES.has(code) && (TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2)) || TRANSIENT_SQLSTATES.has(code))) return code;
  if (TRANSIENT_STORE_CODES.has(code)) return code;
  if (error.name === 'CommandRejection' && TRANSIENT_REJECTION_CODES.has(code)) return code;
  // kafkajs marks the errors that retrying may fix (a leader moving, a broker unreachable).
  if (error.retriable === true && typeof error.name === 'string' && error.name.startsWith('KafkaJS')) return text(error.type) || error.name;
  const message = typeof error.message === 'string' ? error.message : '';
  if (!code && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message))) return 'CONNECTION_LOST';
  return undefined;
}

/** The rule's code when the error is a refusal of the message itself; undefined otherwise. */
function permanentCode(error: Inspectable): string | undefined {
  const code = text(error.code);
  if (error.permanent === true) return code || error.name || 'PERMANENT';
  switch (error.name) {
    case 'PermanentHandlerError':
    case 'ContractViolation':
      return code || error.name;
    case 'CommandRejection':
      return TRANSIENT_REJECTION_CODES.has(code) ? undefined : code || error.name;
    default:
      return PERMANENT_STORE_CODES.has(code) ? code : undefined;
  }
}

/** The errors behind one: its `cause`, and the `errors` of an AggregateError (a connection tried at several addresses). */
function causes(error: Inspectable): unknown[] {
  return [error.cause, ...(Array.isArray(error.errors) ? error.errors : [])].filter((cause) => cause !== undefined && cause !== error);
}

/**
 * Classifies a handler's failure. The error itself decides first (a refusal is permanent even when
 * raised while a connection wobbled), then its causes in order. Errors can say so themselves: `transient: true` (e.g. a data key that cannot be
 * unwrapped yet), `permanent: true`.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  const reason = error instanceof Error ? error.message : String(error);
  const seen = new Set<unknown>();
  const visit = (current: unknown, depth: number): ClassifiedFailure | undefined => {
    if (!isObject(current) || seen.has(current) || depth > 8) return undefined;
    seen.add(current);
    const permanent = permanentCode(current);
    if (permanent) return { kind: 'permanent', code: permanent, reason };
    const transient = transientCode(current);
    if (transient) return { kind: 'transient', code: transient, reason };
    for (const cause of causes(current)) {
      const found = visit(cause, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const classified = visit(error, 0);
  if (classified) return classified;
  const name = isObject(error) && typeof error.name === 'string' ? error.name : 'Error';
  return { kind: 'unknown', code: 'HANDLER_FAILED', reason: reason || name };
}

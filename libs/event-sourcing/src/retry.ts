/**
 * How a write that lost a race against another writer is tried again.
 *
 * - `maxAttempts` counts attempts in all, the first one included: 5 means one attempt and at
 *   most four retries, whoever calls the handler. No layer above the handler retries on
 *   CONCURRENCY_CONFLICT, so the number configured is the number made.
 * - Between two attempts the writer waits a random time in [0, min(maxDelayMs, baseDelayMs ×
 *   2^(attempt − 1))] ms ("full jitter"): a few milliseconds after the first conflict, growing
 *   with each one, so that writers who collided do not collide again in step.
 * - The retry does not read the stream again from its start: it reads the events appended since
 *   the revision the failed attempt had decided on and folds them onto the state it had.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  /** The pause after the failed attempt number `attempt` (1 for the first), in milliseconds. */
  delayMs(attempt: number): number;
  /** Waits; replaceable in tests. */
  sleep(ms: number): Promise<void>;
}

export interface RetryPolicyOptions {
  /** Attempts in all (default 5). */
  maxAttempts?: number;
  /** The ceiling of the first pause (default 2 ms); it doubles at each attempt. */
  baseDelayMs?: number;
  /** The highest ceiling (default 250 ms). */
  maxDelayMs?: number;
  /** A number in [0, 1) (default Math.random). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Raised when a retry policy is built with values that make no sense. */
export class InvalidRetryPolicyError extends Error {
  readonly code = 'INVALID_RETRY_POLICY';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRetryPolicyError';
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The retry policy; see {@link RetryPolicy} for what its numbers mean. */
export function retryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const { maxAttempts = 5, baseDelayMs = 2, maxDelayMs = 250, random = Math.random, sleep = pause } = options;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new InvalidRetryPolicyError(`maxAttempts must be an integer of at least 1, not ${maxAttempts}`);
  if (!(baseDelayMs >= 0) || !(maxDelayMs >= 0)) throw new InvalidRetryPolicyError('delays must be zero or more milliseconds');
  return {
    maxAttempts,
    delayMs: (attempt) => random() * Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30)),
    sleep,
  };
}

/** How a failing handler is retried before its message is dead-lettered (failures of unknown kind). */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 5_000 };

/** The wait before attempt `attempt` (2, 3, …): exponential, capped, without jitter so tests can reason about it. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  if (attempt <= 1) return 0;
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(attempt - 2, 30));
}

/**
 * How a message whose handler failed for a transient reason (the database or the broker out of
 * reach) is retried: without end, the wait growing from `initialDelayMs` to at most `maxDelayMs`.
 */
export interface TransientRetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_TRANSIENT_RETRY_POLICY: TransientRetryPolicy = { initialDelayMs: 200, maxDelayMs: 5_000 };

/**
 * The wait after the `failures`-th transient failure in a row (1, 2, …): the exponential, capped
 * ceiling of {@link backoffDelay}, of which a random half is waited ("equal jitter"): instances that
 * lost the database together do not come back in step, and no wait is shorter than half its ceiling.
 */
export function jitteredDelay(policy: TransientRetryPolicy, failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

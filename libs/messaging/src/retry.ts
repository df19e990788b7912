/** How a failing handler is retried before its message is dead-lettered. */
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
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 2));
}

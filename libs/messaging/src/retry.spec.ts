import { backoffDelay, type RetryPolicy } from './retry';

describe('retry backoff', () => {
  const policy: RetryPolicy = { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 500 };

  it.each([
    [1, 0],
    [2, 100],
    [3, 200],
    [4, 400],
    [5, 500],
    [6, 500],
  ])('waits before attempt %i: %i ms', (attempt, expected) => {
    expect(backoffDelay(policy, attempt)).toBe(expected);
  });
});

import { InvalidRetryPolicyError, retryPolicy } from './retry';

describe('the retry policy', () => {
  it('defaults to 5 attempts in all', () => {
    expect(retryPolicy().maxAttempts).toBe(5);
  });

  it('waits a few milliseconds after the first conflict, doubling the ceiling at each one, up to the highest', () => {
    const highest = retryPolicy({ baseDelayMs: 2, maxDelayMs: 20, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map((attempt) => Math.round(highest.delayMs(attempt)))).toEqual([2, 4, 8, 16, 20, 20]);
  });

  it('draws the pause at random under the ceiling (jitter)', () => {
    const draws = [0, 0.25, 0.5];
    const policy = retryPolicy({ baseDelayMs: 8, random: () => draws.shift()! });
    expect([policy.delayMs(1), policy.delayMs(1), policy.delayMs(1)]).toEqual([0, 2, 4]);
  });

  it('refuses a number of attempts below one', () => {
    expect(() => retryPolicy({ maxAttempts: 0 })).toThrow(InvalidRetryPolicyError);
    expect(() => retryPolicy({ maxAttempts: 1.5 })).toThrow(InvalidRetryPolicyError);
  });
});

// The wait between attempts: doubling up to the cap, spread by jitter, never below Retry-After.
import { describe, expect, it } from 'vitest';

import { retryDelay } from '../src/index.js';

const policy = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 };

describe('retryDelay', () => {
  it('doubles the ceiling each attempt, jittered below it, up to the cap', () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelay(attempts, policy, undefined, () => 0.999_999))).toEqual([4_999, 9_999, 19_999, 39_999]);
    expect(retryDelay(30, policy, undefined, () => 0.999_999)).toBe(3_599_996);
    // Jitter spreads it out, but not to nothing.
    expect(retryDelay(3, policy, undefined, () => 0)).toBe(1_000);
    expect(retryDelay(3, policy, undefined, () => 0.5)).toBe(10_000);
  });

  it('waits at least what Retry-After says, within the cap', () => {
    expect(retryDelay(1, policy, 120_000, () => 0.5)).toBe(120_000);
    expect(retryDelay(1, policy, 86_400_000, () => 0.5)).toBe(3_600_000);
  });
});

// When to try a failed delivery again: exponential backoff with full jitter (spread out, so that a
// receiver coming back is not hit by every sender at once), never sooner than its Retry-After.

/**
 * The retry policy.
 *
 * @example
 * ```ts
 * const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 };
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all before a delivery is dead. */
  readonly maxAttempts: number;
  /** The first retry waits up to this long; each next one up to twice as long. */
  readonly baseDelayMs: number;
  /** The longest wait between attempts (a Retry-After beyond it is cut to it). */
  readonly maxDelayMs: number;
}

/**
 * The wait before attempt `attempts + 1`, after `attempts` failed ones; `random` in [0, 1).
 *
 * @example
 * ```ts
 * retryDelay(3, { maxAttempts: 10, baseDelayMs: 5_000, maxDelayMs: 3_600_000 }, undefined, Math.random); // 0–20 s, at least 1 s
 * ```
 */
export function retryDelay(attempts: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  // Full jitter, but at least a second (or a tenth of the ceiling, if smaller).
  const jittered = Math.max(Math.min(1_000, ceiling / 10), Math.floor(random() * ceiling));
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

// Failed sign-ins, counted per user name and per client address over a window: enough failures
// and that name (or address) must wait, whoever is right or wrong next. Bounded: the oldest
// entries go first when the map is full.

/** Options of {@link loginThrottle}. */
export interface LoginThrottleOptions {
  /** Failures allowed per user name in a window. Default: 5. */
  readonly perUsername?: number;
  /** Failures allowed per client address in a window. Default: 20. */
  readonly perAddress?: number;
  /** Default: 15 minutes. */
  readonly windowMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** What {@link loginThrottle} returns. */
export interface LoginThrottle {
  /** Milliseconds to wait before another attempt, or 0 when one may be made now. */
  waitMs(username: string, address: string): number;
  failed(username: string, address: string): void;
  /** A good sign-in clears its user name's count (not the address's). */
  succeeded(username: string): void;
}

/**
 * Counts failed sign-ins.
 *
 * @example
 * ```ts
 * const throttle = loginThrottle({ perUsername: 5 });
 * if (throttle.waitMs(username, request.ip) > 0) return tooManyAttempts();
 * ```
 */
export function loginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const { perUsername = 5, perAddress = 20, windowMs = 15 * 60_000, maxEntries = 10_000, now = Date.now } = options;
  const failures = new Map<string, { count: number; since: number }>();
  const entry = (key: string) => {
    const found = failures.get(key);
    if (found !== undefined && now() - found.since >= windowMs) failures.delete(key);
    return failures.get(key);
  };
  const wait = (key: string, limit: number) => {
    const found = entry(key);
    return found !== undefined && found.count >= limit ? found.since + windowMs - now() : 0;
  };
  const count = (key: string) => {
    const found = entry(key);
    if (found !== undefined) return void (found.count += 1);
    if (failures.size >= maxEntries) failures.delete(failures.keys().next().value!);
    failures.set(key, { count: 1, since: now() });
  };
  return Object.freeze({
    waitMs: (username: string, address: string) => Math.max(wait(`user:${username}`, perUsername), wait(`address:${address}`, perAddress)),
    failed: (username: string, address: string) => {
      count(`user:${username}`);
      count(`address:${address}`);
    },
    succeeded: (username: string) => void failures.delete(`user:${username}`),
  });
}

// Failed sign-ins over a window, counted per user name and client address together, per address,
// and per user name from everywhere: enough failures and that pair (or address, or name) must
// wait. An attempt is counted before its password is checked (so guesses sent at once are
// counted too) and given back when it succeeds; a name locked from everywhere takes a hundred
// failures, so one address cannot lock its owner out. Bounded: entries that are not locking
// anything are dropped first when the map is full.

/** Options of {@link loginThrottle}. */
export interface LoginThrottleOptions {
  /** Failures allowed per user name from one client address in a window. Default: 5. */
  readonly perUsername?: number;
  /** Failures allowed per client address in a window. Default: 20. */
  readonly perAddress?: number;
  /** Failures allowed per user name from all addresses in a window. Default: 100. */
  readonly perUsernameEverywhere?: number;
  /** Default: 15 minutes. */
  readonly windowMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** What {@link loginThrottle} returns. */
export interface LoginThrottle {
  /**
   * Counts an attempt before its password is checked: `0` when it may go on (then report
   * `succeeded` or nothing), else the milliseconds to wait (nothing was counted).
   */
  begin(username: string, address: string): number;
  /** The attempt of `begin` succeeded: it is not a failure, and the pair's count starts again. */
  succeeded(username: string, address: string): void;
}

// An IPv6 client is its /64, as the rate limits count it (an IPv4-mapped one is its IPv4).
function addressKey(address: string): string {
  const plain = address.replace(/^::ffff:(?=\d+\.)/i, '').replace(/%.*$/, '');
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.toLowerCase().split('::');
  const first = head === '' ? [] : head.split(':');
  const last = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? first : [...first, ...Array<string>(Math.max(0, 8 - first.length - last.length)).fill('0'), ...last];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Counts sign-in attempts.
 *
 * @example
 * ```ts
 * const throttle = loginThrottle({ perUsername: 5 });
 * if (throttle.begin(username, request.ip) > 0) return tooManyAttempts();
 * if (await passwordMatches()) throttle.succeeded(username, request.ip);
 * ```
 */
export function loginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const { perUsername = 5, perAddress = 20, perUsernameEverywhere = 100, windowMs = 15 * 60_000, maxEntries = 10_000, now = Date.now } = options;
  const counts = new Map<string, { count: number; since: number; limit: number }>();
  const entry = (key: string) => {
    const found = counts.get(key);
    if (found !== undefined && now() - found.since >= windowMs) counts.delete(key);
    return counts.get(key);
  };
  const waitOf = (key: string) => {
    const found = entry(key);
    return found !== undefined && found.count >= found.limit ? found.since + windowMs - now() : 0;
  };
  // Entries that lock nothing go, single failures first: an attacker's junk names and addresses
  // cannot flush a name it keeps guessing at (its count rises with every guess).
  const makeRoom = () => {
    for (const atMost of [1, Number.POSITIVE_INFINITY]) {
      for (const [key, value] of counts) {
        if (counts.size < maxEntries) return;
        if (now() - value.since >= windowMs || (value.count < value.limit && value.count <= atMost)) counts.delete(key);
      }
    }
  };
  const add = (key: string, limit: number, step: 1 | -1) => {
    const found = entry(key);
    if (found !== undefined) return void (found.count = Math.max(0, found.count + step));
    if (step < 0) return;
    if (counts.size >= maxEntries) makeRoom();
    // Full of locks: a new key is not kept (it could not lock anything yet anyway).
    if (counts.size < maxEntries) counts.set(key, { count: 1, since: now(), limit });
  };
  const keys = (username: string, address: string): [string, number][] => [
    [`pair:${username}\n${addressKey(address)}`, perUsername],
    [`address:${addressKey(address)}`, perAddress],
    [`user:${username}`, perUsernameEverywhere],
  ];
  return Object.freeze({
    begin: (username: string, address: string) => {
      const wait = Math.max(...keys(username, address).map(([key]) => waitOf(key)));
      if (wait > 0) return wait;
      for (const [key, limit] of keys(username, address)) add(key, limit, 1);
      return 0;
    },
    succeeded: (username: string, address: string) => {
      const [pair, ...rest] = keys(username, address);
      counts.delete(pair![0]);
      for (const [key, limit] of rest) add(key, limit, -1);
    },
  });
}

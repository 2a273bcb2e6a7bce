// The outbox seam: where deliveries wait, are claimed, retried and end (delivered or dead). Each
// event is one delivery per endpoint, keyed by the message id (the receiver's idempotency key) and
// the endpoint. The SQLite implementation is the embedded default; another backend (PostgreSQL)
// implements the same interface.

/**
 * One event for one endpoint, as stored.
 *
 * @example
 * ```ts
 * const delivery: OutboxDelivery = { messageId: 'msg_1', endpoint: 'https://hooks.example/claude', eventType: 'tool.completed', payload: '{}', createdAt: 0, attempts: 0, nextAttemptAt: 0, status: 'pending', lastError: null, lastStatus: null, finishedAt: null };
 * ```
 */
export interface OutboxDelivery {
  readonly messageId: string;
  readonly endpoint: string;
  readonly eventType: string;
  /** The exact body sent (JSON). */
  readonly payload: string;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly status: 'pending' | 'delivered' | 'dead';
  /** What the last attempt got: an error in words (never a secret), and the HTTP status if any. */
  readonly lastError: string | null;
  readonly lastStatus: number | null;
  readonly finishedAt: number | null;
  /** Set by `claimDue`: the claim's end, which `recordAttempt` must name (another claim after it wins). */
  readonly claimedUntil?: number;
}

/**
 * What an attempt came to, as the store records it.
 *
 * @example
 * ```ts
 * const failed: AttemptRecord = { claimedUntil: delivery.claimedUntil!, at: Date.now(), error: 'status 503', status: 503, nextAttemptAt: Date.now() + 10_000 };
 * ```
 */
export interface AttemptRecord {
  /** The `claimedUntil` of the claim this attempt was made under: a later claim's attempt is not overwritten. */
  readonly claimedUntil: number;
  readonly at: number;
  readonly status: number | null;
  /** Absent: delivered. */
  readonly error?: string;
  /** With `error`: when to try again; absent: the delivery is dead. */
  readonly nextAttemptAt?: number;
}

/**
 * Where deliveries wait. Every method may be called from several processes sharing the store.
 *
 * @example
 * ```ts
 * const store: OutboxStore = openSqliteOutbox(join(dataDir, 'webhooks.sqlite'));
 * ```
 */
export interface OutboxStore {
  /** Stores new deliveries (an existing message id and endpoint is left as it is). */
  add(deliveries: readonly Pick<OutboxDelivery, 'messageId' | 'endpoint' | 'eventType' | 'payload' | 'createdAt'>[]): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries due at `now` for `leaseMs` (nobody else gets them
   * meanwhile), oldest first; only those of `endpoints` when given (another process may send to others).
   */
  claimDue(now: number, leaseMs: number, limit: number, endpoints?: readonly string[]): Promise<OutboxDelivery[]>;
  /** When the soonest pending delivery of `endpoints` (or any) is due, if there is one. */
  nextDueAt(endpoints?: readonly string[]): Promise<number | undefined>;
  /** Records an attempt of a claimed delivery (under the claim it names): delivered, retried later, or dead. */
  recordAttempt(messageId: string, endpoint: string, attempt: AttemptRecord): Promise<void>;
  /** The dead deliveries, newest first. */
  deadLetters(limit: number): Promise<OutboxDelivery[]>;
  /** Makes dead deliveries pending again, due at `now` with their attempts reset: one message, or all. Returns how many. */
  replay(now: number, messageId?: string): Promise<number>;
  /** Deliveries by status: of `endpoints` when given (a receiver removed from the configuration keeps its pending ones, uncounted). */
  counts(endpoints?: readonly string[]): Promise<{ readonly pending: number; readonly dead: number; readonly delivered: number }>;
  /** Forgets delivered deliveries finished before `deliveredBefore`, and dead ones before `deadBefore`. Returns how many. */
  prune(deliveredBefore: number, deadBefore: number): Promise<number>;
  /** The endpoint's signing secret: the stored one, else `generate()`'s, stored (the first writer wins). */
  secretFor(endpoint: string, generate: () => string, now: number): Promise<{ readonly secret: string; readonly created: boolean }>;
  close(): Promise<void>;
}

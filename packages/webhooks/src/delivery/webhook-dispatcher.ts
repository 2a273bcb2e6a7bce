// Durable, signed webhook delivery: an event is written to the outbox (one delivery per endpoint)
// before any attempt, and a loop delivers what is due — Standard Webhooks signatures, a bounded
// attempt, retries with backoff and jitter (never sooner than Retry-After), dead after the last
// attempt, at least once (the message id is the receiver's idempotency key), resumed after a restart.
import { randomUUID } from 'node:crypto';

import type { HostLookup } from '@claude-code-mcp/net-guard';

import { WebhookError } from '../errors.js';
import type { OutboxDelivery, OutboxStore } from '../outbox/outbox-store.js';
import { generateWebhookSecret } from '../secret.js';
import { signWebhook } from '../sign-webhook.js';
import { eventFilter } from './event-filter.js';
import { postDelivery, type AttemptOutcome } from './post-delivery.js';
import { receiverLabel } from './receiver-label.js';
import { retryDelay, type RetryPolicy } from './retry-schedule.js';

/**
 * A receiver: its URL, and its secret (`whsec_…`; without one, a secret is generated once and kept
 * in the outbox store, and `onSecretCreated` is told).
 *
 * @example
 * ```ts
 * const endpoint: WebhookEndpoint = { url: 'https://hooks.example.com/claude', secret: process.env.WEBHOOK_SECRET };
 * ```
 */
export interface WebhookEndpoint {
  readonly url: string;
  readonly secret?: string | undefined;
}

/**
 * What an attempt came to, for metrics and logs.
 *
 * @example
 * ```ts
 * const onAttempt = (attempt: DeliveryAttempt) => metrics.webhookAttempt(attempt.result);
 * ```
 */
export interface DeliveryAttempt {
  readonly endpoint: string;
  readonly eventType: string;
  readonly messageId: string;
  /** `delivered`, `retry` (it failed and will be tried again) or `dead` (it failed for the last time). */
  readonly result: 'delivered' | 'retry' | 'dead';
  readonly status: number | null;
  readonly error?: string;
}

/**
 * Options of {@link createWebhookDispatcher}.
 *
 * @example
 * ```ts
 * const options: WebhookDispatcherOptions = { store, endpoints: [{ url, secret }], events: ['tool.*', 'background_task.*'] };
 * ```
 */
export interface WebhookDispatcherOptions {
  readonly store: OutboxStore;
  readonly endpoints: readonly WebhookEndpoint[];
  /** Event types to send: names (`tool.completed`) or families (`tool.*`). Default: all. */
  readonly events?: readonly string[];
  /** Default: 15 attempts, the first retry within 5 s, doubling, at most an hour apart (some five hours in all). */
  readonly retry?: Partial<RetryPolicy>;
  /** One attempt's limit, connecting included (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** How often the outbox is looked at when nothing wakes the loop (default 1 000 ms). */
  readonly pollIntervalMs?: number;
  /** Attempts at once (default 4). */
  readonly concurrency?: number;
  /** Allow receivers on loopback and private addresses (default false; reserved ones never). */
  readonly allowPrivateAddresses?: boolean;
  /** Delivered deliveries are forgotten after this long (default 7 days). */
  readonly keepDeliveredMs?: number;
  /** Dead letters are forgotten after this long (default 30 days). */
  readonly keepDeadMs?: number;
  readonly onSecretCreated?: (endpoint: string, secret: string) => void;
  readonly onAttempt?: (attempt: DeliveryAttempt) => void;
  readonly logger?: { warn(details: Record<string, unknown>, message: string): void };
  readonly lookup?: HostLookup;
  readonly ca?: readonly string[];
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * The dispatcher.
 *
 * @example
 * ```ts
 * const webhooks = createWebhookDispatcher({ store: openSqliteOutbox(file), endpoints });
 * await webhooks.start();
 * await webhooks.emit('tool.completed', { tool: 'claude_ask', sessionId });
 * ```
 */
export interface WebhookDispatcher {
  /** Writes the event to the outbox for every endpoint (unless the filter leaves it out): its message id, or undefined. */
  emit(type: string, data: Readonly<Record<string, unknown>>): Promise<string | undefined>;
  /** Reads the endpoints' secrets and starts delivering (what a previous process left pending too). */
  start(): Promise<void>;
  /**
   * Delivers what is due, and what falls due before `until` (epoch ms; default: only what is due
   * now), until `signal` aborts (attempts under way are given up): true when nothing is left pending.
   * After `start()`.
   */
  flush(signal: AbortSignal, until?: number): Promise<boolean>;
  /** Stops delivering (attempts under way are given up). The store is the caller's to close. */
  close(): Promise<void>;
  deadLetters(limit?: number): Promise<OutboxDelivery[]>;
  /** Makes dead deliveries pending again (one message, or all): how many. */
  replay(messageId?: string): Promise<number>;
  /** The outbox as last counted (pending and dead deliveries), for gauges. */
  counts(): { readonly pending: number; readonly dead: number };
}

// Up to some five hours of retries (the waits double from 5 s to an hour).
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 15, baseDelayMs: 5_000, maxDelayMs: 3_600_000 };
const DAY_MS = 86_400_000;

function checkEndpoints(endpoints: readonly WebhookEndpoint[]): void {
  const list: readonly WebhookEndpoint[] = Array.isArray(endpoints) ? endpoints : [];
  if (list.length === 0) throw new WebhookError('WEBHOOK_INVALID_OPTIONS', 'createWebhookDispatcher needs at least one endpoint.');
  for (const { url } of list) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new WebhookError('WEBHOOK_INVALID_OPTIONS', 'Every webhook endpoint needs an http or https URL.');
    }
  }
}

/**
 * Creates a dispatcher over `store`. Call `start()` to begin delivering.
 *
 * @throws {@link WebhookError} `WEBHOOK_INVALID_OPTIONS` without endpoints or with a URL that is not http(s).
 *
 * @example
 * ```ts
 * const webhooks = createWebhookDispatcher({ store, endpoints: [{ url: 'https://hooks.example.com/claude' }], onSecretCreated: (url, secret) => console.error(`${url}: ${secret}`) });
 * ```
 */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  checkEndpoints(options.endpoints);
  return new Dispatcher(options);
}

class Dispatcher implements WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #retry: RetryPolicy;
  readonly #wanted: (type: string) => boolean;
  readonly #now: () => number;
  readonly #secrets = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #started = false;
  #closed = false;
  #counts = { pending: 0, dead: 0 };
  // Gives up the attempts under way when the dispatcher closes or a flush runs out of time.
  #stopping = new AbortController();
  readonly #urls: readonly string[];
  // The soonest retry this process planned: the loop wakes for it if it comes before the next poll.
  #soonest = Number.POSITIVE_INFINITY;
  #prunedAt = 0;

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#wanted = eventFilter(options.events);
    this.#now = options.now ?? Date.now;
    this.#urls = options.endpoints.map(({ url }) => url);
  }

  async emit(type: string, data: Readonly<Record<string, unknown>>): Promise<string | undefined> {
    if (!this.#wanted(type)) return undefined;
    const messageId = `msg_${randomUUID().replaceAll('-', '')}`;
    const createdAt = this.#now();
    const payload = JSON.stringify({ type, timestamp: new Date(createdAt).toISOString(), data });
    await this.#options.store.add(this.#options.endpoints.map(({ url }) => ({ messageId, endpoint: url, eventType: type, payload, createdAt })));
    this.#counts = { ...this.#counts, pending: this.#counts.pending + this.#options.endpoints.length };
    this.#wake(0);
    return messageId;
  }

  async start(): Promise<void> {
    for (const endpoint of this.#options.endpoints) {
      if (endpoint.secret !== undefined) {
        // Checked now, not at the first delivery.
        signWebhook({ id: 'msg_check', timestamp: new Date(this.#now()), payload: '', secret: endpoint.secret });
        this.#secrets.set(endpoint.url, endpoint.secret);
        continue;
      }
      const { secret, created } = await this.#options.store.secretFor(endpoint.url, generateWebhookSecret, this.#now());
      if (created) this.#options.onSecretCreated?.(endpoint.url, secret);
      this.#secrets.set(endpoint.url, secret);
    }
    this.#started = true;
    await this.#refreshCounts();
    this.#wake(0);
  }

  async flush(signal: AbortSignal, until?: number): Promise<boolean> {
    if (!this.#started || this.#closed) return false;
    const giveUp = () => this.#stopping.abort();
    signal.addEventListener('abort', giveUp, { once: true });
    try {
      while (!signal.aborted) {
        if ((await this.#round()) > 0) continue;
        const next = await this.#options.store.nextDueAt(this.#urls);
        if (next === undefined) return true;
        if (until === undefined || next > until) return false;
        await sleep(Math.max(0, next - this.#now()), signal);
      }
      return false;
    } finally {
      signal.removeEventListener('abort', giveUp);
      // A flush that ran out gave up its attempts: later rounds start afresh.
      if (this.#stopping.signal.aborted && !this.#closed) this.#stopping = new AbortController();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#stopping.abort();
    await this.#running?.catch(() => 0);
  }

  deadLetters(limit = 100): Promise<OutboxDelivery[]> {
    return this.#options.store.deadLetters(limit);
  }

  async replay(messageId?: string): Promise<number> {
    const count = await this.#options.store.replay(this.#now(), messageId);
    await this.#refreshCounts();
    this.#wake(0);
    return count;
  }

  counts(): { readonly pending: number; readonly dead: number } {
    return this.#counts;
  }

  #wake(delayMs: number): void {
    if (!this.#started || this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#loop(), delayMs);
    this.#timer.unref();
  }

  async #loop(): Promise<void> {
    const attempted = await this.#round().catch((error: unknown) => {
      this.#options.logger?.warn({ err: error }, 'webhook delivery round failed');
      return 0;
    });
    // A full round: more may be due at once; otherwise the next poll, or a planned retry before it.
    const untilRetry = Math.max(0, this.#soonest - this.#now());
    this.#soonest = Number.POSITIVE_INFINITY;
    this.#wake(attempted >= this.#batch ? 0 : Math.min(this.#options.pollIntervalMs ?? 1_000, untilRetry));
  }

  // What one round claims: what it can attempt at once, so that no claim waits behind others and
  // outlives its lease (another process would then send it too).
  get #batch(): number {
    return this.#options.concurrency ?? 4;
  }

  // One round at a time in this process: claims what is due and attempts it, `concurrency` at once.
  #round(): Promise<number> {
    this.#running ??= this.#attemptDue().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #attemptDue(): Promise<number> {
    // Before start() the secrets are not known yet.
    if (!this.#started) return 0;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    if (this.#stopping.signal.aborted) return 0;
    const claimed = await this.#options.store.claimDue(this.#now(), timeoutMs + 10_000, this.#batch, this.#urls);
    const queue = [...claimed];
    const workers = Array.from({ length: Math.min(this.#options.concurrency ?? 4, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await this.#attempt(next, timeoutMs);
    });
    await Promise.all(workers);
    await this.#refreshCounts();
    return claimed.length;
  }

  async #attempt(delivery: OutboxDelivery, timeoutMs: number): Promise<void> {
    // Claimed among this process's endpoints, whose secrets start() read.
    const secret = this.#secrets.get(delivery.endpoint)!;
    const outcome: AttemptOutcome = await postDelivery({
      url: delivery.endpoint,
      headers: { ...signWebhook({ id: delivery.messageId, timestamp: new Date(this.#now()), payload: delivery.payload, secret }), 'content-type': 'application/json', 'user-agent': 'claude-code-mcp-webhooks' },
      body: delivery.payload,
      timeoutMs,
      allowPrivateAddresses: this.#options.allowPrivateAddresses ?? false,
      signal: this.#stopping.signal,
      ...(this.#options.lookup ? { lookup: this.#options.lookup } : {}),
      ...(this.#options.ca ? { ca: this.#options.ca } : {}),
    });
    // Given up by a stop: the delivery stays pending for the next round or process, uncounted.
    if (!outcome.ok && this.#stopping.signal.aborted) return;
    const at = this.#now();
    const attempts = delivery.attempts + 1;
    const last = !outcome.ok && attempts >= this.#retry.maxAttempts;
    const nextAttemptAt = outcome.ok || last ? undefined : at + retryDelay(attempts, this.#retry, outcome.retryAfterMs, this.#options.random ?? Math.random);
    if (nextAttemptAt !== undefined) this.#soonest = Math.min(this.#soonest, nextAttemptAt);
    await this.#options.store.recordAttempt(delivery.messageId, delivery.endpoint, {
      claimedUntil: delivery.claimedUntil ?? 0,
      at,
      status: outcome.status,
      ...(outcome.ok ? {} : { error: outcome.error ?? 'failed' }),
      ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }),
    });
    const result = outcome.ok ? 'delivered' : last ? 'dead' : 'retry';
    if (result === 'dead') this.#options.logger?.warn({ receiver: receiverLabel(delivery.endpoint), messageId: delivery.messageId, attempts, error: outcome.error }, 'a webhook delivery failed for the last time (dead letter)');
    this.#options.onAttempt?.({ endpoint: delivery.endpoint, eventType: delivery.eventType, messageId: delivery.messageId, result, status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}) });
  }

  async #refreshCounts(): Promise<void> {
    const counts = await this.#options.store.counts(this.#urls);
    this.#counts = { pending: counts.pending, dead: counts.dead };
    const now = this.#now();
    // Now and then, the delivered ones past keeping go.
    if (now - this.#prunedAt > 3_600_000) {
      this.#prunedAt = now;
      await this.#options.store.prune(now - (this.#options.keepDeliveredMs ?? 7 * DAY_MS), now - (this.#options.keepDeadMs ?? 30 * DAY_MS));
    }
  }
}

// Waits `ms`, or less when `signal` aborts.
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

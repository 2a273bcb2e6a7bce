import { McpToolsError } from './errors.js';

/** Run priorities; `high` runs first, then `normal`, then `low`; first come, first served within one. */
export const PRIORITIES = ['low', 'normal', 'high'] as const;
/**
 * A run priority.
 *
 * @example
 * ```ts
 * const priority: Priority = 'high'; // runs before queued 'normal' and 'low' runs
 * ```
 */
export type Priority = (typeof PRIORITIES)[number];

/** Options of one {@link RunLimiter.acquire}. */
export interface AcquireOptions {
  readonly priority?: Priority;
  /** Aborting while queued leaves the queue with `MCP_TOOLS_QUEUE_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Told the 1-based queue position each time it changes while waiting. */
  readonly onQueued?: (position: number, queueLength: number) => void;
}

interface Waiter {
  readonly rank: number;
  readonly sequence: number;
  readonly grant: () => void;
  readonly onQueued: ((position: number, queueLength: number) => void) | undefined;
  lastPosition: number;
}

const RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/**
 * Caps how many Claude Code runs go at once. Callers past the cap wait in a priority queue (they
 * never fail for lack of room) and are told their position as it changes.
 *
 * @example
 * ```ts
 * const limiter = new RunLimiter(2);
 * const release = await limiter.acquire({ priority: 'high', onQueued: (position) => report(position) });
 * try { await run(); } finally { release(); }
 * ```
 */
export class RunLimiter {
  readonly #capacity: number;
  #running = 0;
  #sequence = 0;
  #queue: Waiter[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `The run limit must be a whole number of at least 1 (got ${String(capacity)}).`);
    }
    this.#capacity = capacity;
  }

  /** Runs in progress. */
  get running(): number {
    return this.#running;
  }

  /** Runs waiting for a slot. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Waits for a slot; resolves with the function that gives it back (call it exactly once). */
  acquire(options: AcquireOptions = {}): Promise<() => void> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(this.#abortError());
    if (this.#running < this.#capacity && this.#queue.length === 0) {
      this.#running += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index === -1) return;
        this.#queue.splice(index, 1);
        reject(this.#abortError());
        this.#announce();
      };
      const waiter: Waiter = {
        rank: RANK[options.priority ?? 'normal'],
        sequence: this.#sequence++,
        onQueued: options.onQueued,
        lastPosition: 0,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#running += 1;
          resolve(this.#releaser());
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Stable insert: after every waiter of the same or a higher priority.
      const index = this.#queue.findIndex((other) => other.rank > waiter.rank);
      if (index === -1) this.#queue.push(waiter);
      else this.#queue.splice(index, 0, waiter);
      this.#announce();
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running -= 1;
      const next = this.#queue.shift();
      next?.grant();
      this.#announce();
    };
  }

  #announce(): void {
    this.#queue.forEach((waiter, index) => {
      if (waiter.lastPosition === index + 1) return;
      waiter.lastPosition = index + 1;
      waiter.onQueued?.(index + 1, this.#queue.length);
    });
  }

  #abortError(): McpToolsError {
    return new McpToolsError('MCP_TOOLS_QUEUE_ABORTED', 'The run was cancelled while it waited for a free slot.');
  }
}

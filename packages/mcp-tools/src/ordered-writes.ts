import type { Logger } from '@claude-code-mcp/claude-cli-driver';

/** How long {@link OrderedWrites.drain} waits by default, in ms. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Store writes made from callbacks that cannot wait (a stream's messages), applied one after the
 * other in the order given. A failed write is logged, never thrown: a run must not fail because
 * its bookkeeping did. `drain` waits for all of them, but not forever: a store that never answers
 * must not hold a session and a run slot for good.
 *
 * @example
 * ```ts
 * const writes = new OrderedWrites(logger);
 * writes.push('note the session', { taskId }, () => store.tasks.noteSession(taskId, sessionId));
 * await writes.drain();
 * ```
 */
export class OrderedWrites {
  readonly #logger: Logger;
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  push(what: string, context: Record<string, unknown>, write: () => Promise<unknown>): void {
    this.#pending += 1;
    this.#tail = this.#tail.then(async () => {
      try {
        await write();
      } catch (error) {
        this.#logger.error({ ...context, err: error }, `could not ${what}`);
      } finally {
        this.#pending -= 1;
      }
    });
  }

  /** Resolves once every write so far has settled, or after `timeoutMs` (logged) if one hangs. */
  async drain(timeoutMs = DRAIN_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([this.#tail, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.#logger.warn({ pending: this.#pending, timeoutMs }, 'store writes still pending; going on without them');
  }
}

/** Sends one progress notification; `progress` only ever increases. */
export type SendProgress = (progress: number, message: string) => void | Promise<void>;

/** Options of {@link createProgressReporter}. */
export interface ProgressReporterOptions {
  readonly send: SendProgress;
  /** Fewest milliseconds between two notifications (default 1000); the latest message wins. */
  readonly minIntervalMs?: number;
  /** A notification at least this often while the run lives (default 10 000). */
  readonly heartbeatMs?: number;
  /** Clock in epoch milliseconds (tests). */
  readonly now?: () => number;
}

/** Progress for one request: rate-bounded, with a heartbeat, silent once finished. */
export interface ProgressReporter {
  /** Reports a message; sent now, or at the end of the current interval if one was just sent. */
  update(message: string): void;
  /** Stops everything: no notification is sent after this, whatever was pending. */
  finish(): void;
}

/**
 * Builds progress notifications for one request from many small events: at most one per
 * `minIntervalMs`, the newest message winning, and a heartbeat every `heartbeatMs` so clients that
 * time out on silence (Claude Code's idle watchdog, Cursor) keep waiting. Once `finish()` is called
 * nothing more is sent — a notification for an ended request breaks some clients.
 *
 * @example
 * ```ts
 * const progress = createProgressReporter({ send: (value, message) => notify(token, value, message) });
 * progress.update('Using Bash: npm test');
 * progress.finish();
 * ```
 */
export function createProgressReporter(options: ProgressReporterOptions): ProgressReporter {
  const minIntervalMs = options.minIntervalMs ?? 1_000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const now = options.now ?? Date.now;
  const startedAt = now();
  let counter = 0;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let lastMessage = 'Starting';
  let pending: string | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let finished = false;

  const emit = (message: string) => {
    if (finished) return;
    counter += 1;
    lastSentAt = now();
    lastMessage = message;
    void Promise.resolve(options.send(counter, message)).catch(() => {
      // A failed notification (client gone) must not fail the run.
    });
  };

  const heartbeat = setInterval(() => {
    if (now() - lastSentAt < heartbeatMs) return;
    const seconds = Math.round((now() - startedAt) / 1000);
    emit(`${lastMessage.replace(/ \(still working, \d+ s\)$/, '')} (still working, ${seconds} s)`);
  }, Math.max(250, Math.floor(heartbeatMs / 4)));
  heartbeat.unref();

  return {
    update(message) {
      if (finished) return;
      const wait = lastSentAt + minIntervalMs - now();
      if (wait <= 0) {
        emit(message);
        return;
      }
      pending = message;
      flushTimer ??= setTimeout(() => {
        flushTimer = undefined;
        if (pending !== undefined) emit(pending);
        pending = undefined;
      }, wait);
      flushTimer.unref();
    },
    finish() {
      finished = true;
      clearInterval(heartbeat);
      if (flushTimer) clearTimeout(flushTimer);
      pending = undefined;
    },
  };
}

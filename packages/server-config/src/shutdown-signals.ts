// How both servers take SIGINT and SIGTERM. One Ctrl-C in a terminal reaches a server started by
// `npm start` up to three times at once (the terminal signals the whole process group, npm passes
// it on, and so does the launcher): those repeats are one request to stop. A signal that comes
// later means the graceful stop is taking too long, and ends the process at once.

/** The signals that stop a server. */
export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

/** Options of {@link handleShutdownSignals}; the defaults are the real process. */
export interface ShutdownSignalOptions {
  /** Signals within this many ms of the first are repeats of it. Default: 1000. */
  readonly repeatWindowMs?: number;
  /** Clock in epoch ms. Default: `Date.now`. */
  readonly now?: () => number;
  /** Ends the process. Default: `process.exit`. */
  readonly exit?: (code: number) => void;
  /** Where the signals arrive. Default: `process`. */
  readonly target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

const EXIT_CODES: Readonly<Record<ShutdownSignal, number>> = Object.freeze({ SIGINT: 130, SIGTERM: 143 });

/**
 * Calls `stop` once, on the first SIGINT or SIGTERM; ignores repeats within `repeatWindowMs`; exits
 * with 128 + the signal's number on a signal after that. Returns a function that removes the
 * handlers.
 *
 * @example
 * ```ts
 * handleShutdownSignals((signal) => void stop(signal));
 * ```
 */
export function handleShutdownSignals(stop: (signal: ShutdownSignal) => void, options: ShutdownSignalOptions = {}): () => void {
  const { repeatWindowMs = 1000, now = Date.now, exit = (code: number) => process.exit(code), target = process } = options;
  let firstAt: number | undefined;
  const handlers = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const handler = () => {
      if (firstAt === undefined) {
        firstAt = now();
        stop(signal);
      } else if (now() - firstAt > repeatWindowMs) {
        exit(EXIT_CODES[signal]);
      }
    };
    target.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) target.off(signal, handler);
  };
}

/** A log method: pino's `(object, message?)` or `(message)` call shapes. */
export interface LogFn {
  (object: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

/**
 * The structured logger the driver writes to. A pino logger satisfies it; so does {@link noopLogger}.
 * The driver never prints: it only logs through this interface.
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const ignore: LogFn = () => {};

/**
 * A logger that drops everything; the default.
 *
 * @example
 * ```ts
 * const session = await createSession({ logger: noopLogger });
 * ```
 */
export const noopLogger: Logger = {
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => noopLogger,
};

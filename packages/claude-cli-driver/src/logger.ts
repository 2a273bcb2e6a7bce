/**
 * One logging method: pino's `(object, message?)` or `(message)` call shapes. Put context in the
 * object (`{ sessionId, durationMs }`), never interpolate it into the message, and never log secrets.
 *
 * @example
 * ```ts
 * const log: LogFn = logger.info;
 * log({ port: 3000 }, 'listening');
 * ```
 */
export interface LogFn {
  (object: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

/**
 * The structured logger every package of this project accepts (the driver's, re-exported by
 * `@claude-code-mcp/observability`). A pino logger satisfies it; so does {@link noopLogger}.
 * Libraries take `logger?: Logger`, default to `noopLogger`, and never print.
 *
 * @example
 * ```ts
 * const logger = (options.logger ?? noopLogger).child({ component: 'worker' });
 * logger.debug({ queued: 3 }, 'worker started');
 * ```
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
export const noopLogger: Logger = Object.freeze({
  trace: ignore,
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => noopLogger,
});

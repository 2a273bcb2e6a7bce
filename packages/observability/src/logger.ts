import { pino } from 'pino';

import { ObservabilityError } from './errors.js';

/**
 * One logging method. Call it with a message, or with a structured object and an optional message.
 * Put context in the object (`{ sessionId, durationMs }`), never interpolate it into the message, and
 * never log secrets.
 *
 * @example
 * ```ts
 * const log: LogFn = logger.info;
 * log('server started');
 * log({ port: 3000 }, 'listening');
 * ```
 */
export interface LogFn {
  (object: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

/**
 * The structured logger every package accepts. A pino `Logger` satisfies it, and so does
 * {@link noopLogger}; libraries take `logger?: Logger` and default to `noopLogger`.
 *
 * @example
 * ```ts
 * function startWorker(options: { logger?: Logger }) {
 *   const logger = (options.logger ?? noopLogger).child({ component: 'worker' });
 *   logger.debug({ queued: 3 }, 'worker started');
 * }
 * ```
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  /** A logger that adds `bindings` to every line it writes. */
  child(bindings: Record<string, unknown>): Logger;
}

/**
 * The levels {@link createLogger} accepts, most to least severe; `silent` writes nothing.
 *
 * @example
 * ```ts
 * const isLevel = (value: string): value is LogLevel => (LOG_LEVELS as readonly string[]).includes(value);
 * ```
 */
export const LOG_LEVELS: readonly ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] =
  Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const);

/**
 * A level name from {@link LOG_LEVELS}.
 *
 * @example
 * ```ts
 * const level: LogLevel = 'debug';
 * ```
 */
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where log lines go: anything with a `write(line)` method, such as a `Writable` stream or a
 * `pino.destination()`. Each call receives one complete JSON line ending in `\n`.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const destination: LogDestination = { write: (line) => void lines.push(line) };
 * ```
 */
export interface LogDestination {
  write(line: string): unknown;
}

/**
 * Options for {@link createLogger}.
 *
 * @example
 * ```ts
 * const options: CreateLoggerOptions = { level: 'info', name: 'claude-code-mcp' };
 * ```
 */
export interface CreateLoggerOptions {
  /** Minimum level written; one of {@link LOG_LEVELS}. */
  level: LogLevel;
  /** Written as the `name` field of every line; a non-empty string. */
  name: string;
  /**
   * Where lines are written. Defaults to file descriptor 2 (stderr), written synchronously so that
   * nothing is lost when the process exits. The logger never writes to stdout on its own: in the
   * stdio server stdout carries the MCP protocol.
   */
  destination?: LogDestination;
}

const noop = (): void => {};

/**
 * A {@link Logger} that discards everything; `child()` returns itself. The default for every
 * library option `logger?: Logger`.
 *
 * @example
 * ```ts
 * const logger = options.logger ?? noopLogger;
 * logger.info({ sessionId }, 'session opened'); // nothing is written
 * ```
 */
export const noopLogger: Logger = Object.freeze({
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child(): Logger {
    return noopLogger;
  },
});

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

function validateLoggerOptions(options: CreateLoggerOptions): Readonly<CreateLoggerOptions> {
  if (typeof options !== 'object' || options == null) {
    throw new ObservabilityError('OBSERVABILITY_INVALID_OPTIONS', 'createLogger() needs an options object.');
  }
  const { level, name, destination } = options;
  if (!isLogLevel(level)) {
    throw new ObservabilityError(
      'OBSERVABILITY_INVALID_OPTIONS',
      `Invalid log level ${JSON.stringify(level)}; use one of ${LOG_LEVELS.join(', ')}.`,
    );
  }
  if (typeof name !== 'string' || name.trim() === '') {
    throw new ObservabilityError(
      'OBSERVABILITY_INVALID_OPTIONS',
      'Logger name must be a non-empty string, for example "claude-code-mcp".',
    );
  }
  if (
    destination !== undefined &&
    (typeof destination !== 'object' || destination == null || typeof destination.write !== 'function')
  ) {
    throw new ObservabilityError(
      'OBSERVABILITY_INVALID_OPTIONS',
      'Logger destination must be an object with a write(line) method, such as a Writable stream.',
    );
  }
  return Object.freeze({ level, name, ...(destination === undefined ? {} : { destination }) });
}

/**
 * Creates a pino logger that writes one JSON object per line to stderr (or to `destination`).
 *
 * @throws {@link ObservabilityError} `OBSERVABILITY_INVALID_OPTIONS` when the level is not one of
 * {@link LOG_LEVELS}, the name is empty, or the destination has no `write` method.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: 'info', name: 'stdio-server' });
 * logger.info({ pid: process.pid }, 'server started');
 * // stderr: {"level":30,"time":…,"pid":…,"hostname":"…","name":"stdio-server","msg":"server started"}
 * ```
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const settings = validateLoggerOptions(options);
  const destination = settings.destination ?? pino.destination({ dest: 2, sync: true });
  return pino({ level: settings.level, name: settings.name }, destination);
}

import type { Logger } from '@claude-code-mcp/claude-cli-driver/logger';
import { pino } from 'pino';

import { ObservabilityError } from './errors.js';

// One Logger type for the whole project: the driver's (which depends on nothing of ours).
export type { LogFn, Logger } from '@claude-code-mcp/claude-cli-driver/logger';
export { noopLogger } from '@claude-code-mcp/claude-cli-driver/logger';

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

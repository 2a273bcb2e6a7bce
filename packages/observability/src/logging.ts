// The `@claude-code-mcp/observability/logging` entry: logging alone, without prom-client, for
// processes that start often and never serve metrics (the stdio server).
export { ObservabilityError } from './errors.js';
export type { ObservabilityErrorCode } from './errors.js';
export { LOG_LEVELS, createLogger, noopLogger } from './logger.js';
export type { CreateLoggerOptions, LogDestination, LogFn, LogLevel, Logger } from './logger.js';

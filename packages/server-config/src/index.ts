export { ConfigError } from './config-error.js';
export {
  accept,
  booleanReader,
  choiceReader,
  findOnPath,
  integerReader,
  isSecureOrLoopback,
  listReader,
  pathReader,
  reject,
  resolvePath,
  shown,
  urlReader,
  variable,
} from './env-variables.js';
export type { ReadResult, Reader } from './env-variables.js';
export {
  LOG_LEVELS,
  TOOLS_VARIABLES,
  checkContext,
  checkWorkingDirectory,
  parseEnvironment,
  parseToolsConfig,
  resolveClaudeCodePath,
  toolsConfigFrom,
  toolsServiceOptions,
  toolsVariables,
} from './tools-config.js';
export type { ConfigContext, LogLevel, ToolsConfig, ToolsValues, ToolsVariables } from './tools-config.js';
export { handleShutdownSignals } from './shutdown-signals.js';
export type { ShutdownSignal, ShutdownSignalOptions } from './shutdown-signals.js';
export { serverStart } from './server-start.js';
export type { ServerStart, StartupIo } from './server-start.js';
export { toolsEventsToMetrics } from './tools-metrics.js';
export { allListeners, taskEventToWebhook, toolsEventsToWebhooks } from './tools-webhooks.js';
export type { WebhookSink } from './tools-webhooks.js';
export {
  OPERATIONS_SECRET_VARIABLES,
  OPERATIONS_VARIABLES,
  checkOperations,
  operationsConfigFrom,
  operationsVariables,
} from './operations-config.js';
export type { MetricsConfig, OperationsConfig, OperationsValues, OperationsVariables, WebhooksConfig } from './operations-config.js';

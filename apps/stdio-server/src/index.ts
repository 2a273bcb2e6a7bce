export { ConfigError } from '@claude-code-mcp/server-config';
export { STDIO_VARIABLES, parseConfig } from './config.js';
export type { ConfigContext, LogLevel, MetricsConfig, StdioServerConfig, WebhooksConfig } from './config.js';

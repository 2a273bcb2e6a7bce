export { ConfigError } from './config-error.js';
export { parseConfig } from './config.js';
export type { ConfigContext, LogLevel, StdioServerConfig } from './config.js';

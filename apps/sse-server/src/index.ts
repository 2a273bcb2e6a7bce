export { ConfigError } from '@claude-code-mcp/server-config';
export { HTTP_VARIABLES, parseConfig } from './config.js';
export type {
  ConfigContext,
  LogLevel,
  OAuthConfig,
  RateLimitConfig,
  SseServerConfig,
  Transport,
  WebhooksConfig,
} from './config.js';

export { ConfigError } from './config-error.js';
export { parseConfig } from './config.js';
export type {
  ConfigContext,
  LogLevel,
  OAuthConfig,
  RateLimitConfig,
  SseServerConfig,
  Transport,
  WebhooksConfig,
} from './config.js';

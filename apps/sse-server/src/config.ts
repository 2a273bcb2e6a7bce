import path from 'node:path';

import * as z from 'zod';

import { ConfigError } from './config-error.js';
import {
  accept,
  booleanReader,
  choiceReader,
  integerReader,
  isSecureOrLoopback,
  listReader,
  pathReader,
  reject,
  resolvePath,
  urlReader,
  variable,
} from './env-variables.js';

/**
 * The pino levels `LOG_LEVEL` accepts.
 *
 * @example
 * ```ts
 * const level: LogLevel = config.logLevel;
 * ```
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Which MCP transports to serve: `http` is Streamable HTTP (current spec), `sse` the deprecated
 * HTTP+SSE transport for old clients, `both` serves the two side by side.
 *
 * @example
 * ```ts
 * if (config.transport !== 'sse') mountStreamableHttp();
 * ```
 */
export type Transport = 'http' | 'sse' | 'both';

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const transports: readonly Transport[] = ['http', 'sse', 'both'];

/**
 * What {@link parseConfig} needs from the process, passed in so that parsing stays pure.
 *
 * @example
 * ```ts
 * const context: ConfigContext = { cwd: process.cwd(), homeDirectory: os.homedir() };
 * ```
 */
export interface ConfigContext {
  /** Absolute current directory: the default working directory, and the base of relative paths. */
  readonly cwd: string;
  /** Absolute home directory: expands a leading `~` and places the default `DATA_DIR`. */
  readonly homeDirectory: string;
}

/**
 * OAuth settings: either off, or on with the client credentials.
 *
 * @example
 * ```ts
 * if (config.oauth.enabled) useClient(config.oauth.clientId, config.oauth.clientSecret);
 * ```
 */
export type OAuthConfig =
  | { readonly enabled: false }
  | { readonly enabled: true; readonly clientId: string; readonly clientSecret: string };

/**
 * Webhook settings: either off, or on with the receiver's URL.
 *
 * @example
 * ```ts
 * if (config.webhooks.enabled) startOutbox(config.webhooks.url);
 * ```
 */
export type WebhooksConfig = { readonly enabled: false } | { readonly enabled: true; readonly url: string };

/**
 * Rate-limit settings.
 *
 * @example
 * ```ts
 * const { enabled, requests, windowMs } = config.rateLimit;
 * ```
 */
export interface RateLimitConfig {
  /** `RATE_LIMIT_ENABLED`. Default: `true`. */
  readonly enabled: boolean;
  /** `RATE_LIMIT_REQUESTS`: requests allowed per client per window. Default: 100. */
  readonly requests: number;
  /** `RATE_LIMIT_WINDOW_MS`: window length. Default: 60 000 (1 min). */
  readonly windowMs: number;
}

/**
 * The HTTP server's validated, frozen configuration.
 *
 * @example
 * ```ts
 * const config: SseServerConfig = parseConfig(process.env, context);
 * config.port; // 3000
 * ```
 */
export interface SseServerConfig {
  /** `DEFAULT_WORKING_DIRECTORY`: where Claude runs when a tool call names none. Default: `cwd`. */
  readonly defaultWorkingDirectory: string;
  /** `DEFAULT_ALLOWED_TOOLS`: tool rules passed as `--allowedTools` by default. Default: none. */
  readonly defaultAllowedTools: readonly string[];
  /** `MAX_CONCURRENT_SESSIONS`: Claude processes allowed at once. Default: 4. */
  readonly maxConcurrentSessions: number;
  /** `SESSION_TIMEOUT_MS`: idle time after which a session is closed. Default: 1 800 000 (30 min). */
  readonly sessionTimeoutMs: number;
  /** `LOG_LEVEL`: pino level of the stderr log. Default: `info`. */
  readonly logLevel: LogLevel;
  /** `CLAUDE_CODE_PATH`: the `claude` binary, or `undefined` to let the driver find it. */
  readonly claudeCodePath: string | undefined;
  /** `DATA_DIR`: database and logs. Default: `$XDG_STATE_HOME/claude-code-mcp` or `~/.local/state/claude-code-mcp`. */
  readonly dataDir: string;
  /** `TRANSPORT`. Default: `both`. */
  readonly transport: Transport;
  /** `PORT`: TCP port, 1–65535. Default: 3000. */
  readonly port: number;
  /** `BASE_URL`: the public URL of this server, no trailing slash. Default: `http://localhost:<PORT>`. */
  readonly baseUrl: string;
  /** `OAUTH_ENABLED`, `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`. Default: off. */
  readonly oauth: OAuthConfig;
  /** `RATE_LIMIT_*`. */
  readonly rateLimit: RateLimitConfig;
  /** `METRICS_ENABLED`: serve Prometheus metrics. Default: `false`. */
  readonly metrics: { readonly enabled: boolean };
  /** `WEBHOOKS_ENABLED`, `WEBHOOK_URL`. Default: off. */
  readonly webhooks: WebhooksConfig;
}

const contextSchema = z.object({
  cwd: z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path'),
  homeDirectory: z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path'),
});

function defaultDataDir(env: Readonly<Record<string, string | undefined>>, homeDirectory: string): string {
  // The XDG spec says to ignore a relative XDG_STATE_HOME.
  const stateHome = env.XDG_STATE_HOME?.trim();
  const base =
    stateHome !== undefined && path.isAbsolute(stateHome) ? stateHome : path.join(homeDirectory, '.local', 'state');
  return path.join(base, 'claude-code-mcp');
}

const text = (raw: string) => accept(raw);

function envSchema(env: Readonly<Record<string, string | undefined>>, context: ConfigContext) {
  const { cwd, homeDirectory } = context;
  return z
    .object({
      DEFAULT_WORKING_DIRECTORY: variable(pathReader('DEFAULT_WORKING_DIRECTORY', cwd, homeDirectory), cwd),
      DEFAULT_ALLOWED_TOOLS: variable(listReader('DEFAULT_ALLOWED_TOOLS'), Object.freeze([] as string[])),
      MAX_CONCURRENT_SESSIONS: variable(integerReader('MAX_CONCURRENT_SESSIONS', { min: 1, example: '4' }), 4),
      SESSION_TIMEOUT_MS: variable(
        integerReader('SESSION_TIMEOUT_MS', { min: 1000, unit: 'milliseconds', example: '1800000 (30 minutes)' }),
        1_800_000,
      ),
      LOG_LEVEL: variable<LogLevel>(choiceReader('LOG_LEVEL', logLevels, 'info'), 'info'),
      CLAUDE_CODE_PATH: variable<string | undefined>(
        (raw) =>
          raw.includes('\0')
            ? reject('must not contain a NUL character', 'set CLAUDE_CODE_PATH to the claude binary')
            : // A bare command name is looked up on PATH by the driver; anything with a slash is a path.
              accept(raw.includes('/') || raw.startsWith('~') ? resolvePath(raw, cwd, homeDirectory) : raw),
        undefined,
      ),
      DATA_DIR: variable(pathReader('DATA_DIR', cwd, homeDirectory), defaultDataDir(env, homeDirectory)),
      TRANSPORT: variable<Transport>(choiceReader('TRANSPORT', transports, 'http'), 'both'),
      PORT: variable(integerReader('PORT', { min: 1, max: 65_535, example: '3000' }), 3000),
      BASE_URL: variable<string | undefined>(
        urlReader('BASE_URL', { allowQuery: false, example: 'https://mcp.example.com' }),
        undefined,
      ),
      OAUTH_ENABLED: variable(booleanReader('OAUTH_ENABLED'), false),
      OAUTH_CLIENT_ID: variable<string | undefined>(text, undefined),
      OAUTH_CLIENT_SECRET: variable<string | undefined>(text, undefined, { secret: true }),
      RATE_LIMIT_ENABLED: variable(booleanReader('RATE_LIMIT_ENABLED'), true),
      RATE_LIMIT_REQUESTS: variable(integerReader('RATE_LIMIT_REQUESTS', { min: 1, example: '100' }), 100),
      RATE_LIMIT_WINDOW_MS: variable(
        integerReader('RATE_LIMIT_WINDOW_MS', { min: 1000, unit: 'milliseconds', example: '60000 (1 minute)' }),
        60_000,
      ),
      METRICS_ENABLED: variable(booleanReader('METRICS_ENABLED'), false),
      WEBHOOKS_ENABLED: variable(booleanReader('WEBHOOKS_ENABLED'), false),
      // The URL may carry a token in its path or query, so a bad value is never echoed.
      WEBHOOK_URL: variable<string | undefined>(
        urlReader('WEBHOOK_URL', { allowQuery: true, example: 'https://hooks.example.com/claude' }),
        undefined,
        { secret: true },
      ),
    })
    .superRefine(
      (values, context) => {
        // Runs even when single variables failed, so every problem is reported in one go; a
        // failed variable holds no usable value, hence the strict checks.
        const missing = (name: string, when: string, fix: string): void => {
          context.addIssue({ code: 'custom', path: [name], message: `is required when ${when} (not set); ${fix}` });
        };
        if (values.OAUTH_ENABLED === true) {
          if (values.OAUTH_CLIENT_ID === undefined) {
            missing('OAUTH_CLIENT_ID', 'OAUTH_ENABLED=true', 'set the OAuth client id, or set OAUTH_ENABLED=false');
          }
          if (values.OAUTH_CLIENT_SECRET === undefined) {
            missing('OAUTH_CLIENT_SECRET', 'OAUTH_ENABLED=true', 'set the OAuth client secret, or set OAUTH_ENABLED=false');
          }
          if (env.BASE_URL === undefined || env.BASE_URL.trim() === '') {
            missing('BASE_URL', 'OAUTH_ENABLED=true', 'set the public URL clients use, e.g. BASE_URL=https://mcp.example.com');
          } else if (typeof values.BASE_URL === 'string' && !isSecureOrLoopback(values.BASE_URL)) {
            context.addIssue({
              code: 'custom',
              path: ['BASE_URL'],
              message: `must use https when OAUTH_ENABLED=true (got ${JSON.stringify(env.BASE_URL)}); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]`,
            });
          }
        }
        if (values.WEBHOOKS_ENABLED === true && (env.WEBHOOK_URL === undefined || env.WEBHOOK_URL.trim() === '')) {
          missing('WEBHOOK_URL', 'WEBHOOKS_ENABLED=true', 'set the receiver URL, or set WEBHOOKS_ENABLED=false');
        }
      },
      { when: () => true },
    );
}

const documentedOrder = [
  'DEFAULT_WORKING_DIRECTORY',
  'DEFAULT_ALLOWED_TOOLS',
  'MAX_CONCURRENT_SESSIONS',
  'SESSION_TIMEOUT_MS',
  'LOG_LEVEL',
  'CLAUDE_CODE_PATH',
  'DATA_DIR',
  'TRANSPORT',
  'PORT',
  'BASE_URL',
  'OAUTH_ENABLED',
  'OAUTH_CLIENT_ID',
  'OAUTH_CLIENT_SECRET',
  'RATE_LIMIT_ENABLED',
  'RATE_LIMIT_REQUESTS',
  'RATE_LIMIT_WINDOW_MS',
  'METRICS_ENABLED',
  'WEBHOOKS_ENABLED',
  'WEBHOOK_URL',
];

function problemLines(error: z.ZodError): string[] {
  const rank = (issue: z.core.$ZodIssue): number => {
    const index = documentedOrder.indexOf(String(issue.path[0]));
    return index === -1 ? documentedOrder.length : index;
  };
  return [...error.issues]
    .sort((first, second) => rank(first) - rank(second))
    .map((issue) => `${issue.path.map(String).join('.') || 'environment'}: ${issue.message}`);
}

/**
 * Reads the HTTP server's settings from environment variables. Unset or blank variables take
 * their defaults; booleans accept true/false, 1/0, yes/no (any case); a leading `~` in a path
 * means the home directory and relative paths are resolved against `context.cwd`. The process is
 * never read: pass `process.env`, `process.cwd()` and `os.homedir()` in.
 *
 * @throws {@link ConfigError} listing every problem, one line each:
 * `NAME: what is wrong (got "x"); how to fix`. Secret values are never echoed.
 *
 * @example
 * ```ts
 * const config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: os.homedir() });
 * // { port: 3000, transport: 'both', baseUrl: 'http://localhost:3000', oauth: { enabled: false }, … }
 * parseConfig({ OAUTH_ENABLED: 'true' }, context);
 * // ConfigError: BASE_URL: is required when OAUTH_ENABLED=true (not set); …
 * ```
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  context: ConfigContext,
): SseServerConfig {
  const checkedContext = contextSchema.safeParse(context);
  if (!checkedContext.success) {
    throw new ConfigError(
      checkedContext.error.issues.map((issue) => `context.${issue.path.map(String).join('.')}: ${issue.message}`),
      { cause: checkedContext.error },
    );
  }
  const parsed = envSchema(env, checkedContext.data).safeParse(env);
  if (!parsed.success) throw new ConfigError(problemLines(parsed.error), { cause: parsed.error });
  const values = parsed.data;

  const oauth: OAuthConfig =
    values.OAUTH_ENABLED && values.OAUTH_CLIENT_ID !== undefined && values.OAUTH_CLIENT_SECRET !== undefined
      ? Object.freeze({ enabled: true, clientId: values.OAUTH_CLIENT_ID, clientSecret: values.OAUTH_CLIENT_SECRET })
      : Object.freeze({ enabled: false });
  const webhooks: WebhooksConfig =
    values.WEBHOOKS_ENABLED && values.WEBHOOK_URL !== undefined
      ? Object.freeze({ enabled: true, url: values.WEBHOOK_URL })
      : Object.freeze({ enabled: false });

  return Object.freeze({
    defaultWorkingDirectory: values.DEFAULT_WORKING_DIRECTORY,
    defaultAllowedTools: values.DEFAULT_ALLOWED_TOOLS,
    maxConcurrentSessions: values.MAX_CONCURRENT_SESSIONS,
    sessionTimeoutMs: values.SESSION_TIMEOUT_MS,
    logLevel: values.LOG_LEVEL,
    claudeCodePath: values.CLAUDE_CODE_PATH,
    dataDir: values.DATA_DIR,
    transport: values.TRANSPORT,
    port: values.PORT,
    baseUrl: values.BASE_URL ?? `http://localhost:${values.PORT}`,
    oauth,
    rateLimit: Object.freeze({
      enabled: values.RATE_LIMIT_ENABLED,
      requests: values.RATE_LIMIT_REQUESTS,
      windowMs: values.RATE_LIMIT_WINDOW_MS,
    }),
    metrics: Object.freeze({ enabled: values.METRICS_ENABLED }),
    webhooks,
  });
}

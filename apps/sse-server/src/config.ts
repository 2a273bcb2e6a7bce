import * as z from 'zod';

import {
  OPERATIONS_VARIABLES,
  TOOLS_VARIABLES,
  booleanReader,
  checkOperations,
  checkContext,
  choiceReader,
  integerReader,
  isSecureOrLoopback,
  parseEnvironment,
  reject,
  accept,
  operationsConfigFrom,
  operationsVariables,
  toolsConfigFrom,
  toolsVariables,
  urlReader,
  variable,
  type ConfigContext,
  type OperationsConfig,
  type ToolsConfig,
} from '@claude-code-mcp/server-config';

export type { ConfigContext, LogLevel, MetricsConfig, WebhooksConfig } from '@claude-code-mcp/server-config';

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

const transports: readonly Transport[] = ['http', 'sse', 'both'];

/**
 * OAuth settings: off, or on with this server as the authorization server.
 *
 * @example
 * ```ts
 * if (config.oauth.enabled && config.oauth.confidentialClient) allowMachineClient(config.oauth.confidentialClient);
 * ```
 */
export type OAuthConfig =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** `ADMIN_USERNAME`: the administrator created on the first start. Default: `admin`. */
      readonly adminUsername: string;
      /** `ADMIN_PASSWORD`: needed on the first start (no user yet); never overwrites a stored one. */
      readonly adminPassword: string | undefined;
      /** `OAUTH_CLIENT_ID` and `OAUTH_CLIENT_SECRET`: a machine client for client_credentials. */
      readonly confidentialClient: { readonly clientId: string; readonly clientSecret: string } | undefined;
      /** `OAUTH_DYNAMIC_REGISTRATION`: RFC 7591 registration. Default: `true`. */
      readonly dynamicClientRegistration: boolean;
      /** `OAUTH_CIMD_ALLOWED_HOSTS`: hosts whose client metadata documents are fetched. Default: any public host. */
      readonly clientMetadataHosts: readonly string[] | undefined;
      /** `OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES`: fetch client metadata documents from private and loopback addresses. Default: `false`. */
      readonly clientMetadataPrivateAddresses: boolean;
      /** `OAUTH_ISSUER` and its settings: tokens of that external authorization server instead of our own. */
      readonly external: ExternalIssuerConfig | undefined;
      /** `OAUTH_UPSTREAM_*`: people sign in to our authorization server through this OpenID provider. */
      readonly upstream: UpstreamConfig | undefined;
    };

/**
 * Sign-in through an upstream OpenID provider (the company's identity provider).
 *
 * @example
 * ```ts
 * if (config.oauth.enabled && config.oauth.upstream) offer(config.oauth.upstream.name ?? config.oauth.upstream.issuer);
 * ```
 */
export interface UpstreamConfig {
  /** `OAUTH_UPSTREAM_ISSUER`. */
  readonly issuer: string;
  /** `OAUTH_UPSTREAM_CLIENT_ID`: this server's client there (redirect URI `<BASE_URL>/oauth/upstream/callback`). */
  readonly clientId: string;
  /** `OAUTH_UPSTREAM_CLIENT_SECRET`, for a confidential client there. */
  readonly clientSecret: string | undefined;
  /** `OAUTH_UPSTREAM_NAME`: the button says "Sign in with …". Default: the provider's host. */
  readonly name: string | undefined;
  /** `OAUTH_UPSTREAM_ALLOWED`: who may sign in (verified e-mails, `@domain`, `sub:<subject>`, or `*`). */
  readonly allowed: readonly string[];
  /** `OAUTH_UPSTREAM_ADMINS`: administrators, in the same form (they may always sign in). */
  readonly admins: readonly string[];
}

/**
 * Resource-server-only mode: the external authorization server whose tokens are accepted.
 *
 * @example
 * ```ts
 * if (config.oauth.enabled && config.oauth.external) trust(config.oauth.external.issuer);
 * ```
 */
export interface ExternalIssuerConfig {
  /** `OAUTH_ISSUER`. */
  readonly issuer: string;
  /** `OAUTH_AUDIENCE`: what its tokens name in `aud`. Default: `<BASE_URL>/mcp`. */
  readonly audience: string;
  /** `OAUTH_TOKEN_PROFILE`: `rfc9068` (default) or `jwt` (read through the claim names). */
  readonly profile: 'rfc9068' | 'jwt';
  /** `OAUTH_SCOPE_CLAIM` (`jwt` profile). Default: `scope`, then `scp`. */
  readonly scopeClaim: string | undefined;
  /** `OAUTH_CLIENT_ID_CLAIM` (`jwt` profile). Default: `client_id`, then `azp`. */
  readonly clientIdClaim: string | undefined;
}

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
export interface SseServerConfig extends ToolsConfig, OperationsConfig {
  /** `TRANSPORT`. Default: `both`. */
  readonly transport: Transport;
  /** `PORT`: TCP port, 1–65535; 0 picks a free one. Default: 3000. */
  readonly port: number;
  /** `HOST`: the address to listen on. Default: `127.0.0.1` (set `0.0.0.0` in a container). */
  readonly host: string;
  /** `BASE_URL`: the public URL of this server, no trailing slash. Default: `http://localhost:<PORT>`. */
  readonly baseUrl: string;
  /** `OAUTH_ENABLED` and the `OAUTH_*` and `ADMIN_*` settings. Default: off. */
  readonly oauth: OAuthConfig;
  /** `RATE_LIMIT_*`. */
  readonly rateLimit: RateLimitConfig;
  /**
   * `TRUST_PROXY`: the reverse proxies whose `X-Forwarded-For` names the client (addresses, CIDR
   * ranges or `loopback`, comma-separated; or a hop count). Default: none (the peer address is the client).
   */
  readonly trustProxy: readonly string[] | number | undefined;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: on SIGTERM, how long runs in flight may go on to finish before they are
   * interrupted. Default: 20 000 (keep it below the orchestrator's grace period).
   */
  readonly shutdownTimeoutMs: number;
}

const text = (raw: string) => accept(raw);

// People of an upstream provider: verified e-mails, @domains, sub:<subject>, or * (everyone).
const PERSON = /^(\*|sub:\S{1,255}|@[\w.-]{1,253}|[^\s@,]{1,64}@[\w.-]{1,253})$/;
const peopleReader = (name: string, example: string) => (raw: string) => {
  const people = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = people.find((entry) => !PERSON.test(entry));
  return bad === undefined ? accept<readonly string[]>(Object.freeze(people)) : reject(`must list e-mail addresses, @domains, sub:<subject> entries or * (not ${JSON.stringify(bad.slice(0, 80))})`, `e.g. ${name}=${example}`);
};

// A JWT claim name: letters, digits and a few separators.
const claimReader = (name: string, example: string) => (raw: string) =>
  /^[\w.:-]{1,64}$/.test(raw) ? accept<string | undefined>(raw) : reject('must be a claim name (letters, digits, ".", ":", "_", "-")', `e.g. ${name}=${example}`);

// An address, a CIDR range or one of proxy-addr's named ranges; never "everything" (true).
const PROXY_ENTRY = /^(loopback|linklocal|uniquelocal|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;
const proxyReader = (raw: string) => {
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    return hops >= 1 && hops <= 10 ? accept<readonly string[] | number>(hops) : reject('must be a hop count from 1 to 10, or proxy addresses', 'e.g. TRUST_PROXY=1');
  }
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  const bad = entries.find((entry) => !PROXY_ENTRY.test(entry));
  return bad === undefined && entries.length > 0
    ? accept<readonly string[] | number>(Object.freeze(entries))
    : reject(`must list proxy addresses or CIDR ranges (not ${JSON.stringify(bad ?? raw)})`, 'e.g. TRUST_PROXY=10.0.0.0/8,loopback');
};

function envSchema(env: Readonly<Record<string, string | undefined>>, context: ConfigContext) {
  return z
    .object({
      ...toolsVariables(env, context),
      ...operationsVariables(),
      TRANSPORT: variable<Transport>(choiceReader('TRANSPORT', transports, 'http'), 'both'),
      PORT: variable(integerReader('PORT', { min: 0, max: 65_535, example: '3000' }), 3000),
      HOST: variable<string>(
        (raw) =>
          /^[\w.:[\]-]+$/.test(raw)
            ? accept(raw)
            : reject('must be an IP address or host name', 'e.g. HOST=127.0.0.1, or HOST=0.0.0.0 to listen on every interface'),
        '127.0.0.1',
      ),
      BASE_URL: variable<string | undefined>(
        urlReader('BASE_URL', { allowQuery: false, example: 'https://mcp.example.com' }),
        undefined,
      ),
      OAUTH_ENABLED: variable(booleanReader('OAUTH_ENABLED'), false),
      OAUTH_CLIENT_ID: variable<string | undefined>(text, undefined),
      OAUTH_CLIENT_SECRET: variable<string | undefined>(
        (raw) => (raw.length >= 16 ? accept(raw) : reject('must be at least 16 characters long', 'use a random secret, e.g. openssl rand -base64 32')),
        undefined,
        { secret: true },
      ),
      ADMIN_USERNAME: variable<string>(
        (raw) => (/^[\p{L}\p{N}._@-]{1,64}$/u.test(raw) ? accept(raw) : reject('must be 1 to 64 letters, digits, ".", "_", "@" or "-"', 'e.g. ADMIN_USERNAME=admin')),
        'admin',
      ),
      ADMIN_PASSWORD: variable<string | undefined>(
        (raw) => (raw.length >= 12 && raw.length <= 1024 ? accept(raw) : reject('must be 12 to 1024 characters long', 'choose a longer password')),
        undefined,
        { secret: true },
      ),
      OAUTH_DYNAMIC_REGISTRATION: variable(booleanReader('OAUTH_DYNAMIC_REGISTRATION'), true),
      OAUTH_CIMD_ALLOWED_HOSTS: variable<readonly string[] | undefined>(
        (raw) => {
          const hosts = raw.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
          const bad = hosts.find((host) => !/^[a-z0-9.-]{1,253}$/.test(host));
          return bad === undefined && hosts.length > 0 ? accept<readonly string[] | undefined>(Object.freeze(hosts)) : reject(`must list host names (not ${JSON.stringify(bad ?? raw)})`, 'e.g. OAUTH_CIMD_ALLOWED_HOSTS=claude.ai,vscode.dev');
        },
        undefined,
      ),
      OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES: variable(booleanReader('OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES'), false),
      OAUTH_UPSTREAM_ISSUER: variable<string | undefined>(urlReader('OAUTH_UPSTREAM_ISSUER', { allowQuery: false, example: 'https://id.example.com' }), undefined),
      OAUTH_UPSTREAM_CLIENT_ID: variable<string | undefined>(
        (raw) => (/^\S{1,200}$/.test(raw) ? accept<string | undefined>(raw) : reject('must be a client id without spaces', 'e.g. OAUTH_UPSTREAM_CLIENT_ID=claude-code-mcp')),
        undefined,
      ),
      OAUTH_UPSTREAM_CLIENT_SECRET: variable<string | undefined>(text, undefined, { secret: true }),
      OAUTH_UPSTREAM_NAME: variable<string | undefined>(
        (raw) => (raw.length <= 60 ? accept<string | undefined>(raw) : reject('must be at most 60 characters', 'e.g. OAUTH_UPSTREAM_NAME=Example Corp')),
        undefined,
      ),
      OAUTH_UPSTREAM_ALLOWED: variable<readonly string[]>(peopleReader('OAUTH_UPSTREAM_ALLOWED', '@example.com'), Object.freeze([])),
      OAUTH_UPSTREAM_ADMINS: variable<readonly string[]>(peopleReader('OAUTH_UPSTREAM_ADMINS', 'alice@example.com'), Object.freeze([])),
      OAUTH_ISSUER: variable<string | undefined>(urlReader('OAUTH_ISSUER', { allowQuery: false, example: 'https://id.example.com/realms/main' }), undefined),
      OAUTH_AUDIENCE: variable<string | undefined>(
        (raw) => (/^\S{1,500}$/.test(raw) ? accept<string | undefined>(raw) : reject('must be one audience value without spaces', 'e.g. OAUTH_AUDIENCE=https://mcp.example.com/mcp')),
        undefined,
      ),
      OAUTH_TOKEN_PROFILE: variable<'rfc9068' | 'jwt'>(choiceReader('OAUTH_TOKEN_PROFILE', ['rfc9068', 'jwt'] as const, 'jwt'), 'rfc9068'),
      OAUTH_SCOPE_CLAIM: variable<string | undefined>(claimReader('OAUTH_SCOPE_CLAIM', 'scp'), undefined),
      OAUTH_CLIENT_ID_CLAIM: variable<string | undefined>(claimReader('OAUTH_CLIENT_ID_CLAIM', 'azp'), undefined),
      TRUST_PROXY: variable<readonly string[] | number | undefined>(proxyReader, undefined),
      RATE_LIMIT_ENABLED: variable(booleanReader('RATE_LIMIT_ENABLED'), true),
      RATE_LIMIT_REQUESTS: variable(integerReader('RATE_LIMIT_REQUESTS', { min: 1, example: '100' }), 100),
      RATE_LIMIT_WINDOW_MS: variable(
        integerReader('RATE_LIMIT_WINDOW_MS', { min: 1000, unit: 'milliseconds', example: '60000 (1 minute)' }),
        60_000,
      ),
      SHUTDOWN_TIMEOUT_MS: variable(integerReader('SHUTDOWN_TIMEOUT_MS', { min: 0, max: 3_600_000, unit: 'milliseconds', example: '20000 (20 s)' }), 20_000),
    })
    .superRefine(
      (values, context) => {
        // Runs even when single variables failed, so every problem is reported in one go; a
        // failed variable holds no usable value, hence the strict checks.
        const missing = (name: string, when: string, fix: string): void => {
          context.addIssue({ code: 'custom', path: [name], message: `is required when ${when} (not set); ${fix}` });
        };
        if (typeof values.METRICS_PORT === 'number' && values.METRICS_PORT === values.PORT) {
          context.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: `is the same port as PORT (${values.PORT}); choose another, or unset it to serve /metrics on PORT` });
        }
        if (values.OAUTH_ENABLED === true && env.OAUTH_ISSUER?.trim()) {
          // An external issuer replaces the built-in authorization server: its settings would do nothing.
          for (const name of ['ADMIN_PASSWORD', 'OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET'] as const) {
            if (env[name]?.trim()) context.addIssue({ code: 'custom', path: [name], message: 'is for the built-in authorization server; unset it when OAUTH_ISSUER names an external one' });
          }
          if (env.OAUTH_UPSTREAM_ISSUER?.trim()) context.addIssue({ code: 'custom', path: ['OAUTH_UPSTREAM_ISSUER'], message: 'is for the built-in authorization server; unset it when OAUTH_ISSUER names an external one' });
          if (typeof values.OAUTH_ISSUER === 'string' && !isSecureOrLoopback(values.OAUTH_ISSUER)) {
            context.addIssue({ code: 'custom', path: ['OAUTH_ISSUER'], message: `must use https (got ${JSON.stringify(env.OAUTH_ISSUER)}); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]` });
          }
        }
        if (values.OAUTH_ENABLED === true && env.OAUTH_UPSTREAM_ISSUER?.trim()) {
          if (!env.OAUTH_UPSTREAM_CLIENT_ID?.trim()) missing('OAUTH_UPSTREAM_CLIENT_ID', 'OAUTH_UPSTREAM_ISSUER is set', "set this server's client id at the provider");
          // Everyone the provider signs in would get a shell here: who may, is said out loud.
          if (!env.OAUTH_UPSTREAM_ALLOWED?.trim() && !env.OAUTH_UPSTREAM_ADMINS?.trim()) missing('OAUTH_UPSTREAM_ALLOWED', 'OAUTH_UPSTREAM_ISSUER is set', 'list who may sign in (e.g. @example.com), or * for everyone the provider signs in');
          if (typeof values.OAUTH_UPSTREAM_ISSUER === 'string' && !isSecureOrLoopback(values.OAUTH_UPSTREAM_ISSUER)) {
            context.addIssue({ code: 'custom', path: ['OAUTH_UPSTREAM_ISSUER'], message: `must use https (got ${JSON.stringify(env.OAUTH_UPSTREAM_ISSUER)}); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]` });
          }
        }
        if (values.OAUTH_ENABLED === true) {
          // A machine client is optional, but half of one is a mistake.
          if (env.OAUTH_CLIENT_ID?.trim() && !env.OAUTH_CLIENT_SECRET?.trim()) {
            missing('OAUTH_CLIENT_SECRET', 'OAUTH_CLIENT_ID is set', 'set the client secret, or unset OAUTH_CLIENT_ID');
          }
          if (env.OAUTH_CLIENT_SECRET?.trim() && !env.OAUTH_CLIENT_ID?.trim()) {
            missing('OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET is set', 'set the client id, or unset OAUTH_CLIENT_SECRET');
          }
          if (env.BASE_URL === undefined || env.BASE_URL.trim() === '') {
            missing('BASE_URL', 'OAUTH_ENABLED=true', 'set the public URL clients use, e.g. BASE_URL=https://mcp.example.com');
          } else if (typeof values.BASE_URL === 'string' && new URL(values.BASE_URL).pathname !== '/') {
            context.addIssue({
              code: 'custom',
              path: ['BASE_URL'],
              message: `must be an origin without a path when OAUTH_ENABLED=true (got ${JSON.stringify(env.BASE_URL)}); the issuer and /mcp are served at the root, e.g. BASE_URL=https://mcp.example.com`,
            });
          } else if (typeof values.BASE_URL === 'string' && !isSecureOrLoopback(values.BASE_URL)) {
            context.addIssue({
              code: 'custom',
              path: ['BASE_URL'],
              message: `must use https when OAUTH_ENABLED=true (got ${JSON.stringify(env.BASE_URL)}); plain http is allowed only for localhost, 127.0.0.0/8 and [::1]`,
            });
          }
        }
        checkOperations(values, env, context);
      },
      { when: () => true },
    );
}

/**
 * Every variable this server reads, in the order they are documented (and problems reported).
 *
 * @example
 * ```ts
 * HTTP_VARIABLES.includes('PORT'); // true
 * ```
 */
export const HTTP_VARIABLES: readonly string[] = Object.freeze([
  ...TOOLS_VARIABLES,
  'TRANSPORT',
  'PORT',
  'HOST',
  'BASE_URL',
  'OAUTH_ENABLED',
  'OAUTH_CLIENT_ID',
  'OAUTH_CLIENT_SECRET',
  'ADMIN_USERNAME',
  'ADMIN_PASSWORD',
  'OAUTH_DYNAMIC_REGISTRATION',
  'OAUTH_CIMD_ALLOWED_HOSTS',
  'OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES',
  'OAUTH_UPSTREAM_ISSUER',
  'OAUTH_UPSTREAM_CLIENT_ID',
  'OAUTH_UPSTREAM_CLIENT_SECRET',
  'OAUTH_UPSTREAM_NAME',
  'OAUTH_UPSTREAM_ALLOWED',
  'OAUTH_UPSTREAM_ADMINS',
  'OAUTH_ISSUER',
  'OAUTH_AUDIENCE',
  'OAUTH_TOKEN_PROFILE',
  'OAUTH_SCOPE_CLAIM',
  'OAUTH_CLIENT_ID_CLAIM',
  'TRUST_PROXY',
  'RATE_LIMIT_ENABLED',
  'RATE_LIMIT_REQUESTS',
  'RATE_LIMIT_WINDOW_MS',
  ...OPERATIONS_VARIABLES.filter((name) => name.startsWith('METRICS_')),
  'SHUTDOWN_TIMEOUT_MS',
  ...OPERATIONS_VARIABLES.filter((name) => name.startsWith('WEBHOOK')),
]);

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
  const checked = checkContext(context);
  const values = parseEnvironment(env, envSchema(env, checked), HTTP_VARIABLES);

  const oauth: OAuthConfig = values.OAUTH_ENABLED
    ? Object.freeze({
        enabled: true,
        adminUsername: values.ADMIN_USERNAME,
        adminPassword: values.ADMIN_PASSWORD,
        confidentialClient:
          values.OAUTH_CLIENT_ID !== undefined && values.OAUTH_CLIENT_SECRET !== undefined
            ? Object.freeze({ clientId: values.OAUTH_CLIENT_ID, clientSecret: values.OAUTH_CLIENT_SECRET })
            : undefined,
        dynamicClientRegistration: values.OAUTH_DYNAMIC_REGISTRATION,
        clientMetadataHosts: values.OAUTH_CIMD_ALLOWED_HOSTS,
        clientMetadataPrivateAddresses: values.OAUTH_CIMD_ALLOW_PRIVATE_ADDRESSES,
        upstream:
          values.OAUTH_UPSTREAM_ISSUER === undefined || values.OAUTH_UPSTREAM_CLIENT_ID === undefined
            ? undefined
            : Object.freeze({
                issuer: values.OAUTH_UPSTREAM_ISSUER,
                clientId: values.OAUTH_UPSTREAM_CLIENT_ID,
                clientSecret: values.OAUTH_UPSTREAM_CLIENT_SECRET,
                name: values.OAUTH_UPSTREAM_NAME,
                allowed: values.OAUTH_UPSTREAM_ALLOWED,
                admins: values.OAUTH_UPSTREAM_ADMINS,
              }),
        external:
          values.OAUTH_ISSUER === undefined
            ? undefined
            : Object.freeze({
                issuer: values.OAUTH_ISSUER,
                audience: values.OAUTH_AUDIENCE ?? `${values.BASE_URL ?? `http://localhost:${values.PORT}`}/mcp`,
                profile: values.OAUTH_TOKEN_PROFILE,
                scopeClaim: values.OAUTH_SCOPE_CLAIM,
                clientIdClaim: values.OAUTH_CLIENT_ID_CLAIM,
              }),
      })
    : Object.freeze({ enabled: false });
  return Object.freeze({
    ...toolsConfigFrom(values),
    ...operationsConfigFrom(values),
    transport: values.TRANSPORT,
    port: values.PORT,
    host: values.HOST,
    baseUrl: values.BASE_URL ?? `http://localhost:${values.PORT}`,
    oauth,
    rateLimit: Object.freeze({
      enabled: values.RATE_LIMIT_ENABLED,
      requests: values.RATE_LIMIT_REQUESTS,
      windowMs: values.RATE_LIMIT_WINDOW_MS,
    }),
    trustProxy: values.TRUST_PROXY,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
  });
}

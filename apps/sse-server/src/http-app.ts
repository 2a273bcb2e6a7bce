// The fastify application: host checks, rate limits, health and the MCP routes, in that order.
import rateLimit from '@fastify/rate-limit';
import type { ClaudeToolsService } from '@claude-code-mcp/mcp-tools';
import type { Logger, ServerMetrics } from '@claude-code-mcp/observability';
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/fastify';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { METRICS_SCOPE, registerAuthorization, type AuthorizationState, type HttpAuthorization } from './authorization.js';
import type { BearerCheck } from './bearer-gate.js';
import type { SseServerConfig } from './config.js';
import { checkHostHeaders, clientOf, refuse, REQUEST_TIMEOUTS, RETRY_AFTER_SECONDS } from './http-limits.js';
import { registerMcpRoutes, type McpRoutes, type McpRoutesOptions } from './mcp-routes.js';
import { RequestStats, sendMetrics } from './metrics-routes.js';
import { readinessChecks } from './readiness.js';

/** Options of {@link buildHttpApp}. */
export interface HttpAppOptions {
  readonly config: SseServerConfig;
  readonly service: ClaudeToolsService;
  readonly logger: Logger;
  readonly version: string;
  /**
   * What tells 2026-07-28 listen streams that a list changed. Default: the service's slash-command
   * watcher (prompts). An embedder whose servers add tools of their own passes its own.
   */
  readonly watchLists?: McpRoutesOptions['watchLists'];
  /** With `OAUTH_ENABLED=true`: the authorization server's state (see `openAuthorizationState`). */
  readonly authorization?: AuthorizationState;
  /** Told of each 429 (for the `rate_limit.exceeded` webhook): the route and the OAuth client, never the address. */
  readonly onRateLimited?: (details: { readonly route: string; readonly clientId?: string }) => void;
  /** The Claude Code executable `/ready` asks for its version (otherwise found as the driver finds it). */
  readonly claudeExecutable?: string | undefined;
  /** The environment the executable is looked up in when `claudeExecutable` is not given (`PATH`, `CLAUDE_CODE_PATH`). */
  readonly claudeEnv?: Readonly<Record<string, string | undefined>>;
  /** With `METRICS_ENABLED=true`: the metrics to update (and to serve at `/metrics` unless `METRICS_PORT` takes them). */
  readonly metrics?: ServerMetrics;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** With OAuth, on the MCP routes: what the bearer token check found. */
    bearer: BearerCheck | null;
  }
  interface FastifyInstance {
    /** Open 2025-era sessions, SSE streams and 2026-07-28 requests still answering. */
    mcpCounts(): ReturnType<McpRoutes['counts']>;
    /** Starts a graceful stop: new requests get 503 (probes excepted, `/ready` says so); those in flight go on. */
    beginShutdown(): void;
  }
}

const pathOf = (url: string) => url.split('?', 1)[0]!;
const isMcpPath = (url: string) => pathOf(url) === '/mcp' || pathOf(url).startsWith('/mcp/');
// The authorization server's endpoints have budgets of their own; probes are never limited.
const PROBES = new Set(['/health', '/ready']);
const outsideRateLimit = (url: string) => PROBES.has(pathOf(url)) || pathOf(url).startsWith('/oauth/') || pathOf(url).startsWith('/.well-known/');

const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];

// A hop count trusts that many proxies in front of this server; a list, those addresses.
function trustedProxies(setting: readonly string[] | number): string[] | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : [...setting];
}

/**
 * Builds (does not start) the HTTP server. Closing the app closes every MCP session it holds; the
 * shared service is the caller's to close.
 *
 * @example
 * ```ts
 * const app = await buildHttpApp({ config, service, logger, version: '1.0.0' });
 * await app.listen({ host: config.host, port: config.port });
 * ```
 */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const { config, service, logger } = options;
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    // Only the proxies named: their X-Forwarded-For then gives the client's address.
    ...(config.trustProxy === undefined ? {} : { trustProxy: trustedProxies(config.trustProxy) }),
    // A connection that sends its headers or body slowly is closed (slowloris); a long response is not.
    requestTimeout: REQUEST_TIMEOUTS.requestMs,
    http: { headersTimeout: REQUEST_TIMEOUTS.headersMs, requestTimeout: REQUEST_TIMEOUTS.requestMs, connectionsCheckingInterval: REQUEST_TIMEOUTS.checkEveryMs },
  });

  // DNS rebinding and cross-site pages: a browser must not reach this server through a name that
  // resolves to it, nor from another site's page (the spec's MUST on Origin). /health is for
  // probes, which use whatever address they have, and tells nothing worth protecting.
  const allowedHostnames = [...new Set([new URL(config.baseUrl).hostname, ...LOOPBACK_HOSTNAMES])];
  const checkHost = hostHeaderValidation(allowedHostnames);
  const checkOrigin = originValidation(allowedHostnames);
  // A graceful stop: what is in flight finishes, nothing new starts (a load balancer sees /ready fail).
  let shuttingDown = false;
  app.decorate('beginShutdown', () => void (shuttingDown = true));
  app.addHook('onRequest', async (request, reply) => {
    if (!shuttingDown || PROBES.has(pathOf(request.url))) return;
    return refuse(reply, 503, -32000, 'The server is shutting down; try again shortly (another instance, or this one once it is back)', { 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
  });
  app.addHook('onRequest', async (request, reply) => {
    if (checkHostHeaders(request, reply)) return;
    if (PROBES.has(request.url)) return;
    await checkHost(request, reply);
    if (!reply.sent) await checkOrigin(request, reply);
  });
  const stats = new RequestStats();
  const { metrics } = options;
  app.addHook('onResponse', (request, reply, done) => {
    // The path only: a query may carry a session id (or a token someone put there by mistake).
    logger.debug({ method: request.method, url: pathOf(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    // Event streams last minutes or hours and probes come every few seconds: neither is a request's time.
    const streamed = String(reply.raw.getHeader('content-type') ?? '').startsWith('text/event-stream');
    if (!streamed && !PROBES.has(pathOf(request.url))) {
      stats.record(reply.statusCode, reply.elapsedTime);
      // The route pattern (bounded), never the URL.
      metrics?.httpRequest({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
    }
    // A valid token short of a scope: the SDK's step-up on /mcp, or /metrics without `metrics`.
    if (reply.statusCode === 403 && request.bearer?.ok === true) metrics?.tokenRefused('insufficient_scope');
    done();
  });

  const authorization = await authorizationOf(app, options);
  app.decorateRequest('bearer', null);
  // /metrics on the main port is behind a token too.
  const metricsHere = config.metrics.enabled && config.metrics.port === undefined && metrics !== undefined;
  const needsToken = (url: string) => isMcpPath(url) || (metricsHere && pathOf(url) === '/metrics');
  // Before the rate limit: a verified principal has a budget of its own, wherever it connects from.
  if (authorization) app.addHook('onRequest', async (request) => void (needsToken(request.url) && (request.bearer = await authorization.check(request))));

  if (config.rateLimit.enabled) {
    await app.register(rateLimit, {
      max: config.rateLimit.requests,
      timeWindow: config.rateLimit.windowMs,
      allowList: (request) => outsideRateLimit(request.url),
      // One budget per client: its verified principal, else its peer address (a session id or
      // query string the client sends would let it pick a fresh budget per request).
      keyGenerator: (request) => (request.bearer?.ok ? `principal ${request.bearer.principal}` : clientOf(request)),
      // The IETF RateLimit-* fields (and Retry-After on a 429) instead of X-RateLimit-*.
      enableDraftSpec: true,
      onExceeded: (request) => {
        metrics?.rateLimited();
        options.onRateLimited?.({ route: request.routeOptions.url ?? 'unmatched', ...(request.bearer?.ok ? { clientId: request.bearer.auth.clientId } : {}) });
      },
    });
  }

  const started = Date.now();
  const routes = registerMcpRoutes(app, {
    createServer: (context) => service.createServer(context),
    watchLists: options.watchLists ?? ((listener) => service.watchPrompts(() => listener('prompts'))),
    transport: config.transport,
    sessionIdleTimeoutMs: config.sessionTimeoutMs,
    logger,
    ...(authorization ? { authorize: (request: FastifyRequest, reply: FastifyReply) => admit(authorization, request, reply, metrics), ownerOf: (request: FastifyRequest) => (request.bearer?.ok ? request.bearer.principal : undefined) } : {}),
  });
  app.addHook('onClose', () => routes.close());
  app.decorate('mcpCounts', () => routes.counts());

  app.get('/health', (_request, reply) => {
    const counts = routes.counts();
    return reply.send({
      status: 'ok',
      version: options.version,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      transport: config.transport,
      activeSessions: counts.streamableSessions + counts.sseStreams,
      ...counts,
      backgroundTasks: service.tasks.activeCount,
      requests: stats.summary(),
    });
  });
  const readiness = readinessChecks({
    claudeExecutable: options.claudeExecutable,
    env: options.claudeEnv ?? {},
    dataDir: config.dataDir,
    database: () => service.store.sessions.get('ready-probe'),
    ...(authorization?.signingKeys ? { keys: authorization.signingKeys } : {}),
    logger,
  });
  app.get('/ready', async (_request, reply) => {
    const checked = await readiness.check();
    const report = shuttingDown ? { ready: false, checks: { ...checked.checks, shutdown: 'failed: shutting down' } } : checked;
    return reply.code(report.ready ? 200 : 503).header('cache-control', 'no-store').send({ status: report.ready ? 'ready' : 'not_ready', checks: report.checks });
  });
  if (metricsHere) {
    app.get('/metrics', async (request, reply) => {
      if (authorization && !admit(authorization, request, reply, metrics, METRICS_SCOPE.name)) return reply;
      if (request.bearer?.ok === true && !request.bearer.auth.scopes.includes(METRICS_SCOPE.name)) {
        return reply
          .code(403)
          .header('www-authenticate', `Bearer error="insufficient_scope", scope="${METRICS_SCOPE.name}", resource_metadata="${request.bearer.auth.resourceMetadataUrl ?? ''}"`)
          .send({ error: 'insufficient_scope', error_description: `/metrics needs a token with the ${METRICS_SCOPE.name} scope.` });
      }
      return sendMetrics(metrics, reply);
    });
  }

  return app;
}

async function authorizationOf(app: FastifyInstance, options: HttpAppOptions): Promise<HttpAuthorization | undefined> {
  const { config } = options;
  if (!config.oauth.enabled) return undefined;
  const { metrics } = options;
  return registerAuthorization(app, { ...config, oauth: config.oauth }, options.authorization, options.logger, metrics ? (grantType) => metrics.tokenIssued(grantType) : undefined);
}

// A request with a valid token goes on with `auth` set where the SDK transports read it.
function admit(authorization: HttpAuthorization, request: FastifyRequest, reply: FastifyReply, metrics: ServerMetrics | undefined, scope?: string): boolean {
  const check = request.bearer ?? ({ ok: false, status: 401 } as const);
  if (!check.ok) {
    metrics?.tokenRefused(check.status >= 500 ? 'unavailable' : check.error === undefined ? 'missing' : 'invalid');
    authorization.refuse(reply, check, scope);
    return false;
  }
  (request.raw as typeof request.raw & { auth?: unknown }).auth = check.auth;
  return true;
}

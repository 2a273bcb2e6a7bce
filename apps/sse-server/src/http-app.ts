// The fastify application: host checks, rate limits, health and the MCP routes, in that order.
import rateLimit from '@fastify/rate-limit';
import type { ClaudeToolsService } from '@claude-code-mcp/mcp-tools';
import type { Logger } from '@claude-code-mcp/observability';
import { hostHeaderValidation, originValidation } from '@modelcontextprotocol/fastify';
import Fastify, { type FastifyInstance } from 'fastify';

import type { SseServerConfig } from './config.js';
import { checkHostHeaders, clientOf, REQUEST_TIMEOUTS } from './http-limits.js';
import { registerMcpRoutes, type McpRoutesOptions } from './mcp-routes.js';

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
}

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
  app.addHook('onRequest', async (request, reply) => {
    if (checkHostHeaders(request, reply)) return;
    if (request.url === '/health') return;
    await checkHost(request, reply);
    if (!reply.sent) await checkOrigin(request, reply);
  });
  app.addHook('onResponse', (request, reply, done) => {
    logger.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  if (config.rateLimit.enabled) {
    await app.register(rateLimit, {
      max: config.rateLimit.requests,
      timeWindow: config.rateLimit.windowMs,
      // Health checks from the orchestrator must not eat the budget nor be refused.
      allowList: (request) => request.url === '/health',
      // One budget per client: its peer address (a session id or query string the client sends
      // would let it pick a fresh budget per request).
      keyGenerator: clientOf,
      // The IETF RateLimit-* fields (and Retry-After on a 429) instead of X-RateLimit-*.
      enableDraftSpec: true,
    });
  }

  const started = Date.now();
  const routes = registerMcpRoutes(app, {
    createServer: (context) => service.createServer(context),
    watchLists: options.watchLists ?? ((listener) => service.watchPrompts(() => listener('prompts'))),
    transport: config.transport,
    sessionIdleTimeoutMs: config.sessionTimeoutMs,
    logger,
  });
  app.addHook('onClose', () => routes.close());

  app.get('/health', (_request, reply) =>
    reply.send({
      status: 'ok',
      version: options.version,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      transport: config.transport,
      ...routes.counts(),
      backgroundTasks: service.tasks.activeCount,
    }),
  );

  return app;
}

// A listener of its own for `/metrics` (METRICS_PORT): what a server with no HTTP (stdio), or one
// keeping its scrapes off its public port, serves to Prometheus. node:http alone: one route does
// not need a framework, and the stdio server loads it only when metrics are on.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ObservabilityError } from './errors.js';
import type { Logger } from './logger.js';

/**
 * What {@link serveMetrics} serves: a registry's exposition (a `MetricsRegistry` is one).
 *
 * @example
 * ```ts
 * const source: MetricsSource = metrics.registry;
 * ```
 */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

/**
 * Where to listen, and who to tell about failed scrapes.
 *
 * @example
 * ```ts
 * const options: MetricsListenerOptions = { host: '127.0.0.1', port: 9464, logger };
 * ```
 */
export interface MetricsListenerOptions {
  /** The address to bind (`localhost` is 127.0.0.1); on loopback (`127.0.0.1`, `::1`, `localhost`) requests must name this machine in `Host`. */
  readonly host: string;
  /** 1–65535, or 0 for a free one (read it from `port` of the result). */
  readonly port: number;
  readonly logger?: Logger;
}

/**
 * A running metrics listener.
 *
 * @example
 * ```ts
 * const listener = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
 * fetch(`http://127.0.0.1:${listener.port}/metrics`);
 * await listener.close();
 * ```
 */
export interface MetricsListener {
  /** The port bound (the one asked for, or the one picked for 0). */
  readonly port: number;
  /** Stops listening and ends open connections; calling it again does nothing. */
  close(): Promise<void>;
}

const LOOPBACK_BINDS = new Set(['127.0.0.1', '::1', 'localhost']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

// The host name of a Host header (without the port), or undefined when it is not one.
function hostName(header: string | undefined): string | undefined {
  if (header === undefined || header === '' || /[\s/?#@\\]/.test(header)) return undefined;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(body);
}

function handler(source: MetricsSource, checkHost: boolean, logger: Logger | undefined) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    // On loopback, a page in the operator's browser must not read it through a name that
    // resolves here (DNS rebinding). Bound beyond loopback, the network reaches it anyway.
    if (checkHost && !LOOPBACK_NAMES.has(hostName(request.headers.host) ?? '')) return answer(response, 403, 'Forbidden: the Host header must name this machine (localhost, 127.0.0.1 or [::1])\n');
    // The path alone, without parsing the target as a URL: whatever a client sends there, it is
    // `/metrics` or not found.
    if ((request.url ?? '').split('?')[0] !== '/metrics') return answer(response, 404, 'Not found: metrics are at /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(response, 405, 'Method not allowed: use GET\n', { allow: 'GET, HEAD' });
    source.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': source.contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger?.warn({ err: error }, 'a metrics scrape failed');
        answer(response, 500, 'Internal error: the metrics could not be collected\n');
      },
    );
  };
}

/**
 * Serves `source` at `GET /metrics` on a listener of its own, and nothing else (404 elsewhere,
 * 405 for other methods). Bound to loopback (`localhost` is 127.0.0.1), requests whose `Host`
 * names another machine get 403. Slow clients are cut off (node:http's header and request
 * timeouts, 10 s and 30 s, checked every 30 s).
 *
 * @throws {@link ObservabilityError} `OBSERVABILITY_INVALID_OPTIONS` for a bad host or port; the
 * listen error itself (`EADDRINUSE`, …) when the port cannot be bound.
 *
 * @example
 * ```ts
 * const metrics = createServerMetrics({ service: 'stdio-server', state, tools: TOOL_NAMES });
 * const listener = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 9464, logger });
 * ```
 */
export async function serveMetrics(source: MetricsSource, options: MetricsListenerOptions): Promise<MetricsListener> {
  const { host, port, logger } = options;
  if (typeof host !== 'string' || host === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ObservabilityError('OBSERVABILITY_INVALID_OPTIONS', `serveMetrics needs a host and a port from 0 to 65535 (got ${JSON.stringify(host)}:${String(port)}).`);
  }
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, handler(source, LOOPBACK_BINDS.has(host), logger));
  server.maxConnections = 64;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // `localhost` would bind whichever address the lookup returns first (::1 on some hosts).
    server.listen({ host: host === 'localhost' ? '127.0.0.1' : host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger?.warn({ err: error }, 'the metrics listener failed'));
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

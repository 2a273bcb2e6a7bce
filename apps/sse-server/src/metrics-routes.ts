// `/metrics` in the Prometheus text format: on the main port (behind a token with the `metrics`
// scope when OAuth is on), or on a listener of its own (METRICS_PORT, loopback by default) that
// serves nothing else; and the request counts `/health` summarizes.
import type { Logger, ServerMetrics } from '@claude-code-mcp/observability';
import { hostHeaderValidation } from '@modelcontextprotocol/fastify';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';

/**
 * Totals of the HTTP requests answered, for `/health`.
 *
 * @example
 * ```ts
 * const stats = new RequestStats();
 * stats.record(200, 12.5);
 * stats.summary(); // { total: 1, successful: 1, failed: 0, averageResponseMs: 12.5 }
 * ```
 */
export class RequestStats {
  #total = 0;
  #failed = 0;
  #milliseconds = 0;

  /** One answered request: its status (400 and above failed) and how long it took. */
  record(status: number, milliseconds: number): void {
    this.#total += 1;
    if (status >= 400) this.#failed += 1;
    this.#milliseconds += milliseconds;
  }

  summary(): { readonly total: number; readonly successful: number; readonly failed: number; readonly averageResponseMs: number } {
    const average = this.#total === 0 ? 0 : Math.round((this.#milliseconds / this.#total) * 100) / 100;
    return { total: this.#total, successful: this.#total - this.#failed, failed: this.#failed, averageResponseMs: average };
  }
}

/** Answers a scrape: the exposition of every metric. */
export async function sendMetrics(metrics: ServerMetrics, reply: FastifyReply): Promise<FastifyReply> {
  const text = await metrics.registry.metrics();
  return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(text);
}

/**
 * A listener that serves `/metrics` and nothing else, for `METRICS_PORT`.
 *
 * @example
 * ```ts
 * const listener = await listenForMetrics(metrics, { host: '127.0.0.1', port: 9464 }, logger);
 * await listener.close();
 * ```
 */
export async function listenForMetrics(metrics: ServerMetrics, where: { readonly host: string; readonly port: number }, logger?: Logger): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  // On loopback, a page in the operator's browser must not read it through a name that resolves
  // here (DNS rebinding). Bound beyond loopback (a scraper on a container network names the
  // server as it likes), the network can reach it anyway: no Host check then.
  if (['127.0.0.1', 'localhost', '::1'].includes(where.host)) {
    const checkHost = hostHeaderValidation(['localhost', '127.0.0.1', '[::1]']);
    app.addHook('onRequest', async (request, reply) => checkHost(request, reply));
  }
  app.get('/metrics', (_request, reply) => sendMetrics(metrics, reply));
  app.setErrorHandler((error, _request, reply) => {
    logger?.warn({ err: error }, 'the metrics listener failed a request');
    return reply.code(500).send({ error: 'internal' });
  });
  await app.listen(where);
  return app;
}

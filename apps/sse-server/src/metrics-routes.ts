// `/metrics` in the Prometheus text format on the main port (behind a token with the `metrics`
// scope when OAuth is on; with METRICS_PORT, observability's `serveMetrics` serves it instead), and
// the request counts `/health` summarizes.
import type { ServerMetrics } from '@claude-code-mcp/observability';
import type { FastifyReply } from 'fastify';

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

// What both servers wire for operating them, from their OperationsConfig: the metrics, the webhook
// outbox, and the listeners that feed them the tools' and the tasks' events. A server adds only
// where `/metrics` is served and its own events (started, shutdown, rate limits).
import type { TaskEvent } from '@claude-code-mcp/mcp-tools';
import type { ToolsEventListener } from '@claude-code-mcp/mcp-tools/events';
import { createServerMetrics, type Logger, type ServerMetrics, type ServerState } from '@claude-code-mcp/observability';

import type { OperationsConfig } from './operations-config.js';
import { openServerWebhooks, type ServerWebhooks } from './server-webhooks.js';
import { toolsEventsToMetrics } from './tools-metrics.js';
import { allListeners, taskEventToWebhook, toolsEventsToWebhooks } from './tools-webhooks.js';

/**
 * Options of {@link openServerOperations}.
 *
 * @example
 * ```ts
 * const options: ServerOperationsOptions = { config, logger, service: 'stdio-server', transport: 'pipe', tools: TOOL_NAMES };
 * ```
 */
export interface ServerOperationsOptions {
  readonly config: OperationsConfig & { readonly dataDir: string };
  readonly logger: Logger;
  /** The `service` label of every metric sample. */
  readonly service: string;
  /** `network_transport` of the operations: `tcp` (HTTP) or `pipe` (stdio). */
  readonly transport: 'tcp' | 'pipe';
  /** The tools the server has (other names a client sends are counted as `_OTHER`). */
  readonly tools: readonly string[];
}

/**
 * A server's metrics and webhooks, both optional.
 *
 * @example
 * ```ts
 * const operations = await openServerOperations({ config, logger, service: 'stdio-server', transport: 'pipe', tools: TOOL_NAMES });
 * const service = await openClaudeToolsService({ ...options, ...(operations.onEvent ? { onEvent: operations.onEvent } : {}) });
 * operations.readState(() => ({ ...service.state(), sessions: { stdio: 1 } }));
 * ```
 */
export interface ServerOperations {
  /** With `METRICS_ENABLED`. */
  readonly metrics: ServerMetrics | undefined;
  /** With `WEBHOOKS_ENABLED`. */
  readonly webhooks: ServerWebhooks | undefined;
  /** The tools service's `onEvent`: undefined when neither is on. */
  readonly onEvent: ToolsEventListener | undefined;
  /** A background task's event, as a webhook event. */
  taskEvent(event: TaskEvent): void;
  /** A server's own event to the outbox (nothing without webhooks); a failure to write is logged, never thrown. */
  emit(type: string, data: Readonly<Record<string, unknown>>): Promise<void>;
  /** What the gauges read at each scrape (until set: nothing open, nothing queued). */
  readState(read: () => ServerState): void;
  /** Lets the outbox deliver until `signal` aborts (retries due before `until` too), then closes it. Never throws. */
  close(signal: AbortSignal, until?: number): Promise<void>;
}

const NOTHING: ServerState = Object.freeze({ sessions: Object.freeze({}), warmProcesses: 0, queuedRuns: 0, backgroundTasks: Object.freeze({}) });

/**
 * Creates the metrics (with `METRICS_ENABLED`) and opens the outbox in the data folder (with
 * `WEBHOOKS_ENABLED`), delivering what an earlier server left pending.
 *
 * @throws what opening the outbox throws (a data folder that cannot hold it).
 *
 * @example
 * ```ts
 * const operations = await openServerOperations({ config, logger, service: 'sse-server', transport: 'tcp', tools: TOOL_NAMES });
 * await operations.emit('server.started', { version });
 * ```
 */
export async function openServerOperations(options: ServerOperationsOptions): Promise<ServerOperations> {
  const { config, logger } = options;
  let state: () => ServerState = () => NOTHING;
  let webhooks: ServerWebhooks | undefined;
  const metrics = config.metrics.enabled
    ? createServerMetrics({ service: options.service, state: () => state(), tools: options.tools, ...(config.webhooks.enabled ? { webhookOutbox: () => webhooks?.dispatcher.counts() ?? { pending: 0, dead: 0 } } : {}) })
    : undefined;
  if (config.webhooks.enabled) webhooks = await openServerWebhooks({ dataDir: config.dataDir, webhooks: config.webhooks, logger, ...(metrics ? { metrics } : {}) });
  const lost = (error: unknown) => logger.warn({ err: error }, 'a webhook event could not be written to the outbox');
  const sink = webhooks && ((type: string, data: Readonly<Record<string, unknown>>) => webhooks.emit(type, data));
  return {
    metrics,
    webhooks,
    onEvent: allListeners(metrics && toolsEventsToMetrics(metrics, options.transport), sink && toolsEventsToWebhooks(sink, lost)),
    taskEvent: (event) => void sink?.(...taskEventToWebhook(event)).catch(lost),
    emit: async (type, data) => {
      await sink?.(type, data).catch(lost);
    },
    readState: (read) => {
      state = read;
    },
    close: async (signal, until) => {
      await webhooks?.close(signal, until).catch((error: unknown) => logger.warn({ err: error }, 'the webhook outbox did not close cleanly'));
    },
  };
}

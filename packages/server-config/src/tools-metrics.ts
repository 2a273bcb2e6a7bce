// The tools' events, counted: what both servers pass to `onEvent` when METRICS_ENABLED is on.
import type { ToolsEvent, ToolsEventListener } from '@claude-code-mcp/mcp-tools/events';
import type { ServerMetrics } from '@claude-code-mcp/observability';

/**
 * A listener that records each tools event in `metrics`: requests timed, tool calls by outcome,
 * runs with their duration, tokens and cost (by the OAuth client that started them).
 *
 * @example
 * ```ts
 * const service = await openClaudeToolsService({ ...options, onEvent: toolsEventsToMetrics(metrics, 'tcp') });
 * ```
 */
export function toolsEventsToMetrics(metrics: ServerMetrics, transport: 'tcp' | 'pipe'): ToolsEventListener {
  return (event: ToolsEvent) => {
    switch (event.type) {
      case 'mcp.operation':
        metrics.operation({ ...event, transport });
        return;
      case 'tool.completed':
      case 'tool.error':
        metrics.toolCall({ tool: event.tool, status: event.status ?? 'success' });
        return;
      case 'run.finished':
        metrics.run({
          model: event.model,
          seconds: event.seconds,
          errorType: event.status === 'completed' ? undefined : (event.errorCode ?? event.status),
          costUsd: event.costUsd,
          clientId: event.caller.clientId,
          usage: event.usage,
        });
        return;
      default:
        return;
    }
  };
}

// The tools' events as webhook events (the seed's list): ids a receiver needs — tool, session,
// task, checkpoint, OAuth client — and never a prompt, a result, a file's content or a token.
import type { TaskEvent } from '@claude-code-mcp/mcp-tools';
import type { EventCaller, ToolsEvent, ToolsEventListener } from '@claude-code-mcp/mcp-tools/events';

/**
 * Where webhook events go: a dispatcher's `emit` (which writes them to the outbox).
 *
 * @example
 * ```ts
 * const sink: WebhookSink = (type, data) => webhooks.emit(type, data);
 * ```
 */
export type WebhookSink = (type: string, data: Readonly<Record<string, unknown>>) => Promise<unknown>;

const who = (caller: EventCaller) => ({ ...(caller.clientId === undefined ? {} : { clientId: caller.clientId }), ...(caller.subject === undefined ? {} : { subject: caller.subject }) });

// The event's webhook form, or undefined for those not sent (request timings, runs).
function webhookOf(event: ToolsEvent): [string, Record<string, unknown>] | undefined {
  switch (event.type) {
    case 'tool.called':
      return [event.type, { tool: event.tool, ...who(event.caller) }];
    case 'tool.completed':
    case 'tool.error':
      return [event.type, { tool: event.tool, status: event.status, durationMs: Math.round((event.seconds ?? 0) * 1000), ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }), ...who(event.caller) }];
    case 'session.started':
    case 'session.ended':
      return [event.type, { sessionId: event.sessionId, ...(event.forkedFrom === undefined ? {} : { forkedFrom: event.forkedFrom }), ...who(event.caller) }];
    case 'checkpoint.created':
    case 'checkpoint.restored':
      return [event.type, { checkpointId: event.checkpointId, ...(event.sessionId === undefined ? {} : { sessionId: event.sessionId }), ...(event.automatic === undefined ? {} : { automatic: event.automatic }), ...who(event.caller) }];
    default:
      return undefined;
  }
}

/**
 * A tools listener (`onEvent`) that sends the webhook events: `tool.called`, `tool.completed`,
 * `tool.error`, `session.started`, `session.ended`, `checkpoint.created`, `checkpoint.restored`.
 * Writing to the outbox never holds up the call; a failure to write goes to `onError`.
 *
 * @example
 * ```ts
 * const service = await openClaudeToolsService({ ...options, onEvent: toolsEventsToWebhooks((type, data) => webhooks.emit(type, data), (error) => logger.warn({ err: error }, 'webhook event lost')) });
 * ```
 */
export function toolsEventsToWebhooks(sink: WebhookSink, onError: (error: unknown) => void): ToolsEventListener {
  return (event) => {
    const webhook = webhookOf(event);
    if (webhook !== undefined) sink(...webhook).catch(onError);
  };
}

/**
 * A background task event as a webhook event (`background_task.started`, `.completed`, `.failed`,
 * `.stopped`, `.interrupted`): the task, its status, session and cost.
 *
 * @example
 * ```ts
 * onTaskEvent: (event) => void webhooks.emit(...taskEventToWebhook(event));
 * ```
 */
export function taskEventToWebhook(event: TaskEvent): [string, Record<string, unknown>] {
  const { task } = event;
  return [event.type, { taskId: task.id, status: task.status, ...(task.sessionId === null ? {} : { sessionId: task.sessionId }), costUsd: task.costUsd, numTurns: task.numTurns }];
}

/**
 * Calls every listener given (the metrics', the webhooks'), skipping the missing ones.
 *
 * @example
 * ```ts
 * onEvent: allListeners(metrics && toolsEventsToMetrics(metrics, 'tcp'), webhooks && toolsEventsToWebhooks(sink, onError))
 * ```
 */
export function allListeners(...listeners: readonly (ToolsEventListener | undefined)[]): ToolsEventListener | undefined {
  const present = listeners.filter((listener): listener is ToolsEventListener => listener !== undefined);
  if (present.length === 0) return undefined;
  return (event) => {
    for (const listener of present) {
      try {
        listener(event);
      } catch {
        // One listener's failure does not keep the event from the others.
      }
    }
  };
}

// Webhooks for the HTTP server: the outbox in the data folder, the dispatcher, and the events of
// the server itself (started, shutdown, rate limit exceeded). The tools' events come through
// server-config's `toolsEventsToWebhooks`.
import { join } from 'node:path';

import type { Logger, ServerMetrics } from '@claude-code-mcp/observability';
import { createWebhookDispatcher, openSqliteOutbox, receiverLabel, type OutboxStore, type WebhookDispatcher } from '@claude-code-mcp/webhooks';

import type { SseServerConfig, WebhooksConfig } from './config.js';

/** The file of the outbox, in the data folder. */
export const OUTBOX_FILE = 'webhooks.sqlite';

/**
 * What the server holds for webhooks.
 *
 * @example
 * ```ts
 * const webhooks = await openWebhooks(config, logger);
 * await webhooks.emit('server.started', { version });
 * ```
 */
export interface ServerWebhooks {
  readonly dispatcher: WebhookDispatcher;
  emit(type: string, data: Readonly<Record<string, unknown>>): Promise<unknown>;
  /** Delivers what the outbox can (retries falling due before `until` too) until `signal` aborts, then stops and closes the outbox. */
  close(signal: AbortSignal, until?: number): Promise<void>;
}


/**
 * Opens the outbox and starts delivering (what an earlier server left pending too).
 *
 * @example
 * ```ts
 * const webhooks = await openWebhooks({ ...config, webhooks: config.webhooks }, logger, metrics);
 * ```
 */
export async function openWebhooks(config: SseServerConfig & { webhooks: WebhooksConfig & { enabled: true } }, logger: Logger, metrics?: ServerMetrics): Promise<ServerWebhooks> {
  const store: OutboxStore = openSqliteOutbox(join(config.dataDir, OUTBOX_FILE));
  const dispatcher = createWebhookDispatcher({
    store,
    endpoints: config.webhooks.endpoints,
    events: config.webhooks.events,
    allowPrivateAddresses: config.webhooks.allowPrivateAddresses,
    retry: { maxAttempts: config.webhooks.maxAttempts },
    logger,
    onSecretCreated: (url, secret) =>
      logger.warn({ receiver: receiverLabel(url), secret }, 'generated the signing secret of a webhook receiver: give it to the receiver (Standard Webhooks); it is shown only this once and kept in the data folder'),
    onAttempt: (attempt) => {
      metrics?.webhookAttempt(attempt.result);
      if (attempt.result !== 'delivered') logger.debug({ receiver: receiverLabel(attempt.endpoint), messageId: attempt.messageId, result: attempt.result, status: attempt.status, error: attempt.error }, 'webhook attempt failed');
    },
  });
  try {
    await dispatcher.start();
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    dispatcher,
    emit: (type, data) => dispatcher.emit(type, data),
    async close(signal, until) {
      try {
        if (!(await dispatcher.flush(signal, until))) logger.warn({ pending: dispatcher.counts().pending }, 'webhook deliveries left in the outbox for the next start');
      } finally {
        await dispatcher.close();
        await store.close();
      }
    },
  };
}

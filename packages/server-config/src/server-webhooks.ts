// Webhooks for a server: the outbox in the data folder and the dispatcher over it. Every server on
// one DATA_DIR shares the outbox (claims under leases), so stdio servers started by several
// clients deliver each event once between them.
import { join } from 'node:path';

import type { Logger, ServerMetrics } from '@claude-code-mcp/observability';
import { createWebhookDispatcher, openSqliteOutbox, receiverLabel, type OutboxStore, type WebhookDispatcher } from '@claude-code-mcp/webhooks';

import type { WebhooksConfig } from './operations-config.js';

/**
 * The file of the outbox, in the data folder.
 *
 * @example
 * ```ts
 * const store = openSqliteOutbox(join(config.dataDir, OUTBOX_FILE));
 * ```
 */
export const OUTBOX_FILE = 'webhooks.sqlite';

/**
 * What a server holds for webhooks.
 *
 * @example
 * ```ts
 * const webhooks = await openServerWebhooks({ dataDir, webhooks: config.webhooks, logger });
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
 * Options of {@link openServerWebhooks}.
 *
 * @example
 * ```ts
 * const options: ServerWebhooksOptions = { dataDir: config.dataDir, webhooks: config.webhooks, logger, metrics };
 * ```
 */
export interface ServerWebhooksOptions {
  readonly dataDir: string;
  readonly webhooks: WebhooksConfig & { readonly enabled: true };
  readonly logger: Logger;
  /** Counts each attempt (`claude_code_mcp_webhook_deliveries_total`). */
  readonly metrics?: ServerMetrics;
}

/**
 * Opens the outbox and starts delivering (what an earlier server left pending too). A generated
 * secret is logged once, at warn level, for the operator to give to the receiver.
 *
 * @example
 * ```ts
 * const webhooks = await openServerWebhooks({ dataDir: config.dataDir, webhooks: config.webhooks, logger, metrics });
 * ```
 */
export async function openServerWebhooks(options: ServerWebhooksOptions): Promise<ServerWebhooks> {
  const { logger, metrics, webhooks } = options;
  const store: OutboxStore = openSqliteOutbox(join(options.dataDir, OUTBOX_FILE));
  const dispatcher = createWebhookDispatcher({
    store,
    endpoints: webhooks.endpoints,
    events: webhooks.events,
    allowPrivateAddresses: webhooks.allowPrivateAddresses,
    retry: { maxAttempts: webhooks.maxAttempts },
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

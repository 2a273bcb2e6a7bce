export { WebhookError } from './errors.js';
export type { WebhookErrorCode } from './errors.js';
export { generateWebhookSecret, isWebhookSecret } from './secret.js';
export { signWebhook } from './sign-webhook.js';
export type { SignWebhookOptions } from './sign-webhook.js';
export type { WebhookHeaders, WebhookPayload } from './signed-content.js';
export { verifyWebhook } from './verify-webhook.js';
export type {
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookRequestHeaders,
} from './verify-webhook.js';
export { createWebhookDispatcher } from './delivery/webhook-dispatcher.js';
export type { DeliveryAttempt, WebhookDispatcher, WebhookDispatcherOptions, WebhookEndpoint } from './delivery/webhook-dispatcher.js';
export { eventFilter } from './delivery/event-filter.js';
export { receiverLabel } from './delivery/receiver-label.js';
export { postDelivery } from './delivery/post-delivery.js';
export type { AttemptOutcome, AttemptRequest } from './delivery/post-delivery.js';
export { retryDelay } from './delivery/retry-schedule.js';
export type { RetryPolicy } from './delivery/retry-schedule.js';
export { createMemoryOutbox } from './outbox/memory-outbox.js';
export { openSqliteOutbox } from './outbox/sqlite-outbox.js';
export type { AttemptRecord, OutboxDelivery, OutboxStore } from './outbox/outbox-store.js';

export { WebhookError } from './errors.js';
export type { WebhookErrorCode } from './errors.js';
export { generateWebhookSecret } from './secret.js';
export { signWebhook } from './sign-webhook.js';
export type { SignWebhookOptions } from './sign-webhook.js';
export type { WebhookHeaders, WebhookPayload } from './signed-content.js';
export { verifyWebhook } from './verify-webhook.js';
export type {
  VerifiedWebhook,
  VerifyWebhookOptions,
  WebhookRequestHeaders,
} from './verify-webhook.js';

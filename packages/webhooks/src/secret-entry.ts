// `@claude-code-mcp/webhooks/secret`: the secret helpers alone, for a configuration reader that
// checks WEBHOOK_SECRET without loading the outbox and the delivery code.
export { generateWebhookSecret, isWebhookSecret } from './secret.js';

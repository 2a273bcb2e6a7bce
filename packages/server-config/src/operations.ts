// `@claude-code-mcp/server-config/operations`: metrics, the webhook outbox and the `webhooks`
// command, wired from an OperationsConfig. A separate entry: it loads prom-client and the outbox,
// which a server without metrics or webhooks never needs.
export { openServerOperations } from './server-operations.js';
export type { ServerOperations, ServerOperationsOptions } from './server-operations.js';
export { OUTBOX_FILE, openServerWebhooks } from './server-webhooks.js';
export type { ServerWebhooks, ServerWebhooksOptions } from './server-webhooks.js';
export { webhooksCommand } from './webhooks-command.js';

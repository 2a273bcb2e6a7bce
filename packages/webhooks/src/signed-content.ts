import { createHmac } from 'node:crypto';

/**
 * The three headers of a Standard Webhooks delivery.
 *
 * @example
 * ```ts
 * const headers: WebhookHeaders = signWebhook({ id, timestamp, payload, secret });
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: payload });
 * ```
 */
export interface WebhookHeaders {
  /** Unique message id; the same for every retry of one event, so receivers can deduplicate. */
  readonly 'webhook-id': string;
  /** Seconds since the Unix epoch when the delivery was signed. */
  readonly 'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256>`; several signatures are separated by spaces. */
  readonly 'webhook-signature': string;
}

/**
 * The raw request body: the exact bytes sent, or a string encoded as UTF-8.
 *
 * @example
 * ```ts
 * const payload: WebhookPayload = JSON.stringify(event); // sign and send this exact string
 * ```
 */
export type WebhookPayload = string | Uint8Array;

/** HMAC-SHA256 over `id.timestamp.payload`, as the Standard Webhooks scheme defines it. */
export function computeSignature(key: Buffer, id: string, timestamp: number, payload: WebhookPayload): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(payload).digest();
}

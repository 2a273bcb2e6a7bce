import { WebhookError } from './errors.js';
import { decodeWebhookSecret } from './secret.js';
import { computeSignature, type WebhookHeaders, type WebhookPayload } from './signed-content.js';

/**
 * Options for {@link signWebhook}.
 *
 * @example
 * ```ts
 * const options: SignWebhookOptions = { id: 'msg_1', timestamp: new Date(), payload: '{}', secret };
 * ```
 */
export interface SignWebhookOptions {
  /** Unique message id, reused on retries; visible ASCII without spaces, such as `msg_2b8…`. */
  id: string;
  /** When the delivery is signed: a `Date`, or whole seconds since the Unix epoch (not milliseconds). */
  timestamp: Date | number;
  /** The exact body that will be sent. */
  payload: WebhookPayload;
  /** The endpoint's secret, `whsec_<base64>`. */
  secret: string;
}

const idPattern = /^[\x21-\x7e]{1,256}$/;
// Seconds beyond this (year 5138) are almost certainly milliseconds passed by mistake.
const maximumTimestampSeconds = 99_999_999_999;

function checkMessageId(id: unknown): string {
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw new WebhookError(
      'WEBHOOK_INVALID_OPTIONS',
      'The webhook message id must be 1 to 256 visible ASCII characters without spaces, such as "msg_2b8f…".',
    );
  }
  return id;
}

/** Checks that the payload is raw bytes or text (shared with verification). */
export function checkPayload(payload: unknown): WebhookPayload {
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw new WebhookError(
      'WEBHOOK_INVALID_OPTIONS',
      'The webhook payload must be the raw body as a string or Uint8Array, not a parsed object.',
    );
  }
  return payload;
}

function toTimestampSeconds(timestamp: unknown): number {
  const seconds =
    timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : (timestamp as number);
  if (
    typeof seconds !== 'number' ||
    !Number.isSafeInteger(seconds) ||
    seconds < 0 ||
    seconds > maximumTimestampSeconds
  ) {
    throw new WebhookError(
      'WEBHOOK_INVALID_OPTIONS',
      'The webhook timestamp must be a valid Date or whole seconds since the Unix epoch (not milliseconds).',
    );
  }
  return seconds;
}

/**
 * Signs one webhook delivery with the Standard Webhooks scheme and returns the three headers to
 * send with it. Send `payload` byte for byte as the body: the signature covers those exact bytes.
 *
 * @throws {@link WebhookError} `WEBHOOK_INVALID_SECRET` for a malformed secret;
 * `WEBHOOK_INVALID_OPTIONS` for a bad id, timestamp or payload.
 *
 * @example
 * ```ts
 * const payload = JSON.stringify({ type: 'session.completed', data: { sessionId } });
 * const headers = signWebhook({ id: 'msg_01J9', timestamp: new Date(), payload, secret });
 * // headers['webhook-signature'] === 'v1,K5oZ…='
 * ```
 */
export function signWebhook(options: SignWebhookOptions): WebhookHeaders {
  if (typeof options !== 'object' || options == null) {
    throw new WebhookError('WEBHOOK_INVALID_OPTIONS', 'signWebhook() needs { id, timestamp, payload, secret }.');
  }
  const key = decodeWebhookSecret(options.secret);
  const id = checkMessageId(options.id);
  const timestamp = toTimestampSeconds(options.timestamp);
  const payload = checkPayload(options.payload);
  const signature = computeSignature(key, id, timestamp, payload).toString('base64');
  return Object.freeze({
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  });
}

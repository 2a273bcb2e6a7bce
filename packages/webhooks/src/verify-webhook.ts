import { timingSafeEqual } from 'node:crypto';

import { WebhookError } from './errors.js';
import { decodeBase64Strict, decodeWebhookSecret } from './secret.js';
import { checkPayload } from './sign-webhook.js';
import { computeSignature, type WebhookPayload } from './signed-content.js';

/**
 * Request headers as a Fetch `Headers` object or as Node's `IncomingHttpHeaders` (or any record);
 * names are matched case-insensitively.
 *
 * @example
 * ```ts
 * const fromFetch: WebhookRequestHeaders = request.headers; // Headers
 * const fromNode: WebhookRequestHeaders = incomingMessage.headers; // IncomingHttpHeaders
 * ```
 */
export type WebhookRequestHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Options for {@link verifyWebhook}.
 *
 * @example
 * ```ts
 * const options: VerifyWebhookOptions = { headers: request.headers, payload: rawBody, secret };
 * ```
 */
export interface VerifyWebhookOptions {
  /** The request headers. */
  headers: WebhookRequestHeaders;
  /** The raw body exactly as received, before any JSON parsing. */
  payload: WebhookPayload;
  /** The endpoint's secret, `whsec_<base64>`. */
  secret: string;
  /** Largest accepted distance between `webhook-timestamp` and now, either way. Defaults to 300 s. */
  toleranceSeconds?: number;
  /** Clock in epoch milliseconds; inject in tests. Defaults to `Date.now`. */
  now?: () => number;
}

/**
 * What {@link verifyWebhook} vouches for once the signature checks out.
 *
 * @example
 * ```ts
 * const { id, timestamp } = verifyWebhook(options);
 * if (await seen(id)) return; // deliveries are at least once
 * ```
 */
export interface VerifiedWebhook {
  /** The `webhook-id` header: use it to ignore duplicate deliveries. */
  readonly id: string;
  /** The `webhook-timestamp` header, in seconds since the Unix epoch. */
  readonly timestamp: number;
}

const defaultToleranceSeconds = 300;
const signatureBytes = 32;

function readHeader(headers: WebhookRequestHeaders, name: string): string | readonly string[] | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : record[key];
}

function requireHeader(headers: WebhookRequestHeaders, name: string): string | readonly string[] {
  const value = readHeader(headers, name);
  const isEmpty =
    value === undefined ||
    (typeof value === 'string' ? value.trim() === '' : value.every((part) => part.trim() === ''));
  if (isEmpty) {
    throw new WebhookError('WEBHOOK_MISSING_HEADER', `The "${name}" header is missing or empty.`);
  }
  return value;
}

function singleHeader(headers: WebhookRequestHeaders, name: string): string {
  const value = requireHeader(headers, name);
  if (typeof value !== 'string') {
    if (value.length !== 1) {
      throw new WebhookError('WEBHOOK_INVALID_HEADER', `The "${name}" header must appear exactly once.`);
    }
    return (value[0] ?? '').trim();
  }
  return value.trim();
}

function checkClockOptions(toleranceSeconds: unknown, now: unknown): void {
  if (typeof toleranceSeconds !== 'number' || !Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new WebhookError(
      'WEBHOOK_INVALID_OPTIONS',
      'toleranceSeconds must be a finite number of seconds, zero or more (default 300).',
    );
  }
  if (typeof now !== 'function') {
    throw new WebhookError('WEBHOOK_INVALID_OPTIONS', 'now must be a function returning epoch milliseconds.');
  }
}

/**
 * Verifies a Standard Webhooks delivery: all three headers present, `webhook-timestamp` within
 * `toleranceSeconds` of now, and at least one `v1` entry of `webhook-signature` matching the
 * HMAC-SHA256 of `id.timestamp.payload` (compared in constant time). Entries of other versions,
 * such as `v1a`, are skipped, which also lets a sender sign with an old and a new secret while
 * rotating.
 *
 * @throws {@link WebhookError} `WEBHOOK_INVALID_SECRET`, `WEBHOOK_INVALID_OPTIONS`,
 * `WEBHOOK_MISSING_HEADER`, `WEBHOOK_INVALID_HEADER`, `WEBHOOK_TIMESTAMP_OUT_OF_RANGE` or
 * `WEBHOOK_SIGNATURE_INVALID`.
 *
 * @example
 * ```ts
 * // fastify: register a raw-body parser so the payload is the exact bytes received
 * const { id } = verifyWebhook({ headers: request.headers, payload: request.rawBody, secret });
 * const event = JSON.parse(request.rawBody);
 * ```
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifiedWebhook {
  if (typeof options !== 'object' || options == null) {
    throw new WebhookError('WEBHOOK_INVALID_OPTIONS', 'verifyWebhook() needs { headers, payload, secret }.');
  }
  const { toleranceSeconds = defaultToleranceSeconds, now = Date.now } = options;
  const key = decodeWebhookSecret(options.secret);
  const payload = checkPayload(options.payload);
  checkClockOptions(toleranceSeconds, now);
  if (typeof options.headers !== 'object' || options.headers == null) {
    throw new WebhookError('WEBHOOK_INVALID_OPTIONS', 'headers must be a Headers object or a record of header values.');
  }

  const id = singleHeader(options.headers, 'webhook-id');
  const timestampText = singleHeader(options.headers, 'webhook-timestamp');
  const signatureValue = requireHeader(options.headers, 'webhook-signature');

  if (!/^\d{1,11}$/.test(timestampText)) {
    throw new WebhookError(
      'WEBHOOK_INVALID_HEADER',
      'The "webhook-timestamp" header must be whole seconds since the Unix epoch.',
    );
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor(now() / 1000);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    throw new WebhookError(
      'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      `The "webhook-timestamp" header is ${nowSeconds - timestamp} s from now, beyond the ${toleranceSeconds} s tolerance; check the sender's and receiver's clocks, or reject this replayed delivery.`,
    );
  }

  const expected = computeSignature(key, id, timestamp, payload);
  const entries = (typeof signatureValue === 'string' ? [signatureValue] : signatureValue)
    .flatMap((part) => part.split(' '))
    .filter((entry) => entry !== '');
  let matched = false;
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
    const candidate = decodeBase64Strict(entry.slice(comma + 1));
    if (candidate?.length !== signatureBytes) continue;
    // Check every entry, not just until the first match, so timing says nothing about which matched.
    matched = timingSafeEqual(candidate, expected) || matched;
  }
  if (!matched) {
    throw new WebhookError(
      'WEBHOOK_SIGNATURE_INVALID',
      'No v1 signature in the "webhook-signature" header matches the payload; check the secret and that the payload is the raw body as received.',
    );
  }
  return Object.freeze({ id, timestamp });
}

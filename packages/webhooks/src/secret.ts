import { randomBytes } from 'node:crypto';

import { WebhookError } from './errors.js';

const secretPrefix = 'whsec_';
const minimumKeyBytes = 24;
const maximumKeyBytes = 64;
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict standard base64 (RFC 4648 §4, padded); `Buffer.from(…, 'base64')` alone accepts garbage. */
export function decodeBase64Strict(value: string): Buffer | undefined {
  return value.length > 0 && base64Pattern.test(value) ? Buffer.from(value, 'base64') : undefined;
}

/** Decodes a `whsec_<base64>` secret into the HMAC key, or throws `WEBHOOK_INVALID_SECRET`. */
export function decodeWebhookSecret(secret: unknown): Buffer {
  if (typeof secret !== 'string' || !secret.startsWith(secretPrefix)) {
    throw new WebhookError(
      'WEBHOOK_INVALID_SECRET',
      'The webhook secret must be a string that starts with "whsec_" followed by base64; create one with generateWebhookSecret().',
    );
  }
  const key = decodeBase64Strict(secret.slice(secretPrefix.length));
  if (key === undefined) {
    throw new WebhookError(
      'WEBHOOK_INVALID_SECRET',
      'The part of the webhook secret after "whsec_" is not valid padded base64 (A-Z, a-z, 0-9, "+", "/").',
    );
  }
  if (key.length < minimumKeyBytes || key.length > maximumKeyBytes) {
    throw new WebhookError(
      'WEBHOOK_INVALID_SECRET',
      `The webhook secret decodes to ${key.length} bytes; Standard Webhooks secrets are ${minimumKeyBytes} to ${maximumKeyBytes} bytes.`,
    );
  }
  return key;
}

/**
 * Creates a new random signing secret in the Standard Webhooks form: `whsec_` followed by the
 * base64 of 32 random bytes. Store it; give it to the receiver over a trusted channel.
 *
 * @example
 * ```ts
 * const secret = generateWebhookSecret(); // "whsec_3q2+7wU1…="
 * ```
 */
export function generateWebhookSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`;
}

/**
 * Whether `value` is a usable signing secret (`whsec_` and the padded base64 of 24 to 64 bytes):
 * for checking a configured secret at start, without signing anything.
 *
 * @example
 * ```ts
 * isWebhookSecret(generateWebhookSecret()); // true
 * isWebhookSecret('whsec_short'); // false
 * ```
 */
export function isWebhookSecret(value: unknown): boolean {
  try {
    decodeWebhookSecret(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every stable error code raised by `@claude-code-mcp/webhooks`.
 *
 * | code | when |
 * | --- | --- |
 * | `WEBHOOK_INVALID_OPTIONS` | an argument has the wrong shape: message id, timestamp, payload, tolerance or clock |
 * | `WEBHOOK_INVALID_SECRET` | the secret is not `whsec_` followed by base64 of 24 to 64 bytes |
 * | `WEBHOOK_MISSING_HEADER` | `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty |
 * | `WEBHOOK_INVALID_HEADER` | a header is present but malformed (timestamp not an integer, repeated id) |
 * | `WEBHOOK_TIMESTAMP_OUT_OF_RANGE` | `webhook-timestamp` is further than the tolerance from now |
 * | `WEBHOOK_SIGNATURE_INVALID` | no `v1` signature in `webhook-signature` matches the payload |
 * | `WEBHOOK_STORE_FAILED` | the outbox could not be opened, read or written |
 *
 * @example
 * ```ts
 * const status = (code: WebhookErrorCode): number => (code === 'WEBHOOK_INVALID_SECRET' ? 500 : 400);
 * ```
 */
export type WebhookErrorCode =
  | 'WEBHOOK_INVALID_OPTIONS'
  | 'WEBHOOK_INVALID_SECRET'
  | 'WEBHOOK_MISSING_HEADER'
  | 'WEBHOOK_INVALID_HEADER'
  | 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE'
  | 'WEBHOOK_SIGNATURE_INVALID'
  | 'WEBHOOK_STORE_FAILED';

const brand = Symbol.for('@claude-code-mcp/webhooks:WebhookError');

/**
 * The one error class of this package. Switch on {@link WebhookError.code}.
 *
 * @example
 * ```ts
 * try {
 *   verifyWebhook({ headers: request.headers, payload: rawBody, secret });
 * } catch (error) {
 *   if (WebhookError.isInstance(error)) return reply.code(400).send({ error: error.code });
 *   throw error;
 * }
 * ```
 */
export class WebhookError extends Error {
  /** Stable, documented code; see {@link WebhookErrorCode}. */
  readonly code: WebhookErrorCode;

  /**
   * @param code - the stable error code.
   * @param message - a sentence that says what was wrong and how to fix it.
   * @param options - `cause`, when another error led to this one.
   */
  constructor(code: WebhookErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `true` for any `WebhookError`, including one thrown by another installed copy of this package.
   *
   * @example
   * ```ts
   * if (WebhookError.isInstance(error) && error.code === 'WEBHOOK_SIGNATURE_INVALID') reject();
   * ```
   */
  static isInstance(value: unknown): value is WebhookError {
    return typeof value === 'object' && value != null && brand in value;
  }
}

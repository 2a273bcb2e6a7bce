/**
 * Every stable error code raised by `@claude-code-mcp/observability`.
 *
 * | code | when |
 * | --- | --- |
 * | `OBSERVABILITY_INVALID_OPTIONS` | an options object failed validation (bad level, name, prefix, metric name…) |
 * | `OBSERVABILITY_METRIC_ALREADY_REGISTERED` | a metric with the same full name already exists in the registry |
 *
 * @example
 * ```ts
 * const code: ObservabilityErrorCode = 'OBSERVABILITY_INVALID_OPTIONS';
 * ```
 */
export type ObservabilityErrorCode =
  | 'OBSERVABILITY_INVALID_OPTIONS'
  | 'OBSERVABILITY_METRIC_ALREADY_REGISTERED';

const brand = Symbol.for('@claude-code-mcp/observability:ObservabilityError');

/**
 * The one error class of this package. Switch on {@link ObservabilityError.code}.
 *
 * @example
 * ```ts
 * try {
 *   createLogger({ level: 'loud', name: 'app' });
 * } catch (error) {
 *   if (ObservabilityError.isInstance(error) && error.code === 'OBSERVABILITY_INVALID_OPTIONS') {
 *     process.stderr.write(`${error.message}\n`);
 *   }
 * }
 * ```
 */
export class ObservabilityError extends Error {
  /** Stable, documented code; see {@link ObservabilityErrorCode}. */
  readonly code: ObservabilityErrorCode;

  /**
   * @param code - the stable error code.
   * @param message - a sentence that says what was wrong and how to fix it.
   * @param options - `cause`, when another error led to this one.
   */
  constructor(code: ObservabilityErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `true` for any `ObservabilityError`, including one thrown by another installed copy of this
   * package (where `instanceof` would be `false`).
   *
   * @example
   * ```ts
   * if (ObservabilityError.isInstance(error)) show(error.code);
   * ```
   */
  static isInstance(value: unknown): value is ObservabilityError {
    return typeof value === 'object' && value != null && brand in value;
  }
}

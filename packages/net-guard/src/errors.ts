/**
 * Every stable error code raised by `@claude-code-mcp/net-guard`.
 *
 * | code | when |
 * | --- | --- |
 * | `NET_GUARD_UNRESOLVED` | the host name did not resolve (the lookup failed) |
 * | `NET_GUARD_NO_ADDRESS` | the host name resolved to no address |
 * | `NET_GUARD_NOT_AN_ADDRESS` | the lookup answered something that is not an IP address |
 * | `NET_GUARD_BLOCKED` | an address is loopback or private (not allowed here), or reserved (never allowed) |
 *
 * @example
 * ```ts
 * const code: NetGuardErrorCode = 'NET_GUARD_BLOCKED';
 * ```
 */
export type NetGuardErrorCode = 'NET_GUARD_UNRESOLVED' | 'NET_GUARD_NO_ADDRESS' | 'NET_GUARD_NOT_AN_ADDRESS' | 'NET_GUARD_BLOCKED';

const brand = Symbol.for('@claude-code-mcp/net-guard:NetGuardError');

/**
 * The one error class of this package: the host, and for `NET_GUARD_BLOCKED` or
 * `NET_GUARD_NOT_AN_ADDRESS` the address and what kind it is, so a caller can say it its own way.
 *
 * @example
 * ```ts
 * try {
 *   await checkedAddresses('metadata.internal');
 * } catch (error) {
 *   if (NetGuardError.isInstance(error) && error.code === 'NET_GUARD_BLOCKED') logger.warn({ address: error.address, kind: error.kind }, 'refused');
 * }
 * ```
 */
export class NetGuardError extends Error {
  readonly code: NetGuardErrorCode;
  readonly host: string;
  readonly address: string | undefined;
  readonly kind: 'private' | 'reserved' | undefined;

  constructor(code: NetGuardErrorCode, message: string, details: { host: string; address?: string; kind?: 'private' | 'reserved'; cause?: unknown }) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'NetGuardError';
    this.code = code;
    this.host = details.host;
    this.address = details.address;
    this.kind = details.kind;
    Object.defineProperty(this, brand, { value: true });
  }

  /** True for a NetGuardError, also from another installed copy of this package. */
  static isInstance(value: unknown): value is NetGuardError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

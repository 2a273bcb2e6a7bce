/**
 * Every stable error code raised by `@claude-code-mcp/oauth-server`.
 *
 * | code | when |
 * | --- | --- |
 * | `OAUTH_SERVER_INVALID_OPTIONS` | an option has the wrong type or value (empty list, bad scope token, `offline_access` on a resource…) |
 * | `OAUTH_SERVER_INVALID_URL` | a URL option is not absolute, not `https` (plain `http` is allowed for loopback hosts only), has credentials or a fragment, or an issuer has a query |
 * | `OAUTH_SERVER_INVALID_TOKEN` | an access token was refused: expired, another audience or issuer, another type, an algorithm not accepted, an unknown key, a bad signature (the message says which, never the token) |
 * | `OAUTH_SERVER_STORE_FAILED` | the store of keys (or other server state) could not be opened, read or written |
 * | `OAUTH_SERVER_ISSUER_UNAVAILABLE` | an external authorization server's metadata or key set could not be fetched: its tokens are refused until it can be |
 * | `OAUTH_SERVER_INVALID_CLIENT` | a client could not be used: its metadata document could not be fetched or is not valid, its registration is refused, or its redirect URIs break the rules (the message says which) |
 *
 * @example
 * ```ts
 * const code: OAuthServerErrorCode = 'OAUTH_SERVER_INVALID_URL';
 * ```
 */
export type OAuthServerErrorCode =
  | 'OAUTH_SERVER_INVALID_OPTIONS'
  | 'OAUTH_SERVER_INVALID_URL'
  | 'OAUTH_SERVER_INVALID_TOKEN'
  | 'OAUTH_SERVER_STORE_FAILED'
  | 'OAUTH_SERVER_INVALID_CLIENT'
  | 'OAUTH_SERVER_ISSUER_UNAVAILABLE';

const brand = Symbol.for('@claude-code-mcp/oauth-server:OAuthServerError');

/**
 * The one local error class of this package. Switch on {@link OAuthServerError.code}. (Errors sent
 * to OAuth clients on the wire, such as `invalid_grant`, are a different thing and are not thrown
 * as this class.)
 *
 * @example
 * ```ts
 * try {
 *   buildAuthorizationServerMetadata({ issuer: config.baseUrl });
 * } catch (error) {
 *   if (OAuthServerError.isInstance(error)) exitWithConfigError(error.message);
 *   throw error;
 * }
 * ```
 */
export class OAuthServerError extends Error {
  /** Stable, documented code; see {@link OAuthServerErrorCode}. */
  readonly code: OAuthServerErrorCode;

  /**
   * @param code - the stable error code.
   * @param message - a sentence that says what was wrong and how to fix it.
   * @param options - `cause`, when another error led to this one.
   */
  constructor(code: OAuthServerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `true` for any `OAuthServerError`, including one thrown by another installed copy of this package.
   *
   * @example
   * ```ts
   * if (OAuthServerError.isInstance(error) && error.code === 'OAUTH_SERVER_INVALID_URL') fixConfig();
   * ```
   */
  static isInstance(value: unknown): value is OAuthServerError {
    return typeof value === 'object' && value != null && brand in value;
  }
}

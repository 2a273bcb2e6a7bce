// What the authorization server knows of a client that sends users to /oauth/authorize, however
// it came to know it: registered (RFC 7591) or described by its client ID metadata document.

/**
 * A client of the authorization code grant. Every such client is public (`token_endpoint_auth_method`
 * `none`): it proves possession with PKCE, not with a secret.
 *
 * @example
 * ```ts
 * const client: OAuthClient = {
 *   clientId: 'https://app.example/oauth/client.json',
 *   clientName: 'Example App',
 *   redirectUris: ['http://127.0.0.1/callback'],
 *   applicationType: 'native',
 *   source: 'metadata-document',
 * };
 * ```
 */
export interface OAuthClient {
  readonly clientId: string;
  /** Shown on the consent page. */
  readonly clientName: string;
  /** Exact values; a loopback `http` one matches on any port (RFC 8252 §7.3). */
  readonly redirectUris: readonly string[];
  /** `native` clients may use private-use URI schemes (`cursor://…`). */
  readonly applicationType: 'native' | 'web';
  /** How the server knows it: its own registration endpoint, or the client's metadata document. */
  readonly source: 'registered' | 'metadata-document';
  /** The client's home page, shown on the consent page when given. */
  readonly clientUri?: string;
}

import { OAuthServerError } from './errors.js';
import { checkScopes } from './scopes.js';
import { canonicalUrl, endpointUrl } from './urls.js';

/**
 * How a client authenticates at the token and revocation endpoints. `none` is for public clients
 * (most MCP clients), which prove possession with PKCE instead of a secret.
 *
 * @example
 * ```ts
 * const methods: TokenEndpointAuthMethod[] = ['none', 'client_secret_basic'];
 * ```
 */
export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

const tokenEndpointAuthMethods: readonly TokenEndpointAuthMethod[] = [
  'none',
  'client_secret_basic',
  'client_secret_post',
];

/**
 * Endpoint paths, relative to the issuer, that {@link buildAuthorizationServerMetadata} advertises.
 * The server that serves the metadata must serve these routes.
 *
 * @example
 * ```ts
 * fastify.post(`${issuerPath}${OAUTH_ENDPOINT_PATHS.token}`, tokenHandler);
 * ```
 */
export const OAUTH_ENDPOINT_PATHS: {
  readonly authorize: '/oauth/authorize';
  readonly token: '/oauth/token';
  readonly register: '/oauth/register';
  readonly revoke: '/oauth/revoke';
} = Object.freeze({
  authorize: '/oauth/authorize',
  token: '/oauth/token',
  register: '/oauth/register',
  revoke: '/oauth/revoke',
} as const);

/**
 * Options for {@link buildAuthorizationServerMetadata}.
 *
 * @example
 * ```ts
 * const options: AuthorizationServerMetadataOptions = { issuer: 'https://mcp.example.com' };
 * ```
 */
export interface AuthorizationServerMetadataOptions {
  /** The issuer identifier: `https` (or `http` on a loopback host), no query, no fragment. */
  issuer: string;
  /** Scopes clients may request; `offline_access` is allowed here. Omitted from the document when not given. */
  scopesSupported?: readonly string[];
  /**
   * Advertise `registration_endpoint` (RFC 7591 dynamic client registration). Defaults to `false`:
   * the MCP 2026-07-28 specification deprecates DCR in favour of client ID metadata documents.
   */
  dynamicClientRegistration?: boolean;
  /** Advertise `client_id_metadata_document_supported: true`. Defaults to `false`. */
  clientIdMetadataDocumentSupported?: boolean;
  /** Advertise the `client_credentials` grant (for pre-registered confidential clients). Defaults to `false`. */
  clientCredentials?: boolean;
  /**
   * Client authentication methods accepted at the token and revocation endpoints. Defaults to
   * `['none', 'client_secret_basic', 'client_secret_post']`.
   */
  tokenEndpointAuthMethods?: readonly TokenEndpointAuthMethod[];
  /** URL of the JSON Web Key Set that verifies the server's signed tokens, when it signs any. */
  jwksUri?: string;
  /** URL of human-readable documentation for developers. */
  serviceDocumentation?: string;
}

/**
 * An OAuth 2.0 Authorization Server Metadata document (RFC 8414 §2) for an OAuth 2.1 server,
 * ready to serve as JSON at `/.well-known/oauth-authorization-server` (and the OpenID name).
 *
 * @example
 * ```ts
 * const document: AuthorizationServerMetadata = buildAuthorizationServerMetadata({ issuer });
 * reply.send(document);
 * ```
 */
export interface AuthorizationServerMetadata {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly revocation_endpoint: string;
  readonly registration_endpoint?: string;
  readonly jwks_uri?: string;
  readonly scopes_supported?: readonly string[];
  readonly response_types_supported: readonly ['code'];
  readonly response_modes_supported: readonly ['query'];
  readonly grant_types_supported: readonly ('authorization_code' | 'refresh_token' | 'client_credentials')[];
  readonly code_challenge_methods_supported: readonly ['S256'];
  readonly token_endpoint_auth_methods_supported: readonly TokenEndpointAuthMethod[];
  readonly revocation_endpoint_auth_methods_supported: readonly TokenEndpointAuthMethod[];
  /** RFC 9207: every authorization response carries `iss`. */
  readonly authorization_response_iss_parameter_supported: true;
  readonly client_id_metadata_document_supported?: true;
  readonly service_documentation?: string;
}

function checkBoolean(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `${field} must be true or false.`);
  }
  return value;
}

function checkAuthMethods(value: unknown): readonly TokenEndpointAuthMethod[] {
  if (value === undefined) return Object.freeze([...tokenEndpointAuthMethods]);
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((method) => tokenEndpointAuthMethods.includes(method as TokenEndpointAuthMethod)) ||
    new Set(value).size !== value.length
  ) {
    throw new OAuthServerError(
      'OAUTH_SERVER_INVALID_OPTIONS',
      `tokenEndpointAuthMethods must be a non-empty list, without repeats, of ${tokenEndpointAuthMethods.join(', ')} (got ${JSON.stringify(value)}).`,
    );
  }
  return Object.freeze([...(value as TokenEndpointAuthMethod[])]);
}

/**
 * Builds the RFC 8414 metadata document of this project's OAuth 2.1 authorization server: the
 * authorization code grant with S256 PKCE only, refresh tokens, RFC 9207 `iss` in authorization
 * responses, and endpoints under the issuer at {@link OAUTH_ENDPOINT_PATHS}. The result is deeply
 * frozen.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_URL` for an issuer (or `jwksUri`,
 * `serviceDocumentation`) that is not absolute `https` (or loopback `http`), or has credentials or
 * a fragment, or (issuer) a query; `OAUTH_SERVER_INVALID_OPTIONS` for bad scopes, flags or
 * authentication methods.
 *
 * @example
 * ```ts
 * const metadata = buildAuthorizationServerMetadata({ issuer: 'https://mcp.example.com' });
 * metadata.token_endpoint; // 'https://mcp.example.com/oauth/token'
 * metadata.code_challenge_methods_supported; // ['S256']
 * ```
 */
export function buildAuthorizationServerMetadata(
  options: AuthorizationServerMetadataOptions,
): AuthorizationServerMetadata {
  if (typeof options !== 'object' || options == null) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'buildAuthorizationServerMetadata() needs { issuer }.');
  }
  const issuer = canonicalUrl(options.issuer, { field: 'issuer', allowQuery: false });
  const scopes =
    options.scopesSupported === undefined ? undefined : checkScopes(options.scopesSupported, 'scopesSupported');
  const registration = checkBoolean(options.dynamicClientRegistration, 'dynamicClientRegistration');
  const clientIdMetadataDocument = checkBoolean(
    options.clientIdMetadataDocumentSupported,
    'clientIdMetadataDocumentSupported',
  );
  const authMethods = checkAuthMethods(options.tokenEndpointAuthMethods);
  const clientCredentials = checkBoolean(options.clientCredentials, 'clientCredentials');
  const jwksUri =
    options.jwksUri === undefined ? undefined : canonicalUrl(options.jwksUri, { field: 'jwksUri', allowQuery: true });
  const documentation =
    options.serviceDocumentation === undefined
      ? undefined
      : canonicalUrl(options.serviceDocumentation, { field: 'serviceDocumentation', allowQuery: true });

  return Object.freeze({
    issuer,
    authorization_endpoint: endpointUrl(issuer, OAUTH_ENDPOINT_PATHS.authorize),
    token_endpoint: endpointUrl(issuer, OAUTH_ENDPOINT_PATHS.token),
    revocation_endpoint: endpointUrl(issuer, OAUTH_ENDPOINT_PATHS.revoke),
    ...(registration ? { registration_endpoint: endpointUrl(issuer, OAUTH_ENDPOINT_PATHS.register) } : {}),
    ...(jwksUri === undefined ? {} : { jwks_uri: jwksUri }),
    ...(scopes === undefined ? {} : { scopes_supported: scopes }),
    response_types_supported: Object.freeze(['code'] as const),
    response_modes_supported: Object.freeze(['query'] as const),
    grant_types_supported: Object.freeze(clientCredentials ? (['authorization_code', 'refresh_token', 'client_credentials'] as const) : (['authorization_code', 'refresh_token'] as const)),
    code_challenge_methods_supported: Object.freeze(['S256'] as const),
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    authorization_response_iss_parameter_supported: true,
    ...(clientIdMetadataDocument ? { client_id_metadata_document_supported: true as const } : {}),
    ...(documentation === undefined ? {} : { service_documentation: documentation }),
  });
}

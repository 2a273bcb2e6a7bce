import { OAuthServerError } from './errors.js';
import { checkScopes } from './scopes.js';
import { canonicalUrl } from './urls.js';

/**
 * Options for {@link buildProtectedResourceMetadata}.
 *
 * @example
 * ```ts
 * const options: ProtectedResourceMetadataOptions = {
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://mcp.example.com'],
 *   scopesSupported: ['mcp:tools'],
 * };
 * ```
 */
export interface ProtectedResourceMetadataOptions {
  /**
   * The MCP endpoint's canonical URL, the value clients send as `resource` and tokens carry as
   * `aud`. `https` (or `http` on a loopback host), no fragment; a query is allowed but discouraged.
   */
  resource: string;
  /** Issuer identifiers of the authorization servers that mint tokens for this resource; at least one. */
  authorizationServers: readonly string[];
  /**
   * The minimal baseline scopes a client should request. Must not contain `offline_access`: the
   * MCP specification forbids resource servers from asking for it.
   */
  scopesSupported?: readonly string[];
  /** Human-readable name shown by clients, such as `"Claude Code MCP"`. */
  resourceName?: string;
  /** URL of human-readable documentation for developers. */
  resourceDocumentation?: string;
}

/**
 * An OAuth 2.0 Protected Resource Metadata document (RFC 9728 §2), ready to serve as JSON at
 * `/.well-known/oauth-protected-resource` and at the path-inserted variant.
 *
 * @example
 * ```ts
 * const document: ProtectedResourceMetadata = buildProtectedResourceMetadata(options);
 * reply.send(document);
 * ```
 */
export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  /** Always `["header"]`: MCP accepts tokens only in the `Authorization` header. */
  readonly bearer_methods_supported: readonly ['header'];
  readonly scopes_supported?: readonly string[];
  readonly resource_name?: string;
  readonly resource_documentation?: string;
}

/**
 * Builds the RFC 9728 metadata document for an MCP server, validating and canonicalising every URL
 * (lower-case scheme and host, no default port, no trailing slash on an empty path). The result is
 * deeply frozen.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_URL` for a resource or issuer URL that is
 * not absolute `https` (or loopback `http`), or has credentials or a fragment (issuers: or a
 * query); `OAUTH_SERVER_INVALID_OPTIONS` for an empty server list, a bad or repeated scope, or
 * `offline_access` in `scopesSupported`.
 *
 * @example
 * ```ts
 * const metadata = buildProtectedResourceMetadata({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://mcp.example.com'],
 *   scopesSupported: ['mcp:tools'],
 *   resourceName: 'Claude Code MCP',
 * });
 * // { resource: 'https://mcp.example.com/mcp', authorization_servers: ['https://mcp.example.com'],
 * //   bearer_methods_supported: ['header'], scopes_supported: ['mcp:tools'], resource_name: 'Claude Code MCP' }
 * ```
 */
export function buildProtectedResourceMetadata(
  options: ProtectedResourceMetadataOptions,
): ProtectedResourceMetadata {
  if (typeof options !== 'object' || options == null) {
    throw new OAuthServerError(
      'OAUTH_SERVER_INVALID_OPTIONS',
      'buildProtectedResourceMetadata() needs { resource, authorizationServers }.',
    );
  }
  const resource = canonicalUrl(options.resource, { field: 'resource', allowQuery: true });

  const servers: unknown = options.authorizationServers;
  if (!Array.isArray(servers) || servers.length === 0) {
    throw new OAuthServerError(
      'OAUTH_SERVER_INVALID_OPTIONS',
      'authorizationServers must list at least one issuer URL; the MCP specification requires one.',
    );
  }
  const authorizationServers = (servers as unknown[]).map((issuer, index) =>
    canonicalUrl(issuer, { field: `authorizationServers[${index}]`, allowQuery: false }),
  );
  if (new Set(authorizationServers).size !== authorizationServers.length) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'authorizationServers lists the same issuer twice.');
  }

  let scopes: readonly string[] | undefined;
  if (options.scopesSupported !== undefined) {
    scopes = checkScopes(options.scopesSupported, 'scopesSupported');
    if (scopes.includes('offline_access')) {
      throw new OAuthServerError(
        'OAUTH_SERVER_INVALID_OPTIONS',
        'scopesSupported must not contain "offline_access": a resource server must not ask for it; clients request it from the authorization server themselves.',
      );
    }
  }

  const { resourceName, resourceDocumentation } = options;
  if (resourceName !== undefined && (typeof resourceName !== 'string' || resourceName.trim() === '')) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'resourceName must be a non-empty string.');
  }
  const documentation =
    resourceDocumentation === undefined
      ? undefined
      : canonicalUrl(resourceDocumentation, { field: 'resourceDocumentation', allowQuery: true });

  return Object.freeze({
    resource,
    authorization_servers: Object.freeze(authorizationServers),
    bearer_methods_supported: Object.freeze(['header'] as const),
    ...(scopes === undefined ? {} : { scopes_supported: scopes }),
    ...(resourceName === undefined ? {} : { resource_name: resourceName }),
    ...(documentation === undefined ? {} : { resource_documentation: documentation }),
  });
}

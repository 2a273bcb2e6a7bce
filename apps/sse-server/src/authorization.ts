// OAUTH_ENABLED=true: this server is its own authorization server (oauth-server's plugin, its
// state in the data folder) and the MCP routes are its protected resource, described by RFC 9728
// metadata at the root and path-inserted well-known URLs.
import { join } from 'node:path';

import { ACCESS_SCOPES } from '@claude-code-mcp/mcp-tools/authorization';
import {
  buildProtectedResourceMetadata,
  ensureAdminUser,
  externalTokenVerifier,
  openSqliteAuthorizationStore,
  registerAuthorizationServer,
  type AuthorizationStore,
  type VerifiedAccessToken,
} from '@claude-code-mcp/oauth-server';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { bearerGate, type BearerCheck, type BearerGateOptions } from './bearer-gate.js';
import type { SseServerConfig } from './config.js';

type EnabledOAuth = Extract<SseServerConfig['oauth'], { enabled: true }>;

/** The authorization server's state, opened at start (a missing admin password stops the start). */
export interface AuthorizationState {
  readonly store: AuthorizationStore;
  close(): void;
}

/**
 * Opens `DATA_DIR/oauth.sqlite` and creates the administrator on the first start when
 * `ADMIN_PASSWORD` is set.
 *
 * @throws `OAuthServerError` (`OAUTH_SERVER_STORE_FAILED`) when the store cannot be opened.
 */
export async function openAuthorizationState(config: SseServerConfig & { oauth: EnabledOAuth }): Promise<AuthorizationState> {
  const file = join(config.dataDir, 'oauth.sqlite');
  const store = openSqliteAuthorizationStore(file);
  try {
    // Without it (and without an upstream provider), the first start prints a one-time set-up link.
    if (config.oauth.adminPassword !== undefined) await ensureAdminUser(store, { username: config.oauth.adminUsername, password: config.oauth.adminPassword });
  } catch (error) {
    store.close();
    throw error;
  }
  return { store, close: () => store.close() };
}

/** What the MCP routes need: the check of each request's token, and the refusal. */
export interface HttpAuthorization {
  check(request: FastifyRequest): Promise<BearerCheck>;
  refuse: ReturnType<typeof bearerGate>['refuse'];
  /** With the built-in authorization server: loads its current signing key (for `/ready`). */
  readonly signingKeys?: () => Promise<unknown>;
}

const RESOURCE_METADATA_PATHS = ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource/mcp/sse'];

/**
 * Registers the protected resource metadata on `app`, and the authorization server unless
 * `OAUTH_ISSUER` names an external one (then `state` is not needed).
 *
 * @example
 * ```ts
 * const authorization = await registerAuthorization(app, config, state);
 * ```
 */
export async function registerAuthorization(
  app: FastifyInstance,
  config: SseServerConfig & { oauth: EnabledOAuth },
  state: AuthorizationState | undefined,
  logger?: BearerGateOptions['logger'],
  onTokenIssued?: (grantType: string) => void,
): Promise<HttpAuthorization> {
  const resource = `${config.baseUrl}/mcp`;
  const { external } = config.oauth;
  let issuer: string;
  let verify: (token: string) => Promise<VerifiedAccessToken>;
  let signingKeys: (() => Promise<unknown>) | undefined;
  if (external) {
    const verifier = externalTokenVerifier({ issuer: external.issuer, audience: external.audience, resource, profile: external.profile, ...(external.scopeClaim ? { scopeClaim: external.scopeClaim } : {}), ...(external.clientIdClaim ? { clientIdClaim: external.clientIdClaim } : {}) });
    issuer = verifier.issuer;
    verify = (token) => verifier.verify(token);
  } else {
    if (state === undefined) throw new Error('OAUTH_ENABLED=true needs the authorization state: open it with openAuthorizationState(config).');
    const server = await registerOwnAuthorizationServer(app, config, state, resource, logger, onTokenIssued);
    issuer = server.metadata.issuer;
    if (server.setupUrl !== undefined) {
      logger?.warn({ setupUrl: server.setupUrl }, 'no one can sign in yet: open this one-time link (valid for an hour, until the server restarts) to create the administrator');
    }
    verify = (token) => server.verify(token);
    signingKeys = () => server.keys.current();
  }
  const metadata = buildProtectedResourceMetadata({ resource, authorizationServers: [issuer], scopesSupported: resourceScopes(config).map((scope) => scope.name), resourceName: 'Claude Code MCP' });
  for (const path of RESOURCE_METADATA_PATHS) {
    app.get(path, (_request, reply) => reply.header('cache-control', 'public, max-age=300').send(metadata));
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url: path, handler: (_request, reply) => reply.code(405).header('allow', 'GET, HEAD').send({ error: 'method_not_allowed' }) });
  }
  const gate = bearerGate({ verify, resourceMetadataUrl: `${config.baseUrl}${RESOURCE_METADATA_PATHS[1]}`, scope: 'read run', ...(logger ? { logger } : {}) });
  return { ...gate, ...(signingKeys ? { signingKeys } : {}) };
}

/** The scope a token needs for `/metrics` on the main port. */
export const METRICS_SCOPE: { readonly name: 'metrics'; readonly description: string } = Object.freeze({ name: 'metrics', description: 'Read the server’s Prometheus metrics' });

// The tools' scopes, and `metrics` when /metrics is served.
const resourceScopes = (config: SseServerConfig) => [...ACCESS_SCOPES, ...(config.metrics.enabled ? [METRICS_SCOPE] : [])];

function registerOwnAuthorizationServer(
  app: FastifyInstance,
  config: SseServerConfig & { oauth: EnabledOAuth },
  state: AuthorizationState,
  resource: string,
  logger: BearerGateOptions['logger'],
  onTokenIssued: ((grantType: string) => void) | undefined,
) {
  const { oauth } = config;
  return registerAuthorizationServer(app, {
    ...(logger ? { logger } : {}),
    ...(onTokenIssued ? { onTokenIssued: ({ grantType }: { readonly grantType: string }) => onTokenIssued(grantType) } : {}),
    firstAdminSetup: oauth.adminPassword === undefined && oauth.upstream === undefined,
    issuer: config.baseUrl,
    resource,
    store: state.store,
    // offline_access is the authorization server's (refresh tokens), never the resource's.
    scopes: [...resourceScopes(config), { name: 'offline_access', description: 'Stay signed in: the application may refresh its access' }],
    defaultScopes: ['read', 'run'],
    // A person gets these only as an administrator (metrics tell of everyone's use).
    adminScopes: ['admin', ...(config.metrics.enabled ? [METRICS_SCOPE.name] : [])],
    serverName: 'Claude Code MCP',
    ...(oauth.upstream ? { upstream: { issuer: oauth.upstream.issuer, clientId: oauth.upstream.clientId, allowed: oauth.upstream.allowed, admins: oauth.upstream.admins, ...(oauth.upstream.clientSecret ? { clientSecret: oauth.upstream.clientSecret } : {}), ...(oauth.upstream.name ? { name: oauth.upstream.name } : {}) } } : {}),
    dynamicClientRegistration: oauth.dynamicClientRegistration,
    clientMetadataDocuments: { allowPrivateAddresses: oauth.clientMetadataPrivateAddresses, ...(oauth.clientMetadataHosts ? { allowedHosts: oauth.clientMetadataHosts } : {}) },
    ...(oauth.confidentialClient ? { confidentialClients: [{ ...oauth.confidentialClient, scopes: resourceScopes(config).map((scope) => scope.name) }] } : {}),
  });
}

// The authorization server as one fastify plugin: its metadata, the authorize page, the token,
// revocation and registration endpoints and the key set, in a scope of their own (their parsers,
// error handler and rate limits reach nobody else). The one place its parts are put together.
import rateLimit from '@fastify/rate-limit';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import * as z from 'zod';

import { buildAuthorizationServerMetadata, type AuthorizationServerMetadata } from './authorization-server-metadata.js';
import { errorPage, PAGE_HEADERS } from './authorize/authorize-pages.js';
import { registerAuthorizeEndpoint } from './authorize/authorize-endpoint.js';
import { registerSetupEndpoint } from './authorize/setup-endpoint.js';
import { clientMetadataDocuments, type ClientMetadataDocumentsOptions } from './clients/client-metadata-documents.js';
import { confidentialClients, type ConfidentialClient } from './clients/confidential-clients.js';
import type { OAuthClient } from './clients/oauth-client.js';
import { registerRegistrationRoute } from './endpoints/registration-endpoint.js';
import { registerRevocationRoute } from './endpoints/revocation-endpoint.js';
import { NO_STORE, oauthError, registerTokenRoute } from './endpoints/token-endpoint.js';
import { OAuthServerError } from './errors.js';
import type { GrantContext } from './grants/grant-context.js';
import { checkScopes } from './scopes.js';
import type { AuthorizationStore, UserRecord } from './store/authorization-store.js';
import { accessTokenVerifier, type VerifiedAccessToken } from './tokens/access-tokens.js';
import { SigningKeys } from './tokens/signing-keys.js';
import { UpstreamSignIn, type UpstreamSignInOptions } from './upstream/upstream-sign-in.js';
import { loginThrottle, type LoginThrottleOptions } from './users/login-throttle.js';
import { canonicalUrl } from './urls.js';

/**
 * Options of {@link registerAuthorizationServer}.
 *
 * @example
 * ```ts
 * const options: AuthorizationServerOptions = {
 *   issuer: 'https://mcp.example.com',
 *   resource: 'https://mcp.example.com/mcp',
 *   store: openSqliteAuthorizationStore(join(dataDir, 'oauth.sqlite')),
 *   scopes: [{ name: 'read', description: 'See sessions and logs' }, { name: 'run', description: 'Run Claude Code' }],
 * };
 * ```
 */
export interface AuthorizationServerOptions {
  /** The issuer identifier; endpoints are served under it at `/oauth/*`. */
  readonly issuer: string;
  /** The one protected resource tokens are issued for (RFC 8707): every request must name it. */
  readonly resource: string;
  readonly store: AuthorizationStore;
  /** Scopes offered, with what the consent page says of each. */
  readonly scopes: readonly { readonly name: string; readonly description: string }[];
  /** Scopes granted when a request asks for none. Default: every scope offered. */
  readonly defaultScopes?: readonly string[];
  /** Signing keys. Default: rotated keys kept in `store.keys`. */
  readonly keys?: SigningKeys;
  /** Machine clients for client_credentials. Default: none. */
  readonly confidentialClients?: readonly ConfidentialClient[];
  /** Clients known by their metadata document URL (CIMD). Default: on, with its defaults; `false` turns it off. */
  readonly clientMetadataDocuments?: ClientMetadataDocumentsOptions | false;
  /** RFC 7591 registration at `/oauth/register`. Default: `true` (clients that predate CIMD need it). */
  readonly dynamicClientRegistration?: boolean;
  /** Shown on the pages. Default: the issuer's host. */
  readonly serverName?: string;
  readonly accessTokenLifetimeMs?: number;
  /** Default: 14 days (each refresh renews it, up to the grant's lifetime). */
  readonly refreshTokenLifetimeMs?: number;
  /** Default: 90 days; then the person signs in again. */
  readonly grantLifetimeMs?: number;
  /** Requests per client address and minute to each `/oauth/*` endpoint. Default: 60; `false`: none. */
  readonly requestsPerMinute?: number | false;
  /** Registrations per client address and hour. Default: 20. */
  readonly registrationsPerHour?: number;
  readonly login?: LoginThrottleOptions;
  /** Who signs in with a password. Default: the store's local users (see `ensureAdminUser`). */
  readonly authenticate?: (username: string, password: string) => Promise<UserRecord | undefined>;
  /** Sign-in through an upstream OpenID provider, offered beside the password. */
  readonly upstream?: UpstreamSignInOptions;
  /** Scopes granted to administrators only (a user's `admin`, checked again at each refresh); anyone else's grant leaves them out. Default: none. */
  readonly adminScopes?: readonly string[];
  /**
   * With no user in the store: serve `/oauth/setup` behind a one-time link (`AuthorizationServer.setupUrl`,
   * valid for an hour, in memory only) where the operator creates the first administrator. Default: `false`.
   */
  readonly firstAdminSetup?: boolean;
  /** Where failures that are not the client's fault are reported (never with a token or password). */
  readonly logger?: { warn(details: Record<string, unknown>, message: string): void };
  /** Told of each access token issued (for metrics): the grant type and the client; never the token. It must not throw. */
  readonly onTokenIssued?: (issued: { readonly grantType: 'authorization_code' | 'refresh_token' | 'client_credentials'; readonly clientId: string }) => void;
  readonly now?: () => number;
}

/**
 * What {@link registerAuthorizationServer} returns: its metadata, its keys, and the verifier of
 * the access tokens it issues (a revoked grant's tokens included).
 *
 * @example
 * ```ts
 * const auth = await server.verify(bearer);
 * ```
 */
export interface AuthorizationServer {
  readonly metadata: AuthorizationServerMetadata;
  /** The one-time link that creates the first administrator (with `firstAdminSetup` and no user yet). */
  readonly setupUrl: string | undefined;
  readonly keys: SigningKeys;
  /** Verifies an access token for the server's resource; rejects with `OAUTH_SERVER_INVALID_TOKEN`. */
  verify(token: string): Promise<VerifiedAccessToken>;
}

const lifetimes = z.object({
  accessTokenLifetimeMs: z.number().int().min(1_000).max(86_400_000).optional(),
  refreshTokenLifetimeMs: z.number().int().min(60_000).max(365 * 86_400_000).default(14 * 86_400_000),
  grantLifetimeMs: z.number().int().min(60_000).max(3 * 365 * 86_400_000).default(90 * 86_400_000),
  requestsPerMinute: z.union([z.number().int().min(1).max(100_000), z.literal(false)]).default(60),
  registrationsPerHour: z.number().int().min(1).max(100_000).default(20),
  dynamicClientRegistration: z.boolean().default(true),
});

function checked(options: AuthorizationServerOptions) {
  const parsed = lifetimes.safeParse(options);
  if (!parsed.success) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `Invalid authorization server options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const supported = checkScopes(options.scopes.map((scope) => scope.name), 'scopes');
  const defaults = options.defaultScopes === undefined ? supported : checkScopes(options.defaultScopes, 'defaultScopes');
  if (!defaults.every((scope) => supported.includes(scope))) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'defaultScopes must be among the scopes offered.');
  return { ...parsed.data, supported, defaults, issuer: canonicalUrl(options.issuer, { field: 'issuer', allowQuery: false }), resource: canonicalUrl(options.resource, { field: 'resource', allowQuery: true }) };
}

function clientFinder(options: AuthorizationServerOptions): (clientId: string) => Promise<OAuthClient | undefined> {
  const documents = options.clientMetadataDocuments === false ? undefined : clientMetadataDocuments(options.clientMetadataDocuments ?? {});
  return async (clientId) => (documents?.isDocumentUrl(clientId) ? documents.resolve(clientId) : options.store.clients.find(clientId));
}

// Errors raised before a handler runs (a body too large, a bad content type) answered in the
// endpoint's own language: a page for the authorize form, OAuth JSON elsewhere.
function answerError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status === 429) return reply.code(429).headers(NO_STORE).send({ error: 'too_many_requests', error_description: 'Too many requests; retry after the time in Retry-After.' });
  if (request.url.startsWith('/oauth/authorize')) return reply.code(status < 500 ? 400 : 500).headers(PAGE_HEADERS).send(errorPage(status < 500 ? 'The form could not be read.' : 'The server could not answer this request.'));
  if (status < 500) return oauthError(reply, request.url.startsWith('/oauth/register') ? 'invalid_client_metadata' : 'invalid_request', 'Send a form (application/x-www-form-urlencoded), or JSON for registration, of at most 16 KiB.', 400);
  return reply.code(500).headers(NO_STORE).send({ error: 'server_error', error_description: 'The server could not answer this request.' });
}

const BODY_LIMIT = 16 * 1024;
const DAY_MS = 86_400_000;

/**
 * Registers the authorization server on `app`. The caller serves it over https (or on loopback).
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_OPTIONS` or `OAUTH_SERVER_INVALID_URL` for bad options.
 * @example
 * ```ts
 * const store = openSqliteAuthorizationStore(join(dataDir, 'oauth.sqlite'));
 * await ensureAdminUser(store, { password: adminPassword });
 * const server = await registerAuthorizationServer(app, { issuer, resource: `${issuer}/mcp`, store, scopes });
 * ```
 */
export async function registerAuthorizationServer(app: FastifyInstance, options: AuthorizationServerOptions): Promise<AuthorizationServer> {
  const settings = checked(options);
  const now = options.now ?? Date.now;
  const keys = options.keys ?? new SigningKeys({ store: options.store.keys, now });
  const confidential = confidentialClients(options.confidentialClients ?? []);
  // A grant that is gone (pruned) counts as revoked: its tokens do not outlive it.
  const isGrantRevoked = async (grantId: string) => {
    const grant = await options.store.grants.find(grantId);
    return grant === undefined || grant.revokedAt !== null;
  };
  const tokens = { issuer: settings.issuer, keys, now, isGrantRevoked, ...(settings.accessTokenLifetimeMs === undefined ? {} : { lifetimeMs: settings.accessTokenLifetimeMs }) };
  const context: GrantContext = { issuer: settings.issuer, resource: settings.resource, defaultScopes: settings.defaults, adminScopes: options.adminScopes ?? [], offlineAccess: settings.supported.includes('offline_access'), store: options.store, tokens, now, lifetimes: { code: 60_000, refreshToken: settings.refreshTokenLifetimeMs, grant: settings.grantLifetimeMs, refreshGrace: 60_000 } };
  const findClient = clientFinder(options);
  const metadata = buildAuthorizationServerMetadata({
    issuer: settings.issuer,
    scopesSupported: settings.supported,
    dynamicClientRegistration: settings.dynamicClientRegistration,
    clientIdMetadataDocumentSupported: options.clientMetadataDocuments !== false,
    clientCredentials: (options.confidentialClients ?? []).length > 0,
    tokenEndpointAuthMethods: (options.confidentialClients ?? []).length > 0 ? ['none', 'client_secret_basic', 'client_secret_post'] : ['none'],
    jwksUri: `${settings.issuer}/oauth/jwks`,
  });
  const limit = (max: number | false, timeWindow: number): RouteShorthandOptions => (max === false ? {} : { config: { rateLimit: { max, timeWindow } } });
  const perMinute = limit(settings.requestsPerMinute, 60_000);

  let setupUrl: string | undefined;
  await app.register(async (scope) => {
    await scope.register(rateLimit, { global: false, enableDraftSpec: true });
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, new URLSearchParams(body as string)));
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(null, undefined);
      }
    });
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if ((error.statusCode ?? 500) >= 500) options.logger?.warn({ err: error, url: request.url.split('?', 1)[0] }, 'the authorization server could not answer');
      return answerError(error, request, reply);
    });
    const document = (_request: FastifyRequest, reply: FastifyReply) => reply.header('cache-control', 'public, max-age=300').send(metadata);
    scope.get('/.well-known/oauth-authorization-server', perMinute, document);
    scope.get('/.well-known/openid-configuration', perMinute, document);
    scope.get('/oauth/jwks', perMinute, async (_request, reply) => reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(await keys.jwks()));
    registerAuthorizeEndpoint(scope, {
      context,
      route: perMinute,
      rules: { resource: settings.resource, supportedScopes: settings.supported, defaultScopes: settings.defaults, findClient },
      serverName: options.serverName ?? new URL(settings.issuer).host,
      scopeDescriptions: Object.fromEntries(options.scopes.map((scope) => [scope.name, scope.description])),
      throttle: loginThrottle({ ...options.login, now }),
      adminScopes: options.adminScopes ?? [],
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.upstream ? { upstream: new UpstreamSignIn(options.upstream, { callbackUrl: `${settings.issuer}/oauth/upstream/callback`, store: options.store, now }) } : {}),
      interactionLifetimeMs: 10 * 60_000,
      ...(options.authenticate ? { authenticate: options.authenticate } : {}),
    });
    registerTokenRoute(scope, { context, confidential, route: perMinute, ...(options.onTokenIssued ? { onIssued: options.onTokenIssued } : {}) });
    registerRevocationRoute(scope, { context, confidential, route: perMinute });
    if (options.firstAdminSetup === true) setupUrl = await registerSetupEndpoint(scope, { issuer: settings.issuer, store: options.store, route: perMinute, now });
    if (settings.dynamicClientRegistration) registerRegistrationRoute(scope, { context, route: limit(settings.registrationsPerHour, 3_600_000), maxClients: 10_000, maxPerHour: 5_000 });
  });

  // Expired and ended state goes, so that the store stays the size of what is live.
  const prune = async () => {
    const at = now();
    await options.store.interactions.prune(at);
    await options.store.codes.prune(at);
    await options.store.grants.prune(at - DAY_MS);
    await options.store.clients.pruneUnused(at - DAY_MS);
    await options.store.upstreamLogins.prune(at);
  };
  const pruning = setInterval(() => void prune().catch(() => undefined), 10 * 60_000);
  pruning.unref();
  app.addHook('onClose', () => clearInterval(pruning));
  await prune();

  const verifier = accessTokenVerifier(tokens);
  return Object.freeze({ metadata, keys, setupUrl, verify: (token: string) => verifier.verify(token, { resource: settings.resource }) });
}

// The token endpoint (`POST /oauth/token`) and the key set (`GET /oauth/jwks`), as a fastify
// plugin. Grants today: client_credentials for the pre-registered confidential clients; the
// authorization code and refresh grants come with the authorize endpoint.
import type { FastifyInstance, FastifyReply } from 'fastify';

import { confidentialClients, type ConfidentialClient } from '../clients/confidential-clients.js';
import { issueAccessToken, type AccessTokenOptions } from '../tokens/access-tokens.js';
import type { SigningKeys } from '../tokens/signing-keys.js';
import { canonicalUrl } from '../urls.js';

/**
 * Options of {@link registerTokenEndpoint}.
 *
 * @example
 * ```ts
 * await registerTokenEndpoint(app, { issuer, resource: `${issuer}/mcp`, keys, clients: [{ clientId, clientSecret, scopes: ['read', 'run'] }] });
 * ```
 */
export interface TokenEndpointOptions {
  readonly issuer: string;
  /** The protected resource tokens are issued for (RFC 8707): a request must name it. */
  readonly resource: string;
  readonly keys: SigningKeys;
  readonly clients: readonly ConfidentialClient[];
  /** Access token lifetime. Default: 1 hour. */
  readonly accessTokenLifetimeMs?: number;
  readonly now?: () => number;
}

const FORM_LIMIT_BYTES = 16 * 1024;

type TokenError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_target';

// RFC 6749 §5.2: a JSON error, never cached; a failed client authentication by Basic is a 401.
function tokenError(reply: FastifyReply, error: TokenError, description: string, status = error === 'invalid_client' ? 401 : 400): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="oauth", charset="UTF-8"');
  return reply.code(status).headers(NO_STORE).send({ error, error_description: description });
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function canonicalResource(value: string): string | undefined {
  try {
    return canonicalUrl(value, { field: 'resource', allowQuery: true });
  } catch {
    return undefined;
  }
}

function scopesFor(requested: string | null, allowed: readonly string[]): readonly string[] | undefined {
  if (requested === null || requested.trim() === '') return allowed;
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  return scopes.every((scope) => allowed.includes(scope)) ? scopes : undefined;
}

/**
 * Registers `POST /oauth/token` and `GET /oauth/jwks` on `app` (in a scope of their own: the form
 * parser they add reaches nobody else).
 *
 * @throws `OAuthServerError` for bad options (`OAUTH_SERVER_INVALID_URL`, `OAUTH_SERVER_INVALID_OPTIONS`).
 * @example
 * ```ts
 * await registerTokenEndpoint(app, { issuer: config.baseUrl, resource: `${config.baseUrl}/mcp`, keys, clients });
 * ```
 */
export async function registerTokenEndpoint(app: FastifyInstance, options: TokenEndpointOptions): Promise<void> {
  const issuer = canonicalUrl(options.issuer, { field: 'issuer', allowQuery: false });
  const resource = canonicalUrl(options.resource, { field: 'resource', allowQuery: true });
  const clients = confidentialClients(options.clients);
  const tokens: AccessTokenOptions = { issuer, keys: options.keys, ...(options.accessTokenLifetimeMs === undefined ? {} : { lifetimeMs: options.accessTokenLifetimeMs }), ...(options.now ? { now: options.now } : {}) };
  await app.register((scope, _options, done) => {
    // Only forms are read here, whatever parsers the host app has; errors stay OAuth errors, with
    // nothing of the server's internals in them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES }, (_request, body, parsed) => parsed(null, new URLSearchParams(body as string)));
    scope.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
      const status = error.statusCode ?? 500;
      if (status < 500) return tokenError(reply, 'invalid_request', 'Send a form (application/x-www-form-urlencoded) of at most 16 KiB.', 400);
      return reply.code(500).headers(NO_STORE).send({ error: 'server_error', error_description: 'The server could not answer this request.' });
    });
    scope.post('/oauth/token', async (request, reply) => {
      if (!(request.body instanceof URLSearchParams)) return tokenError(reply, 'invalid_request', 'Send the token request as application/x-www-form-urlencoded.');
      const form = request.body;
      for (const field of ['grant_type', 'scope', 'client_id', 'client_secret']) {
        if (form.getAll(field).length > 1) return tokenError(reply, 'invalid_request', `${field} is given more than once.`);
      }
      const grantType = form.get('grant_type');
      if (grantType === null) return tokenError(reply, 'invalid_request', 'grant_type is missing.');
      const auth = clients.authenticate(request.headers.authorization, form);
      if (!auth.ok) return tokenError(reply, auth.error, auth.description);
      if (grantType !== 'client_credentials') return tokenError(reply, 'unsupported_grant_type', `This server issues tokens for grant_type=client_credentials only (got ${JSON.stringify(grantType.slice(0, 64))}).`);
      const resources = form.getAll('resource');
      if (resources.length !== 1 || canonicalResource(resources[0]!) !== resource) return tokenError(reply, 'invalid_target', `Name the protected resource once, as resource=${resource} (RFC 8707).`);
      const scopes = scopesFor(form.get('scope'), auth.client.scopes);
      if (scopes === undefined) return tokenError(reply, 'invalid_scope', `This client may be given ${auth.client.scopes.join(' ') || 'no scopes'} only.`);
      // RFC 9068 §2.2: with no user, the subject is the client.
      const issued = await issueAccessToken(tokens, { subject: auth.client.clientId, clientId: auth.client.clientId, scopes, resource });
      const expiresIn = Math.round((issued.expiresAt - (options.now ?? Date.now)()) / 1000);
      return reply.headers(NO_STORE).send({ access_token: issued.token, token_type: 'Bearer', expires_in: expiresIn, scope: scopes.join(' ') });
    });
    scope.get('/oauth/jwks', async (_request, reply) => reply.type('application/jwk-set+json').header('cache-control', 'public, max-age=300').send(await options.keys.jwks()));
    done();
  });
}

// POST /oauth/token: the authorization code, refresh and client credentials grants (RFC 6749 §3.2,
// OAuth 2.1 §3.2), answered as RFC 6749 §5 says, never cached.
import type { FastifyInstance, FastifyReply, RouteShorthandOptions } from 'fastify';

import type { confidentialClients } from '../clients/confidential-clients.js';
import { authorizationCodeGrant } from '../grants/authorization-code-grant.js';
import { clientCredentialsGrant } from '../grants/client-credentials-grant.js';
import type { GrantContext, GrantOutcome } from '../grants/grant-context.js';
import { refreshTokenGrant } from '../grants/refresh-token-grant.js';
import { callingClient } from './client-authentication.js';

/** RFC 6749 §5.1: token responses and errors are never cached. */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });

/** RFC 6749 §5.2: a JSON error; a failed client authentication is a 401 with a Basic challenge. */
export function oauthError(reply: FastifyReply, error: string, description: string, status: number = error === 'invalid_client' ? 401 : 400): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Basic realm="oauth", charset="UTF-8"');
  return reply.code(status).headers(NO_STORE).send({ error, error_description: description });
}

export interface TokenRouteOptions {
  readonly context: GrantContext;
  readonly confidential: ReturnType<typeof confidentialClients>;
  readonly route: RouteShorthandOptions;
  readonly onIssued?: (issued: { readonly grantType: 'authorization_code' | 'refresh_token' | 'client_credentials'; readonly clientId: string }) => void;
}

const PUBLIC_GRANTS = new Set(['authorization_code', 'refresh_token']);

export function registerTokenRoute(scope: FastifyInstance, options: TokenRouteOptions): void {
  scope.post('/oauth/token', options.route, async (request, reply) => {
    if (!(request.body instanceof URLSearchParams)) return oauthError(reply, 'invalid_request', 'Send the token request as application/x-www-form-urlencoded.');
    const form = request.body;
    for (const field of ['grant_type', 'scope', 'client_id', 'client_secret']) {
      if (form.getAll(field).length > 1) return oauthError(reply, 'invalid_request', `${field} is given more than once.`);
    }
    const grantType = form.get('grant_type');
    if (grantType === null) return oauthError(reply, 'invalid_request', 'grant_type is missing.');
    const caller = callingClient(request, form, options.confidential);
    if (!caller.ok) return oauthError(reply, caller.error, caller.description);
    let outcome: GrantOutcome;
    if (grantType === 'client_credentials') {
      if (caller.kind !== 'confidential') return oauthError(reply, 'unauthorized_client', 'client_credentials is for the pre-registered confidential clients.');
      outcome = await clientCredentialsGrant(options.context, caller.client, form);
    } else if (PUBLIC_GRANTS.has(grantType)) {
      if (caller.kind !== 'public') return oauthError(reply, 'unauthorized_client', `${grantType} is for public clients; a confidential client uses client_credentials.`);
      outcome = grantType === 'authorization_code' ? await authorizationCodeGrant(options.context, caller.clientId, form) : await refreshTokenGrant(options.context, caller.clientId, form);
    } else {
      return oauthError(reply, 'unsupported_grant_type', `This server supports authorization_code, refresh_token and client_credentials (got ${JSON.stringify(grantType.slice(0, 64))}).`);
    }
    if (!outcome.ok) return oauthError(reply, outcome.error, outcome.description);
    try {
      options.onIssued?.({ grantType: grantType as 'authorization_code' | 'refresh_token' | 'client_credentials', clientId: caller.kind === 'confidential' ? caller.client.clientId : caller.clientId });
    } catch {
      // An observer's failure is its own.
    }
    return reply.headers(NO_STORE).send(outcome.body);
  });
}

// POST /oauth/revoke (RFC 7009): a refresh token or an access token revokes its whole grant. The
// answer is 200 whether or not the token was known, valid, or another client's (which is left alone).
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';

import type { confidentialClients } from '../clients/confidential-clients.js';
import type { GrantContext } from '../grants/grant-context.js';
import { hashSecret } from '../grants/secrets.js';
import { callingClient } from './client-authentication.js';
import { NO_STORE, oauthError } from './token-endpoint.js';

export interface RevocationRouteOptions {
  readonly context: GrantContext;
  readonly confidential: ReturnType<typeof confidentialClients>;
  readonly route: RouteShorthandOptions;
}

// The grant a token of this server names, when its signature is ours (expired ones included: revoking them is harmless).
async function grantOfAccessToken(context: GrantContext, token: string): Promise<{ grantId: string; clientId: string } | undefined> {
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await context.tokens.keys.jwks()), { issuer: context.issuer, algorithms: ['ES256'], typ: 'at+jwt', currentDate: new Date(0) });
    return typeof payload['grant_id'] === 'string' && typeof payload['client_id'] === 'string' ? { grantId: payload['grant_id'], clientId: payload['client_id'] } : undefined;
  } catch {
    return undefined;
  }
}

export function registerRevocationRoute(scope: FastifyInstance, options: RevocationRouteOptions): void {
  const { context } = options;
  scope.post('/oauth/revoke', options.route, async (request, reply) => {
    if (!(request.body instanceof URLSearchParams)) return oauthError(reply, 'invalid_request', 'Send the revocation request as application/x-www-form-urlencoded.');
    const form = request.body;
    if (form.getAll('token').length !== 1) return oauthError(reply, 'invalid_request', 'token must be given once.');
    const caller = callingClient(request, form, options.confidential);
    if (!caller.ok) return oauthError(reply, caller.error, caller.description);
    const token = form.get('token')!;
    const refresh = await context.store.refreshTokens.find(hashSecret(token));
    const grant = refresh === undefined ? await grantOfAccessToken(context, token) : await context.store.grants.find(refresh.grantId);
    if (grant !== undefined && grant.clientId === caller.clientId) await context.store.grants.revoke(grant.grantId, context.now());
    return reply.code(200).headers(NO_STORE).send();
  });
}

// POST /oauth/register (RFC 7591): JSON in, the registered client's metadata out (201).
import type { FastifyInstance, RouteShorthandOptions } from 'fastify';

import { registerClient } from '../clients/client-registration.js';
import type { GrantContext } from '../grants/grant-context.js';
import { NO_STORE, oauthError } from './token-endpoint.js';

export interface RegistrationRouteOptions {
  readonly context: GrantContext;
  readonly route: RouteShorthandOptions;
  /** Registrations refused past this many clients: a flood cannot fill the store. */
  readonly maxClients: number;
  /** Registrations from everyone in an hour (the route's own limit is per address). */
  readonly maxPerHour: number;
}

export function registerRegistrationRoute(scope: FastifyInstance, options: RegistrationRouteOptions): void {
  const { context } = options;
  scope.post('/oauth/register', options.route, async (request, reply) => {
    const outcome = registerClient(request.body, context.now());
    if (!outcome.ok) return oauthError(reply, outcome.error, outcome.description);
    const now = context.now();
    if ((await context.store.clients.countSince(now - 3_600_000)) >= options.maxPerHour) return oauthError(reply.header('retry-after', '600'), 'invalid_client_metadata', 'Too many clients registered this hour; try again later.', 429);
    if ((await context.store.clients.count()) >= options.maxClients) {
      // Registrations that never led to a sign-in make room first.
      await context.store.clients.pruneUnused(now - 3_600_000);
      if ((await context.store.clients.count()) >= options.maxClients) return oauthError(reply, 'invalid_client_metadata', 'This server registers no more clients; ask its operator.', 503);
    }
    const { client } = outcome;
    await context.store.clients.add(client);
    return reply.code(201).headers(NO_STORE).send({
      client_id: client.clientId,
      client_id_issued_at: Math.floor(client.createdAt / 1000),
      client_name: client.clientName,
      redirect_uris: client.redirectUris,
      application_type: client.applicationType,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      ...(client.clientUri === undefined ? {} : { client_uri: client.clientUri }),
    });
  });
}

// Who is calling the token or revocation endpoint: a confidential client that proved its secret,
// or a public client that names itself (and proves possession otherwise: PKCE, a refresh token).
import type { FastifyRequest } from 'fastify';

import type { ConfidentialClient, confidentialClients } from '../clients/confidential-clients.js';

export type CallingClient =
  | { readonly ok: true; readonly kind: 'confidential'; readonly client: ConfidentialClient; readonly clientId: string }
  | { readonly ok: true; readonly kind: 'public'; readonly clientId: string }
  | { readonly ok: false; readonly error: 'invalid_client' | 'invalid_request'; readonly description: string };

export function callingClient(request: FastifyRequest, form: URLSearchParams, confidential: ReturnType<typeof confidentialClients>): CallingClient {
  if (request.headers.authorization !== undefined || form.has('client_secret')) {
    const auth = confidential.authenticate(request.headers.authorization, form);
    return auth.ok ? { ok: true, kind: 'confidential', client: auth.client, clientId: auth.client.clientId } : auth;
  }
  const ids = form.getAll('client_id');
  if (ids.length !== 1 || ids[0] === '') return { ok: false, error: 'invalid_client', description: 'Name the client: client_id in the form (public clients), or authenticate (HTTP Basic, or client_id and client_secret).' };
  if (confidential.has(ids[0]!)) return { ok: false, error: 'invalid_client', description: 'This client must authenticate with its secret.' };
  return { ok: true, kind: 'public', clientId: ids[0]! };
}

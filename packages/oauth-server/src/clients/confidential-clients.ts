// Pre-registered confidential clients (the seed's OAUTH_CLIENT_ID / OAUTH_CLIENT_SECRET): machine
// clients that authenticate with a secret, by HTTP Basic or in the form (RFC 6749 §2.3.1).
import { createHash, timingSafeEqual } from 'node:crypto';

import { OAuthServerError } from '../errors.js';
import { checkScopes } from '../scopes.js';

/**
 * A client registered ahead of time, with its secret and the scopes it may be given.
 *
 * @example
 * ```ts
 * const client: ConfidentialClient = { clientId: config.oauth.clientId, clientSecret: config.oauth.clientSecret, scopes: ['read', 'run'] };
 * ```
 */
export interface ConfidentialClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
}

/** Who authenticated, or why nobody did. */
export type ClientAuthentication =
  | { readonly ok: true; readonly client: ConfidentialClient }
  | { readonly ok: false; readonly error: 'invalid_client' | 'invalid_request'; readonly description: string };

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

// Equal-length digests, compared in constant time: the secret's length and content do not leak.
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined | 'malformed' {
  if (header === undefined) return undefined;
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  if (match === null) return 'malformed';
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'malformed';
  try {
    // RFC 6749 §2.3.1: both halves are form-urlencoded before they are joined.
    return { id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')), secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')) };
  } catch {
    return 'malformed';
  }
}

/**
 * Checks the pre-registered clients once and authenticates token requests against them.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_OPTIONS` for an empty id or secret, a repeated id, or bad scopes.
 * @example
 * ```ts
 * const clients = confidentialClients([{ clientId, clientSecret, scopes: ['run'] }]);
 * const auth = clients.authenticate(request.headers.authorization, form);
 * ```
 */
export function confidentialClients(list: readonly ConfidentialClient[]): {
  authenticate(authorization: string | undefined, form: URLSearchParams): ClientAuthentication;
  /** Whether `clientId` is a confidential client (which must then authenticate). */
  has(clientId: string): boolean;
} {
  const byId = new Map<string, ConfidentialClient>();
  for (const client of list) {
    if (typeof client.clientId !== 'string' || client.clientId === '' || typeof client.clientSecret !== 'string' || client.clientSecret.length < 16) {
      throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'A confidential client needs a non-empty clientId and a clientSecret of at least 16 characters.');
    }
    if (byId.has(client.clientId)) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `The client ${client.clientId} is registered twice.`);
    byId.set(client.clientId, Object.freeze({ ...client, scopes: checkScopes(client.scopes, `scopes of client ${client.clientId}`) }));
  }
  return {
    has: (clientId) => byId.has(clientId),
    authenticate(authorization, form) {
      const basic = basicCredentials(authorization);
      const posted = form.has('client_secret') ? { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' } : undefined;
      if (basic === 'malformed') return { ok: false, error: 'invalid_client', description: 'The Authorization header is not valid HTTP Basic client authentication.' };
      if (basic !== undefined && posted !== undefined) return { ok: false, error: 'invalid_request', description: 'Use one client authentication method, not both HTTP Basic and client_secret in the form.' };
      if (basic !== undefined && form.has('client_id') && form.get('client_id') !== basic.id) {
        return { ok: false, error: 'invalid_request', description: 'The client_id in the form is not the client that authenticated.' };
      }
      const credentials = basic ?? posted;
      if (credentials === undefined) return { ok: false, error: 'invalid_client', description: 'This grant needs client authentication (HTTP Basic, or client_id and client_secret in the form).' };
      const client = byId.get(credentials.id);
      // The same work whether or not the id is known.
      const matches = sameSecret(credentials.secret, client?.clientSecret ?? 'no client has this secret');
      if (client === undefined || !matches) return { ok: false, error: 'invalid_client', description: 'Client authentication failed.' };
      return { ok: true, client };
    },
  };
}

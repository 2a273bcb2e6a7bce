// RFC 7591 dynamic client registration, for public clients of the authorization code grant only
// (MCP 2026-07-28 deprecates it in favour of client ID metadata documents; kept for older clients).
import { randomUUID } from 'node:crypto';

import { OAuthServerError } from '../errors.js';
import type { RegisteredClientRecord } from '../store/authorization-store.js';
import { canonicalUrl } from '../urls.js';
import { checkRedirectUris } from './redirect-uris.js';

export type RegistrationOutcome =
  | { readonly ok: true; readonly client: RegisteredClientRecord }
  | { readonly ok: false; readonly error: 'invalid_redirect_uri' | 'invalid_client_metadata'; readonly description: string };

const refuse = (description: string): RegistrationOutcome => ({ ok: false, error: 'invalid_client_metadata', description });
const GRANTS = new Set(['authorization_code', 'refresh_token']);

/** A client that only ever comes back to this computer or to its own scheme is a native app. */
export function inferredApplicationType(redirectUris: readonly unknown[]): 'native' | 'web' {
  const onThisComputer = (uri: unknown) => typeof uri === 'string' && (/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/?]/.test(uri) || !/^https?:/i.test(uri));
  return redirectUris.length > 0 && redirectUris.every(onThisComputer) ? 'native' : 'web';
}

function listOf(value: unknown, fallback: readonly string[]): readonly string[] | undefined {
  if (value === undefined) return fallback;
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function checkTypes(body: Record<string, unknown>): string | undefined {
  const method = body['token_endpoint_auth_method'];
  if (method !== undefined && method !== 'none') return 'token_endpoint_auth_method must be "none": this server registers public clients, which use PKCE instead of a secret.';
  const grants = listOf(body['grant_types'], ['authorization_code', 'refresh_token']);
  if (grants === undefined || !grants.includes('authorization_code') || !grants.every((grant) => GRANTS.has(grant))) return 'grant_types must include authorization_code and may add refresh_token only.';
  const responses = listOf(body['response_types'], ['code']);
  if (responses === undefined || responses.length !== 1 || responses[0] !== 'code') return 'response_types must be ["code"].';
  const type = body['application_type'];
  if (type !== undefined && type !== 'native' && type !== 'web') return 'application_type must be "native" or "web".';
  const name = body['client_name'];
  // Control and direction-changing characters could make a name read as another on the consent page.
  if (name !== undefined && (typeof name !== 'string' || name.trim() === '' || name.length > 200 || /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/u.test(name))) {
    return 'client_name must be a string of 1 to 200 printable characters.';
  }
  return undefined;
}

/**
 * Checks a registration request's metadata and makes the client record (not yet stored).
 *
 * @example
 * ```ts
 * const outcome = registerClient(request.body, Date.now());
 * if (outcome.ok) await store.clients.add(outcome.client);
 * ```
 */
export function registerClient(body: unknown, now: number): RegistrationOutcome {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse('The registration request must be a JSON object (RFC 7591 §2).');
  const metadata = body as Record<string, unknown>;
  const problem = checkTypes(metadata);
  if (problem !== undefined) return refuse(problem);
  const uris = Array.isArray(metadata['redirect_uris']) ? (metadata['redirect_uris'] as unknown[]) : [];
  const applicationType = (metadata['application_type'] as 'native' | 'web' | undefined) ?? inferredApplicationType(uris);
  let redirectUris: readonly string[];
  let clientUri: string | undefined;
  try {
    redirectUris = checkRedirectUris(metadata['redirect_uris'], applicationType);
  } catch (error) {
    if (!OAuthServerError.isInstance(error)) throw error;
    return { ok: false, error: 'invalid_redirect_uri', description: error.message };
  }
  try {
    clientUri = metadata['client_uri'] === undefined ? undefined : canonicalUrl(metadata['client_uri'], { field: 'client_uri', allowQuery: true });
  } catch (error) {
    return refuse((error as Error).message);
  }
  const name = typeof metadata['client_name'] === 'string' ? metadata['client_name'].trim() : 'An application that gave no name';
  return { ok: true, client: Object.freeze({ clientId: randomUUID(), clientName: name, redirectUris, applicationType, source: 'registered', createdAt: now, ...(clientUri === undefined ? {} : { clientUri }) }) };
}

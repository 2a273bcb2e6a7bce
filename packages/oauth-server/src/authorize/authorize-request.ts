// Checking an authorization request (OAuth 2.1 §4.1.1). Until the client and its redirect URI are
// known good, a problem is shown on a page and never redirected (an open redirector otherwise);
// after, it goes back to the client with `state` and `iss` (RFC 9207).
import type { OAuthClient } from '../clients/oauth-client.js';
import { redirectUriMatches } from '../clients/redirect-uris.js';
import { OAuthServerError } from '../errors.js';
import { PKCE_VALUE } from '../grants/secrets.js';
import { canonicalUrl } from '../urls.js';

/** A request that passed every check: what the person is asked to approve. */
export interface CheckedAuthorizeRequest {
  readonly client: OAuthClient;
  readonly redirectUri: string;
  readonly redirectUriGiven: boolean;
  readonly state: string | null;
  readonly codeChallenge: string;
  readonly scopes: readonly string[];
  readonly resource: string;
}

export type AuthorizeCheck =
  | { readonly kind: 'ok'; readonly request: CheckedAuthorizeRequest }
  | { readonly kind: 'page'; readonly status: number; readonly message: string }
  | { readonly kind: 'redirect'; readonly redirectUri: string; readonly state: string | null; readonly error: string; readonly description: string };

export interface AuthorizeRules {
  readonly resource: string;
  readonly supportedScopes: readonly string[];
  readonly defaultScopes: readonly string[];
  /** The client of this id, `undefined` when unknown; throws `OAUTH_SERVER_INVALID_CLIENT` when its document is unusable. */
  readonly findClient: (clientId: string) => Promise<OAuthClient | undefined>;
}

const SINGLE = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'resource', 'prompt'];
const MAX_STATE = 2048;

async function clientAndRedirect(params: URLSearchParams, rules: AuthorizeRules): Promise<{ client: OAuthClient; redirectUri: string; given: boolean } | AuthorizeCheck> {
  const page = (status: number, message: string): AuthorizeCheck => ({ kind: 'page', status, message });
  if (params.getAll('client_id').length !== 1 || params.get('client_id') === '') return page(400, 'The request does not name its client (client_id), or names it twice. Go back to the application and start again.');
  if (params.getAll('redirect_uri').length > 1) return page(400, 'The request gives redirect_uri twice.');
  let client: OAuthClient | undefined;
  try {
    client = await rules.findClient(params.get('client_id')!);
  } catch (error) {
    if (!OAuthServerError.isInstance(error) || error.code !== 'OAUTH_SERVER_INVALID_CLIENT') throw error;
    return page(400, `The application cannot be used: ${error.message}`);
  }
  if (client === undefined) return page(400, 'This application is not known to this server (unknown client_id). It must register, or publish a client metadata document.');
  const given = params.get('redirect_uri');
  if (given === null) {
    if (client.redirectUris.length === 1) return { client, redirectUri: client.redirectUris[0]!, given: false };
    return page(400, 'The request has no redirect_uri, and the application registered more than one.');
  }
  if (!redirectUriMatches(client.redirectUris, given, client.applicationType)) return page(400, 'The redirect_uri is not one the application registered, so this server will not send you there.');
  return { client, redirectUri: given, given: true };
}

function scopesOf(params: URLSearchParams, rules: AuthorizeRules): readonly string[] | string {
  const scope = params.get('scope');
  if (scope === null || scope.trim() === '') return rules.defaultScopes;
  const scopes = [...new Set(scope.split(' ').filter(Boolean))];
  const unknown = scopes.filter((name) => !rules.supportedScopes.includes(name));
  return unknown.length === 0 ? scopes : `This server does not offer the scope ${unknown.map((name) => JSON.stringify(name.slice(0, 64))).join(', ')}; it offers ${rules.supportedScopes.join(' ')}.`;
}

function resourceOf(params: URLSearchParams, expected: string): boolean {
  const given = params.getAll('resource');
  if (given.length !== 1) return false;
  try {
    return canonicalUrl(given[0], { field: 'resource', allowQuery: true }) === expected;
  } catch {
    return false;
  }
}

/** Checks the query of `GET /oauth/authorize`. */
export async function checkAuthorizeRequest(params: URLSearchParams, rules: AuthorizeRules): Promise<AuthorizeCheck> {
  const target = await clientAndRedirect(params, rules);
  if ('kind' in target) return target;
  const state = params.get('state');
  const back = (error: string, description: string): AuthorizeCheck => ({ kind: 'redirect', redirectUri: target.redirectUri, state: state === null ? null : state.slice(0, MAX_STATE), error, description });
  const repeated = SINGLE.find((name) => params.getAll(name).length > 1);
  if (repeated !== undefined) return back('invalid_request', `${repeated} is given more than once.`);
  if (state !== null && state.length > MAX_STATE) return back('invalid_request', `state is longer than ${MAX_STATE} characters.`);
  const responseType = params.get('response_type');
  if (responseType === null) return back('invalid_request', 'response_type is missing; this server supports response_type=code.');
  if (responseType !== 'code') return back('unsupported_response_type', 'This server supports response_type=code only.');
  if (params.get('code_challenge_method') !== 'S256' || !PKCE_VALUE.test(params.get('code_challenge') ?? '')) {
    return back('invalid_request', 'PKCE is required with code_challenge_method=S256 and a code_challenge of 43 to 128 characters.');
  }
  if (!resourceOf(params, rules.resource)) return back('invalid_target', `resource must name this server's protected resource, ${rules.resource}, once (RFC 8707).`);
  const scopes = scopesOf(params, rules);
  if (typeof scopes === 'string') return back('invalid_scope', scopes);
  // Every request needs the person: a client asking for none of it gets the OIDC answer.
  if (params.get('prompt') === 'none') return back('login_required', 'Signing in is required here; retry without prompt=none.');
  return { kind: 'ok', request: { client: target.client, redirectUri: target.redirectUri, redirectUriGiven: target.given, state, codeChallenge: params.get('code_challenge')!, scopes, resource: rules.resource } };
}

/** The redirect URI with the response's parameters and this server's `iss` (RFC 9207) added to its query. */
export function responseRedirect(redirectUri: string, issuer: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.append(name, value);
  url.searchParams.append('iss', issuer);
  return url.href;
}

// What every grant needs: the server's identity, its store, how tokens are signed, and how long
// each thing lives. Built once by the authorization server and shared by its endpoints.
import type { AuthorizationStore, GrantRecord, RefreshTokenRecord } from '../store/authorization-store.js';
import { issueAccessToken, type AccessTokenOptions } from '../tokens/access-tokens.js';
import { canonicalUrl } from '../urls.js';
import { hashSecret, newSecret } from './secrets.js';

/** Lifetimes, in milliseconds. */
export interface GrantLifetimes {
  readonly code: number;
  readonly refreshToken: number;
  readonly grant: number;
  /** A spent refresh token still works once this long, while its successor is unused (a lost response, two refreshes at once). */
  readonly refreshGrace: number;
}

export interface GrantContext {
  readonly issuer: string;
  readonly resource: string;
  /** Scopes a token request that names none is given (within what the client may have). */
  readonly defaultScopes: readonly string[];
  /** Scopes for administrators only: a refresh drops them when the user no longer is one. */
  readonly adminScopes: readonly string[];
  /** Whether `offline_access` is offered: then only grants that include it get refresh tokens. */
  readonly offlineAccess: boolean;
  readonly store: AuthorizationStore;
  readonly tokens: AccessTokenOptions;
  readonly lifetimes: GrantLifetimes;
  readonly now: () => number;
}

/** RFC 6749 §5.2 error codes (and RFC 8707's `invalid_target`). */
export type TokenErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'invalid_target';

/** The JSON body of a successful token response (RFC 6749 §5.1). */
export interface TokenResponseBody {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
}

export type GrantOutcome = { readonly ok: true; readonly body: TokenResponseBody } | { readonly ok: false; readonly error: TokenErrorCode; readonly description: string };

export const refuse = (error: TokenErrorCode, description: string): GrantOutcome => ({ ok: false, error, description });

/** `resource` at the token endpoint: absent (the grant's own), or once and equal to the grant's. */
export function resourceProblem(form: URLSearchParams, granted: string): GrantOutcome | undefined {
  const given = form.getAll('resource');
  if (given.length === 0) return undefined;
  let canonical: string | undefined;
  try {
    canonical = given.length === 1 ? canonicalUrl(given[0], { field: 'resource', allowQuery: true }) : undefined;
  } catch {
    canonical = undefined;
  }
  return canonical === granted ? undefined : refuse('invalid_target', `resource must be the one the grant is for, ${granted}, given once (RFC 8707).`);
}

/** `scope` at the token endpoint: absent (everything granted), or a subset of the grant's (narrowing). */
export function scopesWithin(form: URLSearchParams, granted: readonly string[]): readonly string[] | GrantOutcome {
  const requested = form.get('scope');
  if (requested === null || requested.trim() === '') return granted;
  const scopes = [...new Set(requested.split(' ').filter(Boolean))];
  const beyond = scopes.filter((scope) => !granted.includes(scope));
  return beyond.length === 0 ? scopes : refuse('invalid_scope', `The grant does not include ${beyond.join(' ')}; ask for ${granted.join(' ') || 'no scope'} or less.`);
}

/** A new refresh token of `grant` replacing `parentHash` (or the first): what the client gets, and what is stored. */
export function newRefreshToken(context: GrantContext, grant: GrantRecord, parentHash: string | null): { secret: string; record: RefreshTokenRecord } {
  const secret = newSecret();
  const now = context.now();
  return { secret, record: { tokenHash: hashSecret(secret), grantId: grant.grantId, parentHash, issuedAt: now, expiresAt: Math.min(now + context.lifetimes.refreshToken, grant.expiresAt), spentAt: null, spentHow: null } };
}

/** An access token for the grant, with `refreshToken` (already stored) when there is one. */
export async function issueTokens(context: GrantContext, grant: GrantRecord, scopes: readonly string[], refreshToken?: string): Promise<GrantOutcome> {
  const now = context.now();
  const access = await issueAccessToken(context.tokens, { subject: grant.subject, clientId: grant.clientId, scopes, resource: grant.resource, grantId: grant.grantId });
  return {
    ok: true,
    body: { access_token: access.token, token_type: 'Bearer', expires_in: Math.round((access.expiresAt - now) / 1000), scope: scopes.join(' '), ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }) },
  };
}

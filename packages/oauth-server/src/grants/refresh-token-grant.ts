// grant_type=refresh_token (OAuth 2.1 §4.3): each refresh token works once and is replaced
// (rotation). Every check runs before the token is spent, so a refused refresh leaves it usable.
// A spent token used again revokes its grant, unless it is within the grace of a lost response:
// once, shortly after, while its successor is unused.
import type { GrantRecord, RefreshTokenRecord } from '../store/authorization-store.js';
import { refuse, issueTokens, newRefreshToken, resourceProblem, scopesWithin, type GrantContext, type GrantOutcome } from './grant-context.js';
import { hashSecret } from './secrets.js';

const NOT_VALID = 'The refresh token is not valid for this client.';

export async function refreshTokenGrant(context: GrantContext, clientId: string, form: URLSearchParams): Promise<GrantOutcome> {
  if (form.getAll('refresh_token').length !== 1) return refuse('invalid_request', 'refresh_token must be given once.');
  const tokenHash = hashSecret(form.get('refresh_token')!);
  const token = await context.store.refreshTokens.find(tokenHash);
  const grant = token === undefined ? undefined : await context.store.grants.find(token.grantId);
  if (token === undefined || grant === undefined || grant.clientId !== clientId) return refuse('invalid_grant', NOT_VALID);
  const now = context.now();
  if (grant.revokedAt !== null) return refuse('invalid_grant', 'The grant of this refresh token was revoked; sign in again.');
  if (token.expiresAt <= now || grant.expiresAt <= now) return refuse('invalid_grant', 'The refresh token has expired; sign in again.');
  const wrongResource = resourceProblem(form, grant.resource);
  if (wrongResource !== undefined) return wrongResource;
  const asked = scopesWithin(form, grant.scopes);
  if (!Array.isArray(asked)) return asked as GrantOutcome;
  // Someone who is no longer an administrator keeps the grant, not its administrator scopes.
  const scopes = (await stillAdmin(context, grant)) ? (asked as readonly string[]) : (asked as readonly string[]).filter((scope) => !context.adminScopes.includes(scope));
  const next = await rotateOrRetry(context, grant, token, now);
  if (next === undefined) {
    await context.store.grants.revoke(grant.grantId, now);
    return refuse('invalid_grant', 'This refresh token was already used, so its grant is revoked; sign in again.');
  }
  return issueTokens(context, grant, scopes, next);
}

async function stillAdmin(context: GrantContext, grant: GrantRecord): Promise<boolean> {
  if (!grant.scopes.some((scope) => context.adminScopes.includes(scope))) return true;
  return (await context.store.users.find(grant.subject))?.admin === true;
}

// The next refresh token (stored), or undefined for a reuse. Spending a token and storing its
// successor are one step: a concurrent refresh with the same token finds the successor, and gets
// the grace (the latest answer is the one that holds).
async function rotateOrRetry(context: GrantContext, grant: GrantRecord, token: RefreshTokenRecord, now: number): Promise<string | undefined> {
  const { refreshTokens } = context.store;
  const next = newRefreshToken(context, grant, token.tokenHash);
  if (token.spentAt === null && (await refreshTokens.rotate(token.tokenHash, next.record, now, 'used'))) return next.secret;
  const spent = await refreshTokens.find(token.tokenHash);
  if (spent?.spentAt == null || spent.spentHow !== 'used' || now - spent.spentAt > context.lifetimes.refreshGrace) return undefined;
  const successor = await refreshTokens.findChild(token.tokenHash);
  if (successor === undefined || successor.spentAt !== null) return undefined;
  const retry = newRefreshToken(context, grant, successor.tokenHash);
  return (await refreshTokens.rotate(successor.tokenHash, retry.record, now, 'superseded')) ? retry.secret : undefined;
}

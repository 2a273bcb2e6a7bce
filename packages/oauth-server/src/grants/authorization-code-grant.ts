// grant_type=authorization_code (OAuth 2.1 §4.1.3): the code once, by the client it was issued
// to, with the redirect URI and the PKCE verifier of its request. A check that fails leaves a
// good code usable; a code redeemed twice revokes everything issued for it.
import { refuse, issueTokens, newRefreshToken, resourceProblem, scopesWithin, type GrantContext, type GrantOutcome } from './grant-context.js';
import { hashSecret, pkceMatches } from './secrets.js';

export async function authorizationCodeGrant(context: GrantContext, clientId: string, form: URLSearchParams): Promise<GrantOutcome> {
  for (const field of ['code', 'code_verifier']) {
    if (form.getAll(field).length !== 1) return refuse('invalid_request', `${field} must be given once.`);
  }
  if (form.getAll('redirect_uri').length > 1) return refuse('invalid_request', 'redirect_uri is given more than once.');
  const codeHash = hashSecret(form.get('code')!);
  const code = await context.store.codes.find(codeHash);
  const now = context.now();
  // An unknown code and another client's code look alike.
  if (code === undefined || code.clientId !== clientId) return refuse('invalid_grant', 'The code is not valid for this client.');
  if (code.usedAt !== null) return reused(context, code.grantId, now);
  if (code.expiresAt <= now) return refuse('invalid_grant', 'The code has expired; start the authorization again.');
  // Required when the authorization request had one (OAuth 2.1 §4.1.3); then the same.
  const redirectUri = form.get('redirect_uri');
  if (redirectUri === null ? code.redirectUriGiven !== false : redirectUri !== code.redirectUri) return refuse('invalid_grant', 'redirect_uri is not the one of the authorization request.');
  if (!pkceMatches(form.get('code_verifier')!, code.codeChallenge)) return refuse('invalid_grant', 'code_verifier does not match the code_challenge of the authorization request.');
  const wrongResource = resourceProblem(form, code.resource);
  if (wrongResource !== undefined) return wrongResource;
  const scopes = scopesWithin(form, code.scopes);
  if (!Array.isArray(scopes)) return scopes as GrantOutcome;
  // The grant exists before the code is spent: a second redemption racing this one revokes it for sure.
  const grant = { grantId: code.grantId, clientId, subject: code.subject, scopes: code.scopes, resource: code.resource, createdAt: now, expiresAt: now + context.lifetimes.grant, revokedAt: null };
  await context.store.grants.add(grant);
  if (!(await context.store.codes.redeem(codeHash, now))) return reused(context, code.grantId, now);
  // A refresh token only for a grant that may go on without the person (offline_access, when offered).
  if (context.offlineAccess && !code.scopes.includes('offline_access')) return issueTokens(context, grant, scopes as readonly string[]);
  const refresh = newRefreshToken(context, grant, null);
  await context.store.refreshTokens.add(refresh.record);
  return issueTokens(context, grant, scopes as readonly string[], refresh.secret);
}

async function reused(context: GrantContext, grantId: string, now: number): Promise<GrantOutcome> {
  await context.store.grants.revoke(grantId, now);
  return refuse('invalid_grant', 'The code was already used; the tokens issued for it are revoked.');
}

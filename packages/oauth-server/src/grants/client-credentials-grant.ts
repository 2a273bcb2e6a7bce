// grant_type=client_credentials for the pre-registered confidential clients: a token for the
// client itself (RFC 9068 §2.2: the subject is the client), revocable through its grant record.
import { randomUUID } from 'node:crypto';

import type { ConfidentialClient } from '../clients/confidential-clients.js';
import { refuse, issueTokens, resourceProblem, scopesWithin, type GrantContext, type GrantOutcome } from './grant-context.js';

export async function clientCredentialsGrant(context: GrantContext, client: ConfidentialClient, form: URLSearchParams): Promise<GrantOutcome> {
  // The resource is required here: a machine client has no authorization request that named it.
  if (form.getAll('resource').length === 0) return refuse('invalid_target', `Name the protected resource once, as resource=${context.resource} (RFC 8707).`);
  const wrongResource = resourceProblem(form, context.resource);
  if (wrongResource !== undefined) return { ...wrongResource, description: `Name the protected resource once, as resource=${context.resource} (RFC 8707).` } as GrantOutcome;
  // No scope asked for: the defaults this client may have, not all it may have (admin is asked for).
  const defaults = client.scopes.filter((scope) => context.defaultScopes.includes(scope));
  const scopes = form.get('scope')?.trim() ? scopesWithin(form, client.scopes) : defaults;
  if (!Array.isArray(scopes)) return refuse('invalid_scope', `This client may be given ${client.scopes.join(' ') || 'no scopes'} only.`);
  const now = context.now();
  const grant = { grantId: randomUUID(), clientId: client.clientId, subject: client.clientId, scopes: scopes as readonly string[], resource: context.resource, createdAt: now, expiresAt: now + context.tokens.keys.longestTokenLifetimeMs, revokedAt: null };
  await context.store.grants.add(grant);
  return issueTokens(context, grant, grant.scopes);
}

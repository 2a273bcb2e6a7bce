import { OAuthServerError } from './errors.js';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeTokenPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Checks a list of scope tokens: each one valid per RFC 6749 §3.3, none repeated. */
export function checkScopes(value: unknown, field: string): readonly string[] {
  if (!Array.isArray(value)) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `${field} must be an array of scope strings.`);
  }
  const scopes: string[] = [];
  for (const scope of value as unknown[]) {
    if (typeof scope !== 'string' || !scopeTokenPattern.test(scope)) {
      throw new OAuthServerError(
        'OAUTH_SERVER_INVALID_OPTIONS',
        `${field} contains ${JSON.stringify(scope)}, which is not a scope token; use printable ASCII without spaces, '"' or '\\'.`,
      );
    }
    if (scopes.includes(scope)) {
      throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `${field} lists "${scope}" twice.`);
    }
    scopes.push(scope);
  }
  return Object.freeze(scopes);
}

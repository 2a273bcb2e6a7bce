import { OAuthServerError } from './errors.js';

/** Loopback hosts on which plain `http` is allowed (RFC 8252 §7.3, OAuth 2.1 §1.5). */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/** What a URL option may contain besides an origin and a path. */
export interface UrlRules {
  /** The option's name, used in error messages. */
  readonly field: string;
  /** `false` for issuers: RFC 8414 §2 forbids a query component. */
  readonly allowQuery: boolean;
}

/**
 * Checks that `value` is an absolute `https` URL (or `http` on a loopback host) without
 * credentials or a fragment, and returns it canonicalised: lower-case scheme and host, no default
 * port, and no trailing slash when the path is just `/`.
 */
export function canonicalUrl(value: unknown, rules: UrlRules): string {
  const fail = (problem: string): OAuthServerError =>
    new OAuthServerError(
      'OAUTH_SERVER_INVALID_URL',
      `${rules.field} ${problem} (got ${JSON.stringify(value)}).`,
    );
  if (typeof value !== 'string' || value === '') {
    throw fail('must be a non-empty absolute URL string');
  }
  if (/\s/.test(value)) throw fail('must not contain whitespace');
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new OAuthServerError(
      'OAUTH_SERVER_INVALID_URL',
      `${rules.field} must be an absolute URL such as "https://mcp.example.com" (got ${JSON.stringify(value)}).`,
      { cause: error },
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHostname(url.hostname))) {
    throw fail('must use https; plain http is allowed only for localhost, 127.0.0.0/8 and [::1]');
  }
  if (url.username !== '' || url.password !== '') throw fail('must not contain a user name or password');
  if (value.includes('#')) throw fail('must not have a fragment ("#…")');
  if (!rules.allowQuery && value.includes('?')) throw fail('must not have a query ("?…")');
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.protocol}//${url.host}${path}${url.search}`;
}

/** Joins an issuer and an endpoint path such as `/oauth/token` without doubling slashes. */
export function endpointUrl(issuer: string, path: string): string {
  return `${issuer.replace(/\/+$/, '')}${path}`;
}

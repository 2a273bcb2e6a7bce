// Redirect URIs: which a client may register, and whether a request's one is registered. Matching
// is exact (OAuth 2.1 §2.3.1) except for the port of a loopback `http` URI, which a native app
// picks when it starts (RFC 8252 §7.3).
import { OAuthServerError } from '../errors.js';

const MAX_REDIRECT_URIS = 10;
const MAX_URI_LENGTH = 2000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
// Schemes a browser runs or reads locally: never a place to send a code.
const REFUSED_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'ws:', 'wss:', 'ftp:', 'filesystem:', 'view-source:', 'chrome:', 'intent:']);

function refuse(problem: string): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_INVALID_CLIENT', `redirect_uris: ${problem}`);
}

function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

// The one place a redirect URI string is judged: the rules of OAuth 2.1 §2.3 and RFC 8252 §7.
function checkRedirectUri(value: unknown, applicationType: 'native' | 'web'): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_URI_LENGTH) throw refuse(`each must be a URI string of at most ${MAX_URI_LENGTH} characters.`);
  const quoted = JSON.stringify(value.slice(0, 200));
  if (/[\s\p{Cc}]/u.test(value)) throw refuse(`${quoted} contains whitespace or control characters.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(`${quoted} is not an absolute URI.`);
  }
  if (value.includes('#')) throw refuse(`${quoted} has a fragment; a redirect URI must not.`);
  if (url.username !== '' || url.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(value)) throw refuse(`${quoted} has a user name or password.`);
  if (url.protocol === 'https:' || isLoopbackHttp(url)) return value;
  if (url.protocol === 'http:') throw refuse(`${quoted} uses http on a host that is not loopback; use https, or http://127.0.0.1, http://[::1] or http://localhost.`);
  if (REFUSED_SCHEMES.has(url.protocol)) throw refuse(`${quoted} uses the ${url.protocol} scheme, which cannot receive a code safely.`);
  if (applicationType !== 'native') throw refuse(`${quoted} uses a private-use scheme, which only native clients (application_type "native") may register.`);
  return value;
}

/**
 * Checks a client's `redirect_uris`: 1 to 10 absolute URIs, no fragments or credentials, `https`,
 * loopback `http`, or (native clients only) a private-use scheme; never `javascript:`, `data:`,
 * `file:` and the like.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_CLIENT`, saying which URI breaks which rule.
 * @example
 * ```ts
 * const uris = checkRedirectUris(['http://127.0.0.1/callback', 'cursor://anysphere.cursor-mcp/oauth/callback'], 'native');
 * ```
 */
export function checkRedirectUris(value: unknown, applicationType: 'native' | 'web'): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_REDIRECT_URIS) throw refuse(`must be a list of 1 to ${MAX_REDIRECT_URIS} URIs.`);
  const uris = (value as unknown[]).map((uri) => checkRedirectUri(uri, applicationType));
  return Object.freeze([...new Set(uris)]);
}

// `http://host:port/rest` → host and rest as written, or undefined when it is not loopback http.
function loopbackParts(uri: string): { host: string; rest: string } | undefined {
  const match = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?].*)?$/.exec(uri);
  if (match === null || (match[2] !== undefined && Number(match[2]) > 65535)) return undefined;
  return { host: match[1]!, rest: match[3] ?? '' };
}

/**
 * Whether `requested` is one of `registered`: the same string, or for a native client's loopback
 * `http` URI the same string but for the port (the host literal must still be the same: `localhost` is not
 * `127.0.0.1`; `/cb` is not `/cb/` nor `/%63b`).
 *
 * @example
 * ```ts
 * redirectUriMatches(['http://127.0.0.1/callback'], 'http://127.0.0.1:50123/callback'); // true
 * redirectUriMatches(['https://app.example/cb'], 'https://app.example/cb?x=1'); // false
 * ```
 */
export function redirectUriMatches(registered: readonly string[], requested: string, applicationType: 'native' | 'web' = 'native'): boolean {
  if (registered.includes(requested)) return true;
  // The port is the native app's to pick (RFC 8252 §7.3); a web client's URIs match exactly.
  if (applicationType !== 'native') return false;
  const wanted = loopbackParts(requested);
  if (wanted === undefined || wanted.rest.includes('#')) return false;
  return registered.some((uri) => {
    const candidate = loopbackParts(uri);
    return candidate !== undefined && candidate.host === wanted.host && candidate.rest === wanted.rest;
  });
}

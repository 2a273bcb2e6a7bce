// Resource-server-only mode: access tokens from an external authorization server (Keycloak,
// Auth0, Okta, a company's own), its metadata and key set discovered, each token checked for
// this resource. Two profiles: RFC 9068 exactly (oauth4webapi's validator: `typ: at+jwt`, the
// claims it requires), or a signed JWT read through a configured claim mapping, for issuers
// whose tokens are JWTs of another shape. Either way, an issuer that cannot be reached refuses.
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import * as oauth from 'oauth4webapi';
import * as z from 'zod';

import { OAuthServerError } from '../errors.js';
import type { VerifiedAccessToken } from '../tokens/access-tokens.js';
import { canonicalUrl, isLoopbackHostname } from '../urls.js';

/**
 * Options of {@link externalTokenVerifier}.
 *
 * @example
 * ```ts
 * const options: ExternalIssuerOptions = { issuer: 'https://id.example.com/realms/dev', audience: 'https://mcp.example.com/mcp' };
 * ```
 */
export interface ExternalIssuerOptions {
  /** The issuer identifier; its RFC 8414 (or OpenID) metadata is fetched from it. */
  readonly issuer: string;
  /** What tokens must name in `aud`: this server's resource URL, or the identifier the issuer uses for it (Entra's `api://…`). */
  readonly audience: string;
  /** This server's resource URL (`AuthInfo.resource`). Default: `audience`, which must then be a URL. */
  readonly resource?: string;
  /** `rfc9068` (default): exactly RFC 9068; `jwt`: any signed JWT of the issuer, read through the claim names below. */
  readonly profile?: 'rfc9068' | 'jwt';
  /** `jwt` profile: the claim with the scopes, a space-separated string or an array. Default: `scope` (then `scp`). */
  readonly scopeClaim?: string;
  /** `jwt` profile: the claim naming the client. Default: `client_id` (then `azp`). */
  readonly clientIdClaim?: string;
  /** Signing algorithms accepted. Default: RS256, PS256, ES256, EdDSA. */
  readonly algorithms?: readonly string[];
  /** How long discovered metadata is used before it is fetched again. Default: 1 hour. */
  readonly metadataCacheMs?: number;
  readonly fetch?: typeof fetch;
}

const settingsSchema = z.object({
  profile: z.enum(['rfc9068', 'jwt']).default('rfc9068'),
  scopeClaim: z.string().regex(/^[\w.:-]{1,64}$/).optional(),
  clientIdClaim: z.string().regex(/^[\w.:-]{1,64}$/).optional(),
  algorithms: z.array(z.enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])).min(1).default(['RS256', 'PS256', 'ES256', 'EdDSA']),
  metadataCacheMs: z.number().int().min(1_000).max(86_400_000).default(3_600_000),
});

function unavailable(issuer: string, cause: unknown): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_ISSUER_UNAVAILABLE', `The authorization server ${issuer} could not be reached or answered something unusable; tokens cannot be checked until it can.`, { cause });
}

function refused(reason: string, cause?: unknown): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', `The access token was refused: ${reason}.`, cause === undefined ? undefined : { cause });
}

// A failure to fetch (the network, a 5xx, not JSON, a key set that is not one) is the issuer's;
// anything else is the token's.
function isFetchFailure(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return true;
  if (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC' && /Expected 200 OK|JSON/.test(error.message)) return true;
  return error instanceof oauth.OperationProcessingError && ['OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_HTTP_REQUEST_FORBIDDEN'].includes(error.code ?? '');
}

// The jwt profile still refuses what is plainly not a bearer access token: an ID token (`nonce`),
// a proof-of-possession token (`cnf`), a JWT typed as something else.
function notAnAccessToken(header: { typ?: string | undefined }, claims: JWTPayload): string | undefined {
  if (header.typ !== undefined && !['at+jwt', 'application/at+jwt', 'jwt'].includes(header.typ.toLowerCase())) return `its type is ${JSON.stringify(header.typ.slice(0, 40))}`;
  if ('nonce' in claims) return 'it is an ID token (it has a nonce)';
  if ('cnf' in claims) return 'it is bound to a key (cnf), which bearer use does not prove';
  return undefined;
}

function scopesOf(claims: JWTPayload, claim: string | undefined): readonly string[] {
  const value = claim === undefined ? (claims['scope'] ?? claims['scp']) : claims[claim];
  if (typeof value === 'string') return Object.freeze(value.split(' ').filter(Boolean));
  return Object.freeze(Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
}

function verified(token: string, claims: JWTPayload, clientId: unknown, scopes: readonly string[], resource: string): VerifiedAccessToken {
  if (typeof claims.sub !== 'string' || claims.sub === '') throw refused('it names no subject ("sub")');
  if (typeof clientId !== 'string' || clientId === '') throw refused('it names no client');
  if (typeof claims.exp !== 'number') throw refused('it has no expiry ("exp")');
  return Object.freeze({ token, clientId, scopes, expiresAt: claims.exp, resource: new URL(resource), extra: Object.freeze({ subject: claims.sub, jti: typeof claims.jti === 'string' ? claims.jti : '' }) });
}

// `aud` is compared as a string (RFC 7519): the audience exactly as configured, a trailing slash
// and all; a URL, `api://…` or a GUID alike.
function audienceOf(value: unknown): string {
  if (typeof value !== 'string' || !/^\S{1,500}$/.test(value)) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'audience must be one identifier of 1 to 500 characters without spaces.');
  return value;
}

/**
 * Verifies access tokens of an external authorization server for one resource.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_URL` or `OAUTH_SERVER_INVALID_OPTIONS` for bad options.
 * @example
 * ```ts
 * const external = externalTokenVerifier({ issuer: config.oauth.issuer, audience: `${config.baseUrl}/mcp` });
 * const auth = await external.verify(bearer); // OAUTH_SERVER_INVALID_TOKEN, or OAUTH_SERVER_ISSUER_UNAVAILABLE
 * ```
 */
export function externalTokenVerifier(options: ExternalIssuerOptions): { readonly issuer: string; verify(token: string): Promise<VerifiedAccessToken> } {
  // Checked, but used as given: the provider's metadata names its issuer exactly so.
  canonicalUrl(options.issuer, { field: 'issuer', allowQuery: false });
  const issuer = options.issuer;
  const audience = audienceOf(options.audience);
  const resource = canonicalUrl(options.resource ?? options.audience, { field: options.resource === undefined ? 'audience' : 'resource', allowQuery: true });
  const parsed = settingsSchema.safeParse({ profile: options.profile, scopeClaim: options.scopeClaim, clientIdClaim: options.clientIdClaim, algorithms: options.algorithms, metadataCacheMs: options.metadataCacheMs });
  if (!parsed.success) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `Invalid external issuer options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const settings = Object.freeze(parsed.data);
  const requestOptions = { ...(isLoopbackHostname(new URL(issuer).hostname) ? { [oauth.allowInsecureRequests]: true } : {}), ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}) };
  const jwksCache: oauth.JWKSCacheInput = {};
  let metadata: { value: Promise<oauth.AuthorizationServer>; at: number } | undefined;
  let remoteKeys: { uri: string; keys: ReturnType<typeof createRemoteJWKSet> } | undefined;

  const fetchMetadata = async (): Promise<oauth.AuthorizationServer> => {
    const url = new URL(issuer);
    for (const algorithm of ['oauth2', 'oidc'] as const) {
      const response = await oauth.discoveryRequest(url, { algorithm, ...requestOptions });
      if (response.ok) return oauth.processDiscoveryResponse(url, response);
    }
    throw new Error(`neither /.well-known/oauth-authorization-server nor /.well-known/openid-configuration answered for ${issuer}`);
  };
  const discover = (): Promise<oauth.AuthorizationServer> => {
    if (metadata !== undefined && Date.now() - metadata.at < settings.metadataCacheMs) return metadata.value;
    const previous = metadata;
    const value = fetchMetadata().catch((error: unknown) => {
      // Known metadata outlives a failed refresh (tried again in a minute); none known: nothing passes.
      if (previous === undefined) {
        metadata = undefined;
        throw error;
      }
      metadata = { value: previous.value, at: Date.now() - settings.metadataCacheMs + 60_000 };
      return previous.value;
    });
    metadata = { value, at: Date.now() };
    return value;
  };

  const verifyRfc9068 = async (as: oauth.AuthorizationServer, token: string) => {
    // The request is this server's resource (a URL); the audience, whatever it is, is checked apart.
    const request = new Request(resource, { headers: { authorization: `Bearer ${token}` } });
    const claims = await oauth.validateJwtAccessToken(as, request, audience, { ...requestOptions, [oauth.jwksCache]: jwksCache, signingAlgorithms: [...settings.algorithms] });
    return verified(token, claims, claims.client_id, scopesOf(claims, 'scope'), resource);
  };

  const verifyJwt = async (as: oauth.AuthorizationServer, token: string) => {
    if (typeof as.jwks_uri !== 'string') throw unavailable(issuer, new Error('the metadata has no jwks_uri'));
    const jwksUrl = new URL(as.jwks_uri);
    if (jwksUrl.protocol !== 'https:' && !(jwksUrl.protocol === 'http:' && isLoopbackHostname(jwksUrl.hostname))) throw unavailable(issuer, new Error('its jwks_uri is not https'));
    if (remoteKeys?.uri !== as.jwks_uri) remoteKeys = { uri: as.jwks_uri, keys: createRemoteJWKSet(jwksUrl, { timeoutDuration: 5_000 }) };
    const { payload, protectedHeader } = await jwtVerify(token, remoteKeys.keys, { issuer: as.issuer, audience, algorithms: [...settings.algorithms], requiredClaims: ['sub', 'exp'] });
    const problem = notAnAccessToken(protectedHeader, payload);
    if (problem !== undefined) throw refused(problem);
    const clientId = settings.clientIdClaim === undefined ? (payload['client_id'] ?? payload['azp']) : payload[settings.clientIdClaim];
    return verified(token, payload, clientId, scopesOf(payload, settings.scopeClaim), resource);
  };

  return Object.freeze({
    issuer,
    async verify(token: string): Promise<VerifiedAccessToken> {
      let as: oauth.AuthorizationServer;
      try {
        as = await discover();
      } catch (error) {
        throw unavailable(issuer, error);
      }
      try {
        return settings.profile === 'rfc9068' ? await verifyRfc9068(as, token) : await verifyJwt(as, token);
      } catch (error) {
        if (OAuthServerError.isInstance(error)) throw error;
        if (isFetchFailure(error)) throw unavailable(issuer, error);
        // The cause keeps the validator's message, not the claims.
        throw refused(`it did not pass the ${settings.profile === 'rfc9068' ? 'RFC 9068' : 'JWT'} checks for ${audience} (${(error as Error).message})`, new Error((error as Error).message));
      }
    },
  });
}

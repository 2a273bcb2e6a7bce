// RFC 9068 JWT access tokens: ES256, `typ: at+jwt`, the resource (RFC 8707) as the audience, and
// `client_id`, `scope` and `jti`. Verified strictly: the issuer, the audience, the type, the
// algorithm, the expiry and the required claims.
import { randomUUID } from 'node:crypto';

import { createLocalJWKSet, errors, jwtVerify, SignJWT } from 'jose';

import { OAuthServerError } from '../errors.js';
import { checkScopes } from '../scopes.js';
import type { SigningKeys } from './signing-keys.js';

/**
 * Who a token is for and what it allows.
 *
 * @example
 * ```ts
 * const grant: AccessTokenGrant = { subject: 'user-1', clientId: 'https://app.example/client.json', scopes: ['run'], resource: 'https://mcp.example/mcp' };
 * ```
 */
export interface AccessTokenGrant {
  /** The user (`sub`); for client_credentials, the client itself. */
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** The protected resource the token is for (RFC 8707): its audience. */
  readonly resource: string;
  /** The grant the token comes from (`grant_id`): revoking the grant stops the token. */
  readonly grantId?: string;
}

/**
 * A verified access token, in the shape the MCP SDK's `AuthInfo` takes (`expiresAt` in seconds,
 * `resource` as a URL).
 *
 * @example
 * ```ts
 * const auth: VerifiedAccessToken = await verifier.verify(bearer, { resource });
 * ```
 */
export interface VerifiedAccessToken {
  readonly token: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly resource: URL;
  readonly extra: { readonly subject: string; readonly jti: string; readonly grantId?: string };
}

/**
 * Options of {@link issueAccessToken} and {@link accessTokenVerifier}.
 *
 * @example
 * ```ts
 * const options: AccessTokenOptions = { issuer: 'https://mcp.example', keys, lifetimeMs: 3_600_000 };
 * ```
 */
export interface AccessTokenOptions {
  readonly issuer: string;
  readonly keys: SigningKeys;
  /** How long an issued token is valid. Default: 1 hour (at most 24 hours). */
  readonly lifetimeMs?: number;
  /** Clock skew allowed when verifying, in seconds. Default: 30. */
  readonly clockToleranceSeconds?: number;
  /** Asked, when verifying a token that names its grant, whether that grant was revoked. */
  readonly isGrantRevoked?: (grantId: string) => Promise<boolean>;
  readonly now?: () => number;
}

const MAX_LIFETIME_MS = 86_400_000;
// A token whose signature and claims checked out is remembered this long (never past its expiry),
// so that a client's every request does not pay for ES256 again; revocation is asked each time.
const VERIFIED_FOR_MS = 60_000;
const VERIFIED_KEPT = 2_000;

// A token must not outlive the publication of the key that signed it.
function lifetimeOf(options: AccessTokenOptions): number {
  const lifetime = options.lifetimeMs ?? 3_600_000;
  const longest = Math.min(MAX_LIFETIME_MS, options.keys.longestTokenLifetimeMs);
  if (!Number.isInteger(lifetime) || lifetime < 1_000 || lifetime > longest) {
    throw new OAuthServerError(
      'OAUTH_SERVER_INVALID_OPTIONS',
      `lifetimeMs must be a whole number of milliseconds from 1000 to ${longest} (got ${String(lifetime)}); a longer one needs SigningKeys keepReplacedMs of at least the lifetime plus 5 minutes.`,
    );
  }
  return lifetime;
}

/**
 * Signs an access token for `grant` with the current signing key.
 *
 * @example
 * ```ts
 * const { token, expiresAt } = await issueAccessToken({ issuer, keys }, { subject, clientId, scopes: ['run'], resource });
 * ```
 */
export async function issueAccessToken(options: AccessTokenOptions, grant: AccessTokenGrant): Promise<{ token: string; expiresAt: number; jti: string }> {
  const scopes = checkScopes(grant.scopes, 'scopes');
  const now = (options.now ?? Date.now)();
  const expiresAt = now + lifetimeOf(options);
  const { kid, alg, privateKey } = await options.keys.current();
  const jti = randomUUID();
  const token = await new SignJWT({ client_id: grant.clientId, scope: scopes.join(' '), ...(grant.grantId === undefined ? {} : { grant_id: grant.grantId }) })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .setIssuer(options.issuer)
    .setAudience(grant.resource)
    .setSubject(grant.subject)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.floor(expiresAt / 1000))
    .setJti(jti)
    .sign(privateKey);
  return { token, expiresAt, jti };
}

// What a verifier tells a client (and the log) about a refused token: never the token itself.
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `its "${error.claim}" claim is not valid here (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'its signing algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'it is signed with a key this server does not publish';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not match';
  return 'it is not a well-formed signed JWT';
}

/**
 * Verifies the access tokens this server issued, for one protected resource at a time.
 *
 * @example
 * ```ts
 * const verifier = accessTokenVerifier({ issuer, keys });
 * const auth = await verifier.verify(bearer, { resource: 'https://mcp.example/mcp' });
 * ```
 */
export function accessTokenVerifier(options: AccessTokenOptions): { verify(token: string, expected: { readonly resource: string }): Promise<VerifiedAccessToken> } {
  const now = options.now ?? Date.now;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  // The key set is imported once per version of it (jwks() hands out the same object while it holds).
  const imported = new WeakMap<object, ReturnType<typeof createLocalJWKSet>>();
  const keySet = async () => {
    const published = await options.keys.jwks();
    let local = imported.get(published);
    if (local === undefined) imported.set(published, (local = createLocalJWKSet(published)));
    return local;
  };
  // Token and resource → its claims and until when they may be used without checking again.
  const verified = new Map<string, { readonly payload: Record<string, unknown>; readonly until: number }>();
  const remember = (key: string, payload: Record<string, unknown>) => {
    if (verified.size >= VERIFIED_KEPT) verified.delete(verified.keys().next().value!);
    verified.set(key, { payload, until: Math.min(Number(payload['exp']) * 1000, now() + VERIFIED_FOR_MS) });
  };
  const recalled = (key: string) => {
    const entry = verified.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now()) return entry.payload;
    verified.delete(key);
    return undefined;
  };
  const check = async (token: string, resource: string) => {
    const verifyWithKeys = (candidate: string, keys: ReturnType<typeof createLocalJWKSet>) =>
      jwtVerify(candidate, keys, {
        issuer: options.issuer,
        audience: resource,
        algorithms: ['ES256'],
        typ: 'at+jwt',
        requiredClaims: ['sub', 'client_id', 'jti', 'iat', 'exp'],
        clockTolerance,
        currentDate: new Date(now()),
        maxTokenAge: MAX_LIFETIME_MS / 1000 + clockTolerance,
      });
    try {
      const { payload } = await verifyWithKeys(token, await keySet()).catch(async (error: unknown) => {
        // A key id we do not know may be another process's new key: read the store once more.
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        options.keys.refresh();
        return verifyWithKeys(token, await keySet());
      });
      if (Number(payload['exp']) - Number(payload['iat']) > MAX_LIFETIME_MS / 1000) throw new errors.JWTClaimValidationFailed('lives longer than any token this server issues', payload, 'exp', 'check_failed');
      return payload as Record<string, unknown>;
    } catch (error) {
      // The store failing is not the token's fault: it says so.
      if (OAuthServerError.isInstance(error)) throw error;
      // The cause keeps jose's code and message, not the claims (a logged error must not carry them).
      const cause = error instanceof errors.JOSEError ? Object.assign(new Error(error.message), { code: error.code }) : error;
      throw new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', `The access token was refused: ${reasonOf(error)}.`, { cause });
    }
  };
  return {
    async verify(token, expected) {
      const key = `${expected.resource}\n${token}`;
      let payload = recalled(key);
      if (payload === undefined) remember(key, (payload = await check(token, expected.resource)));
      const grantId = typeof payload['grant_id'] === 'string' ? payload['grant_id'] : undefined;
      if (grantId !== undefined && (await options.isGrantRevoked?.(grantId)) === true) {
        throw new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', 'The access token was refused: its grant was revoked.');
      }
      const scope = typeof payload['scope'] === 'string' ? payload['scope'] : '';
      return {
        token,
        clientId: String(payload['client_id']),
        scopes: Object.freeze(scope.split(' ').filter(Boolean)),
        expiresAt: Number(payload['exp']),
        resource: new URL(expected.resource),
        extra: Object.freeze({ subject: String(payload['sub']), jti: String(payload['jti']), ...(grantId === undefined ? {} : { grantId }) }),
      };
    },
  };
}

// Sign-in delegated to an upstream OpenID provider (the company's identity provider), with
// oauth4webapi as its client: the authorization code flow with PKCE, state and nonce, the ID
// token validated, and its subject mapped to a user of this authorization server. The tokens the
// provider issues stay here: clients only ever get this server's own.
import { randomUUID } from 'node:crypto';

import * as oauth from 'oauth4webapi';

import { OAuthServerError } from '../errors.js';
import { hashSecret } from '../grants/secrets.js';
import type { AuthorizationStore, UserRecord } from '../store/authorization-store.js';
import { canonicalUrl, isLoopbackHostname } from '../urls.js';

/**
 * Options of the upstream sign-in (`AuthorizationServerOptions.upstream`).
 *
 * @example
 * ```ts
 * const upstream: UpstreamSignInOptions = { issuer: 'https://id.example.com', clientId: 'claude-code-mcp', clientSecret, admins: ['alice@example.com'] };
 * ```
 */
export interface UpstreamSignInOptions {
  readonly issuer: string;
  /** This server's client at the provider; its redirect URI there is `<issuer of this server>/oauth/upstream/callback`. */
  readonly clientId: string;
  /** For a confidential client at the provider (HTTP Basic); none for a public one. */
  readonly clientSecret?: string;
  /** Default: `openid email profile`. */
  readonly scope?: string;
  /** Shown on the button ("Sign in with …"). Default: the provider's host. */
  readonly name?: string;
  /** Upstream subjects (`sub`) or e-mail addresses (`email`, verified) that are administrators here. */
  readonly admins?: readonly string[];
  readonly fetch?: typeof fetch;
}

const LOGIN_LIFETIME_MS = 10 * 60_000;

/** The upstream sign-in of one authorization server. */
export class UpstreamSignIn {
  readonly name: string;
  readonly #issuer: string;
  readonly #client: oauth.Client;
  readonly #auth: oauth.ClientAuth;
  readonly #scope: string;
  readonly #admins: ReadonlySet<string>;
  readonly #callback: string;
  readonly #store: AuthorizationStore;
  readonly #now: () => number;
  readonly #request: { [oauth.allowInsecureRequests]?: boolean; [oauth.customFetch]?: typeof fetch };
  #metadata: Promise<oauth.AuthorizationServer> | undefined;

  constructor(options: UpstreamSignInOptions, context: { readonly callbackUrl: string; readonly store: AuthorizationStore; readonly now: () => number }) {
    this.#issuer = canonicalUrl(options.issuer, { field: 'upstream.issuer', allowQuery: false });
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'upstream.clientId must name this server’s client at the provider.');
    this.#client = { client_id: options.clientId };
    this.#auth = options.clientSecret ? oauth.ClientSecretBasic(options.clientSecret) : oauth.None();
    this.#scope = options.scope ?? 'openid email profile';
    if (!this.#scope.split(' ').includes('openid')) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', 'upstream.scope must include openid.');
    this.#admins = new Set(options.admins ?? []);
    this.name = options.name ?? new URL(this.#issuer).host;
    this.#callback = context.callbackUrl;
    this.#store = context.store;
    this.#now = context.now;
    this.#request = { ...(isLoopbackHostname(new URL(this.#issuer).hostname) ? { [oauth.allowInsecureRequests]: true } : {}), ...(options.fetch ? { [oauth.customFetch]: options.fetch } : {}) };
  }

  // Discovered once; a failure is tried again next time.
  #discover(): Promise<oauth.AuthorizationServer> {
    const url = new URL(this.#issuer);
    this.#metadata ??= oauth
      .discoveryRequest(url, { algorithm: 'oidc', ...this.#request })
      .then((response) => oauth.processDiscoveryResponse(url, response))
      .catch((error: unknown) => {
        this.#metadata = undefined;
        throw new OAuthServerError('OAUTH_SERVER_ISSUER_UNAVAILABLE', `The sign-in provider ${this.#issuer} could not be reached.`, { cause: error });
      });
    return this.#metadata;
  }

  /** Where to send the browser for the authorization request `interactionId`. */
  async start(interactionId: string): Promise<string> {
    const as = await this.#discover();
    const state = oauth.generateRandomState();
    const nonce = oauth.generateRandomNonce();
    const codeVerifier = oauth.generateRandomCodeVerifier();
    await this.#store.upstreamLogins.add({ stateHash: hashSecret(state), interactionId, nonce, codeVerifier, expiresAt: this.#now() + LOGIN_LIFETIME_MS });
    const url = new URL(as.authorization_endpoint!);
    const params = { response_type: 'code', client_id: this.#client.client_id, redirect_uri: this.#callback, scope: this.#scope, state, nonce, code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256' };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /**
   * Completes a sign-in from the provider's redirect: the interaction it was for, and the user
   * (created the first time), or the provider's error (`denied`).
   */
  async finish(callback: URL): Promise<{ interactionId: string; user: UserRecord } | { interactionId: string; denied: string } | undefined> {
    const state = callback.searchParams.get('state');
    const login = state === null ? undefined : await this.#store.upstreamLogins.take(hashSecret(state), this.#now());
    if (login === undefined) return undefined;
    const as = await this.#discover();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.#client, callback, state!);
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) return { interactionId: login.interactionId, denied: error.error };
      throw new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', 'The sign-in provider’s answer did not pass its checks.', { cause: error });
    }
    try {
      const response = await oauth.authorizationCodeGrantRequest(as, this.#client, this.#auth, params, this.#callback, login.codeVerifier, this.#request);
      const result = await oauth.processAuthorizationCodeResponse(as, this.#client, response, { expectedNonce: login.nonce, requireIdToken: true });
      const claims = oauth.getValidatedIdTokenClaims(result)!;
      return { interactionId: login.interactionId, user: await this.#userOf(claims, await this.#email(as, result, claims)) };
    } catch (error) {
      throw new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', 'The sign-in provider’s tokens did not pass their checks.', { cause: error });
    }
  }

  // The verified e-mail: from the ID token, else (providers keep it there) from UserInfo.
  async #email(as: oauth.AuthorizationServer, result: oauth.TokenEndpointResponse, claims: oauth.IDToken): Promise<string | undefined> {
    const verified = (source: Record<string, unknown>) => (source['email_verified'] === true && typeof source['email'] === 'string' ? source['email'] : undefined);
    if (verified(claims) !== undefined || this.#admins.size === 0 || as.userinfo_endpoint === undefined) return verified(claims);
    const response = await oauth.userInfoRequest(as, this.#client, result.access_token, this.#request);
    return verified(await oauth.processUserInfoResponse(as, this.#client, claims.sub, response));
  }

  // One user here per upstream subject; an administrator when the subject or a verified e-mail is listed.
  async #userOf(claims: oauth.IDToken, email: string | undefined): Promise<UserRecord> {
    const username = `oidc:${new URL(this.#issuer).host}:${claims.sub}`;
    const admin = this.#admins.has(claims.sub) || (email !== undefined && this.#admins.has(email));
    const known = await this.#store.users.findByName(username);
    if (known !== undefined) return { ...known, admin };
    // No password: such a user can only sign in through the provider.
    const user: UserRecord = { userId: randomUUID(), username, passwordHash: 'upstream', admin, createdAt: this.#now() };
    await this.#store.users.add(user);
    return user;
  }
}

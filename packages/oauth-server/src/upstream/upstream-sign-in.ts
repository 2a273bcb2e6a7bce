// Sign-in delegated to an upstream OpenID provider (the company's identity provider), with
// oauth4webapi as its client: the authorization code flow with PKCE, state and nonce, the ID
// token validated, and its subject mapped to a user of this authorization server. The tokens the
// provider issues stay here: clients only ever get this server's own.
import { createHash, randomUUID } from 'node:crypto';

import * as oauth from 'oauth4webapi';

import { OAuthServerError } from '../errors.js';
import { hashSecret } from '../grants/secrets.js';
import type { AuthorizationStore, UpstreamLoginRecord, UserRecord } from '../store/authorization-store.js';
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
  /**
   * Who may sign in: `alice@example.com` (a verified e-mail), `@example.com` (every verified
   * address of a domain), `sub:<subject>`, or `*` (everyone the provider signs in — with `run`
   * that is a shell on this host, so say it explicitly). Administrators may always.
   */
  readonly allowed: readonly string[];
  /** Administrators here, in the same form. */
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
  readonly #admins: readonly string[];
  readonly #allowed: readonly string[];
  readonly #userPrefix: string;
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
    this.#admins = checkPeople(options.admins ?? [], 'upstream.admins');
    this.#allowed = checkPeople(options.allowed, 'upstream.allowed');
    // One user per provider and subject: two realms on one host are two providers.
    this.#userPrefix = `oidc:${createHash('sha256').update(this.#issuer).digest('hex').slice(0, 16)}:`;
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

  /** The sign-in a redirect from the provider belongs to (taken: it completes once), or `undefined`. */
  async take(callback: URL): Promise<UpstreamLoginRecord | undefined> {
    const state = callback.searchParams.get('state');
    return state === null ? undefined : this.#store.upstreamLogins.take(hashSecret(state), this.#now());
  }

  /**
   * Completes a taken sign-in: the user (created the first time), the provider's refusal
   * (`denied`), or `notAllowed` for a person this server does not let in.
   */
  async finish(login: UpstreamLoginRecord, callback: URL): Promise<{ user: UserRecord } | { denied: string } | { notAllowed: string }> {
    const as = await this.#discover();
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, this.#client, callback, callback.searchParams.get('state') ?? '');
    } catch (error) {
      if (error instanceof oauth.AuthorizationResponseError) return { denied: error.error };
      throw new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', 'The sign-in provider’s answer did not pass its checks.', { cause: error });
    }
    let claims: oauth.IDToken;
    let email: string | undefined;
    try {
      const response = await oauth.authorizationCodeGrantRequest(as, this.#client, this.#auth, params, this.#callback, login.codeVerifier, this.#request);
      const result = await oauth.processAuthorizationCodeResponse(as, this.#client, response, { expectedNonce: login.nonce, requireIdToken: true });
      claims = oauth.getValidatedIdTokenClaims(result)!;
      email = await this.#email(as, result, claims);
    } catch (error) {
      throw new OAuthServerError('OAUTH_SERVER_INVALID_TOKEN', 'The sign-in provider’s tokens did not pass their checks.', { cause: error });
    }
    const admin = matchesPerson(this.#admins, claims.sub, email);
    if (!admin && !matchesPerson(this.#allowed, claims.sub, email)) return { notAllowed: email ?? claims.sub };
    return { user: await this.#userOf(claims.sub, admin) };
  }

  // The verified e-mail: from the ID token, else (providers keep it there) from UserInfo.
  async #email(as: oauth.AuthorizationServer, result: oauth.TokenEndpointResponse, claims: oauth.IDToken): Promise<string | undefined> {
    const verified = (source: Record<string, unknown>) => (source['email_verified'] === true && typeof source['email'] === 'string' ? source['email'].toLowerCase() : undefined);
    if (verified(claims) !== undefined || as.userinfo_endpoint === undefined) return verified(claims);
    const response = await oauth.userInfoRequest(as, this.#client, result.access_token, this.#request);
    return verified(await oauth.processUserInfoResponse(as, this.#client, claims.sub, response));
  }

  // One user here per provider and subject; whether an administrator is decided at each sign-in.
  async #userOf(subject: string, admin: boolean): Promise<UserRecord> {
    const username = `${this.#userPrefix}${subject}`;
    const known = await this.#store.users.findByName(username);
    if (known !== undefined) {
      if (known.admin !== admin) await this.#store.users.setAdmin(known.userId, admin);
      return { ...known, admin };
    }
    // No password: such a user can only sign in through the provider.
    const user: UserRecord = { userId: randomUUID(), username, passwordHash: 'upstream', admin, createdAt: this.#now() };
    await this.#store.users.add(user);
    return user;
  }
}

/** Checks a list of people: verified e-mails, `@domain`, `sub:<subject>`, or `*`. */
function checkPeople(value: unknown, field: string): readonly string[] {
  const entries: unknown[] = Array.isArray(value) ? (value as unknown[]) : [];
  const people = entries.filter((entry): entry is string => typeof entry === 'string' && /^(\*|sub:\S{1,255}|@[\w.-]{1,253}|[^\s@]{1,64}@[\w.-]{1,253})$/.test(entry));
  if (!Array.isArray(value) || people.length !== entries.length) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `${field} must list e-mail addresses, @domains, sub:<subject> entries or *.`);
  }
  return Object.freeze(people.map((entry) => (entry.startsWith('sub:') ? entry : entry.toLowerCase())));
}

function matchesPerson(people: readonly string[], subject: string, email: string | undefined): boolean {
  return people.some((entry) => entry === '*' || entry === `sub:${subject}` || (email !== undefined && (entry === email || (entry.startsWith('@') && email.endsWith(entry)))));
}

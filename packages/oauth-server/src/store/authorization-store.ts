// Where the authorization server keeps its state: narrow asynchronous interfaces that name no
// database, so another backend (PostgreSQL, for several replicas) can implement them. Secrets
// (codes, refresh tokens, CSRF tokens) are stored as SHA-256 hashes, never as given out.
import type { OAuthClient } from '../clients/oauth-client.js';
import type { KeyStore } from '../tokens/key-store.js';

/** A person who can sign in at the authorize endpoint. */
export interface UserRecord {
  readonly userId: string;
  /** Compared case-sensitively, as typed. */
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash` (base64url parts). */
  readonly passwordHash: string;
  readonly admin: boolean;
  readonly createdAt: number;
}

/** A client registered at the registration endpoint (RFC 7591). */
export interface RegisteredClientRecord extends OAuthClient {
  readonly source: 'registered';
  readonly createdAt: number;
}

/** An authorization request waiting for the person to sign in and decide. Single use. */
export interface InteractionRecord {
  readonly id: string;
  /** Hash of the CSRF token the page's form carries. */
  readonly csrfHash: string;
  /** Hash of the cookie that binds the interaction to the browser that started it. */
  readonly browserHash: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Whether the request named its redirect URI (else the client's only one was taken). */
  readonly redirectUriGiven?: boolean;
  readonly state: string | null;
  readonly codeChallenge: string;
  readonly scopes: readonly string[];
  readonly resource: string;
  readonly expiresAt: number;
}

/** An issued authorization code, until it is redeemed once. */
export interface AuthorizationCodeRecord {
  readonly codeHash: string;
  readonly grantId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly redirectUri: string;
  /** Whether the authorization request named it: then the token request must too. */
  readonly redirectUriGiven?: boolean;
  readonly codeChallenge: string;
  readonly scopes: readonly string[];
  readonly resource: string;
  readonly expiresAt: number;
  /** Set when redeemed: a second redemption revokes the grant. */
  readonly usedAt: number | null;
}

/**
 * What a person allowed a client: the code, every refresh token and every access token that came
 * from it share this grant, and go together when it is revoked.
 */
export interface GrantRecord {
  readonly grantId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly resource: string;
  readonly createdAt: number;
  /** No refresh past this (absolute lifetime of the grant). */
  readonly expiresAt: number;
  readonly revokedAt: number | null;
}

/** One refresh token of a grant. Each use spends it and issues its successor (rotation). */
export interface RefreshTokenRecord {
  readonly tokenHash: string;
  readonly grantId: string;
  /** The token this one replaced, or `null` for the first of its grant. */
  readonly parentHash: string | null;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly spentAt: number | null;
  /** `used` by its client; `superseded` when a retry of its parent replaced it (no grace for it then). */
  readonly spentHow: 'used' | 'superseded' | null;
}

/** A sign-in sent to the upstream OpenID provider, until it comes back. Single use. */
export interface UpstreamLoginRecord {
  /** Hash of the `state` sent upstream. */
  readonly stateHash: string;
  /** The authorization request it signs in for. */
  readonly interactionId: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly expiresAt: number;
}

/** What a person approved for a client, kept per subject and client (never shared across clients). */
export interface ConsentRecord {
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly resource: string;
  readonly grantedAt: number;
}

/**
 * The authorization server's state. Every method may reject with `OAUTH_SERVER_STORE_FAILED`.
 *
 * @example
 * ```ts
 * const store: AuthorizationStore = createMemoryAuthorizationStore();
 * await store.users.add(admin);
 * ```
 */
export interface AuthorizationStore {
  readonly keys: KeyStore;
  readonly users: {
    findByName(username: string): Promise<UserRecord | undefined>;
    find(userId: string): Promise<UserRecord | undefined>;
    /** Rejects with `OAUTH_SERVER_STORE_FAILED` when the user name is taken. */
    add(user: UserRecord): Promise<void>;
    /** Records whether the user is an administrator now (an upstream list decides it at each sign-in). */
    setAdmin(userId: string, admin: boolean): Promise<void>;
    count(): Promise<number>;
  };
  readonly clients: {
    find(clientId: string): Promise<RegisteredClientRecord | undefined>;
    add(client: RegisteredClientRecord): Promise<void>;
    count(): Promise<number>;
    /** Registrations since `since` (epoch ms), for a budget of registrations over all clients. */
    countSince(since: number): Promise<number>;
    /** Removes clients registered before `before` that never got a grant. */
    pruneUnused(before: number): Promise<void>;
  };
  readonly interactions: {
    add(interaction: InteractionRecord): Promise<void>;
    find(id: string): Promise<InteractionRecord | undefined>;
    /** `true` for the one caller that removed it: an interaction completes once. */
    take(id: string): Promise<boolean>;
    /** Removes those expired by `now`. */
    prune(now: number): Promise<void>;
  };
  readonly codes: {
    add(code: AuthorizationCodeRecord): Promise<void>;
    find(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
    /** Marks the code used if nobody has: `true` for the one caller that did. */
    redeem(codeHash: string, at: number): Promise<boolean>;
    prune(now: number): Promise<void>;
  };
  readonly grants: {
    /** Adds the grant, unless one with its id exists (two redemptions of one code add it once). */
    add(grant: GrantRecord): Promise<void>;
    find(grantId: string): Promise<GrantRecord | undefined>;
    /** Revokes the grant (a no-op when it already is). */
    revoke(grantId: string, at: number): Promise<void>;
    /** Removes grants that ended (expired, or revoked) before `before`, with their refresh tokens. */
    prune(before: number): Promise<void>;
  };
  readonly refreshTokens: {
    add(token: RefreshTokenRecord): Promise<void>;
    find(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
    /** The token issued when `tokenHash` was spent, if any. */
    findChild(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
    /**
     * Spends `parentHash` if nobody has and adds `child` (its successor), as one step: `true` for
     * the one caller that did. A concurrent caller finds the token spent and its successor there.
     */
    rotate(parentHash: string, child: RefreshTokenRecord, at: number, how: 'used' | 'superseded'): Promise<boolean>;
  };
  readonly consents: {
    find(subject: string, clientId: string): Promise<ConsentRecord | undefined>;
    put(consent: ConsentRecord): Promise<void>;
  };
  readonly upstreamLogins: {
    add(login: UpstreamLoginRecord): Promise<void>;
    /** Removes and returns it: the one caller that gets it completes the sign-in. Expired ones are dropped by `now`. */
    take(stateHash: string, now: number): Promise<UpstreamLoginRecord | undefined>;
    prune(now: number): Promise<void>;
  };
}

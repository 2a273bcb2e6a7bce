// The authorization server's state in memory: for tests, and for a server that may forget every
// client, grant and user when it restarts.
import { OAuthServerError } from '../errors.js';
import { createMemoryKeyStore } from '../tokens/key-store.js';
import type { AuthorizationCodeRecord, AuthorizationStore, ConsentRecord, GrantRecord, InteractionRecord, RefreshTokenRecord, RegisteredClientRecord, UpstreamLoginRecord, UserRecord } from './authorization-store.js';

const copy = <T extends object>(record: T): T => Object.freeze(structuredClone(record));

/**
 * An {@link AuthorizationStore} in memory.
 *
 * @example
 * ```ts
 * const server = await registerAuthorizationServer(app, { ...options, store: createMemoryAuthorizationStore() });
 * ```
 */
export function createMemoryAuthorizationStore(): AuthorizationStore {
  const users = new Map<string, UserRecord>();
  const clients = new Map<string, RegisteredClientRecord>();
  const interactions = new Map<string, InteractionRecord>();
  const codes = new Map<string, AuthorizationCodeRecord>();
  const grants = new Map<string, GrantRecord>();
  const refreshTokens = new Map<string, RefreshTokenRecord>();
  const consents = new Map<string, ConsentRecord>();
  const upstreamLogins = new Map<string, UpstreamLoginRecord>();
  const done = <T>(value: T): Promise<T> => Promise.resolve(value);
  const once = <T extends object>(map: Map<string, T>, key: string, change: (record: T) => T | undefined): boolean => {
    const record = map.get(key);
    const next = record === undefined ? undefined : change(record);
    if (next === undefined) return false;
    map.set(key, copy(next));
    return true;
  };
  return Object.freeze({
    keys: createMemoryKeyStore(),
    users: Object.freeze({
      findByName: (username: string) => done([...users.values()].find((user) => user.username === username)),
      find: (userId: string) => done(users.get(userId)),
      add: (user: UserRecord) => {
        if (users.has(user.userId) || [...users.values()].some((known) => known.username === user.username)) {
          return Promise.reject(new OAuthServerError('OAUTH_SERVER_STORE_FAILED', `The user name ${JSON.stringify(user.username)} is taken.`));
        }
        users.set(user.userId, copy(user));
        return done(undefined);
      },
      count: () => done(users.size),
      setAdmin: (userId: string, admin: boolean) => done(void once(users, userId, (user) => ({ ...user, admin }))),
    }),
    clients: Object.freeze({
      find: (clientId: string) => done(clients.get(clientId)),
      add: (client: RegisteredClientRecord) => done(void clients.set(client.clientId, copy(client))),
      count: () => done(clients.size),
      countSince: (since: number) => done([...clients.values()].filter((client) => client.createdAt >= since).length),
      pruneUnused: (before: number) => {
        const used = new Set([...grants.values()].map((grant) => grant.clientId));
        for (const [id, client] of clients) if (client.createdAt < before && !used.has(id)) clients.delete(id);
        return done(undefined);
      },
    }),
    interactions: Object.freeze({
      add: (interaction: InteractionRecord) => done(void interactions.set(interaction.id, copy(interaction))),
      find: (id: string) => done(interactions.get(id)),
      take: (id: string) => done(interactions.delete(id)),
      prune: (now: number) => done(void [...interactions].forEach(([id, record]) => record.expiresAt <= now && interactions.delete(id))),
    }),
    codes: Object.freeze({
      add: (code: AuthorizationCodeRecord) => done(void codes.set(code.codeHash, copy(code))),
      find: (codeHash: string) => done(codes.get(codeHash)),
      redeem: (codeHash: string, at: number) => done(once(codes, codeHash, (code) => (code.usedAt === null ? { ...code, usedAt: at } : undefined))),
      // A used code is kept until it expires: a second redemption must still be recognised.
      prune: (now: number) => done(void [...codes].forEach(([hash, record]) => record.expiresAt <= now && codes.delete(hash))),
    }),
    grants: Object.freeze({
      add: (grant: GrantRecord) => done(void (grants.has(grant.grantId) || grants.set(grant.grantId, copy(grant)))),
      find: (grantId: string) => done(grants.get(grantId)),
      revoke: (grantId: string, at: number) => done(void once(grants, grantId, (grant) => (grant.revokedAt === null ? { ...grant, revokedAt: at } : undefined))),
      prune: (before: number) => {
        for (const [id, grant] of grants) {
          if (grant.expiresAt >= before && (grant.revokedAt === null || grant.revokedAt >= before)) continue;
          grants.delete(id);
          for (const [hash, token] of refreshTokens) if (token.grantId === id) refreshTokens.delete(hash);
        }
        return done(undefined);
      },
    }),
    refreshTokens: Object.freeze({
      add: (token: RefreshTokenRecord) => done(void refreshTokens.set(token.tokenHash, copy(token))),
      find: (tokenHash: string) => done(refreshTokens.get(tokenHash)),
      findChild: (tokenHash: string) => done([...refreshTokens.values()].find((token) => token.parentHash === tokenHash)),
      rotate: (parentHash: string, child: RefreshTokenRecord, at: number, how: 'used' | 'superseded') => {
        const spent = once(refreshTokens, parentHash, (token) => (token.spentAt === null ? { ...token, spentAt: at, spentHow: how } : undefined));
        if (spent) refreshTokens.set(child.tokenHash, copy(child));
        return done(spent);
      },
    }),
    upstreamLogins: Object.freeze({
      add: (login: UpstreamLoginRecord) => done(void upstreamLogins.set(login.stateHash, copy(login))),
      take: (stateHash: string, now: number) => {
        for (const [hash, login] of upstreamLogins) if (login.expiresAt <= now) upstreamLogins.delete(hash);
        const login = upstreamLogins.get(stateHash);
        upstreamLogins.delete(stateHash);
        return done(login);
      },
      prune: (now: number) => done(void [...upstreamLogins].forEach(([hash, login]) => login.expiresAt <= now && upstreamLogins.delete(hash))),
    }),
    consents: Object.freeze({
      find: (subject: string, clientId: string) => done(consents.get(JSON.stringify([subject, clientId]))),
      put: (consent: ConsentRecord) => done(void consents.set(JSON.stringify([consent.subject, consent.clientId]), copy(consent))),
    }),
  });
}

// The authorization server's state in one SQLite file: the embedded default. Statements are
// prepared once; the compare-and-set methods (redeem, spend, take) are single UPDATE/DELETE
// statements, so two servers on one file cannot both win.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

import { KEY_SCHEMA, sqliteKeyStore } from '../tokens/sqlite-key-store.js';
import type {
  AuthorizationCodeRecord,
  AuthorizationStore,
  ConsentRecord,
  GrantRecord,
  InteractionRecord,
  RefreshTokenRecord,
  RegisteredClientRecord,
  UpstreamLoginRecord,
  UserRecord,
} from './authorization-store.js';
import { openPrivateDatabase, type StoreOperation } from './sqlite-file.js';

const SCHEMA = `${KEY_SCHEMA}
  CREATE TABLE IF NOT EXISTS users (
    user_id TEXT NOT NULL PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
    admin INTEGER NOT NULL, created_at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS clients (client_id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, created_at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS interactions (id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS codes (code_hash TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER) STRICT;
  CREATE TABLE IF NOT EXISTS grants (grant_id TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, revoked_at INTEGER) STRICT;
  CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY, grant_id TEXT NOT NULL, parent_hash TEXT UNIQUE,
    issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, spent_at INTEGER, spent_how TEXT) STRICT;
  CREATE INDEX IF NOT EXISTS refresh_tokens_grant ON refresh_tokens (grant_id);
  CREATE TABLE IF NOT EXISTS upstream_logins (state_hash TEXT NOT NULL PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS consents (subject TEXT NOT NULL, client_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (subject, client_id)) STRICT;
  CREATE INDEX IF NOT EXISTS interactions_expiry ON interactions (expires_at);
  CREATE INDEX IF NOT EXISTS codes_expiry ON codes (expires_at);
  CREATE INDEX IF NOT EXISTS upstream_logins_expiry ON upstream_logins (expires_at);
  CREATE INDEX IF NOT EXISTS clients_created ON clients (created_at);
`;

type Row = Record<string, unknown>;

const json = <T>(row: Row | undefined, extra: (row: Row) => Partial<T> = () => ({})): T | undefined =>
  row === undefined ? undefined : Object.freeze({ ...(JSON.parse(String(row['record'])) as T), ...extra(row) });

function userOf(row: Row | undefined): UserRecord | undefined {
  if (row === undefined) return undefined;
  return Object.freeze({ userId: String(row['user_id']), username: String(row['username']), passwordHash: String(row['password_hash']), admin: row['admin'] === 1, createdAt: Number(row['created_at']) });
}

function refreshTokenOf(row: Row | undefined): RefreshTokenRecord | undefined {
  if (row === undefined) return undefined;
  const nullable = (value: unknown) => (value == null ? null : value);
  return Object.freeze({
    tokenHash: String(row['token_hash']),
    grantId: String(row['grant_id']),
    parentHash: nullable(row['parent_hash']) as string | null,
    issuedAt: Number(row['issued_at']),
    expiresAt: Number(row['expires_at']),
    spentAt: row['spent_at'] == null ? null : Number(row['spent_at']),
    spentHow: row['spent_how'] === 'used' || row['spent_how'] === 'superseded' ? row['spent_how'] : null,
  });
}

function prepareAll(database: DatabaseSync): Record<string, StatementSync> {
  const sql: Record<string, string> = {
    userByName: 'SELECT * FROM users WHERE username = ?',
    user: 'SELECT * FROM users WHERE user_id = ?',
    addUser: 'INSERT INTO users VALUES (?, ?, ?, ?, ?)',
    countUsers: 'SELECT count(*) AS n FROM users',
    setAdmin: 'UPDATE users SET admin = ? WHERE user_id = ?',
    client: 'SELECT * FROM clients WHERE client_id = ?',
    addClient: 'INSERT INTO clients VALUES (?, ?, ?)',
    countClients: 'SELECT count(*) AS n FROM clients',
    countClientsSince: 'SELECT count(*) AS n FROM clients WHERE created_at >= ?',
    pruneClients: "DELETE FROM clients WHERE created_at < ? AND client_id NOT IN (SELECT json_extract(record, '$.clientId') FROM grants)",
    addInteraction: 'INSERT INTO interactions VALUES (?, ?, ?)',
    interaction: 'SELECT * FROM interactions WHERE id = ?',
    takeInteraction: 'DELETE FROM interactions WHERE id = ?',
    pruneInteractions: 'DELETE FROM interactions WHERE expires_at <= ?',
    addCode: 'INSERT INTO codes VALUES (?, ?, ?, NULL)',
    code: 'SELECT * FROM codes WHERE code_hash = ?',
    redeemCode: 'UPDATE codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL',
    pruneCodes: 'DELETE FROM codes WHERE expires_at <= ?',
    addGrant: 'INSERT INTO grants VALUES (?, ?, NULL) ON CONFLICT (grant_id) DO NOTHING',
    pruneGrantTokens: "DELETE FROM refresh_tokens WHERE grant_id IN (SELECT grant_id FROM grants WHERE json_extract(record, '$.expiresAt') < ? OR revoked_at < ?)",
    pruneGrants: "DELETE FROM grants WHERE json_extract(record, '$.expiresAt') < ? OR revoked_at < ?",
    grant: 'SELECT * FROM grants WHERE grant_id = ?',
    revokeGrant: 'UPDATE grants SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL',
    addRefresh: 'INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, ?, NULL, NULL)',
    refresh: 'SELECT * FROM refresh_tokens WHERE token_hash = ?',
    refreshChild: 'SELECT * FROM refresh_tokens WHERE parent_hash = ?',
    spendRefresh: 'UPDATE refresh_tokens SET spent_at = ?, spent_how = ? WHERE token_hash = ? AND spent_at IS NULL',
    consent: 'SELECT * FROM consents WHERE subject = ? AND client_id = ?',
    addUpstream: 'INSERT INTO upstream_logins VALUES (?, ?, ?)',
    pruneUpstream: 'DELETE FROM upstream_logins WHERE expires_at <= ?',
    takeUpstream: 'DELETE FROM upstream_logins WHERE state_hash = ? RETURNING record',
    putConsent: 'INSERT INTO consents VALUES (?, ?, ?) ON CONFLICT (subject, client_id) DO UPDATE SET record = excluded.record',
  };
  return Object.fromEntries(Object.entries(sql).map(([name, text]) => [name, database.prepare(text)]));
}

// Statements that must happen together, or not at all.
function inTransaction<T>(database: DatabaseSync, work: () => T): T {
  database.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    database.exec('COMMIT');
    return result;
  } catch (error) {
    database.exec('ROLLBACK');
    throw error;
  }
}

function storesOn(database: DatabaseSync, q: Record<string, StatementSync>, use: StoreOperation): Omit<AuthorizationStore, 'keys'> {
  const changed = (result: { changes: number | bigint }) => Number(result.changes) === 1;
  return {
    users: Object.freeze({
      findByName: (username: string) => use('read a user', () => userOf(q['userByName']!.get(username))),
      find: (userId: string) => use('read a user', () => userOf(q['user']!.get(userId))),
      add: (user: UserRecord) => use('add a user', () => void q['addUser']!.run(user.userId, user.username, user.passwordHash, user.admin ? 1 : 0, user.createdAt)),
      count: () => use('count users', () => Number((q['countUsers']!.get() as Row)['n'])),
      setAdmin: (userId: string, admin: boolean) => use('update a user', () => void q['setAdmin']!.run(admin ? 1 : 0, userId)),
    }),
    clients: Object.freeze({
      find: (clientId: string) => use('read a client', () => json<RegisteredClientRecord>(q['client']!.get(clientId))),
      add: (client: RegisteredClientRecord) => use('register a client', () => void q['addClient']!.run(client.clientId, JSON.stringify(client), client.createdAt)),
      count: () => use('count clients', () => Number((q['countClients']!.get() as Row)['n'])),
      countSince: (since: number) => use('count clients', () => Number((q['countClientsSince']!.get(since) as Row)['n'])),
      pruneUnused: (before: number) => use('remove unused clients', () => void q['pruneClients']!.run(before)),
    }),
    interactions: Object.freeze({
      add: (interaction: InteractionRecord) => use('store an authorization request', () => void q['addInteraction']!.run(interaction.id, JSON.stringify(interaction), interaction.expiresAt)),
      find: (id: string) => use('read an authorization request', () => json<InteractionRecord>(q['interaction']!.get(id))),
      take: (id: string) => use('complete an authorization request', () => changed(q['takeInteraction']!.run(id))),
      prune: (now: number) => use('remove expired authorization requests', () => void q['pruneInteractions']!.run(now)),
    }),
    codes: Object.freeze({
      add: (code: AuthorizationCodeRecord) => use('store an authorization code', () => void q['addCode']!.run(code.codeHash, JSON.stringify(code), code.expiresAt)),
      find: (codeHash: string) => use('read an authorization code', () => json<AuthorizationCodeRecord>(q['code']!.get(codeHash), (row) => ({ usedAt: row['used_at'] == null ? null : Number(row['used_at']) }))),
      redeem: (codeHash: string, at: number) => use('redeem an authorization code', () => changed(q['redeemCode']!.run(at, codeHash))),
      prune: (now: number) => use('remove expired codes', () => void q['pruneCodes']!.run(now)),
    }),
    grants: Object.freeze({
      add: (grant: GrantRecord) => use('store a grant', () => void q['addGrant']!.run(grant.grantId, JSON.stringify(grant))),
      find: (grantId: string) => use('read a grant', () => json<GrantRecord>(q['grant']!.get(grantId), (row) => ({ revokedAt: row['revoked_at'] == null ? null : Number(row['revoked_at']) }))),
      revoke: (grantId: string, at: number) => use('revoke a grant', () => void q['revokeGrant']!.run(at, grantId)),
      prune: (before: number) =>
        use('remove ended grants', () =>
          inTransaction(database, () => {
            q['pruneGrantTokens']!.run(before, before);
            q['pruneGrants']!.run(before, before);
          }),
        ),
    }),
    refreshTokens: Object.freeze({
      add: (token: RefreshTokenRecord) => use('store a refresh token', () => void q['addRefresh']!.run(token.tokenHash, token.grantId, token.parentHash, token.issuedAt, token.expiresAt)),
      find: (tokenHash: string) => use('read a refresh token', () => refreshTokenOf(q['refresh']!.get(tokenHash))),
      findChild: (tokenHash: string) => use('read a refresh token', () => refreshTokenOf(q['refreshChild']!.get(tokenHash))),
      rotate: (parentHash: string, child: RefreshTokenRecord, at: number, how: 'used' | 'superseded') =>
        use('rotate a refresh token', () =>
          inTransaction(database, () => {
            if (!changed(q['spendRefresh']!.run(at, how, parentHash))) return false;
            q['addRefresh']!.run(child.tokenHash, child.grantId, child.parentHash, child.issuedAt, child.expiresAt);
            return true;
          }),
        ),
    }),
    upstreamLogins: Object.freeze({
      add: (login: UpstreamLoginRecord) => use('store an upstream sign-in', () => void q['addUpstream']!.run(login.stateHash, JSON.stringify(login), login.expiresAt)),
      take: (stateHash: string, now: number) =>
        use('complete an upstream sign-in', () => {
          q['pruneUpstream']!.run(now);
          return json<UpstreamLoginRecord>(q['takeUpstream']!.get(stateHash));
        }),
      prune: (now: number) => use('remove expired upstream sign-ins', () => void q['pruneUpstream']!.run(now)),
    }),
    consents: Object.freeze({
      find: (subject: string, clientId: string) => use('read a consent', () => json<ConsentRecord>(q['consent']!.get(subject, clientId))),
      put: (consent: ConsentRecord) => use('store a consent', () => void q['putConsent']!.run(consent.subject, consent.clientId, JSON.stringify(consent))),
    }),
  };
}

/**
 * Opens (creating it, readable by its owner only) the authorization server's store, signing keys
 * included, in the SQLite file `file`.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_OPTIONS` for a relative path, `OAUTH_SERVER_STORE_FAILED` when the file cannot be opened.
 * @example
 * ```ts
 * const store = openSqliteAuthorizationStore(join(dataDir, 'oauth.sqlite'));
 * const keys = new SigningKeys({ store: store.keys });
 * ```
 */
export function openSqliteAuthorizationStore(file: string): AuthorizationStore & { close(): void } {
  const { database, use } = openPrivateDatabase(file, SCHEMA);
  let statements: Record<string, StatementSync>;
  try {
    statements = prepareAll(database);
  } catch (error) {
    database.close();
    throw error;
  }
  return Object.freeze({ keys: sqliteKeyStore(database, use), ...storesOn(database, statements, use), close: () => database.isOpen && database.close() });
}

// The signing keys in a SQLite file (node:sqlite, no native addon): the embedded default, so
// tokens keep verifying across restarts.
import type { DatabaseSync } from 'node:sqlite';

import type { JWK } from 'jose';

import { openPrivateDatabase, type StoreOperation } from '../store/sqlite-file.js';
import type { KeyStore, SigningKeyRecord } from './key-store.js';

export const KEY_SCHEMA = `
  CREATE TABLE IF NOT EXISTS signing_keys (
    kid          TEXT    NOT NULL PRIMARY KEY,
    alg          TEXT    NOT NULL,
    private_jwk  TEXT    NOT NULL,
    public_jwk   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    activates_at INTEGER NOT NULL,
    retires_at   INTEGER
  ) STRICT;
`;

function recordOf(row: Record<string, unknown>): SigningKeyRecord {
  return Object.freeze({
    kid: String(row['kid']),
    alg: 'ES256',
    privateJwk: JSON.parse(String(row['private_jwk'])) as JWK,
    publicJwk: JSON.parse(String(row['public_jwk'])) as JWK,
    createdAt: Number(row['created_at']),
    activatesAt: Number(row['activates_at']),
    retiresAt: row['retires_at'] == null ? null : Number(row['retires_at']),
  });
}

/** The key store on an open database whose schema includes {@link KEY_SCHEMA}. */
export function sqliteKeyStore(database: DatabaseSync, use: StoreOperation): KeyStore {
  const statements = {
    list: database.prepare('SELECT * FROM signing_keys ORDER BY created_at, kid'),
    add: database.prepare('INSERT INTO signing_keys VALUES (:kid, :alg, :privateJwk, :publicJwk, :createdAt, :activatesAt, :retiresAt)'),
    retire: database.prepare('UPDATE signing_keys SET retires_at = ? WHERE kid = ?'),
    remove: database.prepare('DELETE FROM signing_keys WHERE kid = ?'),
  };
  return Object.freeze({
    list: () => use('list the signing keys', () => statements.list.all().map((row) => recordOf(row as Record<string, unknown>))),
    add: (record: SigningKeyRecord) =>
      use('store a signing key', () => {
        statements.add.run({ ...record, privateJwk: JSON.stringify(record.privateJwk), publicJwk: JSON.stringify(record.publicJwk) });
      }),
    retire: (kid: string, at: number) => use('retire a signing key', () => void statements.retire.run(at, kid)),
    remove: (kid: string) => use('remove a signing key', () => void statements.remove.run(kid)),
  });
}

/**
 * Opens (creating it, readable by its owner only) the key store in the SQLite file `file`.
 *
 * @throws {@link OAuthServerError} `OAUTH_SERVER_INVALID_OPTIONS` for a relative path, `OAUTH_SERVER_STORE_FAILED` when the file cannot be opened.
 * @example
 * ```ts
 * const keys = new SigningKeys({ store: openSqliteKeyStore(join(dataDir, 'oauth.sqlite')) });
 * ```
 */
export function openSqliteKeyStore(file: string): KeyStore & { close(): void } {
  const { database, use } = openPrivateDatabase(file, KEY_SCHEMA);
  return { ...sqliteKeyStore(database, use), close: () => database.close() };
}

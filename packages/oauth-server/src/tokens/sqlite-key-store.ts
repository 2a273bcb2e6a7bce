// The signing keys in a SQLite file (node:sqlite, no native addon): the embedded default, so
// tokens keep verifying across restarts.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import type { JWK } from 'jose';

import { OAuthServerError } from '../errors.js';
import type { KeyStore, SigningKeyRecord } from './key-store.js';

const SCHEMA = `
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

function failure(action: string, file: string, cause: unknown): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_STORE_FAILED', `Could not ${action} in ${file}: ${(cause as Error).message}`, { cause });
}

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
  if (!isAbsolute(file) || file.includes('\0')) throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `The key store file must be an absolute path (got ${JSON.stringify(file)}).`);
  let database: DatabaseSync;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Created readable by its owner only before SQLite opens it: no window in which others can open it.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    database = new DatabaseSync(file, { timeout: 5_000 });
    // Removed keys are overwritten, not left in free pages.
    database.exec('PRAGMA secure_delete = ON;');
    database.exec(SCHEMA);
  } catch (error) {
    throw failure('open the key store', file, error);
  }
  const statements = {
    list: database.prepare('SELECT * FROM signing_keys ORDER BY created_at, kid'),
    add: database.prepare('INSERT INTO signing_keys VALUES (:kid, :alg, :privateJwk, :publicJwk, :createdAt, :activatesAt, :retiresAt)'),
    retire: database.prepare('UPDATE signing_keys SET retires_at = ? WHERE kid = ?'),
    remove: database.prepare('DELETE FROM signing_keys WHERE kid = ?'),
  };
  const use = <T>(action: string, work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(failure(action, file, error));
    }
  };
  return {
    list: () => use('list the signing keys', () => statements.list.all().map((row) => recordOf(row as Record<string, unknown>))),
    add: (record) =>
      use('store a signing key', () => {
        statements.add.run({ ...record, privateJwk: JSON.stringify(record.privateJwk), publicJwk: JSON.stringify(record.publicJwk) });
      }),
    retire: (kid, at) => use('retire a signing key', () => void statements.retire.run(at, kid)),
    remove: (kid) => use('remove a signing key', () => void statements.remove.run(kid)),
    close: () => database.close(),
  };
}

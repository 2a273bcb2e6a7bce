// Opening the authorization server's SQLite file (node:sqlite, no native addon): readable by its
// owner only, and the statements' failures turned into the package's error.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { OAuthServerError } from '../errors.js';

/** Runs one store operation, turning a SQLite failure into `OAUTH_SERVER_STORE_FAILED`. */
export type StoreOperation = <T>(action: string, work: () => T) => Promise<T>;

export function storeFailure(action: string, file: string, cause: unknown): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_STORE_FAILED', `Could not ${action} in ${file}: ${(cause as Error).message}`, { cause });
}

const pause = new Int32Array(new SharedArrayBuffer(4));

// Switching to WAL upgrades a lock, and SQLite answers SQLITE_BUSY at once for that (it could
// deadlock), whatever the busy timeout: two servers opening a new file at once try again.
function switchToWal(database: DatabaseSync): void {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      database.exec('PRAGMA journal_mode = WAL;');
      return;
    } catch (error) {
      if (((error as { errcode?: number }).errcode ?? 0) % 256 !== 5 || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

/** Opens `file` (creating it, and its folder, for its owner only) and applies `schema`. */
export function openPrivateDatabase(file: string, schema: string): { database: DatabaseSync; use: StoreOperation } {
  if (typeof file !== 'string' || !isAbsolute(file) || file.includes('\0')) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `The OAuth store file must be an absolute path (got ${JSON.stringify(file)}).`);
  }
  let database: DatabaseSync;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Created readable by its owner only before SQLite opens it: no window in which others can open it.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    database = new DatabaseSync(file, { timeout: 5_000 });
    // Removed keys and tokens are overwritten, not left in free pages.
    database.exec('PRAGMA secure_delete = ON;');
    switchToWal(database);
    database.exec(schema);
  } catch (error) {
    throw storeFailure('open the OAuth store', file, error);
  }
  const use: StoreOperation = (action, work) => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(storeFailure(action, file, error));
    }
  };
  return { database, use };
}

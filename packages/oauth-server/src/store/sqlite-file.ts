// Opening the authorization server's SQLite file (node:sqlite, no native addon): readable by its
// owner only, and the statements' failures turned into the package's error.
import { isAbsolute } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

import { openSqliteFile } from '@claude-code-mcp/sqlite-file';

import { OAuthServerError } from '../errors.js';

/** Runs one store operation, turning a SQLite failure into `OAUTH_SERVER_STORE_FAILED`. */
export type StoreOperation = <T>(action: string, work: () => T) => Promise<T>;

export function storeFailure(action: string, file: string, cause: unknown): OAuthServerError {
  return new OAuthServerError('OAUTH_SERVER_STORE_FAILED', `Could not ${action} in ${file}: ${(cause as Error).message}`, { cause });
}

/** Opens `file` (creating it, and its folder, for its owner only) and applies `schema`. */
export function openPrivateDatabase(file: string, schema: string): { database: DatabaseSync; use: StoreOperation } {
  if (typeof file !== 'string' || !isAbsolute(file) || file.includes('\0')) {
    throw new OAuthServerError('OAUTH_SERVER_INVALID_OPTIONS', `The OAuth store file must be an absolute path (got ${JSON.stringify(file)}).`);
  }
  let database: DatabaseSync;
  try {
    // Owner-only, WAL; removed keys and tokens are overwritten, not left in free pages.
    database = openSqliteFile(file, { busyTimeoutMs: 5_000, secureDelete: true });
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

// A store's SQLite file (node:sqlite, no native addon): created readable by its owner only before
// SQLite opens it, switched to WAL so that readers and a writer of several processes do not block
// each other, with a busy timeout for the writers.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const pause = new Int32Array(new SharedArrayBuffer(4));
const SQLITE_BUSY = 5;

/**
 * Switches `database` to WAL. The switch upgrades a lock and SQLite answers SQLITE_BUSY at once
 * for that (it could deadlock), whatever the busy timeout: two processes opening a new file at
 * once try again, for up to `timeoutMs`. Returns the journal mode SQLite reports (`wal`, or the
 * mode it stayed in: a file system without shared memory keeps `delete`).
 *
 * @example
 * ```ts
 * if (switchToWal(database) !== 'wal') throw new Error('put the data folder on a local file system');
 * ```
 */
export function switchToWal(database: DatabaseSync, timeoutMs = 5_000): string {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const row = database.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode?: unknown } | undefined;
      return typeof row?.journal_mode === 'string' ? row.journal_mode.toLowerCase() : '';
    } catch (error) {
      if (((error as { errcode?: number }).errcode ?? 0) % 256 !== SQLITE_BUSY || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, 10 + Math.floor(Math.random() * 20));
    }
  }
}

/**
 * Creates `file` and its folder for their owner only (0600, 0700) if they do not exist, and makes
 * an existing file owner-only: no window in which another user could open it.
 *
 * @example
 * ```ts
 * createOwnerOnlyFile('/var/lib/claude-code-mcp/outbox.sqlite');
 * ```
 */
export function createOwnerOnlyFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
}

/**
 * Options of {@link openSqliteFile}.
 *
 * @example
 * ```ts
 * const options: OpenSqliteFileOptions = { busyTimeoutMs: 5_000, secureDelete: true };
 * ```
 */
export interface OpenSqliteFileOptions {
  /** How long a writer waits for another (default 5 000 ms). */
  readonly busyTimeoutMs?: number;
  /** Overwrite deleted content (secrets, tokens) instead of leaving it in free pages (default false). */
  readonly secureDelete?: boolean;
}

/**
 * Opens (creating it owner-only) the SQLite file `file` in WAL mode. The caller applies its
 * schema and closes the database. Throws SQLite's error as it is (wrap it in your package's error).
 *
 * @example
 * ```ts
 * const database = openSqliteFile(join(dataDir, 'outbox.sqlite'), { secureDelete: true });
 * database.exec(SCHEMA);
 * ```
 */
export function openSqliteFile(file: string, options: OpenSqliteFileOptions = {}): DatabaseSync {
  createOwnerOnlyFile(file);
  const database = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 5_000 });
  try {
    if (options.secureDelete === true) database.exec('PRAGMA secure_delete = ON;');
    switchToWal(database);
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

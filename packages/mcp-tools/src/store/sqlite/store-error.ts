// Internal: turns errors from node:sqlite and the file system into McpToolsError('MCP_TOOLS_STORE_FAILED').
import { McpToolsError } from '../../errors.js';

interface SqliteError extends Error {
  code: 'ERR_SQLITE_ERROR';
  /** Extended SQLite result code; the low byte is the primary code. */
  errcode: number;
  errstr: string;
}

/** `true` for an error thrown by node:sqlite for an SQLite result code. */
export function isSqliteError(error: unknown): error is SqliteError {
  return (
    error instanceof Error &&
    (error as Partial<SqliteError>).code === 'ERR_SQLITE_ERROR' &&
    typeof (error as Partial<SqliteError>).errcode === 'number'
  );
}

/** SQLITE_CONSTRAINT_PRIMARYKEY: an INSERT hit an existing primary key. */
export const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;

const hintByPrimaryCode: Readonly<Record<number, string>> = Object.freeze({
  5: 'another process held the database lock for more than 5 seconds; retry, and look for a stuck server using the same data directory',
  6: 'the database is locked by this process; avoid nesting work on the raw database inside a statement',
  8: 'the database is read-only; check the permissions of the data directory and its files',
  10: 'a disk I/O error occurred; check the disk and the data directory',
  11: 'the database file is corrupt; restore it from a backup or move it away to start afresh',
  13: 'the disk is full; free some space',
  14: 'the database file cannot be opened; check that the data directory exists and is writable',
  26: 'move that file away or choose another data directory',
});

/**
 * Wraps `error` (from node:sqlite or the file system) in an `MCP_TOOLS_STORE_FAILED` error whose
 * message names what was being done, what SQLite said and, when known, what to do.
 * An `McpToolsError` is returned unchanged.
 */
export function storeFailure(action: string, error: unknown): McpToolsError {
  if (McpToolsError.isInstance(error)) return error;
  const detail = error instanceof Error ? error.message : String(error);
  const hint = isSqliteError(error) ? hintByPrimaryCode[error.errcode & 0xff] : undefined;
  return new McpToolsError(
    'MCP_TOOLS_STORE_FAILED',
    `Could not ${action}: ${detail}${hint === undefined ? '.' : `; ${hint}.`}`,
    { cause: error },
  );
}

/** Runs `work`, wrapping whatever it throws with {@link storeFailure}. */
export function guard<T>(action: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw storeFailure(action, error);
  }
}

/** `true` when `value` looks like a promise (work given to a synchronous transaction must not be async). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

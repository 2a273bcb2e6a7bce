import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import { switchToWal } from '@claude-code-mcp/sqlite-file';
import * as z from 'zod';

import { McpToolsError } from '../../errors.js';
import type { ClaudeToolsStore } from '../stores.js';
import { applyMigrations, MIGRATIONS } from './migrations.js';
import { SqliteCheckpointIndex } from './sqlite-checkpoints.js';
import { SqliteContext } from './sqlite-context.js';
import { SqliteForkStore } from './sqlite-forks.js';
import { SqliteOwnerStore } from './sqlite-owners.js';
import { SqliteCliProcessStore } from './sqlite-processes.js';
import { SqliteSessionStore } from './sqlite-sessions.js';
import { SqliteTaskStore } from './sqlite-tasks.js';
import { guard } from './store-error.js';

/**
 * Options for {@link openStore}.
 *
 * @example
 * ```ts
 * const options: OpenStoreOptions = { dataDir: '/home/me/.local/state/claude-code-mcp' };
 * ```
 */
export interface OpenStoreOptions {
  /** Absolute directory for `state.sqlite`; created (mode `0o700`) when missing. */
  dataDir: string;
  /** Clock for bookkeeping such as `schema_migrations.applied_at`, epoch ms; defaults to `Date.now`. */
  now?: () => number;
}

/** File name of the database inside the data directory. */
const DATABASE_FILE = 'state.sqlite';
/** How long a connection waits for another one's write lock before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;

const optionsSchema = z.object({
  dataDir: z
    .string()
    .min(1, 'must not be empty')
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .refine((value) => !value.includes('\0'), 'must not contain a NUL character'),
  now: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
});

/** Internal (exported for the tests): a connection configured as every store connection is. */
export function openConnection(file: string): DatabaseSync {
  const database = guard(`open the state database ${file}`, () => new DatabaseSync(file));
  try {
    guard(`configure the state database ${file}`, () => {
      // busy_timeout first, so that statements wait for a concurrent opener.
      database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // Tried again while another server switches a new file at once (sqlite-file).
      const journal = switchToWal(database, BUSY_TIMEOUT_MS);
      if (journal !== 'wal') {
        throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Could not switch the state database ${file} to WAL mode (it stayed in "${journal}" mode); put the data directory on a local file system.`);
      }
      database.exec('PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL');
    });
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

/**
 * Opens (creating when needed) the state database `<dataDir>/state.sqlite`: WAL journal,
 * `busy_timeout` 5000 ms, foreign keys on, and every pending {@link MIGRATIONS} step applied.
 * Open it once per process and share the store; other processes may open the same file.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_OPTIONS` for a missing or relative `dataDir`;
 * `MCP_TOOLS_STORE_FAILED` when the directory or database cannot be created or opened, a
 * migration fails, or the database was written by a newer server (upgrade the server).
 *
 * @example
 * ```ts
 * const store = openStore({ dataDir: path.join(os.homedir(), '.local/state/claude-code-mcp') });
 * const interrupted = await store.sessions.markRunningAsInterrupted();
 * await store.sessions.insert({
 *   id: sessionId, cwd, model: null, createdAt: Date.now(), lastUsedAt: Date.now(), status: 'running', parentId: null,
 * });
 * await store.sessions.recordTurn(sessionId, { costUsd: 0.012, at: Date.now(), model: 'claude-sonnet-4-5' });
 * await store.close();
 * ```
 */
export function openStore(options: OpenStoreOptions): ClaudeToolsStore {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new McpToolsError(
      'MCP_TOOLS_INVALID_OPTIONS',
      `Invalid state-store options: ${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const settings = Object.freeze({ dataDir: path.resolve(parsed.data.dataDir), now: parsed.data.now ?? Date.now });
  const file = path.join(settings.dataDir, DATABASE_FILE);

  guard(`create the data directory ${settings.dataDir}`, () => {
    mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  });
  const database = openConnection(file);
  try {
    applyMigrations(database, MIGRATIONS, settings.now, file);
    return createStore(database, file);
  } catch (error) {
    database.close();
    throw error;
  }
}

function createStore(database: DatabaseSync, file: string): ClaudeToolsStore {
  const db = new SqliteContext(database, file);
  const sessions = new SqliteSessionStore(db);
  Object.freeze(sessions);
  return Object.freeze({
    location: file,
    sessions,
    forks: Object.freeze(new SqliteForkStore(db, sessions)),
    tasks: Object.freeze(new SqliteTaskStore(db)),
    checkpoints: Object.freeze(new SqliteCheckpointIndex(db)),
    processes: Object.freeze(new SqliteCliProcessStore(db)),
    owners: Object.freeze(new SqliteOwnerStore(db)),
    close: async () => db.close(),
  });
}

import type { DatabaseSync } from 'node:sqlite';

import { McpToolsError } from '../../errors.js';
import { guard, isThenable, storeFailure } from './store-error.js';
import { TASKS_MIGRATION_SQL } from './tasks-schema.js';
import { CHECKPOINTS_MIGRATION_SQL } from './checkpoints-schema.js';
import { createTransaction } from './transaction.js';

/**
 * One numbered step of the state database's schema. `openStore` applies the steps the database
 * has not seen yet, in order, inside one transaction, and records each in `schema_migrations`.
 * A released migration is never edited, renumbered or removed: change the schema by appending.
 *
 * @example
 * ```ts
 * const addTasks: Migration = {
 *   version: 2,
 *   name: 'tasks',
 *   up(db) {
 *     db.exec('CREATE TABLE tasks (id TEXT PRIMARY KEY, session_id TEXT REFERENCES sessions (id)) STRICT');
 *   },
 * };
 * ```
 */
export interface Migration {
  /** Position in {@link MIGRATIONS}: 1 for the first, then each one more than the last. */
  readonly version: number;
  /** Short kebab-case description, recorded next to the version. */
  readonly name: string;
  /** Changes the schema; runs synchronously inside the migration transaction, so it must not commit. */
  up(db: DatabaseSync): void;
}

/**
 * The state database's migrations, oldest first. Later features (tasks, checkpoints, …) add their
 * tables by appending a {@link Migration} with the next version here.
 *
 * @example
 * ```ts
 * const latest = MIGRATIONS.at(-1)?.version ?? 0; // the schema version this code writes
 * ```
 */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  Object.freeze({
    version: 1,
    name: 'sessions',
    up(db: DatabaseSync): void {
      // No CHECK on `status`: adding a status later must not need a table rebuild; the store
      // validates statuses. No foreign key on `parent_id`: a fork's origin may be a session
      // created outside this server.
      db.exec(`
        CREATE TABLE sessions (
          id           TEXT    NOT NULL PRIMARY KEY CHECK (id <> ''),
          cwd          TEXT    NOT NULL,
          model        TEXT,
          created_at   INTEGER NOT NULL,
          last_used_at INTEGER NOT NULL,
          turns        INTEGER NOT NULL DEFAULT 0 CHECK (turns >= 0),
          cost_usd     REAL    NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
          status       TEXT    NOT NULL,
          parent_id    TEXT,
          last_error   TEXT
        ) STRICT;
        CREATE INDEX sessions_by_last_used ON sessions (last_used_at DESC);
        CREATE INDEX sessions_by_status ON sessions (status, last_used_at DESC);
      `);
    },
  }),
  Object.freeze({
    version: 2,
    name: 'tasks',
    up(db: DatabaseSync): void {
      db.exec(TASKS_MIGRATION_SQL);
    },
  }),
  Object.freeze({
    version: 3,
    name: 'checkpoints',
    up(db: DatabaseSync): void {
      db.exec(CHECKPOINTS_MIGRATION_SQL);
    },
  }),
  Object.freeze({
    version: 4,
    name: 'session-forks',
    up(db: DatabaseSync): void {
      // A session created by restoring a checkpoint: its first run forks `parent_id` at `message_id`.
      db.exec(`
        CREATE TABLE session_forks (
          session_id TEXT    NOT NULL PRIMARY KEY,
          parent_id  TEXT    NOT NULL,
          message_id TEXT,
          created_at INTEGER NOT NULL
        ) STRICT;
      `);
    },
  }),
  Object.freeze({
    version: 5,
    name: 'cli-processes',
    up(db: DatabaseSync): void {
      // Every Claude Code process a server starts, while it lives, with the server that owns it:
      // after a crash the next server stops what the dead one left running. Start times tell a
      // process from a later one with the same (reused) pid.
      db.exec(`
        CREATE TABLE cli_processes (
          pid              INTEGER NOT NULL,
          start_time       TEXT    NOT NULL,
          owner_pid        INTEGER NOT NULL,
          owner_start_time TEXT    NOT NULL,
          session_id       TEXT,
          started_at       INTEGER NOT NULL,
          PRIMARY KEY (pid, start_time)
        ) STRICT;
      `);
    },
  }),
  Object.freeze({
    version: 6,
    name: 'detached-tasks',
    up(db: DatabaseSync): void {
      // Background tasks run in processes that outlive their server: the next server adopts them
      // by the CLI's pid and start time (in this boot), and claims them from an owner that is gone.
      db.exec(`
        ALTER TABLE tasks ADD COLUMN process_start_time TEXT;
        ALTER TABLE tasks ADD COLUMN boot_id TEXT;
        ALTER TABLE tasks ADD COLUMN owner_start_time TEXT;
      `);
    },
  }),
  Object.freeze({
    version: 7,
    name: 'owners',
    up(db: DatabaseSync): void {
      // With OAuth, sessions, tasks and checkpoints belong to the principal that started them.
      // A table of its own: the records stay as they are, and an unclaimed one has no owner.
      db.exec(`
        CREATE TABLE owners (
          kind  TEXT NOT NULL CHECK (kind IN ('session', 'task', 'checkpoint')),
          id    TEXT NOT NULL CHECK (id <> ''),
          owner TEXT NOT NULL CHECK (owner <> ''),
          PRIMARY KEY (kind, id)
        ) STRICT;
        CREATE INDEX owners_by_owner ON owners (owner, kind);
      `);
    },
  }),
]);

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (
      migration.version !== index + 1 ||
      typeof migration.name !== 'string' ||
      migration.name === '' ||
      typeof migration.up !== 'function'
    ) {
      throw new McpToolsError(
        'MCP_TOOLS_STORE_FAILED',
        `Migration #${index + 1} (${String(migration.name)}) is malformed: versions must run 1, 2, 3, … without gaps, and each migration needs a name and an up() function.`,
      );
    }
  });
}

/**
 * Internal (used by `openStore` and the tests): brings `database` up to the last of `migrations`.
 * Everything, including reading the current version, happens in one `BEGIN IMMEDIATE`
 * transaction, so two processes opening the same new database do not both migrate it.
 *
 * @returns the versions applied now (empty when the schema was current).
 * @throws `MCP_TOOLS_STORE_FAILED` when the database is newer than `migrations` or a migration fails (nothing is applied).
 */
export function applyMigrations(
  database: DatabaseSync,
  migrations: readonly Migration[],
  now: () => number,
  where: string,
): readonly number[] {
  checkMigrationList(migrations);
  const known = migrations.length;
  return createTransaction(database)(() => {
    const applied = guard(`read the schema version of ${where}`, () => {
      database.exec(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      return new Set(
        database
          .prepare('SELECT version FROM schema_migrations')
          .all()
          .map((row) => Number(row.version)),
      );
    });
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new McpToolsError(
        'MCP_TOOLS_STORE_FAILED',
        `The state database ${where} has schema version ${newest}, but this server only knows versions up to ${known}; it was written by a newer version of the server. Upgrade the server (or use another data directory).`,
      );
    }
    const record = database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const done: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      try {
        const result: unknown = migration.up(database);
        if (isThenable(result)) throw new Error('its up() returned a promise; migrations must be synchronous');
        record.run(migration.version, migration.name, now());
      } catch (error) {
        throw storeFailure(
          `apply migration ${migration.version} (${migration.name}) to ${where}; nothing was migrated`,
          error,
        );
      }
      done.push(migration.version);
    }
    return Object.freeze(done);
  });
}

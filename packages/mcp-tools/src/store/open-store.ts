import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

import * as z from 'zod';

import { McpToolsError } from '../errors.js';
import { applyMigrations, MIGRATIONS } from './migrations.js';
import {
  checkCost,
  checkStatus,
  checkText,
  checkTextOrNull,
  checkWholeNumber,
  toSessionRecord,
  type NewSessionRecord,
  type SessionRecord,
  type SessionStatus,
} from './session-record.js';
import { guard, isSqliteError, SQLITE_CONSTRAINT_PRIMARYKEY, storeFailure } from './store-error.js';
import { createTransaction } from './transaction.js';

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

/**
 * Filter for {@link ClaudeToolsStore.listSessions}.
 *
 * @example
 * ```ts
 * const filter: ListSessionsFilter = { status: 'idle', limit: 20 };
 * ```
 */
export interface ListSessionsFilter {
  /** Only sessions with this status. */
  status?: SessionStatus;
  /** At most this many sessions (a whole number of at least 1). */
  limit?: number;
}

/**
 * A completed turn, for {@link ClaudeToolsStore.recordTurn}.
 *
 * @example
 * ```ts
 * const turn: CompletedTurn = { costUsd: result.totalCostUsd, at: Date.now(), model: 'claude-opus-4-5' };
 * ```
 */
export interface CompletedTurn {
  /** Cost of this turn in US dollars, added to the session's total. */
  costUsd: number;
  /** When the turn ended, epoch ms; becomes the session's `lastUsedAt`. */
  at: number;
  /** Model of the turn; omitted or `null` keeps the stored model. */
  model?: string | null;
}

/**
 * A Claude Code process a server started, kept while it lives so that, should that server die,
 * the next one can stop it (see `stopOrphanedProcesses`).
 *
 * @example
 * ```ts
 * store.recordCliProcess({ pid: 4242, startTime: '81723', ownerPid: process.pid, ownerStartTime: '80011', sessionId: null, startedAt: Date.now() });
 * ```
 */
export interface CliProcessRecord {
  /** The CLI's process id. */
  readonly pid: number;
  /** Its start time as the process table gives it (`describeProcess`): a reused pid has another. */
  readonly startTime: string;
  /** The server process that started it. */
  readonly ownerPid: number;
  /** That server's start time. */
  readonly ownerStartTime: string;
  /** The session it was started for, when known (a new session's id comes later). */
  readonly sessionId: string | null;
  /** When it was started, epoch ms. */
  readonly startedAt: number;
}

/**
 * The MCP tools' persistent state: one SQLite database (`<dataDir>/state.sqlite`, WAL mode) that
 * several server processes may open at once. All methods are synchronous; failures throw
 * `McpToolsError` with code `MCP_TOOLS_STORE_FAILED` unless stated otherwise.
 *
 * @example
 * ```ts
 * const store = openStore({ dataDir });
 * store.markRunningAsInterrupted();
 * const recent = store.listSessions({ limit: 10 });
 * ```
 */
export interface ClaudeToolsStore {
  /** Absolute path of the database file. */
  readonly path: string;
  /**
   * Stores a new session (`turns` and `costUsd` default to `0`, `lastError` to `null`) and returns it.
   * Throws `MCP_TOOLS_STORE_FAILED` when a session with that id is already stored.
   */
  insertSession(record: NewSessionRecord): SessionRecord;
  /** The session with this id, or `undefined`. */
  getSession(id: string): SessionRecord | undefined;
  /** Sessions, most recently used first (ties: most recently inserted first). */
  listSessions(filter?: ListSessionsFilter): SessionRecord[];
  /**
   * Sets a session's status; `lastError` replaces the stored error when given (`null` clears it)
   * and is kept when omitted. Throws `MCP_TOOLS_SESSION_NOT_FOUND` for an unknown id.
   */
  setSessionStatus(id: string, status: SessionStatus, lastError?: string | null): void;
  /**
   * Removes a session that never existed in Claude Code (a row stored for an id it then refused).
   * Returns whether a row was removed.
   */
  deleteSession(id: string): boolean;
  /**
   * Records a completed turn: `turns + 1`, `costUsd + turn.costUsd`, `lastUsedAt = turn.at`,
   * status `idle`, and the model when given; `lastError` is kept. Returns the updated session.
   * Throws `MCP_TOOLS_SESSION_NOT_FOUND` for an unknown id.
   */
  recordTurn(id: string, turn: CompletedTurn): SessionRecord;
  /**
   * For startup: marks every session left `running` (by a crash or a kill) as `interrupted`, with
   * a `lastError` saying so, and returns how many there were. Call it only while no other server
   * process shares the data directory, or it would also mark their live runs.
   */
  markRunningAsInterrupted(): number;
  /** Records a Claude Code process this server started (replacing a record of the same process). */
  recordCliProcess(record: CliProcessRecord): void;
  /** Drops the record of a process that has exited (or was stopped). */
  forgetCliProcess(pid: number, startTime: string): void;
  /** Every recorded Claude Code process, of every server sharing the data directory. */
  listCliProcesses(): CliProcessRecord[];
  /**
   * Runs `work` synchronously in a write transaction (`BEGIN IMMEDIATE` … `COMMIT`) and returns its
   * result; if `work` throws, everything it wrote is rolled back and the error is rethrown as is.
   * Calls nest (inner calls are savepoints). `work` must not be async.
   */
  transaction<T>(work: () => T): T;
  /**
   * Advanced: the underlying connection, for later features' own tables (tasks, checkpoints, …).
   * Create tables only through an appended `Migration` (see `MIGRATIONS`); write through
   * {@link ClaudeToolsStore.transaction}; never close it (use {@link ClaudeToolsStore.close}).
   */
  readonly database: DatabaseSync;
  /** Closes the connection; later calls throw `MCP_TOOLS_STORE_FAILED`. Safe to call twice. */
  close(): void;
}

/** File name of the database inside the data directory. */
const DATABASE_FILE = 'state.sqlite';
/** How long a connection waits for another one's write lock before failing, in ms. */
const BUSY_TIMEOUT_MS = 5000;
const INTERRUPTED_MESSAGE =
  'The server stopped while this session was running; the last turn may be incomplete.';

const optionsSchema = z.object({
  dataDir: z
    .string()
    .min(1, 'must not be empty')
    .refine((value) => path.isAbsolute(value), 'must be an absolute path')
    .refine((value) => !value.includes('\0'), 'must not contain a NUL character'),
  now: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
});

function openConnection(file: string): DatabaseSync {
  const database = guard(`open the state database ${file}`, () => new DatabaseSync(file));
  try {
    guard(`configure the state database ${file}`, () => {
      // busy_timeout first, so that switching to WAL waits for a concurrent opener.
      database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
      const journal = database.prepare('PRAGMA journal_mode = WAL').get();
      if (String(journal?.journal_mode).toLowerCase() !== 'wal') {
        throw new McpToolsError(
          'MCP_TOOLS_STORE_FAILED',
          `Could not switch the state database ${file} to WAL mode (it stayed in "${String(journal?.journal_mode)}" mode); put the data directory on a local file system.`,
        );
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
 * const interrupted = store.markRunningAsInterrupted();
 * store.insertSession({
 *   id: sessionId, cwd, model: null, createdAt: Date.now(), lastUsedAt: Date.now(), status: 'running', parentId: null,
 * });
 * store.recordTurn(sessionId, { costUsd: 0.012, at: Date.now(), model: 'claude-sonnet-4-5' });
 * store.close();
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
  } catch (error) {
    database.close();
    throw error;
  }
  return createStore(database, file);
}

function createStore(database: DatabaseSync, file: string): ClaudeToolsStore {
  const statements = guard(`prepare the statements of ${file}`, () => ({
    insert: database.prepare(
      `INSERT INTO sessions (id, cwd, model, created_at, last_used_at, turns, cost_usd, status, parent_id, last_error)
       VALUES (:id, :cwd, :model, :createdAt, :lastUsedAt, :turns, :costUsd, :status, :parentId, :lastError)
       RETURNING *`,
    ),
    get: database.prepare('SELECT * FROM sessions WHERE id = ?'),
    list: database.prepare('SELECT * FROM sessions ORDER BY last_used_at DESC, rowid DESC LIMIT ?'),
    listByStatus: database.prepare(
      'SELECT * FROM sessions WHERE status = ? ORDER BY last_used_at DESC, rowid DESC LIMIT ?',
    ),
    delete: database.prepare('DELETE FROM sessions WHERE id = ?'),
    setStatus: database.prepare('UPDATE sessions SET status = ? WHERE id = ?'),
    setStatusAndError: database.prepare('UPDATE sessions SET status = ?, last_error = ? WHERE id = ?'),
    recordTurn: database.prepare(
      `UPDATE sessions
       SET turns = turns + 1, cost_usd = ROUND(cost_usd + :costUsd, 9), last_used_at = :at, status = 'idle',
           model = COALESCE(:model, model)
       WHERE id = :id
       RETURNING *`,
    ),
    recordProcess: database.prepare(
      `INSERT OR REPLACE INTO cli_processes (pid, start_time, owner_pid, owner_start_time, session_id, started_at)
       VALUES (:pid, :startTime, :ownerPid, :ownerStartTime, :sessionId, :startedAt)`,
    ),
    forgetProcess: database.prepare('DELETE FROM cli_processes WHERE pid = ? AND start_time = ?'),
    listProcesses: database.prepare('SELECT * FROM cli_processes ORDER BY started_at'),
    interruptRunning: database.prepare(
      "UPDATE sessions SET status = 'interrupted', last_error = ? WHERE status = 'running'",
    ),
  }));
  const transaction = createTransaction(database);
  let open = true;

  /** Runs `work` on the open database, wrapping SQLite errors as "Could not <action> …". */
  const use = <T>(action: string, work: () => T): T => {
    if (!open) {
      throw new McpToolsError(
        'MCP_TOOLS_STORE_FAILED',
        `Cannot ${action}: the state store ${file} is closed.`,
      );
    }
    return guard(`${action} in ${file}`, work);
  };
  const notFound = (id: string): McpToolsError =>
    new McpToolsError(
      'MCP_TOOLS_SESSION_NOT_FOUND',
      `No session with id "${id}" is stored; list the sessions to find a valid id.`,
    );

  const store: ClaudeToolsStore = {
    path: file,
    database,

    insertSession(record) {
      const action = 'insert a session';
      if (typeof record !== 'object' || record === null) {
        throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: the record must be an object.`);
      }
      const values = {
        id: checkText(action, 'id', record.id),
        cwd: checkText(action, 'cwd', record.cwd),
        model: checkTextOrNull(action, 'model', record.model),
        createdAt: checkWholeNumber(action, 'createdAt', record.createdAt),
        lastUsedAt: checkWholeNumber(action, 'lastUsedAt', record.lastUsedAt),
        turns: checkWholeNumber(action, 'turns', record.turns ?? 0),
        costUsd: checkCost(action, 'costUsd', record.costUsd ?? 0),
        status: checkStatus(action, 'status', record.status),
        parentId: checkTextOrNull(action, 'parentId', record.parentId),
        lastError: checkTextOrNull(action, 'lastError', record.lastError ?? null),
      };
      return use(action, () => {
        try {
          return toSessionRecord(statements.insert.get(values)!);
        } catch (error) {
          if (isSqliteError(error) && error.errcode === SQLITE_CONSTRAINT_PRIMARYKEY) {
            throw new McpToolsError(
              'MCP_TOOLS_STORE_FAILED',
              `Cannot insert session "${values.id}": a session with that id is already stored.`,
              { cause: error },
            );
          }
          throw error;
        }
      });
    },

    deleteSession(id) {
      const action = 'delete a session';
      checkText(action, 'id', id);
      return use(action, () => Number(statements.delete.run(id).changes) > 0);
    },

    getSession(id) {
      const action = 'read a session';
      checkText(action, 'id', id);
      return use(action, () => {
        const row = statements.get.get(id);
        return row === undefined ? undefined : toSessionRecord(row);
      });
    },

    listSessions(filter = {}) {
      const action = 'list sessions';
      if (typeof filter !== 'object' || filter === null) {
        throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: the filter must be an object.`);
      }
      const status = filter.status === undefined ? undefined : checkStatus(action, 'status', filter.status);
      let limit = -1; // SQLite: no limit
      if (filter.limit !== undefined) {
        limit = checkWholeNumber(action, 'limit', filter.limit);
        if (limit < 1) {
          throw new McpToolsError(
            'MCP_TOOLS_STORE_FAILED',
            `Cannot ${action}: limit must be at least 1 (got ${limit}).`,
          );
        }
      }
      return use(action, () =>
        (status === undefined ? statements.list.all(limit) : statements.listByStatus.all(status, limit)).map(
          toSessionRecord,
        ),
      );
    },

    setSessionStatus(id, status, lastError) {
      const action = 'set the status of a session';
      checkText(action, 'id', id);
      checkStatus(action, 'status', status);
      const error = lastError === undefined ? undefined : checkTextOrNull(action, 'lastError', lastError);
      const { changes } = use(action, () =>
        error === undefined
          ? statements.setStatus.run(status, id)
          : statements.setStatusAndError.run(status, error, id),
      );
      if (Number(changes) === 0) throw notFound(id);
    },

    recordTurn(id, turn) {
      const action = 'record a turn';
      checkText(action, 'id', id);
      if (typeof turn !== 'object' || turn === null) {
        throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: the turn must be an object.`);
      }
      const values = {
        id,
        costUsd: checkCost(action, 'costUsd', turn.costUsd),
        at: checkWholeNumber(action, 'at', turn.at),
        model: turn.model === undefined ? null : checkTextOrNull(action, 'model', turn.model),
      };
      const row = use(action, () => statements.recordTurn.get(values));
      if (row === undefined) throw notFound(id);
      return toSessionRecord(row);
    },

    markRunningAsInterrupted() {
      return use('mark running sessions as interrupted', () =>
        Number(statements.interruptRunning.run(INTERRUPTED_MESSAGE).changes),
      );
    },

    recordCliProcess(record) {
      const action = 'record a Claude Code process';
      const values = {
        pid: checkWholeNumber(action, 'pid', record.pid),
        startTime: checkText(action, 'startTime', record.startTime),
        ownerPid: checkWholeNumber(action, 'ownerPid', record.ownerPid),
        ownerStartTime: checkText(action, 'ownerStartTime', record.ownerStartTime),
        sessionId: checkTextOrNull(action, 'sessionId', record.sessionId),
        startedAt: checkWholeNumber(action, 'startedAt', record.startedAt),
      };
      use(action, () => statements.recordProcess.run(values));
    },

    forgetCliProcess(pid, startTime) {
      const action = 'forget a Claude Code process';
      checkWholeNumber(action, 'pid', pid);
      checkText(action, 'startTime', startTime);
      use(action, () => statements.forgetProcess.run(pid, startTime));
    },

    listCliProcesses() {
      return use('list Claude Code processes', () =>
        statements.listProcesses.all().map((row) =>
          Object.freeze({
            pid: Number(row['pid']),
            startTime: String(row['start_time']),
            ownerPid: Number(row['owner_pid']),
            ownerStartTime: String(row['owner_start_time']),
            sessionId: row['session_id'] == null ? null : String(row['session_id']),
            startedAt: Number(row['started_at']),
          }),
        ),
      );
    },

    transaction(work) {
      if (!open) {
        throw new McpToolsError(
          'MCP_TOOLS_STORE_FAILED',
          `Cannot run a transaction: the state store ${file} is closed.`,
        );
      }
      return transaction(work);
    },

    close() {
      if (!open) return;
      open = false;
      try {
        database.close();
      } catch (error) {
        throw storeFailure(`close the state database ${file}`, error);
      }
    },
  };
  return Object.freeze(store);
}

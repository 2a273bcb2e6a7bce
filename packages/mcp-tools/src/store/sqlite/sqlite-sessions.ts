import { McpToolsError } from '../../errors.js';
import {
  checkNewSession,
  checkSessionFilter,
  checkStatusChange,
  checkText,
  checkTurn,
  INTERRUPTED_MESSAGE,
  seedRecord,
  sessionNotFound,
  type NewSessionRecord,
  type SessionRecord,
  type SessionStatus,
} from '../session-record.js';
import type { CompletedTurn, ListSessionsFilter, SessionSeed, SessionStore } from '../stores.js';
import { textOrNull, type Row, type SqliteContext, type Statements } from './sqlite-context.js';
import { isSqliteError, SQLITE_CONSTRAINT_PRIMARYKEY } from './store-error.js';

const SQL = {
  insert: `INSERT INTO sessions (id, cwd, model, created_at, last_used_at, turns, cost_usd, status, parent_id, last_error)
           VALUES (:id, :cwd, :model, :createdAt, :lastUsedAt, :turns, :costUsd, :status, :parentId, :lastError)
           RETURNING *`,
  get: 'SELECT * FROM sessions WHERE id = ?',
  // SQLite: LIMIT -1 is no limit.
  list: 'SELECT * FROM sessions ORDER BY last_used_at DESC, rowid DESC LIMIT ?',
  listByStatus: 'SELECT * FROM sessions WHERE status = ? ORDER BY last_used_at DESC, rowid DESC LIMIT ?',
  delete: 'DELETE FROM sessions WHERE id = ?',
  setStatus: 'UPDATE sessions SET status = ? WHERE id = ?',
  setStatusAndError: 'UPDATE sessions SET status = ?, last_error = ? WHERE id = ?',
  recordTurn: `UPDATE sessions
               SET turns = turns + 1, cost_usd = ROUND(cost_usd + :costUsd, 9), last_used_at = :at, status = 'idle',
                   model = COALESCE(:model, model)
               WHERE id = :id
               RETURNING *`,
  interruptRunning: "UPDATE sessions SET status = 'interrupted', last_error = ? WHERE status = 'running'",
} as const;

/** Maps a `sessions` row (snake_case columns) to a frozen {@link SessionRecord}. */
export function toSessionRecord(row: Row): SessionRecord {
  return Object.freeze({
    id: String(row['id']),
    cwd: String(row['cwd']),
    model: textOrNull(row['model']),
    createdAt: Number(row['created_at']),
    lastUsedAt: Number(row['last_used_at']),
    turns: Number(row['turns']),
    costUsd: Number(row['cost_usd']),
    status: String(row['status']) as SessionStatus,
    parentId: textOrNull(row['parent_id']),
    lastError: textOrNull(row['last_error']),
  });
}

/** Sessions in the `sessions` table. */
export class SqliteSessionStore implements SessionStore {
  readonly #db: SqliteContext;
  readonly #sql: Statements<typeof SQL>;

  constructor(db: SqliteContext) {
    this.#db = db;
    this.#sql = db.prepare(SQL);
  }

  async insert(record: NewSessionRecord): Promise<SessionRecord> {
    const values = checkNewSession(record);
    return this.#db.use('insert a session', () => this.insertNow(values));
  }

  /** Internal (also for the fork store's transaction): inserts a checked record. */
  insertNow(values: SessionRecord): SessionRecord {
    try {
      return toSessionRecord(this.#sql.insert.get({ ...values })!);
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
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    checkText('read a session', 'id', id);
    return this.#db.use('read a session', () => this.#find(id));
  }

  async list(filter: ListSessionsFilter = {}): Promise<SessionRecord[]> {
    const { status, limit = -1 } = checkSessionFilter(filter);
    const rows = this.#db.use('list sessions', () =>
      status === undefined ? this.#sql.list.all(limit) : this.#sql.listByStatus.all(status, limit),
    );
    return rows.map(toSessionRecord);
  }

  async setStatus(id: string, status: SessionStatus, lastError?: string | null, seed?: SessionSeed): Promise<'updated' | 'created'> {
    const error = checkStatusChange(id, status, lastError);
    return this.#db.atomically('set the status of a session', () => {
      const { changes } =
        error === undefined ? this.#sql.setStatus.run(status, id) : this.#sql.setStatusAndError.run(status, error, id);
      if (Number(changes) > 0) return 'updated';
      if (seed === undefined) throw sessionNotFound(id);
      // The seed is checked only when it is used: a known session's status never fails on it.
      this.insertNow(checkNewSession(seedRecord(id, seed, status, error ?? null)));
      return 'created';
    });
  }

  async delete(id: string): Promise<boolean> {
    checkText('delete a session', 'id', id);
    return this.#db.use('delete a session', () => Number(this.#sql.delete.run(id).changes) > 0);
  }

  async recordTurn(id: string, turn: CompletedTurn, seed?: Omit<SessionSeed, 'at'>): Promise<SessionRecord> {
    const values = { id, ...checkTurn(id, turn) };
    return this.#db.atomically('record a turn', () => {
      if (seed !== undefined && this.#find(id) === undefined) {
        this.insertNow(checkNewSession(seedRecord(id, { ...seed, at: values.at }, 'idle', null)));
      }
      const row = this.#sql.recordTurn.get(values);
      if (row === undefined) throw sessionNotFound(id);
      return toSessionRecord(row);
    });
  }

  async markRunningAsInterrupted(): Promise<number> {
    return this.#db.use('mark running sessions as interrupted', () =>
      Number(this.#sql.interruptRunning.run(INTERRUPTED_MESSAGE).changes),
    );
  }

  #find(id: string): SessionRecord | undefined {
    const row = this.#sql.get.get(id);
    return row === undefined ? undefined : toSessionRecord(row);
  }
}

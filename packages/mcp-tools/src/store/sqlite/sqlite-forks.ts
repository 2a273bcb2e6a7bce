import { checkPlannedFork, forkTaken } from '../record-checks.js';
import { checkForkSession } from '../session-record.js';
import type { ForkStore, PlannedFork } from '../stores.js';
import { textOrNull, type SqliteContext, type Statements } from './sqlite-context.js';
import type { SqliteSessionStore } from './sqlite-sessions.js';

const SQL = {
  insert: 'INSERT INTO session_forks (session_id, parent_id, message_id, created_at) VALUES (?, ?, ?, ?)',
  get: 'SELECT * FROM session_forks WHERE session_id = ?',
  delete: 'DELETE FROM session_forks WHERE session_id = ?',
} as const;

/** Planned forks in the `session_forks` table; each plan stores its session in the same transaction. */
export class SqliteForkStore implements ForkStore {
  readonly #db: SqliteContext;
  readonly #sessions: SqliteSessionStore;
  readonly #sql: Statements<typeof SQL>;

  constructor(db: SqliteContext, sessions: SqliteSessionStore) {
    this.#db = db;
    this.#sessions = sessions;
    this.#sql = db.prepare(SQL);
  }

  async plan(fork: PlannedFork, cwd: string): Promise<void> {
    checkPlannedFork(fork);
    const session = checkForkSession(fork, cwd);
    this.#db.atomically('plan a fork', () => {
      if (this.#sql.get.get(session.id) !== undefined) throw forkTaken(session.id);
      this.#sql.insert.run(session.id, fork.parentId, fork.messageId, fork.createdAt);
      this.#sessions.insertNow(session);
    });
  }

  async get(sessionId: string): Promise<PlannedFork | undefined> {
    const row = this.#db.use('read a planned fork', () => this.#sql.get.get(sessionId));
    if (row === undefined) return undefined;
    return Object.freeze({
      sessionId: String(row['session_id']),
      parentId: String(row['parent_id']),
      messageId: textOrNull(row['message_id']),
      createdAt: Number(row['created_at']),
    });
  }

  async consume(sessionId: string): Promise<void> {
    this.#db.use('forget a planned fork', () => this.#sql.delete.run(sessionId));
  }
}

import { checkCliProcess, checkText, checkWholeNumber } from '../session-record.js';
import type { CliProcessRecord, CliProcessStore } from '../stores.js';
import { textOrNull, type SqliteContext, type Statements } from './sqlite-context.js';

const SQL = {
  record: `INSERT OR REPLACE INTO cli_processes (pid, start_time, owner_pid, owner_start_time, session_id, started_at)
           VALUES (:pid, :startTime, :ownerPid, :ownerStartTime, :sessionId, :startedAt)`,
  forget: 'DELETE FROM cli_processes WHERE pid = ? AND start_time = ?',
  list: 'SELECT * FROM cli_processes ORDER BY started_at',
} as const;

/** Claude Code processes in the `cli_processes` table. */
export class SqliteCliProcessStore implements CliProcessStore {
  readonly #db: SqliteContext;
  readonly #sql: Statements<typeof SQL>;

  constructor(db: SqliteContext) {
    this.#db = db;
    this.#sql = db.prepare(SQL);
  }

  async record(record: CliProcessRecord): Promise<void> {
    const values = checkCliProcess(record);
    this.#db.use('record a Claude Code process', () => this.#sql.record.run({ ...values }));
  }

  async forget(pid: number, startTime: string): Promise<void> {
    const action = 'forget a Claude Code process';
    checkWholeNumber(action, 'pid', pid);
    checkText(action, 'startTime', startTime);
    this.#db.use(action, () => this.#sql.forget.run(pid, startTime));
  }

  async list(): Promise<CliProcessRecord[]> {
    return this.#db.use('list Claude Code processes', () =>
      this.#sql.list.all().map((row) =>
        Object.freeze({
          pid: Number(row['pid']),
          startTime: String(row['start_time']),
          ownerPid: Number(row['owner_pid']),
          ownerStartTime: String(row['owner_start_time']),
          sessionId: textOrNull(row['session_id']),
          startedAt: Number(row['started_at']),
        }),
      ),
    );
  }
}

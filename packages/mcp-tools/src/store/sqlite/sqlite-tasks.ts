import { checkNewTask, checkTaskFilter, checkTaskProcess, taskTaken } from '../record-checks.js';
import type { ListTasksFilter, TaskStore } from '../stores.js';
import type { NewTaskRecord, TaskFinish, TaskOwner, TaskProcess, TaskRecord, TaskStatus } from '../task-record.js';
import { numberOrNull, textOrNull, type Row, type SqliteContext, type Statements } from './sqlite-context.js';
import { isSqliteError, SQLITE_CONSTRAINT_PRIMARYKEY } from './store-error.js';

const SQL = {
  insert: `INSERT INTO tasks (id, status, prompt, cwd, request_json, session_id, created_at, owner_pid, owner_start_time, log_path, restarted_from)
           VALUES (:id, 'queued', :prompt, :cwd, :request, :sessionId, :createdAt, :ownerPid, :ownerStartTime, :logPath, :restartedFrom)
           RETURNING *`,
  get: 'SELECT * FROM tasks WHERE id = ?',
  list: 'SELECT * FROM tasks ORDER BY created_at DESC, id LIMIT ? OFFSET ?',
  listByStatus: 'SELECT * FROM tasks WHERE status = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?',
  unfinished: "SELECT * FROM tasks WHERE status IN ('queued', 'running')",
  request: 'SELECT request_json FROM tasks WHERE id = ?',
  started: "UPDATE tasks SET status = 'running', started_at = ?, pid = ?, process_start_time = ?, boot_id = ? WHERE id = ? AND status = 'queued'",
  claim: `UPDATE tasks SET owner_pid = :toPid, owner_start_time = :toStartTime
          WHERE id = :id AND owner_pid = :fromPid AND owner_start_time IS :fromStartTime AND status IN ('queued', 'running')`,
  session: 'UPDATE tasks SET session_id = ? WHERE id = ? AND session_id IS NULL',
  finish: `UPDATE tasks SET status = :status, finished_at = :at, result = COALESCE(:result, result),
             structured_json = COALESCE(:structured, structured_json), cost_usd = COALESCE(:costUsd, cost_usd),
             num_turns = COALESCE(:numTurns, num_turns), error = :error, session_id = COALESCE(:sessionId, session_id), pid = NULL,
             process_start_time = NULL
           WHERE id = :id`,
} as const;

function toTaskRecord(row: Row): TaskRecord {
  return Object.freeze({
    id: String(row['id']),
    status: String(row['status']) as TaskStatus,
    prompt: String(row['prompt']),
    cwd: String(row['cwd']),
    sessionId: textOrNull(row['session_id']),
    createdAt: Number(row['created_at']),
    startedAt: numberOrNull(row['started_at']),
    finishedAt: numberOrNull(row['finished_at']),
    result: textOrNull(row['result']),
    structuredOutput: row['structured_json'] == null ? undefined : (JSON.parse(String(row['structured_json'])) as unknown),
    costUsd: Number(row['cost_usd'] ?? 0),
    numTurns: Number(row['num_turns'] ?? 0),
    error: textOrNull(row['error']),
    pid: numberOrNull(row['pid']),
    processStartTime: textOrNull(row['process_start_time']),
    bootId: textOrNull(row['boot_id']),
    ownerPid: Number(row['owner_pid']),
    ownerStartTime: textOrNull(row['owner_start_time']),
    logPath: String(row['log_path']),
    restartedFrom: textOrNull(row['restarted_from']),
  });
}

/** Background tasks in the `tasks` table. */
export class SqliteTaskStore implements TaskStore {
  readonly #db: SqliteContext;
  readonly #sql: Statements<typeof SQL>;

  constructor(db: SqliteContext) {
    this.#db = db;
    this.#sql = db.prepare(SQL);
  }

  async insert(task: NewTaskRecord): Promise<TaskRecord> {
    const values = checkNewTask(task);
    const row = this.#db.use('store a task', () => {
      try {
        return this.#sql.insert.get({ ...values });
      } catch (error) {
        if (isSqliteError(error) && error.errcode === SQLITE_CONSTRAINT_PRIMARYKEY) throw taskTaken(values.id, error);
        throw error;
      }
    });
    return toTaskRecord(row!);
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const row = this.#db.use('read a task', () => this.#sql.get.get(id));
    return row === undefined ? undefined : toTaskRecord(row);
  }

  async list(filter: ListTasksFilter): Promise<TaskRecord[]> {
    filter = checkTaskFilter(filter);
    const rows = this.#db.use('list tasks', () =>
      filter.status === undefined
        ? this.#sql.list.all(filter.limit, filter.offset)
        : this.#sql.listByStatus.all(filter.status, filter.limit, filter.offset),
    );
    return rows.map(toTaskRecord);
  }

  async listUnfinished(): Promise<TaskRecord[]> {
    return this.#db.use('list unfinished tasks', () => this.#sql.unfinished.all()).map(toTaskRecord);
  }

  async requestOf(id: string): Promise<unknown> {
    const row = this.#db.use('read a task request', () => this.#sql.request.get(id));
    return row === undefined ? undefined : (JSON.parse(String(row['request_json'])) as unknown);
  }

  async markStarted(id: string, at: number, process: TaskProcess | null): Promise<void> {
    const started = checkTaskProcess(process);
    this.#db.use('mark a task started', () => this.#sql.started.run(at, started?.pid ?? null, started?.startTime ?? null, started?.bootId ?? null, id));
  }

  async claim(id: string, from: TaskOwner, to: TaskOwner): Promise<boolean> {
    const values = { id, fromPid: from.pid, fromStartTime: from.startTime, toPid: to.pid, toStartTime: to.startTime };
    return this.#db.use('claim a task', () => this.#sql.claim.run(values)).changes === 1;
  }

  async noteSession(id: string, sessionId: string): Promise<void> {
    this.#db.use('note the session of a task', () => this.#sql.session.run(sessionId, id));
  }

  async finish(id: string, finish: TaskFinish): Promise<void> {
    const values = {
      id,
      status: finish.status,
      at: finish.at,
      result: finish.result ?? null,
      structured: finish.structuredOutput === undefined ? null : JSON.stringify(finish.structuredOutput),
      costUsd: finish.costUsd ?? null,
      numTurns: finish.numTurns ?? null,
      error: finish.error,
      sessionId: finish.sessionId ?? null,
    };
    this.#db.use('finish a task', () => this.#sql.finish.run(values));
  }
}

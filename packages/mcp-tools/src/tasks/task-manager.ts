import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import { listDescendants, noopLogger, type CanUseTool, type ClaudeMessage, type Logger } from '@claude-code-mcp/claude-cli-driver';
import type { DatabaseSync, SQLOutputValue } from 'node:sqlite';
import * as z from 'zod';

import type { ClaudeRuntime, RunRequest } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import type { ClaudeToolsStore } from '../store/open-store.js';
import { renderMessage } from './render-message.js';

/** Where a background task is in its life. */
export type TaskStatus = 'queued' | 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/** A background task as stored. */
export interface TaskRecord {
  readonly id: string;
  readonly status: TaskStatus;
  readonly prompt: string;
  readonly cwd: string;
  /** The session the task ran in, once known. */
  readonly sessionId: string | null;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly result: string | null;
  readonly structuredOutput: unknown;
  readonly costUsd: number;
  readonly numTurns: number;
  readonly error: string | null;
  /** The CLI's process id while it runs. */
  readonly pid: number | null;
  /** The server process that owns the task. */
  readonly ownerPid: number;
  readonly logPath: string;
  /** The task this one restarted. */
  readonly restartedFrom: string | null;
}

/** Events for the webhooks package (and metrics): noun.verb, with the task as it is now. */
export interface TaskEvent {
  readonly type: 'background_task.started' | 'background_task.completed' | 'background_task.failed' | 'background_task.stopped' | 'background_task.interrupted';
  readonly task: TaskRecord;
  readonly at: number;
}

/** A page of a task's log. */
export interface TaskLogPage {
  readonly taskId: string;
  readonly lines: readonly string[];
  readonly offset: number;
  readonly nextOffset: number | null;
  readonly total: number;
}

/** Options of {@link TaskManager}. */
export interface TaskManagerOptions {
  readonly runtime: ClaudeRuntime;
  readonly store: ClaudeToolsStore;
  /** Logs go to `<dataDir>/tasks/<id>.jsonl`. */
  readonly dataDir: string;
  /** Decides tool calls that need approval: nobody is there to ask, so a policy. */
  readonly canUseTool: CanUseTool;
  /** Receives task events (started, completed, failed, stopped, interrupted). */
  readonly onEvent?: (event: TaskEvent) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** This server's process id (default `process.pid`). */
  readonly ownerPid?: number;
}

const taskManagerDataSchema = z.object({
  dataDir: z.string().refine((value) => isAbsolute(value) && !value.includes('\0'), 'must be an absolute path'),
  ownerPid: z.number().int().positive().optional(),
});

function checkTaskManagerOptions(options: TaskManagerOptions): void {
  const parsed = taskManagerDataSchema.safeParse({ dataDir: options.dataDir, ownerPid: options.ownerPid });
  if (!parsed.success) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `Invalid TaskManager options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
}

const TERMINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'stopped', 'interrupted']);

function toRecord(row: Record<string, SQLOutputValue>): TaskRecord {
  const text = (value: SQLOutputValue) => (value === null ? null : String(value));
  const number = (value: SQLOutputValue) => (value === null ? null : Number(value));
  return Object.freeze({
    id: String(row['id']),
    status: String(row['status']) as TaskStatus,
    prompt: String(row['prompt']),
    cwd: String(row['cwd']),
    sessionId: text(row['session_id'] ?? null),
    createdAt: Number(row['created_at']),
    startedAt: number(row['started_at'] ?? null),
    finishedAt: number(row['finished_at'] ?? null),
    result: text(row['result'] ?? null),
    structuredOutput: row['structured_json'] == null ? undefined : (JSON.parse(String(row['structured_json'])) as unknown),
    costUsd: Number(row['cost_usd'] ?? 0),
    numTurns: Number(row['num_turns'] ?? 0),
    error: text(row['error'] ?? null),
    pid: number(row['pid'] ?? null),
    ownerPid: Number(row['owner_pid']),
    logPath: String(row['log_path']),
    restartedFrom: text(row['restarted_from'] ?? null),
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * Background runs: a `claude_ask` that returns a task id at once and runs as a managed CLI
 * process, its stream written to a log file, its state in the database. After a restart, tasks
 * whose server died are reported `interrupted` and their leftover processes are stopped.
 *
 * @example
 * ```ts
 * const tasks = new TaskManager({ runtime, store, dataDir, canUseTool: denyAll, onEvent: (event) => webhooks.emit(event) });
 * const task = tasks.start({ prompt: 'run the tests', cwd: '/repo' });
 * ```
 */
export class TaskManager {
  readonly #options: TaskManagerOptions;
  readonly #database: DatabaseSync;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #ownerPid: number;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #shuttingDown = false;

  constructor(options: TaskManagerOptions) {
    checkTaskManagerOptions(options);
    this.#options = options;
    this.#database = options.store.database;
    this.#logger = (options.logger ?? noopLogger).child({ component: 'background-tasks' });
    this.#now = options.now ?? Date.now;
    this.#ownerPid = options.ownerPid ?? process.pid;
    mkdirSync(join(options.dataDir, 'tasks'), { recursive: true, mode: 0o700 });
  }

  /** Tasks running or queued in this process. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Starts a background run and returns its record at once. */
  start(request: RunRequest, restartedFrom: string | null = null): TaskRecord {
    const id = randomUUID();
    const logPath = join(this.#options.dataDir, 'tasks', `${id}.jsonl`);
    this.#database
      .prepare(
        `INSERT INTO tasks (id, status, prompt, cwd, request_json, session_id, created_at, owner_pid, log_path, restarted_from)
         VALUES (?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, request.prompt, request.cwd, JSON.stringify(request), request.sessionId ?? null, this.#now(), this.#ownerPid, logPath, restartedFrom);
    const controller = new AbortController();
    const done = this.#execute(id, request, logPath, controller)
      .catch((error: unknown) => this.#logger.error({ err: error, taskId: id }, 'background task bookkeeping failed'))
      .finally(() => this.#active.delete(id));
    this.#active.set(id, { controller, done });
    return this.#require(id);
  }

  /** One task, or undefined. */
  get(id: string): TaskRecord | undefined {
    const row = this.#database.prepare('SELECT * FROM tasks WHERE id = ?').get(id);
    return row ? toRecord(row) : undefined;
  }

  /** Tasks, newest first, optionally of one status; `offset` skips that many (paging). */
  list(filter: { status?: TaskStatus; limit?: number; offset?: number } = {}): TaskRecord[] {
    const limit = filter.limit ?? 50;
    const offset = filter.offset ?? 0;
    const rows = filter.status
      ? this.#database.prepare('SELECT * FROM tasks WHERE status = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?').all(filter.status, limit, offset)
      : this.#database.prepare('SELECT * FROM tasks ORDER BY created_at DESC, id LIMIT ? OFFSET ?').all(limit, offset);
    return rows.map(toRecord);
  }

  /**
   * The task once it has ended (completed, failed, stopped or interrupted). A task of this process
   * is awaited; one that another server process runs on the same data folder is polled every
   * `pollMs`. `signal` gives up waiting (the task goes on).
   */
  async settled(id: string, signal?: AbortSignal, pollMs = 500): Promise<TaskRecord> {
    for (;;) {
      signal?.throwIfAborted();
      const record = this.#require(id);
      if (TERMINAL.has(record.status)) return record;
      // Ours: wait for it. Another server process's (same data folder): watch the database.
      const active = this.#active.get(id);
      await new Promise<void>((resolve, reject) => {
        const timer = active ? undefined : setTimeout(done, pollMs);
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        function onAbort() {
          clearTimeout(timer);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('Stopped waiting for the task.'));
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        active?.done.then(done, done);
      });
    }
  }

  /** Whether the task runs (or waits to) in this process. */
  isActive(id: string): boolean {
    return this.#active.has(id);
  }

  /** Stops a running task; resolves once its process is gone. */
  async stop(id: string): Promise<TaskRecord> {
    const task = this.#require(id);
    const active = this.#active.get(id);
    if (!active) {
      throw new McpToolsError('MCP_TOOLS_NOT_RUNNING', `Task ${id} is not running here (it is ${task.status}).`);
    }
    active.controller.abort(new Error('Stopped with claude_background_tasks.'));
    await active.done;
    return this.#require(id);
  }

  /** Starts the same prompt and options again as a new task linked to the old one. */
  restart(id: string): TaskRecord {
    const task = this.#require(id);
    if (!TERMINAL.has(task.status)) {
      throw new McpToolsError('MCP_TOOLS_SESSION_BUSY', `Task ${id} is still ${task.status}; stop it first.`);
    }
    const row = this.#database.prepare('SELECT request_json FROM tasks WHERE id = ?').get(id);
    const request = JSON.parse(String(row?.['request_json'])) as RunRequest;
    return this.start(request, id);
  }

  /** A page of the task's log: readable lines, or the raw stream-json lines. */
  logs(id: string, options: { offset?: number; limit?: number; raw?: boolean } = {}): TaskLogPage {
    const task = this.#require(id);
    let content: string;
    try {
      content = readFileSync(task.logPath, 'utf8');
    } catch {
      // Not written yet: the task has not produced output.
      content = '';
    }
    const rawLines = content.split('\n').filter((line) => line.length > 0);
    const rendered = options.raw
      ? rawLines
      : rawLines.flatMap((line) => {
          try {
            const text = renderMessage(JSON.parse(line) as ClaudeMessage);
            return text === undefined ? [] : [text];
          } catch {
            return [line];
          }
        });
    const offset = Math.max(0, options.offset ?? 0);
    const limit = Math.min(Math.max(1, options.limit ?? 100), 1000);
    const lines = rendered.slice(offset, offset + limit);
    const next = offset + lines.length;
    return { taskId: id, lines, offset, nextOffset: next < rendered.length ? next : null, total: rendered.length };
  }

  /**
   * At start: tasks left queued or running by a server that is gone become `interrupted`, and a
   * CLI process they left behind (found by its recorded pid) is stopped with its children.
   */
  recoverAfterRestart(): { interrupted: number; killed: number } {
    let interrupted = 0;
    let killed = 0;
    const rows = this.#database.prepare("SELECT * FROM tasks WHERE status IN ('queued', 'running')").all().map(toRecord);
    for (const task of rows) {
      if (task.ownerPid !== this.#ownerPid && processAlive(task.ownerPid) && /node/.test(commandLine(task.ownerPid))) continue;
      if (task.pid !== null && processAlive(task.pid) && /claude/.test(commandLine(task.pid))) {
        const tree = listDescendants(task.pid);
        for (const target of [task.pid, ...tree.map((entry) => entry.pid)]) {
          for (const signalTarget of [-target, target]) {
            try {
              process.kill(signalTarget, 'SIGKILL');
            } catch {
              // Gone already, or not a group leader.
            }
          }
        }
        killed += 1;
      }
      this.#finish(task.id, 'interrupted', { error: 'The server stopped while this task was running; restart it with claude_background_tasks.' });
      interrupted += 1;
    }
    return { interrupted, killed };
  }

  /** Resolves when no task of this process is running. */
  async waitForIdle(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()].map((active) => active.done));
  }

  /** Interrupts every running task (server shutdown). */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    for (const active of this.#active.values()) active.controller.abort(new Error('The server is shutting down.'));
    await this.waitForIdle();
  }

  #require(id: string): TaskRecord {
    const task = this.get(id);
    if (!task) throw new McpToolsError('MCP_TOOLS_TASK_NOT_FOUND', `No background task ${id}; list them with claude_background_tasks.`);
    return task;
  }

  #emit(type: TaskEvent['type'], id: string): void {
    const task = this.get(id);
    if (!task) return;
    try {
      this.#options.onEvent?.({ type, task, at: this.#now() });
    } catch (error) {
      this.#logger.error({ err: error, type }, 'task event handler failed');
    }
  }

  #finish(id: string, status: TaskStatus, fields: { result?: string | null; structured?: unknown; costUsd?: number; numTurns?: number; error?: string | null; sessionId?: string | null }): void {
    this.#database
      .prepare(
        `UPDATE tasks SET status = ?, finished_at = ?, result = COALESCE(?, result), structured_json = COALESCE(?, structured_json),
           cost_usd = COALESCE(?, cost_usd), num_turns = COALESCE(?, num_turns), error = ?, session_id = COALESCE(?, session_id), pid = NULL
         WHERE id = ?`,
      )
      .run(
        status,
        this.#now(),
        fields.result ?? null,
        fields.structured === undefined ? null : JSON.stringify(fields.structured),
        fields.costUsd ?? null,
        fields.numTurns ?? null,
        fields.error ?? null,
        fields.sessionId ?? null,
        id,
      );
    const type = ({ completed: 'background_task.completed', failed: 'background_task.failed', stopped: 'background_task.stopped', interrupted: 'background_task.interrupted' } as const)[
      status as 'completed' | 'failed' | 'stopped' | 'interrupted'
    ];
    if (type) this.#emit(type, id);
  }

  async #execute(id: string, request: RunRequest, logPath: string, controller: AbortController): Promise<void> {
    let log: WriteStream | undefined;
    try {
      log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
      const output = log;
      const outcome = await this.#options.runtime.run(request, {
        signal: controller.signal,
        canUseTool: this.#options.canUseTool,
        onProcess: (pid) => {
          this.#database.prepare("UPDATE tasks SET status = 'running', started_at = ?, pid = ? WHERE id = ?").run(this.#now(), pid ?? null, id);
          this.#emit('background_task.started', id);
        },
        onMessage: (message) => {
          output.write(`${JSON.stringify(message)}\n`);
          const sessionId = (message as { session_id?: unknown }).session_id;
          if (typeof sessionId === 'string') this.#database.prepare('UPDATE tasks SET session_id = ? WHERE id = ? AND session_id IS NULL').run(sessionId, id);
        },
      });
      if (outcome.status === 'completed') {
        this.#finish(id, 'completed', {
          result: outcome.result.text,
          structured: outcome.result.structuredOutput,
          costUsd: outcome.result.costUsd,
          numTurns: outcome.result.numTurns,
          sessionId: outcome.sessionId,
          error: null,
        });
      } else if (outcome.status === 'cancelled') {
        this.#finish(id, this.#shuttingDown ? 'interrupted' : 'stopped', { error: outcome.error.message, sessionId: outcome.sessionId ?? null });
      } else {
        this.#finish(id, 'failed', { error: `${outcome.error.code}: ${outcome.error.message}`, sessionId: outcome.sessionId ?? null });
      }
    } catch (error) {
      this.#logger.error({ err: error, taskId: id }, 'background task crashed');
      this.#finish(id, 'failed', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
    }
  }
}

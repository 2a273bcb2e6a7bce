import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import { listDescendants, noopLogger, type CanUseTool, type ClaudeMessage, type Logger } from '@claude-code-mcp/claude-cli-driver';
import * as z from 'zod';

import type { ClaudeRuntime } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import { OrderedWrites } from '../ordered-writes.js';
import type { RunRequest } from '../run-request.js';
import { TERMINAL_TASK_STATUSES, type ClaudeToolsStore, type TaskFinish, type TaskRecord, type TaskStatus } from '../store/index.js';
import { renderMessage } from './render-message.js';

export type { TaskRecord, TaskStatus } from '../store/index.js';

/**
 * Events for the webhooks package (and metrics): noun.verb, with the task as it is now.
 *
 * @example
 * ```ts
 * const onEvent = (event: TaskEvent) => logger.info({ type: event.type, taskId: event.task.id, status: event.task.status }, 'task event');
 * ```
 */
export interface TaskEvent {
  readonly type: 'background_task.started' | 'background_task.completed' | 'background_task.failed' | 'background_task.stopped' | 'background_task.interrupted';
  readonly task: TaskRecord;
  readonly at: number;
}

/**
 * A page of a task's log.
 *
 * @example
 * ```ts
 * const page: TaskLogPage = await tasks.logs(taskId, { offset: 0, limit: 50 });
 * ```
 */
export interface TaskLogPage {
  readonly taskId: string;
  readonly lines: readonly string[];
  readonly offset: number;
  readonly nextOffset: number | null;
  readonly total: number;
}

/**
 * Options of {@link TaskManager}.
 *
 * @example
 * ```ts
 * const options: TaskManagerOptions = { runtime, store, dataDir, canUseTool: () => ({ behavior: 'deny', message: 'no one to ask' }) };
 * ```
 */
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

const TERMINAL: ReadonlySet<TaskStatus> = new Set(TERMINAL_TASK_STATUSES);

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
 * process, its stream written to a log file, its state in the store. After a restart, tasks
 * whose server died are reported `interrupted` and their leftover processes are stopped.
 *
 * @example
 * ```ts
 * const tasks = new TaskManager({ runtime, store, dataDir, canUseTool: denyAll, onEvent: (event) => webhooks.emit(event) });
 * const task = await tasks.start({ prompt: 'run the tests', cwd: '/repo' });
 * ```
 */
export class TaskManager {
  readonly #options: TaskManagerOptions;
  readonly #tasks: ClaudeToolsStore['tasks'];
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #ownerPid: number;
  readonly #active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #shuttingDown = false;

  constructor(options: TaskManagerOptions) {
    checkTaskManagerOptions(options);
    this.#options = options;
    this.#tasks = options.store.tasks;
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
  async start(request: RunRequest, restartedFrom: string | null = null): Promise<TaskRecord> {
    const id = randomUUID();
    const logPath = join(this.#options.dataDir, 'tasks', `${id}.jsonl`);
    const record = await this.#tasks.insert({
      id,
      prompt: request.prompt,
      cwd: request.cwd,
      request,
      sessionId: request.sessionId ?? null,
      createdAt: this.#now(),
      ownerPid: this.#ownerPid,
      logPath,
      restartedFrom,
    });
    const controller = new AbortController();
    const done = this.#execute(id, request, logPath, controller)
      .catch((error: unknown) => this.#logger.error({ err: error, taskId: id }, 'background task bookkeeping failed'))
      .finally(() => this.#active.delete(id));
    this.#active.set(id, { controller, done });
    return record;
  }

  /** One task, or undefined. */
  get(id: string): Promise<TaskRecord | undefined> {
    return this.#tasks.get(id);
  }

  /** Tasks, newest first, optionally of one status; `offset` skips that many (paging). */
  list(filter: { status?: TaskStatus; limit?: number; offset?: number } = {}): Promise<TaskRecord[]> {
    return this.#tasks.list({ status: filter.status || undefined, limit: filter.limit ?? 50, offset: filter.offset ?? 0 });
  }

  /**
   * The task once it has ended (completed, failed, stopped or interrupted). A task of this process
   * is awaited; one that another server process runs on the same data folder is polled every
   * `pollMs`. `signal` gives up waiting (the task goes on).
   */
  async settled(id: string, signal?: AbortSignal, pollMs = 500): Promise<TaskRecord> {
    for (;;) {
      signal?.throwIfAborted();
      const record = await this.#require(id);
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
    const task = await this.#require(id);
    const active = this.#active.get(id);
    if (!active) {
      throw new McpToolsError('MCP_TOOLS_NOT_RUNNING', `Task ${id} is not running here (it is ${task.status}).`);
    }
    active.controller.abort(new Error('Stopped with claude_background_tasks.'));
    await active.done;
    return await this.#require(id);
  }

  /** Starts the same prompt and options again as a new task linked to the old one. */
  async restart(id: string): Promise<TaskRecord> {
    const task = await this.#require(id);
    if (!TERMINAL.has(task.status)) {
      throw new McpToolsError('MCP_TOOLS_SESSION_BUSY', `Task ${id} is still ${task.status}; stop it first.`);
    }
    const request = (await this.#tasks.requestOf(id)) as RunRequest;
    return this.start(request, id);
  }

  /** A page of the task's log: readable lines, or the raw stream-json lines. */
  async logs(id: string, options: { offset?: number; limit?: number; raw?: boolean } = {}): Promise<TaskLogPage> {
    const task = await this.#require(id);
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
  async recoverAfterRestart(): Promise<{ interrupted: number; killed: number }> {
    let interrupted = 0;
    let killed = 0;
    for (const task of await this.#tasks.listUnfinished()) {
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
      await this.#finish(task.id, { status: 'interrupted', error: 'The server stopped while this task was running; restart it with claude_background_tasks.' });
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

  async #require(id: string): Promise<TaskRecord> {
    const task = await this.get(id);
    if (!task) throw new McpToolsError('MCP_TOOLS_TASK_NOT_FOUND', `No background task ${id}; list them with claude_background_tasks.`);
    return task;
  }

  async #emit(type: TaskEvent['type'], id: string): Promise<void> {
    const task = await this.get(id);
    if (!task) return;
    try {
      this.#options.onEvent?.({ type, task, at: this.#now() });
    } catch (error) {
      this.#logger.error({ err: error, type }, 'task event handler failed');
    }
  }

  async #finish(id: string, finish: Omit<TaskFinish, 'at'>): Promise<void> {
    await this.#tasks.finish(id, { ...finish, at: this.#now() });
    await this.#emit(`background_task.${finish.status}`, id);
  }

  async #execute(id: string, request: RunRequest, logPath: string, controller: AbortController): Promise<void> {
    let log: WriteStream | undefined;
    // The callbacks cannot wait: their writes are applied in order, and all of them land before
    // the task is finished (a late "started" must not reopen an ended task).
    const writes = new OrderedWrites(this.#logger);
    try {
      log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
      const output = log;
      const outcome = await this.#options.runtime.run(request, {
        signal: controller.signal,
        canUseTool: this.#options.canUseTool,
        onProcess: (pid) => {
          const at = this.#now();
          writes.push('mark the task started', { taskId: id }, async () => {
            await this.#tasks.markStarted(id, at, pid ?? null);
            await this.#emit('background_task.started', id);
          });
        },
        onMessage: (message) => {
          output.write(`${JSON.stringify(message)}\n`);
          const sessionId = (message as { session_id?: unknown }).session_id;
          if (typeof sessionId === 'string') writes.push('note the session of the task', { taskId: id }, () => this.#tasks.noteSession(id, sessionId));
        },
      });
      await writes.drain();
      if (outcome.status === 'completed') {
        await this.#finish(id, {
          status: 'completed',
          result: outcome.result.text,
          structuredOutput: outcome.result.structuredOutput,
          costUsd: outcome.result.costUsd,
          numTurns: outcome.result.numTurns,
          sessionId: outcome.sessionId,
          error: null,
        });
      } else if (outcome.status === 'cancelled') {
        await this.#finish(id, { status: this.#shuttingDown ? 'interrupted' : 'stopped', error: outcome.error.message, sessionId: outcome.sessionId ?? null });
      } else {
        await this.#finish(id, { status: 'failed', error: `${outcome.error.code}: ${outcome.error.message}`, sessionId: outcome.sessionId ?? null });
      }
    } catch (error) {
      this.#logger.error({ err: error, taskId: id }, 'background task crashed');
      await writes.drain();
      await this.#finish(id, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
    } finally {
      await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));
    }
  }
}

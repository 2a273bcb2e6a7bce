import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

import { describeProcess, isAlive, noopLogger, type ClaudeMessage, type Logger } from '@claude-code-mcp/claude-cli-driver';
import * as z from 'zod';

import type { ClaudeRuntime } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import type { RunRequest } from '../run-request.js';
import { TERMINAL_TASK_STATUSES, type ClaudeToolsStore, type TaskFinish, type TaskOwner, type TaskRecord, type TaskStatus } from '../store/index.js';
import type { PermissionPolicy } from '../tools/permission-bridge.js';
import { detachedProcesses, type DetachedProcesses } from './detached-processes.js';
import { renderMessage } from './render-message.js';
import { adoptTask, launchTask, type TaskRunContext, type TaskSignals } from './task-run.js';

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
 * What {@link TaskManager.shutdown} does with the tasks it runs: `continue` (the default) leaves
 * their processes running for the next server on the data folder to adopt; `stop` stops them.
 *
 * @example
 * ```ts
 * const onShutdown: TaskShutdownPolicy = config.backgroundTasksOnShutdown;
 * ```
 */
export type TaskShutdownPolicy = 'continue' | 'stop';

/**
 * Options of {@link TaskManager}.
 *
 * @example
 * ```ts
 * const options: TaskManagerOptions = { runtime, store, dataDir, permissionPolicy: 'deny' };
 * ```
 */
export interface TaskManagerOptions {
  readonly runtime: ClaudeRuntime;
  readonly store: ClaudeToolsStore;
  /** Logs go to `<dataDir>/tasks/<id>.jsonl`. */
  readonly dataDir: string;
  /** Tool calls that need approval: nobody is there to ask, so a policy (default `deny`). */
  readonly permissionPolicy?: PermissionPolicy;
  /** What `shutdown()` does with running tasks (default `continue`). */
  readonly onShutdown?: TaskShutdownPolicy;
  /** Receives task events (started, completed, failed, stopped, interrupted). */
  readonly onEvent?: (event: TaskEvent) => void;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** This server process as the owner of its tasks (default: this process, from the process table). */
  readonly owner?: TaskOwner;
  /** Starts, checks and stops the detached processes (default: the driver's). */
  readonly processes?: DetachedProcesses;
  /** How often a running task's log and process are checked, in ms (default 200). */
  readonly pollIntervalMs?: number;
}

const taskManagerDataSchema = z.object({
  dataDir: z.string().refine((value) => isAbsolute(value) && !value.includes('\0'), 'must be an absolute path'),
  permissionPolicy: z.enum(['deny', 'allow']).default('deny'),
  onShutdown: z.enum(['continue', 'stop']).default('continue'),
  pollIntervalMs: z.number().int().min(10).max(60_000).default(200),
});

function checkTaskManagerOptions(options: TaskManagerOptions): z.infer<typeof taskManagerDataSchema> {
  const { dataDir, permissionPolicy, onShutdown, pollIntervalMs } = options;
  const parsed = taskManagerDataSchema.safeParse({ dataDir, permissionPolicy, onShutdown, pollIntervalMs });
  if (!parsed.success) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `Invalid TaskManager options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  return parsed.data;
}

const TERMINAL: ReadonlySet<TaskStatus> = new Set(TERMINAL_TASK_STATUSES);

function thisProcess(): TaskOwner {
  return { pid: process.pid, startTime: describeProcess(process.pid)?.startTime ?? null };
}

// A task recorded before owners had start times: its owner counts as alive while a Node process has its pid.
function legacyOwnerAlive(pid: number): boolean {
  try {
    return /node/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * What {@link TaskManager.recoverAfterRestart} did.
 *
 * @example
 * ```ts
 * const { adopted, started, interrupted } = await tasks.recoverAfterRestart();
 * ```
 */
export interface TaskRecovery {
  /** Running tasks whose process still runs (or ended while no server watched): followed now. */
  readonly adopted: number;
  /** Queued tasks that never started: started now. */
  readonly started: number;
  /** Tasks that cannot go on (the machine restarted, or an older server ran them in-process). */
  readonly interrupted: number;
}

interface ActiveTask extends TaskSignals {
  readonly done: Promise<void>;
}

/**
 * Background runs: a `claude_ask` that returns a task id at once and runs in a Claude Code
 * process of its own, outside the server: it goes on when the server exits, is killed or
 * crashes, writing its stream to its log file. The next server on the same data folder adopts
 * it (follows the log, records the result and cost when it ends). Only a task whose process
 * cannot exist any more (the machine restarted) is `interrupted`.
 *
 * @example
 * ```ts
 * const tasks = new TaskManager({ runtime, store, dataDir, onEvent: (event) => webhooks.emit(event) });
 * await tasks.recoverAfterRestart();
 * const task = await tasks.start({ prompt: 'run the tests', cwd: '/repo' });
 * ```
 */
export class TaskManager {
  readonly #options: TaskManagerOptions;
  readonly #settings: z.infer<typeof taskManagerDataSchema>;
  readonly #tasks: ClaudeToolsStore['tasks'];
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #owner: TaskOwner;
  readonly #processes: DetachedProcesses;
  readonly #active = new Map<string, ActiveTask>();
  // Active tasks whose Claude Code process has started (the others wait for a slot).
  readonly #started = new Set<string>();
  #shuttingDown = false;
  #stopRecovering: (() => void) | undefined;

  constructor(options: TaskManagerOptions) {
    this.#settings = checkTaskManagerOptions(options);
    this.#options = options;
    this.#tasks = options.store.tasks;
    this.#logger = (options.logger ?? noopLogger).child({ component: 'background-tasks' });
    this.#now = options.now ?? Date.now;
    this.#owner = options.owner ?? thisProcess();
    this.#processes = options.processes ?? detachedProcesses;
    mkdirSync(join(options.dataDir, 'tasks'), { recursive: true, mode: 0o700 });
  }

  /** Tasks running or queued in this process. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** This server's active tasks: those waiting for a slot and those whose process runs. */
  counts(): { readonly queued: number; readonly running: number } {
    return { queued: this.#active.size - this.#started.size, running: this.#started.size };
  }

  /** Starts a background run and returns its record at once (queued until a slot is free). */
  async start(request: RunRequest, restartedFrom: string | null = null): Promise<TaskRecord> {
    const id = randomUUID();
    const record = await this.#tasks.insert({
      id,
      prompt: request.prompt,
      cwd: request.cwd,
      request,
      sessionId: request.sessionId ?? null,
      createdAt: this.#now(),
      ownerPid: this.#owner.pid,
      ownerStartTime: this.#owner.startTime,
      logPath: join(this.#options.dataDir, 'tasks', `${id}.jsonl`),
      restartedFrom,
    });
    this.#track(id, (signals) => launchTask(this.#context, record, request, signals));
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

  /** Stops a running task; resolves once its process (and everything below it) is gone. */
  async stop(id: string): Promise<TaskRecord> {
    const active = this.#active.get(id);
    if (active) {
      // At once: a shutdown that follows must find the stop already asked for.
      active.stop.abort(new Error('Stopped with claude_background_tasks.'));
      await active.done;
      return await this.#require(id);
    }
    const task = await this.#require(id);
    throw new McpToolsError('MCP_TOOLS_NOT_RUNNING', `Task ${id} is not running here (it is ${task.status}).`);
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
   * At start: takes over the unfinished tasks of servers that are gone (a live server sharing the
   * data folder keeps its own). A running task whose process still runs is followed to its end;
   * one whose process ended meanwhile is recorded from its log; a queued one is started. Only a
   * task whose process cannot exist any more (the machine restarted) is `interrupted`.
   */
  async recoverAfterRestart(): Promise<TaskRecovery> {
    const counts = { adopted: 0, started: 0, interrupted: 0 };
    for (const task of await this.#tasks.listUnfinished()) {
      const owner: TaskOwner = { pid: task.ownerPid, startTime: task.ownerStartTime };
      if (this.#shuttingDown || this.#isUs(owner) || this.#ownerAlive(owner)) continue;
      try {
        // Another server starting on the same folder may take it first.
        if (!(await this.#tasks.claim(task.id, owner, this.#owner))) continue;
        counts[await this.#takeOver(task, (await this.#tasks.requestOf(task.id)) as RunRequest)] += 1;
      } catch (error) {
        // One task the store cannot serve must not keep the server from starting.
        this.#logger.error({ err: error, taskId: task.id }, 'could not take over a background task');
      }
    }
    if (counts.adopted + counts.started + counts.interrupted > 0) this.#logger.info(counts, 'background tasks of a server that is gone taken over');
    return counts;
  }

  /**
   * Looks for tasks of servers that are gone every `intervalMs` (a server on the same data folder
   * may end after this one started), and takes them over as {@link recoverAfterRestart} does.
   * Returns the function that stops looking; `shutdown()` stops it too.
   */
  keepRecovering(intervalMs = 30_000): () => void {
    const timer = setInterval(() => {
      void this.recoverAfterRestart().catch((error: unknown) => this.#logger.error({ err: error }, 'looking for background tasks to take over failed'));
    }, intervalMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    this.#stopRecovering = stop;
    return stop;
  }

  /** Resolves when no task of this process is running. */
  async waitForIdle(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active.values()].map((active) => active.done));
  }

  /**
   * Server shutdown. With `onShutdown: 'continue'` (the default) every running task is left
   * running for the next server (queued ones stay queued); with `'stop'` each is stopped.
   */
  async shutdown(): Promise<void> {
    this.#shuttingDown = true;
    this.#stopRecovering?.();
    const leave = this.#settings.onShutdown === 'continue';
    if (leave && this.#active.size > 0) this.#logger.info({ tasks: this.#active.size }, 'background tasks go on; the next server on this data folder adopts them');
    for (const active of this.#active.values()) {
      if (leave) active.detach.abort(new Error('The server is shutting down.'));
      else active.stop.abort(new Error('Stopped because the server shut down (BACKGROUND_TASKS_ON_SHUTDOWN=stop).'));
    }
    await this.waitForIdle();
  }

  async #takeOver(task: TaskRecord, request: RunRequest): Promise<keyof TaskRecovery> {
    // The log is opened as the process starts: a queued task with one was started by a server that
    // died before it could record the process, which may still run. Starting it again would run it twice.
    if (task.status === 'queued' && existsSync(task.logPath)) {
      const error = 'The server stopped while starting this task, before it could record its Claude Code process; restart it with claude_background_tasks.';
      this.#logger.warn({ taskId: task.id }, error);
      await this.#finish(task.id, { status: 'interrupted', error });
      return 'interrupted';
    }
    if (task.status === 'queued') {
      this.#track(task.id, (signals) => launchTask(this.#context, task, request, signals));
      return 'started';
    }
    const bootId = this.#processes.bootId();
    if (task.processStartTime === null && task.ownerStartTime === null) {
      await this.#finish(task.id, { status: 'interrupted', error: 'An earlier version of the server ran this task inside its own process, which has ended; restart it with claude_background_tasks.' });
      return 'interrupted';
    }
    if (task.pid === null || task.processStartTime === null) {
      // Its process ended before it could be identified: what it did is in its log.
      this.#track(task.id, (signals) => adoptTask(this.#context, task, request, { pid: task.pid ?? 0, startTime: '' }, signals));
      this.#started.add(task.id);
      return 'adopted';
    }
    if (task.bootId !== null && bootId !== undefined && task.bootId !== bootId) {
      const error = 'The machine restarted while this task ran, which ended its Claude Code process; restart it with claude_background_tasks.';
      this.#logger.warn({ taskId: task.id }, error);
      await this.#finish(task.id, { status: 'interrupted', error });
      return 'interrupted';
    }
    const run = { pid: task.pid, startTime: task.processStartTime };
    this.#logger.info({ taskId: task.id, pid: run.pid, running: this.#processes.isAlive(run) }, 'adopting a background task');
    this.#track(task.id, (signals) => adoptTask(this.#context, task, request, run, signals));
    this.#started.add(task.id);
    return 'adopted';
  }

  #isUs(owner: TaskOwner): boolean {
    return owner.pid === this.#owner.pid && owner.startTime === this.#owner.startTime;
  }

  #ownerAlive(owner: TaskOwner): boolean {
    if (owner.startTime === null) return isAlive({ pid: owner.pid }) && legacyOwnerAlive(owner.pid);
    return this.#processes.isAlive({ pid: owner.pid, startTime: owner.startTime });
  }

  #track(id: string, run: (signals: TaskSignals) => Promise<void>): void {
    const signals: TaskSignals = { stop: new AbortController(), detach: new AbortController() };
    // A shutdown that began meanwhile applies to this task too.
    if (this.#shuttingDown) signals.detach.abort(new Error('The server is shutting down.'));
    const done = run(signals)
      .catch(async (error: unknown) => {
        this.#logger.error({ err: error, taskId: id }, 'background task bookkeeping failed');
        await this.#finish(id, { status: 'failed', error: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      })
      .finally(() => {
        this.#active.delete(id);
        this.#started.delete(id);
      });
    this.#active.set(id, { ...signals, done });
  }

  get #context(): TaskRunContext {
    return {
      runtime: this.#options.runtime,
      store: this.#options.store,
      processes: this.#processes,
      policy: this.#settings.permissionPolicy,
      logger: this.#logger,
      now: this.#now,
      pollMs: this.#settings.pollIntervalMs,
      finish: (id, finish) => this.#finish(id, finish),
      started: async (id, run) => {
        await this.#tasks.markStarted(id, this.#now(), run && { pid: run.pid, startTime: run.startTime, bootId: this.#processes.bootId() ?? null });
        if (this.#active.has(id)) this.#started.add(id);
        await this.#emit('background_task.started', id);
      },
    };
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
}

/**
 * Where a background task is in its life.
 *
 * @example
 * ```ts
 * const ended = (status: TaskStatus): boolean => TERMINAL_TASK_STATUSES.includes(status);
 * ```
 */
export type TaskStatus = 'queued' | 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/**
 * The statuses a task ends in.
 *
 * @example
 * ```ts
 * const done = TERMINAL_TASK_STATUSES.includes(task.status);
 * ```
 */
export const TERMINAL_TASK_STATUSES: readonly TaskStatus[] = Object.freeze(['completed', 'failed', 'stopped', 'interrupted']);

/**
 * A background task as stored. Records returned by a store are frozen.
 *
 * @example
 * ```ts
 * const line = (task: TaskRecord): string => `${task.id} ${task.status} $${task.costUsd}`;
 * ```
 */
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
  /** With `pid`, the CLI process as the process table identifies it (a reused pid has another). */
  readonly processStartTime: string | null;
  /** The boot of the machine the CLI process started in: after a reboot it cannot be running. */
  readonly bootId: string | null;
  /** The server process that owns the task. */
  readonly ownerPid: number;
  /** With `ownerPid`, the owning server as the process table identifies it. */
  readonly ownerStartTime: string | null;
  readonly logPath: string;
  /** The task this one restarted. */
  readonly restartedFrom: string | null;
}

/**
 * What `TaskStore.insert` takes: the task, queued, and the request to keep for a restart
 * (anything `JSON.stringify` keeps).
 *
 * @example
 * ```ts
 * await store.tasks.insert({ id, prompt, cwd, request, sessionId: null, createdAt: Date.now(), ownerPid: process.pid, logPath, restartedFrom: null });
 * ```
 */
export interface NewTaskRecord {
  readonly id: string;
  readonly prompt: string;
  readonly cwd: string;
  readonly request: unknown;
  readonly sessionId: string | null;
  readonly createdAt: number;
  readonly ownerPid: number;
  /** The owning server's start time (`describeProcess`); default `null` (unknown). */
  readonly ownerStartTime?: string | null;
  readonly logPath: string;
  readonly restartedFrom: string | null;
}

/**
 * The CLI process of a running task, for `TaskStore.markStarted`.
 *
 * @example
 * ```ts
 * const started: TaskProcess = { pid: run.pid, startTime: run.startTime, bootId: currentBootId() ?? null };
 * ```
 */
export interface TaskProcess {
  readonly pid: number;
  readonly startTime: string;
  readonly bootId: string | null;
}

/**
 * A server process as the owner of tasks, for `TaskStore.claim`.
 *
 * @example
 * ```ts
 * const owner: TaskOwner = { pid: process.pid, startTime: describeProcess(process.pid)?.startTime ?? null };
 * ```
 */
export interface TaskOwner {
  readonly pid: number;
  readonly startTime: string | null;
}

/**
 * How a task ended, for `TaskStore.finish`; omitted fields keep their stored value, `error`
 * always replaces it.
 *
 * @example
 * ```ts
 * await store.tasks.finish(id, { status: 'failed', at: Date.now(), error: 'the run failed' });
 * ```
 */
export interface TaskFinish {
  readonly status: Exclude<TaskStatus, 'queued' | 'running'>;
  readonly at: number;
  readonly error: string | null;
  readonly result?: string | null | undefined;
  readonly structuredOutput?: unknown;
  readonly costUsd?: number | undefined;
  readonly numTurns?: number | undefined;
  readonly sessionId?: string | null | undefined;
}

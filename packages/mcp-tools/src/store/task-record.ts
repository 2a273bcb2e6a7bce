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
  /** The server process that owns the task. */
  readonly ownerPid: number;
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
  readonly logPath: string;
  readonly restartedFrom: string | null;
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

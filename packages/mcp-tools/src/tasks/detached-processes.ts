// What the task manager needs of the operating system to run tasks outside the server: start a
// detached Claude Code process, see whether one still runs, stop one, and know the boot. The
// driver gives the real ones; unit tests give a fake.
import { currentBootId, isAlive, startDetachedRun, stopDetachedRun, type DetachedRun, type DetachedRunOptions } from '@claude-code-mcp/claude-cli-driver';

/**
 * A process as recorded: its pid and the start time that makes it unique.
 *
 * @example
 * ```ts
 * const recorded: RecordedProcess = { pid: run.pid, startTime: run.startTime };
 * ```
 */
export interface RecordedProcess {
  readonly pid: number;
  readonly startTime: string;
}

/**
 * How background tasks reach their processes.
 *
 * @example
 * ```ts
 * const tasks = new TaskManager({ runtime, store, dataDir, processes: detachedProcesses });
 * ```
 */
export interface DetachedProcesses {
  start(options: DetachedRunOptions): Promise<DetachedRun>;
  isAlive(process: RecordedProcess): boolean;
  /** Stops the process and every process below it; `false` when it was not running. */
  stop(process: RecordedProcess): Promise<boolean>;
  /** This boot of the machine, where it can be known. */
  bootId(): string | undefined;
}

/**
 * The real ones, from the driver.
 *
 * @example
 * ```ts
 * const alive = detachedProcesses.isAlive({ pid: task.pid, startTime: task.processStartTime });
 * ```
 */
export const detachedProcesses: DetachedProcesses = Object.freeze({
  start: (options: DetachedRunOptions) => startDetachedRun(options),
  isAlive: (process: RecordedProcess) => isAlive(process),
  stop: (process: RecordedProcess) => stopDetachedRun(process),
  bootId: () => currentBootId(),
});

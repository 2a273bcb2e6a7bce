// A run that outlives the process that started it. The CLI gets files, not pipes: its prompt is
// read from a file (stdin ends after one user message, so it exits once the turn is done), its
// stream goes to a log file and its stderr to another, and it leads a session of its own. A server
// that exits, is killed or crashes leaves it running; any later process can follow its log and
// stop it by its pid and start time. Without a control channel, nothing can be asked while it
// runs: permissions come from its flags and settings.
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';

import type { ExitInfo } from './cli-process.js';
import { ClaudeCliError } from './errors.js';
import { processEnvironment } from './internal/process-environment.js';
import type { ContentBlock } from './messages.js';
import { buildArguments, parseRunOptions } from './options.js';
import { describeProcess, isAlive, killSnapshot, listDescendants, type ProcessEntry } from './process-tree.js';
import { detectClaudeVersion, resolveClaudeBinary } from './resolve-binary.js';
import type { RunOptions } from './session.js';

/** Where a detached run reads its prompt and writes its output (absolute paths). */
export interface DetachedRunFiles {
  /** Written with the prompt (one stream-json user message), then the CLI's stdin. */
  readonly inputPath: string;
  /** The CLI's stdout: one stream-json message per line, appended. */
  readonly outputPath: string;
  /** The CLI's stderr, appended. */
  readonly stderrPath: string;
}

/** The `spawn` a detached run needs; inject your own in tests. */
export type DetachedSpawnFunction = (
  command: string,
  args: readonly string[],
  options: { cwd?: string | undefined; env: NodeJS.ProcessEnv; stdio: [number, number, number]; detached: true },
) => ChildProcess;

/**
 * Options of {@link startDetachedRun}: the run options that need no live channel, the prompt and
 * the files. `canUseTool` and `hooks` callbacks are refused: nobody answers them.
 */
export interface DetachedRunOptions extends Omit<RunOptions, 'canUseTool' | 'hooks' | 'logger' | 'spawn' | 'maxLineBytes' | 'controlTimeoutMs' | 'killGraceMs'> {
  readonly prompt: string | ContentBlock[];
  /** The user message's uuid. */
  readonly uuid?: string;
  readonly files: DetachedRunFiles;
  /** Replaces `child_process.spawn` (tests). */
  readonly spawn?: DetachedSpawnFunction;
}

/** A detached CLI process as the process table identifies it, and how it ended when we saw it end. */
export interface DetachedRun {
  readonly pid: number;
  /** Recorded with the pid: a later process with the same pid is another one. `''`: it has ended already. */
  readonly startTime: string;
  /** Settles when the process exits, as long as the process that started it lives. */
  readonly exited: Promise<ExitInfo>;
}

function checkFiles(files: DetachedRunFiles): void {
  for (const [name, path] of Object.entries(files)) {
    if (typeof path !== 'string' || !isAbsolute(path) || path.includes('\0')) {
      throw new ClaudeCliError('CLAUDE_CLI_INVALID_OPTIONS', `Invalid Claude Code options: files.${name} must be an absolute path.`);
    }
  }
}

function spawnDetached(spawn: DetachedSpawnFunction, executable: string, args: readonly string[], cwd: string | undefined, env: NodeJS.ProcessEnv, files: DetachedRunFiles): ChildProcess {
  const descriptors: number[] = [];
  try {
    descriptors.push(openSync(files.inputPath, 'r'), openSync(files.outputPath, 'a', 0o600), openSync(files.stderrPath, 'a', 0o600));
    return spawn(executable, args, { cwd, env, stdio: descriptors as [number, number, number], detached: true });
  } catch (error) {
    throw new ClaudeCliError('CLAUDE_CLI_SPAWN_FAILED', `Could not start ${executable}: ${(error as Error).message}`, { cause: error });
  } finally {
    // The child holds its own copies.
    for (const descriptor of descriptors) closeSync(descriptor);
  }
}

// Resolves with the pid once the child has one, or rejects with why it could not start.
function spawned(child: ChildProcess, executable: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.pid !== undefined) return resolve(child.pid);
    child.once('error', (error) => reject(new ClaudeCliError('CLAUDE_CLI_SPAWN_FAILED', `Could not start ${executable}: ${error.message}`, { cause: error })));
    child.once('spawn', () => resolve(child.pid as number));
  });
}

/**
 * Starts Claude Code on one prompt in a process that does not depend on this one: it keeps
 * running if this process exits or is killed. Follow it with `RunLogReader` and `isAlive`;
 * stop it with {@link stopDetachedRun}. `startTime` is `''` when the process ended before it
 * could be read (it failed at once; its log and stderr say why).
 *
 * @throws {@link ClaudeCliError} `CLAUDE_CLI_INVALID_OPTIONS`, `CLAUDE_CLI_NOT_FOUND`, `CLAUDE_CLI_VERSION_UNSUPPORTED`, `CLAUDE_CLI_SPAWN_FAILED`.
 * @example
 * ```ts
 * const files = { inputPath: `${dir}/t1.input`, outputPath: `${dir}/t1.jsonl`, stderrPath: `${dir}/t1.stderr` };
 * const run = await startDetachedRun({ prompt: 'Run the tests', cwd: '/repo', allowedTools: ['Bash(npm test)'], files });
 * store.save({ pid: run.pid, startTime: run.startTime });
 * ```
 */
export async function startDetachedRun(options: DetachedRunOptions): Promise<DetachedRun> {
  const { prompt, uuid, files, spawn, checkVersion, ...data } = options;
  for (const callback of ['canUseTool', 'hooks'] as const) {
    if (callback in options) throw new ClaudeCliError('CLAUDE_CLI_INVALID_OPTIONS', `Invalid Claude Code options: a detached run cannot take ${callback} (nothing answers it).`);
  }
  checkFiles(files);
  const validated = parseRunOptions(data);
  const env: NodeJS.ProcessEnv = { ...(validated.inheritEnv === false ? {} : processEnvironment()), ...validated.env };
  if (validated.enableFileCheckpointing) env['CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING'] = 'true';
  const { path } = resolveClaudeBinary({ executable: validated.executable, env });
  if (checkVersion !== false && spawn === undefined) await detectClaudeVersion(path);
  const args = buildArguments(validated, { permissionPromptTool: false });
  const message = { type: 'user', message: { role: 'user', content: prompt }, parent_tool_use_id: null, ...(uuid ? { uuid } : {}) };
  writeFileSync(files.inputPath, `${JSON.stringify(message)}\n`, { mode: 0o600 });
  const child = spawnDetached(spawn ?? nodeSpawn, path, args, validated.cwd, env, files);
  const exited = new Promise<ExitInfo>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = await spawned(child, path);
  // Nothing here waits for it: this process may exit while it runs.
  child.unref();
  return { pid, startTime: await identify(child, pid, path), exited };
}

// The start time that tells this process from a later one with its pid. A process that cannot
// be identified is not left running unaccounted for: it is stopped, and the start fails.
// `''` means it has ended already (its log says why).
async function identify(child: ChildProcess, pid: number, executable: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const entry = describeProcess(pid);
    if (entry !== undefined) return entry.startTime;
    if (child.exitCode !== null || child.signalCode !== null) return '';
    await sleep(25);
  }
  if (child.exitCode !== null || child.signalCode !== null) return '';
  child.kill('SIGKILL');
  throw new ClaudeCliError('CLAUDE_CLI_SPAWN_FAILED', `Started ${executable} (pid ${pid}) but could not read its start time from the process table, so it could not be followed; it was stopped.`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForExit(run: Pick<ProcessEntry, 'pid' | 'startTime'>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(run)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Stops a detached run, whoever started it: SIGTERM to the CLI and its process group, then, after
 * `graceMs` (default 3 s) or once it has exited, SIGKILL to every process that was below it (its
 * Bash commands run in sessions of their own, so they are reached through their groups). Resolves
 * `true` once they are gone, `false` when the run was not running.
 *
 * @example
 * ```ts
 * await stopDetachedRun({ pid: task.pid, startTime: task.startTime });
 * ```
 */
export async function stopDetachedRun(run: Pick<ProcessEntry, 'pid' | 'startTime'>, options: { readonly graceMs?: number } = {}): Promise<boolean> {
  const leader = describeProcess(run.pid);
  if (leader === undefined || leader.startTime !== run.startTime) return false;
  const below = listDescendants(run.pid);
  for (const target of [-run.pid, run.pid]) {
    try {
      process.kill(target, 'SIGTERM');
    } catch {
      // Not a group leader, or gone.
    }
  }
  await waitForExit(run, options.graceMs ?? 3_000);
  const snapshot = [leader, ...below, ...(isAlive(run) ? listDescendants(run.pid) : [])];
  killSnapshot(snapshot);
  for (const entry of snapshot) await waitForExit(entry, 2_000);
  return true;
}

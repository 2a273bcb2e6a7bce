// One background task's run: a slot, a detached Claude Code process, its log followed until the
// process is gone, and the outcome recorded. The same follow serves a task adopted from a server
// that is gone. The server leaving (detach) leaves the process running and the task as it is.
import { unlinkSync } from 'node:fs';

import { ClaudeCliError, detachedOutcome, RunLogReader, type ClaudeMessage, type Logger, type RunResult } from '@claude-code-mcp/claude-cli-driver';

import type { ClaudeRuntime, RunHold } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import type { RunRequest } from '../run-request.js';
import type { ClaudeToolsStore, SessionSeed, TaskFinish, TaskRecord } from '../store/index.js';
import type { PermissionPolicy } from '../tools/permission-bridge.js';
import { roundUsd } from '../usd.js';
import type { DetachedProcesses, RecordedProcess } from './detached-processes.js';
import { policySettings } from './task-permissions.js';

/** What a task run needs from its manager. */
export interface TaskRunContext {
  readonly runtime: ClaudeRuntime;
  readonly store: ClaudeToolsStore;
  readonly processes: DetachedProcesses;
  readonly policy: PermissionPolicy;
  readonly logger: Logger;
  readonly now: () => number;
  readonly pollMs: number;
  /** Ends the task (and emits its event). */
  readonly finish: (id: string, finish: Omit<TaskFinish, 'at'>) => Promise<void>;
  /** Marks it running with its process (`null`: it ended before it could be identified), and emits its event. */
  readonly started: (id: string, process: RecordedProcess | null) => Promise<void>;
}

/** The two ways a run is let go: `stop` ends it; `detach` leaves it running (the server exits). */
export interface TaskSignals {
  readonly stop: AbortController;
  readonly detach: AbortController;
}

// A process that wrote its result but lingers (a SessionEnd hook, a stuck child) is stopped.
const LINGER_MS = 10_000;

/** The prompt and stderr files that go with a task's log. */
export function taskFiles(logPath: string): { inputPath: string; outputPath: string; stderrPath: string } {
  const base = logPath.replace(/\.jsonl$/, '');
  return { inputPath: `${base}.prompt.json`, outputPath: logPath, stderrPath: `${base}.stderr.log` };
}

function sleep(ms: number, signals: TaskSignals): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signals.stop.signal.removeEventListener('abort', done);
      signals.detach.signal.removeEventListener('abort', done);
      resolve();
    }
    signals.stop.signal.addEventListener('abort', done, { once: true });
    signals.detach.signal.addEventListener('abort', done, { once: true });
  });
}

const failure = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs a queued task: waits for a slot, starts its process, follows it to the end. Detached
 * while queued, it stays queued (the next server starts it); detached while running, it runs on.
 */
export async function launchTask(context: TaskRunContext, task: TaskRecord, request: RunRequest, signals: TaskSignals): Promise<void> {
  const hold = context.runtime.hold(request.cwd, signals.stop);
  try {
    if (request.sessionId !== undefined && !hold.setSession(request.sessionId)) {
      const message = `Session ${request.sessionId} is already running a turn; wait for it to finish or stop it with claude_abort.`;
      return await context.finish(task.id, { status: 'failed', error: `MCP_TOOLS_SESSION_BUSY: ${message}` });
    }
    let release: () => void;
    try {
      release = await context.runtime.acquireSlot({ priority: request.priority ?? 'normal', signal: AbortSignal.any([signals.stop.signal, signals.detach.signal]) });
    } catch {
      if (signals.stop.signal.aborted) await context.finish(task.id, { status: 'stopped', error: failure(signals.stop.signal.reason) });
      return;
    }
    try {
      const run = await spawnTask(context, task, request);
      if (run === undefined) return;
      await context.started(task.id, run.startTime === '' ? null : run);
      await followTask(context, task, request, run, signals, hold);
    } finally {
      release();
    }
  } finally {
    hold.release();
  }
}

async function spawnTask(context: TaskRunContext, task: TaskRecord, request: RunRequest): Promise<RecordedProcess | undefined> {
  const files = taskFiles(task.logPath);
  try {
    const options = await context.runtime.claudeOptions(request);
    const settings = policySettings(context.policy, options.settings);
    const run = await context.processes.start({ ...options, ...(settings ? { settings } : {}), prompt: request.prompt, files });
    return { pid: run.pid, startTime: run.startTime };
  } catch (error) {
    const code = ClaudeCliError.isInstance(error) || McpToolsError.isInstance(error) ? `${error.code}: ` : '';
    await context.finish(task.id, { status: 'failed', error: `${code}${failure(error)}` });
    return undefined;
  } finally {
    // The process holds its stdin open; the prompt is kept in the store, not in a loose file.
    try {
      unlinkSync(files.inputPath);
    } catch {
      // Never written.
    }
  }
}

/** Follows a task whose process another server started (and left): the same as our own. */
export async function adoptTask(context: TaskRunContext, task: TaskRecord, request: RunRequest, run: RecordedProcess, signals: TaskSignals): Promise<void> {
  const hold = context.runtime.hold(request.cwd, signals.stop);
  try {
    if (task.sessionId !== null) hold.setSession(task.sessionId);
    await followTask(context, task, request, run, signals, hold);
  } finally {
    hold.release();
  }
}

/** Reads the log as it grows until the process is gone, then records the outcome. */
async function followTask(context: TaskRunContext, task: TaskRecord, request: RunRequest, run: RecordedProcess, signals: TaskSignals, hold: RunHold): Promise<void> {
  const reader = new RunLogReader(task.logPath);
  // The session is named again on every follow: an adopted one was marked interrupted at start.
  const seen = { sessionId: null as string | null, resultAt: undefined as number | undefined };
  let stopped = false;
  for (;;) {
    for (const message of reader.read()) await noteMessage(context, task, request, message, seen, hold);
    if (run.startTime === '' || !context.processes.isAlive(run)) break;
    if (signals.stop.signal.aborted && !stopped) {
      stopped = true;
      await context.processes.stop(run);
    } else if (signals.detach.signal.aborted && !stopped) {
      return context.logger.info({ taskId: task.id, pid: run.pid }, 'background task left running for the next server');
    } else if (reader.result !== undefined && context.now() - (seen.resultAt ??= context.now()) > LINGER_MS) {
      await context.processes.stop(run);
    }
    // Also after a stop: a process that outlives it is checked again, not in a busy loop.
    await sleep(context.pollMs, signals);
  }
  for (const message of reader.read()) await noteMessage(context, task, request, message, seen, hold);
  const outcome = detachedOutcome(reader.result, { stopped, stderrPath: taskFiles(task.logPath).stderrPath });
  await settleTask(context, task, request, outcome, seen.sessionId, stopped ? failure(signals.stop.signal.reason) : undefined);
}

// The first session id the log names: recorded on the task and the session, held in the runtime.
async function noteMessage(context: TaskRunContext, task: TaskRecord, request: RunRequest, message: ClaudeMessage, seen: { sessionId: string | null }, hold: RunHold): Promise<void> {
  const sessionId = (message as { session_id?: unknown }).session_id;
  if (typeof sessionId !== 'string' || sessionId === '' || seen.sessionId === sessionId) return;
  seen.sessionId = sessionId;
  hold.setSession(sessionId);
  try {
    await context.store.tasks.noteSession(task.id, sessionId);
    await context.store.sessions.setStatus(sessionId, 'running', undefined, seedOf(context, request));
  } catch (error) {
    context.logger.warn({ err: error, taskId: task.id }, 'could not record the session of a background task');
  }
}

function seedOf(context: TaskRunContext, request: RunRequest): SessionSeed {
  return { cwd: request.cwd, model: request.model ?? null, at: context.now() };
}

async function settleTask(context: TaskRunContext, task: TaskRecord, request: RunRequest, outcome: RunResult | ClaudeCliError, sessionId: string | null, stopReason: string | undefined): Promise<void> {
  if (!ClaudeCliError.isInstance(outcome)) return completeTask(context, task, request, outcome);
  const stopped = outcome.code === 'CLAUDE_CLI_INTERRUPTED';
  const error = stopped ? (stopReason ?? outcome.message) : `${outcome.code}: ${outcome.message}`;
  await context.finish(task.id, { status: stopped ? 'stopped' : 'failed', error, sessionId });
  if (sessionId === null) return;
  try {
    // As a foreground run: a session the CLI ran in exists now, so a planned fork of it is spent.
    if (!stopped && outcome.code !== 'CLAUDE_CLI_SESSION_NOT_FOUND') await context.store.forks.consume(sessionId);
    await context.store.sessions.setStatus(sessionId, stopped ? 'idle' : 'failed', stopped ? null : outcome.message, seedOf(context, request));
  } catch (cause) {
    context.logger.warn({ err: cause, taskId: task.id }, 'could not record the session status of a background task');
  }
}

// The CLI reports a resumed session's whole cost: the task's own is what this turn added.
// The task is finished first: a server that dies between the two writes leaves the session one
// turn short, where the other order would have the next server count the turn twice.
async function completeTask(context: TaskRunContext, task: TaskRecord, request: RunRequest, result: RunResult): Promise<void> {
  const before = request.sessionId === undefined ? 0 : ((await context.store.sessions.get(request.sessionId).catch(() => undefined))?.costUsd ?? 0);
  const costUsd = roundUsd(Math.max(0, result.costUsd - before));
  await context.finish(task.id, {
    status: 'completed',
    result: result.text,
    structuredOutput: result.structuredOutput,
    costUsd,
    numTurns: result.numTurns,
    sessionId: result.sessionId,
    error: null,
  });
  try {
    await context.store.forks.consume(result.sessionId);
    await context.store.sessions.recordTurn(result.sessionId, { costUsd, at: context.now(), model: request.model ?? null }, seedOf(context, request));
  } catch (error) {
    context.logger.warn({ err: error, taskId: task.id }, 'could not record the turn of a background task');
  }
}

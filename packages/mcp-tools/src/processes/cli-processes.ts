// Claude Code processes outlive a server that is SIGKILLed (they are reparented, not signalled)
// and go on with their turn: another model call, more Bash. So each one is recorded while it
// lives, with the server that started it, and the next server stops those whose owner is gone.
import { describeProcess, isAlive, killSnapshot, listDescendants, type Logger } from '@claude-code-mcp/claude-cli-driver';

import type { ClaudeToolsStore } from '../store/index.js';

/** A process as the process table identifies it: a pid and the start time that makes it unique. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly startTime: string;
}

/**
 * This server process, as the owner of the Claude Code processes it starts; `undefined` where the
 * process table cannot be read (then nothing is recorded).
 */
export function currentProcess(): ProcessIdentity | undefined {
  const entry = describeProcess(process.pid);
  return entry === undefined ? undefined : { pid: entry.pid, startTime: entry.startTime };
}

/**
 * Records the Claude Code process `pid`, started by `owner` for `sessionId`, until `exited`
 * settles. Failures are logged: a run must not fail because its bookkeeping did.
 */
export async function trackCliProcess(
  store: ClaudeToolsStore,
  owner: ProcessIdentity,
  cli: { readonly pid: number; readonly sessionId: string | null; readonly exited: Promise<unknown> },
  logger: Logger,
  now: () => number,
): Promise<void> {
  const entry = describeProcess(cli.pid);
  if (entry === undefined) return;
  try {
    await store.processes.record({ pid: entry.pid, startTime: entry.startTime, ownerPid: owner.pid, ownerStartTime: owner.startTime, sessionId: cli.sessionId, startedAt: now() });
  } catch (error) {
    logger.error({ err: error, pid: cli.pid }, 'could not record the Claude Code process');
    return;
  }
  const forget = () =>
    store.processes.forget(entry.pid, entry.startTime).catch((error: unknown) => {
      logger.warn({ err: error, pid: entry.pid }, 'could not forget the Claude Code process');
    });
  void cli.exited.then(forget, forget);
}

/**
 * At start: stops (SIGKILL, with every process below it) each recorded Claude Code process whose
 * server is gone, and drops its record. Processes of a live server sharing the data directory are
 * left alone. Returns how many were still running.
 */
export async function stopOrphanedProcesses(store: ClaudeToolsStore, owner: ProcessIdentity | undefined): Promise<number> {
  let stopped = 0;
  for (const record of await store.processes.list()) {
    const ownerIsUs = owner !== undefined && record.ownerPid === owner.pid && record.ownerStartTime === owner.startTime;
    if (ownerIsUs || isAlive({ pid: record.ownerPid, startTime: record.ownerStartTime })) continue;
    const cli = { pid: record.pid, startTime: record.startTime };
    if (isAlive(cli)) {
      const current = describeProcess(cli.pid);
      if (current !== undefined) killSnapshot([current, ...listDescendants(cli.pid)]);
      stopped += 1;
    }
    await store.processes.forget(record.pid, record.startTime);
  }
  return stopped;
}

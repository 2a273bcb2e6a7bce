import type { ExitInfo } from './cli-process.js';
import { ClaudeCliError } from './errors.js';
import type { ClaudeMessage, ContentBlock } from './messages.js';
import type { RunResult } from './result.js';
import { createSession, type ClaudeSession, type PermissionMode, type RunOptions } from './session.js';
import { AsyncQueue } from './async-queue.js';

/** Options of {@link query}: the run options plus the prompt and the turn's limits. */
export interface QueryOptions extends RunOptions {
  /** The prompt; sent on stdin, never on the command line. */
  prompt: string | ContentBlock[];
  /** Aborting interrupts the run, then escalates to signals; nothing is left running. */
  signal?: AbortSignal;
  /** Cancel after this long with `CLAUDE_CLI_TIMEOUT`. */
  timeoutMs?: number;
  /** The user message's uuid (for `rewind_files`). */
  uuid?: string;
}

/** A one-shot run: iterate its messages, await its result, or steer it while it runs. */
export interface Query extends AsyncIterable<ClaudeMessage> {
  /** Resolves with the result; rejects with a {@link ClaudeCliError}. */
  readonly result: Promise<RunResult>;
  /** Resolves when the process has exited (after an abort: and its tool processes are gone). */
  readonly exited: Promise<ExitInfo>;
  /** The CLI's process id, once spawned. */
  readonly pid: Promise<number | undefined>;
  interrupt(): Promise<void>;
  setPermissionMode(mode: PermissionMode): Promise<void>;
  setModel(model: string | undefined): Promise<void>;
}

/**
 * Runs one prompt in a fresh Claude Code process and streams its typed messages.
 *
 * @example
 * ```ts
 * const run = query({ prompt: 'List the files here', cwd: '/repo', allowedTools: ['Bash(ls:*)'] });
 * for await (const message of run) if (message.type === 'assistant') show(message.message.content);
 * const { text, sessionId, costUsd } = await run.result;
 * ```
 */
export function query(options: QueryOptions): Query {
  const { prompt, signal, timeoutMs, uuid, ...runOptions } = options;
  const messages = new AsyncQueue<ClaudeMessage>();
  let session: ClaudeSession | undefined;
  const started = (async () => {
    session = await createSession(runOptions);
    return session;
  })();

  let resolveExited: (info: ExitInfo) => void = () => {};
  const exited = new Promise<ExitInfo>((resolve) => {
    resolveExited = resolve;
  });

  const result = (async () => {
    let current: ClaudeSession;
    try {
      current = await started;
    } catch (error) {
      resolveExited({ code: null, signal: null });
      throw error;
    }
    void current.exited.then(resolveExited);
    const turn = current.send(prompt, { ...(signal ? { signal } : {}), ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(uuid ? { uuid } : {}) });
    try {
      for await (const message of turn) messages.push(message);
      const outcome = await turn.result;
      // Closing stdin lets the finished process exit on its own; the result is not held up.
      void current.close();
      return outcome;
    } catch (error) {
      if (ClaudeCliError.isInstance(error) && (error.code === 'CLAUDE_CLI_INTERRUPTED' || error.code === 'CLAUDE_CLI_TIMEOUT')) {
        // An aborted run returns only once the process and its tool processes are gone.
        await current.close({ timeoutMs: runOptions.killGraceMs ?? 2_500 });
      } else {
        void current.close();
      }
      throw error;
    }
  })();
  result.then(
    () => messages.end(),
    (error: unknown) => messages.end(error instanceof Error ? error : new Error(String(error))),
  );

  const steer = async <T>(action: (current: ClaudeSession) => Promise<T>): Promise<T> => action(await started);
  return {
    result,
    exited,
    pid: started.then(
      (current) => current.pid,
      () => undefined,
    ),
    interrupt: () => steer((current) => current.interrupt()),
    setPermissionMode: (mode) => steer((current) => current.setPermissionMode(mode)),
    setModel: (model) => steer((current) => current.setModel(model)),
    [Symbol.asyncIterator]: () => messages[Symbol.asyncIterator](),
  };
}

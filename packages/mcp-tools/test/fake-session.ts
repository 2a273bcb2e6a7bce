// A stand-in for the driver's ClaudeSession: the runtime's logic (warm pool, fingerprints, queue,
// costs, errors) tested without a CLI process. Each turn is decided by the test's script.
import { randomUUID } from 'node:crypto';

import { ClaudeCliError, type ClaudeMessage, type ExitInfo, type RunOptions, type RunResult, type TurnOptions } from '@claude-code-mcp/claude-cli-driver';

import type { RuntimeSession, SessionFactory } from '../src/claude-runtime.js';

/** What one turn does: answer `text` at the CLI's cumulative `costUsd`, or fail; after `until`. */
export interface FakeTurn {
  readonly text?: string;
  readonly costUsd?: number;
  readonly until?: Promise<unknown>;
  readonly error?: ClaudeCliError;
  /** Stream messages the turn sends before its result (after the init message). */
  readonly messages?: readonly ClaudeMessage[];
}

export type TurnScript = (prompt: string, session: FakeSession) => FakeTurn;

export class FakeSession {
  readonly options: RunOptions;
  readonly prompts: string[] = [];
  readonly exited: Promise<ExitInfo>;
  #state: 'idle' | 'running' | 'closed' = 'idle';
  #sessionId: string | undefined;
  #exit: (info: ExitInfo) => void = () => undefined;
  readonly #script: TurnScript;

  constructor(options: RunOptions, script: TurnScript) {
    this.options = options;
    this.#script = script;
    this.#sessionId = options.forkSession ? options.sessionId : (options.resume ?? options.sessionId);
    this.exited = new Promise((resolve) => (this.#exit = resolve));
  }

  get pid(): number | undefined {
    return undefined;
  }

  get state(): 'idle' | 'running' | 'closed' {
    return this.#state;
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  send(prompt: string, options: TurnOptions = {}): AsyncIterable<ClaudeMessage> & { userMessageId: string; result: Promise<RunResult> } {
    this.prompts.push(prompt);
    this.#state = 'running';
    this.#sessionId ??= randomUUID();
    const sessionId = this.#sessionId;
    const planned = this.#script(prompt, this);
    const result = this.#outcome(planned, sessionId, options.signal).finally(() => {
      if (this.#state === 'running') this.#state = 'idle';
    });
    const messages: ClaudeMessage[] = [{ type: 'system', subtype: 'init', session_id: sessionId }, ...(planned.messages ?? [])];
    return {
      userMessageId: randomUUID(),
      result,
      async *[Symbol.asyncIterator]() {
        yield* messages;
        await result.catch(() => undefined);
      },
    };
  }

  async #outcome(planned: FakeTurn, sessionId: string, signal: AbortSignal | undefined): Promise<RunResult> {
    if (planned.until) {
      const aborted = new Promise<'aborted'>((resolve) => {
        if (signal?.aborted) resolve('aborted');
        signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
      });
      if ((await Promise.race([planned.until, aborted])) === 'aborted') {
        throw new ClaudeCliError('CLAUDE_CLI_INTERRUPTED', 'The run was interrupted before it finished.');
      }
    }
    if (planned.error) throw planned.error;
    return {
      text: planned.text ?? 'ok',
      structuredOutput: undefined,
      sessionId,
      costUsd: planned.costUsd ?? 0,
      usage: { input_tokens: 1, output_tokens: 1 },
      numTurns: 1,
      durationMs: 1,
      permissionDenials: [],
      terminalReason: 'completed',
      stopReason: 'end_turn',
      message: { type: 'result', subtype: 'success', is_error: false, session_id: sessionId },
    };
  }

  close(): Promise<ExitInfo> {
    this.#state = 'closed';
    this.#exit({ code: 0, signal: null });
    return this.exited;
  }
}

/** A session factory that records every session it starts. */
export function fakeSessions(script: TurnScript): { readonly factory: SessionFactory; readonly started: FakeSession[] } {
  const started: FakeSession[] = [];
  const factory: SessionFactory = (options) => {
    const session = new FakeSession(options, script);
    started.push(session);
    return Promise.resolve(session as unknown as RuntimeSession);
  };
  return { factory, started };
}

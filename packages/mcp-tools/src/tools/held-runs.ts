// Permission questions on 2026-07-28, where a server cannot send the client a request: the tool
// call answers with an input-required result while the run waits; the client's retry carries the
// answer and the request state, and the same run goes on. The state is signed (HMAC) with a key
// of this process, bound to the method and, with OAuth, the token's client, and claimed by the
// first retry that brings it (one round, one waiter). Without OAuth, whoever holds the state (an
// unguessable run id) may answer.
import { randomBytes, randomUUID } from 'node:crypto';

import type { CanUseToolContext, Logger, PermissionResult } from '@claude-code-mcp/claude-cli-driver';
import {
  createRequestStateCodec,
  inputRequired,
  inputResponse,
  type CallToolResult,
  type InputRequiredResult,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';

import { permissionFromAnswer, permissionQuestion, RunAllowances, unansweredPermission } from './permission-bridge.js';
import { subjectOf } from './tool-scopes.js';

/** How much longer than a question's timeout a request state, and a finished run's result, are kept. */
const STATE_GRACE_MS = 60_000;

/**
 * The `_meta` key of an input-required result that names the held run's Claude Code session, so
 * that a caller who will not answer can stop the run with claude_abort.
 */
export const HELD_SESSION_META_KEY = 'claude-code-mcp/sessionId';

/** What the request state carries: the run, and the round it was minted for. */
interface HeldState {
  readonly run: string;
  readonly round: number;
}

interface Question {
  readonly toolName: string;
  readonly input: Record<string, unknown>;
  readonly settle: (result: PermissionResult) => void;
}

/**
 * Options of {@link HeldRuns}.
 *
 * @example
 * ```ts
 * const options: HeldRunsOptions = { timeoutMs: 120_000, logger };
 * ```
 */
export interface HeldRunsOptions {
  /** How long a question may wait for its answer (then it is denied); states and results last a minute longer. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/**
 * The runs of one server process that are waiting on their caller, by id.
 *
 * @example
 * ```ts
 * const held = new HeldRuns({ timeoutMs: 120_000, logger });
 * // The server's one requestState hook: held.verify refuses every state it did not mint, so a
 * // server whose other tools mint states chains verifiers (createClaudeToolsServer's requestStateVerifier).
 * const server = new McpServer(info, { requestState: { verify: held.verify } });
 * ```
 */
export class HeldRuns {
  readonly #runs = new Map<string, HeldRun>();
  readonly #options: HeldRunsOptions;
  readonly #codec: RequestStateCodec<HeldState>;

  constructor(options: HeldRunsOptions) {
    this.#options = options;
    // One key per process: every round of a run is served by the process that holds the run.
    this.#codec = createRequestStateCodec<HeldState>({
      key: randomBytes(32),
      ttlSeconds: Math.ceil((options.timeoutMs + STATE_GRACE_MS) / 1000),
      // A state answers only the principal (client and user) whose call minted it.
      bind: (context) => `${context.mcpReq.method}\0${context.http?.authInfo?.clientId ?? ''}\0${subjectOf(context.http?.authInfo)}`,
    });
  }

  /** The `requestState.verify` hook for the servers: a tampered, expired or foreign state is refused. */
  readonly verify = (state: string, context: ServerContext): Promise<HeldState> => this.#codec.verify(state, context);

  /**
   * Starts `work` as a held run for the request `context` (its first progress goes there); `work`
   * gets the run's permission decider and its abort signal.
   */
  start(context: ServerContext, work: (run: HeldRun) => Promise<CallToolResult>): HeldRun {
    const run = new HeldRun(randomUUID(), this.#codec, this.#options, () => this.#runs.delete(run.id));
    this.#runs.set(run.id, run);
    run.context = context;
    run.begin(work);
    return run;
  }

  /**
   * The run a verified state names, claimed for the caller, when that state is the run's latest
   * round and no one claimed it yet; else `undefined` (stale, replayed, or a second retry).
   */
  find(state: unknown): HeldRun | undefined {
    if (typeof state !== 'object' || state === null) return undefined;
    const { run, round } = state as Partial<HeldState>;
    const held = typeof run === 'string' ? this.#runs.get(run) : undefined;
    return held?.claim(round) ? held : undefined;
  }
}

/**
 * One run waiting on its caller: its questions, its result, the request that waits for it now.
 *
 * @example
 * ```ts
 * const run = heldRuns.start((run) => pipeline({ canUseTool: run.ask, signal: run.controller.signal }));
 * return run.wait(context); // the result, or an input-required result with the run's questions
 * ```
 */
export class HeldRun {
  readonly id: string;
  readonly controller = new AbortController();
  /** The request waiting now (progress and logs go there). */
  context: ServerContext | undefined;
  /** The run's Claude Code session, once the CLI named it. */
  sessionId: string | undefined;
  readonly #codec: RequestStateCodec<HeldState>;
  readonly #options: HeldRunsOptions;
  readonly #forget: () => void;
  readonly #questions = new Map<string, Question>();
  readonly #allowances = new RunAllowances();
  #result: Promise<CallToolResult> = Promise.resolve({ content: [] });
  #round = 0;
  #claimed = false;
  #asked = 0;
  #wake: (() => void) | undefined;

  constructor(id: string, codec: RequestStateCodec<HeldState>, options: HeldRunsOptions, forget: () => void) {
    this.id = id;
    this.#codec = codec;
    this.#options = options;
    this.#forget = forget;
  }

  begin(work: (run: HeldRun) => Promise<CallToolResult>): void {
    this.#result = work(this);
    void this.#result.then(
      () => this.#finished(),
      () => this.#finished(),
    );
  }

  /** Takes the latest round for one retry: a second one with the same state is refused. */
  claim(round: unknown): boolean {
    if (round !== this.#round || this.#claimed) return false;
    this.#claimed = true;
    return true;
  }

  /**
   * The run's permission decider: a question waits for the caller's answer, at most `timeoutMs`,
   * and is dropped (denied) when Claude Code withdraws it.
   */
  readonly ask = (toolName: string, input: Record<string, unknown>, options?: CanUseToolContext): Promise<PermissionResult> =>
    new Promise((resolve) => {
      if (this.#allowances.covers(toolName)) return resolve({ behavior: 'allow', updatedInput: input });
      const key = `permission-${++this.#asked}`;
      const settle = (result: PermissionResult) => {
        clearTimeout(timer);
        options?.signal.removeEventListener('abort', withdrawn);
        if (!this.#questions.delete(key)) return;
        resolve(result);
      };
      const withdrawn = () => settle(unansweredPermission(toolName));
      const timer = setTimeout(withdrawn, this.#options.timeoutMs);
      options?.signal.addEventListener('abort', withdrawn, { once: true });
      this.#questions.set(key, { toolName, input, settle });
      this.#wake?.();
    });

  /** Applies the answers a retried call carries; a question without one stays open. */
  answer(responses: Record<string, unknown> | undefined): void {
    for (const [key, question] of [...this.#questions]) {
      const view = inputResponse(responses, key);
      if (view.kind !== 'elicit') continue;
      this.#options.logger.info({ toolName: question.toolName, action: view.action }, 'permission answered by the user');
      question.settle(this.#allowances.apply(question.toolName, permissionFromAnswer(question.toolName, question.input, view.action, view.content)));
    }
  }

  /**
   * Waits for the run's result, or for a question to put to the caller: then answers with an
   * input-required result whose state names this run and a new round. Aborting `context` stops the run.
   */
  async wait(context: ServerContext): Promise<CallToolResult | InputRequiredResult> {
    this.context = context;
    const onAbort = () => this.controller.abort(context.mcpReq.signal.reason);
    context.mcpReq.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const changed = new Promise<'question'>((resolve) => (this.#wake = () => resolve('question')));
      if (this.#questions.size === 0 && (await Promise.race([this.#result, changed])) !== 'question') {
        const result = await this.#result;
        this.#forget();
        return result;
      }
      return await this.#inputRequired(context);
    } finally {
      this.#wake = undefined;
      context.mcpReq.signal.removeEventListener('abort', onAbort);
      if (this.context === context) this.context = undefined;
    }
  }

  async #inputRequired(context: ServerContext): Promise<InputRequiredResult> {
    this.#round += 1;
    this.#claimed = false;
    const inputRequests = Object.fromEntries(
      [...this.#questions].map(([key, question]) => [key, inputRequired.elicit(permissionQuestion(question.toolName, question.input))]),
    );
    const result = inputRequired({ inputRequests, requestState: await this.#codec.mint({ run: this.id, round: this.#round }, context) });
    return this.sessionId === undefined ? result : { ...result, _meta: { ...result._meta, [HELD_SESSION_META_KEY]: this.sessionId } };
  }

  // A result nobody waits for yet is kept as long as its last request state is valid: a caller
  // whose answer came too late still gets it; one that went away lets it go.
  #finished(): void {
    for (const question of [...this.#questions.values()]) question.settle(unansweredPermission(question.toolName));
    if (this.#wake !== undefined) return this.#forget();
    setTimeout(() => this.#forget(), this.#options.timeoutMs + STATE_GRACE_MS).unref();
  }
}

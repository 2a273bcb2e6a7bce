import { randomUUID } from 'node:crypto';

import { AsyncQueue } from './async-queue.js';
import { CliProcess, type ExitInfo, type SpawnFunction } from './cli-process.js';
import { ClaudeCliError, type ClaudeCliErrorCode } from './errors.js';
import { processEnvironment } from './internal/process-environment.js';
import { noopLogger, type Logger } from './logger.js';
import { isResultMessage, type ClaudeMessage, type ContentBlock, type ControlRequestMessage } from './messages.js';
import { buildArguments, parseRunOptions, type EFFORT_LEVELS, type PERMISSION_MODES, type ValidatedRunOptions } from './options.js';
import { detectClaudeVersion, resolveClaudeBinary } from './resolve-binary.js';
import { interpretResult, type RunResult } from './result.js';

/** A permission mode of the CLI. `plan` allows read-only tools only. */
export type PermissionMode = (typeof PERMISSION_MODES)[number];
/** An effort level for `--effort`. */
export type EffortLevel = (typeof EFFORT_LEVELS)[number];

/** A subagent definition for the `agents` option. */
export interface AgentDefinition {
  description: string;
  prompt: string;
  tools?: string[];
  disallowedTools?: string[];
  model?: string;
  [field: string]: unknown;
}

/** The answer to a permission request. `updatedInput` replaces the tool's input when allowing. */
export type PermissionResult =
  | { behavior: 'allow'; updatedInput?: Record<string, unknown>; updatedPermissions?: unknown[] }
  | { behavior: 'deny'; message: string; interrupt?: boolean };

/** What the CLI tells {@link CanUseTool} about a tool call it wants to make. */
export interface CanUseToolContext {
  /** Aborted when the CLI withdraws the question (for example because the turn was interrupted). */
  readonly signal: AbortSignal;
  readonly toolUseId: string | undefined;
  readonly description: string | undefined;
  /** Rules the CLI suggests adding so it need not ask again. */
  readonly suggestions: readonly unknown[];
}

/** Decides tool calls the permission mode would ask about. Enables `--permission-prompt-tool stdio`. */
export type CanUseTool = (toolName: string, input: Record<string, unknown>, context: CanUseToolContext) => Promise<PermissionResult> | PermissionResult;

/** A hook run in this process; its return value is the hook's JSON output (see the CLI's hook contract). */
export type HookCallback = (
  input: Record<string, unknown>,
  context: { readonly signal: AbortSignal; readonly toolUseId: string | undefined },
) => Promise<Record<string, unknown>> | Record<string, unknown>;

/** Hook callbacks per event name (`PreToolUse`, `PostToolUse`, `Stop`, …). */
export type HookCallbacks = Partial<Record<string, { matcher?: string; hooks: HookCallback[]; timeout?: number }[]>>;

/** Options shared by {@link query} and {@link createSession}. */
export interface RunOptions {
  /** Absolute path of `claude`; otherwise see {@link resolveClaudeBinary}. */
  executable?: string;
  /** Working directory (absolute, existing). Default: this process's. */
  cwd?: string;
  /** Variables added to the CLI's environment. */
  env?: Record<string, string | undefined>;
  /** Start from this process's environment (default `true`); `false` passes only `env`. */
  inheritEnv?: boolean;
  model?: string;
  fallbackModel?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  /** Only these built-in tools; `[]` for none. */
  tools?: string[];
  permissionMode?: PermissionMode;
  /** Required with `permissionMode: 'bypassPermissions'`. */
  allowDangerouslySkipPermissions?: boolean;
  /** Continue this session (keeps its id unless `forkSession`). */
  resume?: string;
  /** With `resume`/`continue`: start a new session id from that history (`sessionId` chooses it). */
  forkSession?: boolean;
  /** With `resume`: take the history only up to this message uuid (a fork from an earlier point). */
  resumeSessionAt?: string;
  /** Use this UUID as the new session's id. */
  sessionId?: string;
  /** Continue the most recent session in `cwd`. */
  continue?: boolean;
  agents?: Record<string, AgentDefinition>;
  /** Run the main thread as this agent. */
  agent?: string;
  systemPrompt?: string;
  appendSystemPrompt?: string;
  effort?: EffortLevel;
  /** Settings JSON (hooks, permissions, …) passed with `--settings`. */
  settings?: Record<string, unknown>;
  settingSources?: ('user' | 'project' | 'local')[];
  /** `{ mcpServers: { … } }` passed with `--mcp-config`. */
  mcpConfig?: { mcpServers: Record<string, unknown>; [field: string]: unknown };
  strictMcpConfig?: boolean;
  addDirectories?: string[];
  pluginDirectories?: string[];
  maxTurns?: number;
  maxBudgetUsd?: number;
  /** JSON Schema for structured output (`result.structuredOutput`). */
  jsonSchema?: Record<string, unknown>;
  includePartialMessages?: boolean;
  includeHookEvents?: boolean;
  noSessionPersistence?: boolean;
  /** Lets {@link ClaudeSession.rewindFiles} restore files changed by Edit/Write. */
  enableFileCheckpointing?: boolean;
  canUseTool?: CanUseTool;
  hooks?: HookCallbacks;
  /** Check `claude --version` once per binary (default `true`). */
  checkVersion?: boolean;
  logger?: Logger;
  /** Longest stdout line accepted, in bytes (default 64 MiB). */
  maxLineBytes?: number;
  /** Time limit for control requests (default 30 s). */
  controlTimeoutMs?: number;
  /** Wait between termination stages (default 2.5 s). */
  killGraceMs?: number;
  /** Replaces `child_process.spawn` (tests). */
  spawn?: SpawnFunction;
}

/** Options of one turn. */
export interface TurnOptions {
  /** Aborting interrupts the turn (then escalates to signals if the CLI does not stop). */
  signal?: AbortSignal;
  /** Cancel the turn after this long, with `CLAUDE_CLI_TIMEOUT`. */
  timeoutMs?: number;
  /** The user message's uuid (default: a new one); the handle for {@link ClaudeSession.rewindFiles}. */
  uuid?: string;
}

/** One turn: its messages as an async iterable, and its outcome. */
export interface Turn extends AsyncIterable<ClaudeMessage> {
  /** The uuid of the user message that started the turn. */
  readonly userMessageId: string;
  /** Resolves with the turn's result; rejects with a {@link ClaudeCliError}. */
  readonly result: Promise<RunResult>;
}

/** The answer of {@link ClaudeSession.rewindFiles}. */
export interface RewindFilesResult {
  readonly canRewind: boolean;
  readonly error?: string;
  readonly filesChanged?: string[];
  readonly insertions?: number;
  readonly deletions?: number;
  readonly [field: string]: unknown;
}

interface TurnState {
  readonly userMessageId: string;
  readonly content: string | ContentBlock[];
  readonly queue: AsyncQueue<ClaudeMessage>;
  readonly resolve: (result: RunResult) => void;
  readonly reject: (error: ClaudeCliError) => void;
  started: boolean;
  /** The CLI has begun working on this turn's message (its command_lifecycle "started"). */
  active: boolean;
  settled: boolean;
  abortCode: ClaudeCliErrorCode | undefined;
  malformed: string[];
  cleanup: () => void;
}

const DEFAULTS = { maxLineBytes: 64 * 1024 * 1024, controlTimeoutMs: 30_000, killGraceMs: 2_500 } as const;

/** Where a session is in its life. */
export type SessionState = 'idle' | 'running' | 'closed';

/**
 * A long-lived Claude Code process (`--input-format stream-json`): many turns, one process, so a
 * follow-up turn costs tens of milliseconds instead of a new spawn. Create with {@link createSession}.
 */
export class ClaudeSession {
  readonly #process: CliProcess;
  readonly #options: ValidatedRunOptions;
  readonly #logger: Logger;
  readonly #canUseTool: CanUseTool | undefined;
  readonly #hookCallbacks = new Map<string, HookCallback>();
  readonly #turns: TurnState[] = [];
  #sessionId: string | undefined;
  #closing = false;
  /** Whether this CLI reports command_lifecycle frames (2.1+ does); older ones are handled by position. */
  #lifecycleSeen = false;

  /** @internal Use {@link createSession}. */
  constructor(executable: string, options: ValidatedRunOptions, extras: Pick<RunOptions, 'canUseTool' | 'hooks' | 'logger' | 'spawn'>) {
    this.#options = options;
    this.#logger = (extras.logger ?? noopLogger).child({ component: 'claude-cli-driver' });
    this.#canUseTool = extras.canUseTool;
    this.#sessionId = options.forkSession ? options.sessionId : (options.resume ?? options.sessionId);
    const env: NodeJS.ProcessEnv = { ...(options.inheritEnv === false ? {} : processEnvironment()), ...options.env };
    if (options.enableFileCheckpointing) env['CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING'] = 'true';
    const args = buildArguments(options, { permissionPromptTool: extras.canUseTool !== undefined });
    this.#logger.debug({ executable, args }, 'spawning claude');
    this.#process = new CliProcess({
      executable,
      args,
      cwd: options.cwd,
      env,
      logger: this.#logger,
      spawn: extras.spawn,
      maxLineBytes: options.maxLineBytes ?? DEFAULTS.maxLineBytes,
      controlTimeoutMs: options.controlTimeoutMs ?? DEFAULTS.controlTimeoutMs,
      killGraceMs: options.killGraceMs ?? DEFAULTS.killGraceMs,
      onMessage: (message) => this.#onMessage(message),
      onMalformed: (raw, reason) => this.#onMalformed(raw, reason),
      onControlRequest: (request, signal) => this.#onControlRequest(request, signal),
      onExit: (info) => this.#onExit(info),
    });
  }

  /** The session id, once the CLI has reported it (or as given by `resume`/`sessionId`). */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The CLI's process id. */
  get pid(): number | undefined {
    return this.#process.pid;
  }

  /** `running` while a turn is in flight or queued. */
  get state(): SessionState {
    if (this.#closing || this.#process.exitInfo) return 'closed';
    return this.#turns.length > 0 ? 'running' : 'idle';
  }

  /** Resolves when the process has exited. */
  get exited(): Promise<ExitInfo> {
    return this.#process.exited;
  }

  /** @internal Sends `initialize` with hook callback ids (only needed when `hooks` are given). */
  async initialize(hooks: HookCallbacks | undefined): Promise<void> {
    if (!hooks) return;
    const config: Record<string, unknown[]> = {};
    let counter = 0;
    for (const [event, matchers] of Object.entries(hooks)) {
      config[event] = (matchers ?? []).map((matcher) => {
        const hookCallbackIds = matcher.hooks.map((callback) => {
          const id = `hook_${counter++}`;
          this.#hookCallbacks.set(id, callback);
          return id;
        });
        return { matcher: matcher.matcher, hookCallbackIds, ...(matcher.timeout === undefined ? {} : { timeout: matcher.timeout }) };
      });
    }
    await this.#process.request({ subtype: 'initialize', hooks: config });
  }

  /**
   * Starts a turn. Turns run one after another; a turn sent while another runs waits its turn.
   *
   * @example
   * ```ts
   * const session = await createSession({ cwd: '/repo' });
   * const first = await session.send('Write hello.txt').result;
   * const second = await session.send('Now append a line').result; // same process, ~30 ms overhead
   * await session.close();
   * ```
   */
  send(prompt: string | ContentBlock[], options: TurnOptions = {}): Turn {
    const userMessageId = options.uuid ?? randomUUID();
    let resolve: (result: RunResult) => void = () => {};
    let reject: (error: ClaudeCliError) => void = () => {};
    const result = new Promise<RunResult>((resolvePromise, rejectPromise) => {
      resolve = resolvePromise;
      reject = rejectPromise;
    });
    // Callers who only iterate still see the error there; don't report it as unhandled too.
    result.catch(() => {});
    const queue = new AsyncQueue<ClaudeMessage>();
    const turn: TurnState = {
      userMessageId,
      content: prompt,
      queue,
      resolve,
      reject,
      started: false,
      active: false,
      settled: false,
      abortCode: undefined,
      malformed: [],
      cleanup: () => {},
    };
    if (this.state === 'closed') {
      this.#settle(turn, new ClaudeCliError('CLAUDE_CLI_SESSION_CLOSED', 'This Claude Code session has ended; start a new one (resume it by id).'));
      return { userMessageId, result, [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
    }
    const onAbort = () => void this.#abortTurn(turn, 'CLAUDE_CLI_INTERRUPTED');
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => void this.#abortTurn(turn, 'CLAUDE_CLI_TIMEOUT'), options.timeoutMs);
    timer?.unref();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    turn.cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    this.#turns.push(turn);
    if (options.signal?.aborted) onAbort();
    else this.#startNext();
    return { userMessageId, result, [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
  }

  /**
   * Interrupts the running turn; it ends with `CLAUDE_CLI_INTERRUPTED`. The session stays usable.
   *
   * @example
   * ```ts
   * const turn = session.send('long task');
   * setTimeout(() => void session.interrupt(), 1000);
   * ```
   */
  async interrupt(): Promise<void> {
    const running = this.#turns[0];
    if (running?.started) running.abortCode ??= 'CLAUDE_CLI_INTERRUPTED';
    await this.#process.request({ subtype: 'interrupt' });
  }

  /**
   * Changes the permission mode for the following tool calls.
   *
   * @example
   * ```ts
   * await session.setPermissionMode('acceptEdits');
   * ```
   */
  async setPermissionMode(mode: PermissionMode): Promise<void> {
    parseRunOptions({ permissionMode: mode, allowDangerouslySkipPermissions: true });
    await this.#process.request({ subtype: 'set_permission_mode', mode });
  }

  /**
   * Changes the model for the following turns (`undefined` for the default).
   *
   * @example
   * ```ts
   * await session.setModel('sonnet');
   * ```
   */
  async setModel(model: string | undefined): Promise<void> {
    if (model !== undefined) parseRunOptions({ model });
    await this.#process.request({ subtype: 'set_model', model: model ?? 'default' });
  }

  /**
   * Restores files changed by Edit/Write to their state just before the turn started by
   * `userMessageId`. Needs `enableFileCheckpointing`.
   *
   * @example
   * ```ts
   * const first = session.send('write v1');
   * await first.result;
   * await session.send('change to v2').result;
   * await session.rewindFiles(first.userMessageId); // the file is gone again
   * ```
   */
  async rewindFiles(userMessageId: string, options: { dryRun?: boolean } = {}): Promise<RewindFilesResult> {
    const response = await this.#process.request({
      subtype: 'rewind_files',
      user_message_id: userMessageId,
      ...(options.dryRun ? { dry_run: true } : {}),
    });
    const answer = response as RewindFilesResult;
    if (!options.dryRun && answer.canRewind === false) {
      throw new ClaudeCliError('CLAUDE_CLI_CONTROL_ERROR', `Claude Code could not rewind files: ${answer.error ?? 'no checkpoint'}`);
    }
    return answer;
  }

  /**
   * Sends any control request (an escape hatch for subtypes without a method here).
   *
   * @example
   * ```ts
   * const usage = await session.controlRequest('get_context_usage');
   * ```
   */
  controlRequest(subtype: string, payload: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.#process.request({ ...payload, subtype });
  }

  /**
   * Ends the session: queued turns are cancelled, the running one finishes (unless `force`),
   * stdin closes and the process exits; a process that does not exit in time is stopped.
   *
   * @example
   * ```ts
   * await session.close();
   * ```
   */
  async close(options: { force?: boolean; timeoutMs?: number } = {}): Promise<ExitInfo> {
    this.#closing = true;
    for (const turn of this.#turns.slice(1)) {
      this.#settle(turn, new ClaudeCliError('CLAUDE_CLI_SESSION_CLOSED', 'The session was closed before this turn started.'));
    }
    this.#turns.splice(1);
    if (options.force) {
      const running = this.#turns[0];
      if (running) running.abortCode ??= 'CLAUDE_CLI_INTERRUPTED';
      await this.#process.terminate();
      return this.#process.exited;
    }
    this.#process.closeInput();
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), options.timeoutMs ?? 10_000).unref());
    if ((await Promise.race([this.#process.exited, timeout])) === 'timeout') await this.#process.terminate();
    return this.#process.exited;
  }

  #startNext(): void {
    const next = this.#turns[0];
    if (!next || next.started || next.settled) return;
    next.started = true;
    const written = this.#process.write({
      type: 'user',
      message: { role: 'user', content: next.content },
      parent_tool_use_id: null,
      uuid: next.userMessageId,
    });
    if (!written) this.#failAll(this.#exitError());
  }

  async #abortTurn(turn: TurnState, code: ClaudeCliErrorCode): Promise<void> {
    if (turn.settled) return;
    turn.abortCode ??= code;
    if (!turn.started) {
      const index = this.#turns.indexOf(turn);
      if (index >= 0) this.#turns.splice(index, 1);
      this.#settle(turn, this.#abortError(turn, undefined));
      return;
    }
    this.#process.rememberDescendants();
    const grace = this.#options.killGraceMs ?? DEFAULTS.killGraceMs;
    try {
      await this.#process.request({ subtype: 'interrupt' }, grace);
    } catch (error) {
      this.#logger.debug({ err: error }, 'interrupt request failed; stopping the process');
    }
    const settled = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (turn.settled) {
          clearInterval(check);
          resolve();
        }
      }, 20);
      check.unref();
      setTimeout(() => {
        clearInterval(check);
        resolve();
      }, grace).unref();
    });
    await settled;
    if (!turn.settled) {
      await this.#process.terminate();
    } else {
      // The CLI stopped the turn; kill tool processes it left orphaned (never its live children).
      this.#sweepOrphans();
    }
  }

  #sweepOrphans(): void {
    this.#process.sweepOrphans();
  }

  #abortError(turn: TurnState, result: Record<string, unknown> | undefined): ClaudeCliError {
    const code = turn.abortCode ?? 'CLAUDE_CLI_INTERRUPTED';
    const message =
      code === 'CLAUDE_CLI_TIMEOUT' ? 'The run took longer than its timeout and was cancelled.' : 'The run was interrupted before it finished.';
    return new ClaudeCliError(code, message, {
      details: { ...(result ? { result } : {}), ...(this.#sessionId ? { sessionId: this.#sessionId } : {}), stderrTail: this.#process.stderrTail },
    });
  }

  #onMessage(message: ClaudeMessage): void {
    const sessionId = (message as { session_id?: unknown }).session_id;
    if (typeof sessionId === 'string' && sessionId.length > 0) this.#sessionId = sessionId;
    const turn = this.#turns[0];
    if (message.type === 'command_lifecycle') {
      this.#lifecycleSeen = true;
      const lifecycle = message as { command_uuid?: unknown; state?: unknown };
      if (turn && lifecycle.command_uuid === turn.userMessageId && lifecycle.state === 'started') turn.active = true;
    }
    // The CLI also starts turns of its own (when a background Bash command or subagent finishes):
    // their lines belong to no turn of ours, and their result carries no user_message_uuid.
    const ours = turn?.started === true && (turn.active || !this.#lifecycleSeen);
    if (!turn || !ours) {
      this.#logger.debug({ type: message.type }, 'message outside a turn of ours');
      return;
    }
    if (isResultMessage(message) && this.#lifecycleSeen && message.user_message_uuid !== turn.userMessageId) {
      this.#logger.debug({ userMessageUuid: message.user_message_uuid }, 'result of a turn the CLI started itself');
      return;
    }
    turn.queue.push(message);
    if (!isResultMessage(message)) return;
    this.#turns.shift();
    const outcome = interpretResult(message, { interrupted: turn.abortCode !== undefined, stderrTail: this.#process.stderrTail });
    if (ClaudeCliError.isInstance(outcome) && turn.abortCode !== undefined && outcome.code === 'CLAUDE_CLI_INTERRUPTED') {
      this.#settle(turn, this.#abortError(turn, message));
    } else {
      this.#settle(turn, outcome);
    }
    if (!this.#closing) this.#startNext();
  }

  #onMalformed(raw: string, reason: string): void {
    this.#logger.warn({ raw: raw.slice(0, 500), reason }, 'malformed line from claude');
    const turn = this.#turns[0];
    turn?.malformed.push(raw);
    turn?.queue.push({ type: 'malformed_line', raw, reason });
  }

  async #onControlRequest(request: ControlRequestMessage['request'], signal: AbortSignal): Promise<Record<string, unknown>> {
    if (request.subtype === 'can_use_tool') {
      const toolName = String(request['tool_name']);
      const input = (request['input'] ?? {}) as Record<string, unknown>;
      if (!this.#canUseTool) return { behavior: 'deny', message: 'No permission handler is configured.' };
      try {
        const decision = await this.#canUseTool(toolName, input, {
          signal,
          toolUseId: typeof request['tool_use_id'] === 'string' ? request['tool_use_id'] : undefined,
          description: typeof request['description'] === 'string' ? request['description'] : undefined,
          suggestions: Array.isArray(request['permission_suggestions']) ? request['permission_suggestions'] : [],
        });
        return decision.behavior === 'allow' ? { ...decision, updatedInput: decision.updatedInput ?? input } : decision;
      } catch (error) {
        this.#logger.error({ err: error, toolName }, 'canUseTool failed; denying');
        return { behavior: 'deny', message: `The permission handler failed: ${(error as Error).message}` };
      }
    }
    if (request.subtype === 'hook_callback') {
      const callback = this.#hookCallbacks.get(String(request['callback_id']));
      if (!callback) throw new Error(`Unknown hook callback ${String(request['callback_id'])}`);
      return callback((request['input'] ?? {}) as Record<string, unknown>, {
        signal,
        toolUseId: typeof request['tool_use_id'] === 'string' ? request['tool_use_id'] : undefined,
      });
    }
    throw new Error(`Unsupported control request subtype: ${request.subtype}`);
  }

  #exitError(): ClaudeCliError {
    const info = this.#process.exitInfo;
    const stderrTail = this.#process.stderrTail;
    const details = { exitCode: info?.code ?? null, exitSignal: info?.signal ?? null, stderrTail, ...(this.#sessionId ? { sessionId: this.#sessionId } : {}) };
    if (/No conversation found with session ID/i.test(stderrTail)) {
      return new ClaudeCliError('CLAUDE_CLI_SESSION_NOT_FOUND', `Claude Code has no session with that id: ${stderrTail.trim().split('\n').at(-1) ?? ''}`, { details });
    }
    const lastLine = stderrTail.trim().split('\n').slice(-3).join(' | ');
    return new ClaudeCliError(
      'CLAUDE_CLI_EXITED',
      `Claude Code exited (${info?.signal ? `signal ${info.signal}` : `code ${String(info?.code)}`}) before finishing the turn${lastLine ? `: ${lastLine}` : '.'}`,
      { details },
    );
  }

  #onExit(_info: ExitInfo): void {
    if (this.#turns.length === 0) return;
    this.#failAll(this.#exitError());
  }

  #failAll(error: ClaudeCliError): void {
    for (const turn of this.#turns.splice(0)) {
      if (turn.abortCode !== undefined) this.#settle(turn, this.#abortError(turn, undefined));
      else if (turn.malformed.length > 0)
        this.#settle(
          turn,
          new ClaudeCliError('CLAUDE_CLI_MALFORMED_OUTPUT', `Claude Code wrote ${turn.malformed.length} line(s) that are not stream-json, then ended: ${turn.malformed[0]?.slice(0, 200) ?? ''}`, {
            cause: error,
            details: error.details,
          }),
        );
      else this.#settle(turn, error);
    }
  }

  #settle(turn: TurnState, outcome: RunResult | ClaudeCliError): void {
    if (turn.settled) return;
    turn.settled = true;
    turn.cleanup();
    if (ClaudeCliError.isInstance(outcome)) {
      turn.queue.end(outcome);
      turn.reject(outcome);
    } else {
      turn.queue.end();
      turn.resolve(outcome);
    }
  }
}

/**
 * Starts a long-lived Claude Code session. Validates every option first (nothing is spawned on
 * bad input), finds the binary and checks its version.
 *
 * @throws {@link ClaudeCliError} `CLAUDE_CLI_INVALID_OPTIONS`, `CLAUDE_CLI_NOT_FOUND`, `CLAUDE_CLI_VERSION_UNSUPPORTED`.
 * @example
 * ```ts
 * const session = await createSession({ cwd: '/repo', model: 'sonnet', allowedTools: ['Read'] });
 * for await (const message of session.send('Summarise README.md')) show(message.type);
 * await session.close();
 * ```
 */
export async function createSession(options: RunOptions = {}): Promise<ClaudeSession> {
  const { canUseTool, hooks, logger, spawn, checkVersion, ...data } = options;
  const validated = parseRunOptions(data);
  const { path } = resolveClaudeBinary({
    executable: validated.executable,
    env: { ...(validated.inheritEnv === false ? {} : processEnvironment()), ...validated.env },
  });
  if (checkVersion !== false && spawn === undefined) await detectClaudeVersion(path);
  const session = new ClaudeSession(path, validated, { canUseTool, hooks, logger, spawn });
  try {
    await session.initialize(hooks);
  } catch (error) {
    await session.close({ force: true });
    throw error;
  }
  return session;
}

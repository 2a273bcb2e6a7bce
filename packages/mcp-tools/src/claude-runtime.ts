import {
  ClaudeCliError,
  createSession,
  isAssistantMessage,
  isSystemMessage,
  noopLogger,
  type CanUseTool,
  type ClaudeMessage,
  type ClaudeSession,
  type Logger,
  type RunOptions,
  type RunResult,
} from '@claude-code-mcp/claude-cli-driver';

import { McpToolsError } from './errors.js';
import { OrderedWrites } from './ordered-writes.js';
import { currentProcess, trackCliProcess } from './processes/cli-processes.js';
import { driverOptionsOf, fingerprintOf, type RunRequest } from './run-request.js';
import { RunLimiter, type AcquireOptions } from './run-limiter.js';
import type { ClaudeToolsStore, SessionSeed } from './store/index.js';
import { parseRuntimeSettings, type RuntimeSettings } from './runtime-settings.js';
import { roundUsd } from './usd.js';

export type { RunRequest } from './run-request.js';

/**
 * How a run talks back to the request that started it.
 *
 * @example
 * ```ts
 * const callbacks: RunCallbacks = { signal: controller.signal, canUseTool: askTheClient, onMessage: (message) => log(message) };
 * ```
 */
export interface RunCallbacks {
  readonly signal: AbortSignal;
  /** Every message of the run, as it arrives. */
  readonly onMessage?: (message: ClaudeMessage) => void;
  /** Told the queue position while the run waits for a slot. */
  readonly onQueued?: (position: number, queueLength: number) => void;
  /** Decides tool calls that need approval. */
  readonly canUseTool: CanUseTool;
  /** Told the CLI's process id once the run has a process. */
  readonly onProcess?: (pid: number | undefined) => void;
}

/**
 * The outcome of a run.
 *
 * @example
 * ```ts
 * const outcome: RunOutcome = await runtime.run(request, callbacks);
 * if (outcome.status === 'completed') logger.info({ costUsd: outcome.turnCostUsd }, outcome.result.text);
 * ```
 */
export type RunOutcome =
  | { readonly status: 'completed'; readonly sessionId: string; readonly result: RunResult; readonly turnCostUsd: number }
  | { readonly status: 'cancelled' | 'failed'; readonly sessionId: string | undefined; readonly error: ClaudeCliError | McpToolsError };

/**
 * What the runtime uses of a Claude Code session: the driver's `ClaudeSession` is one, and a test
 * can give a fake.
 *
 * @example
 * ```ts
 * const session: RuntimeSession = await createSession({ cwd });
 * ```
 */
export type RuntimeSession = Pick<ClaudeSession, 'pid' | 'state' | 'sessionId' | 'exited' | 'send' | 'close'>;

/**
 * Starts a Claude Code session for a run; the default is the driver's `createSession`.
 *
 * @example
 * ```ts
 * const runtime = new ClaudeRuntime({ store, createSession: (options) => createSession({ ...options, env }) });
 * ```
 */
export type SessionFactory = (options: RunOptions) => Promise<RuntimeSession>;

/**
 * A run the runtime does not execute itself (a detached background task), held so that it counts
 * like its own: its folder is busy (no checkpoint restore under it), its session cannot start
 * another turn, and claude_abort on that session aborts `controller`.
 *
 * @example
 * ```ts
 * const hold = runtime.hold(request.cwd, controller);
 * if (!hold.setSession(sessionId)) throw new Error('busy');
 * hold.release();
 * ```
 */
export interface RunHold {
  /** Names the run's session; `false` when another run already holds that session. */
  setSession(sessionId: string): boolean;
  release(): void;
}

/**
 * Options of {@link ClaudeRuntime}.
 *
 * @example
 * ```ts
 * const options: ClaudeRuntimeOptions = { store: openStore({ dataDir }), maxConcurrentRuns: 2, sessionIdleTimeoutMs: 600_000 };
 * ```
 */
export interface ClaudeRuntimeOptions {
  readonly store: ClaudeToolsStore;
  /** Starts the CLI process of a run (default: the driver's `createSession`). */
  readonly createSession?: SessionFactory;
  /** Runs at once; more wait in a priority queue (default 4). */
  readonly maxConcurrentRuns?: number;
  /** Idle time after which a warm session's process is closed (default 30 min). */
  readonly sessionIdleTimeoutMs?: number;
  /** Warm idle processes kept at most; the least recently used goes first (default: maxConcurrentRuns). */
  readonly maxWarmSessions?: number;
  /** The `claude` executable; otherwise the driver's resolution. */
  readonly claudeExecutable?: string | undefined;
  /** Told when the Claude Code process that served a session ends (the session stays resumable). It must not throw. */
  readonly onSessionEnded?: (sessionId: string) => void;
  /** Environment of the CLI (default: inherited from this process). */
  readonly claudeEnv?: Record<string, string | undefined> | undefined;
  /** Allow `permissionMode: 'bypassPermissions'` (default false). */
  readonly allowBypassPermissions?: boolean;
  readonly logger?: Logger;
  readonly now?: () => number;
}

interface WarmSession {
  readonly session: RuntimeSession;
  fingerprint: string;
  /** The session cost the process has reported so far (the CLI's figure is cumulative). */
  costReported: number;
  /** Whether the exit of the process already removes it from the warm map. */
  exitWatched: boolean;
  readonly cwd: string;
  /** The permission decider of the request that currently uses this process. */
  canUseTool: CanUseTool;
  busy: boolean;
  abort: AbortController | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  lastUsedAt: number;
}

const denyAll: CanUseTool = () => ({ behavior: 'deny', message: 'No request is waiting for this decision.' });

/**
 * The state behind the tools, shared by every MCP connection: the session registry, warm CLI
 * processes (one long-lived stream-json process per session, kept for an idle period so a
 * follow-up turn costs tens of milliseconds), one run per session at a time, and a cap on runs
 * with a priority queue.
 *
 * @example
 * ```ts
 * const runtime = new ClaudeRuntime({ store: openStore({ dataDir }) });
 * const outcome = await runtime.run({ prompt: 'hi', cwd: '/repo' }, { signal, canUseTool: denyAll });
 * await runtime.close();
 * ```
 */
export class ClaudeRuntime {
  readonly #options: ClaudeRuntimeOptions;
  readonly #settings: RuntimeSettings;
  readonly #logger: Logger;
  readonly #limiter: RunLimiter;
  readonly #warm = new Map<string, WarmSession>();
  /** Every run not yet settled, queued ones included. */
  readonly #inFlight = new Set<{ controller: AbortController; done: Promise<RunOutcome>; cwd: string }>();
  /** Runs executed elsewhere (detached tasks), by their folder. */
  readonly #held = new Set<{ controller: AbortController; cwd: string }>();
  /** Runs in progress, by session id once known. */
  readonly #running = new Map<string, AbortController>();
  readonly #now: () => number;
  // This server, as the owner recorded with each Claude Code process it starts.
  readonly #owner = currentProcess();
  #closed = false;

  constructor(options: ClaudeRuntimeOptions) {
    // Collaborators are used as given; the data options are validated once, with their defaults.
    const { store: _store, createSession: _createSession, logger, now, onSessionEnded: _onSessionEnded, ...data } = options;
    this.#settings = parseRuntimeSettings(data);
    this.#options = options;
    this.#logger = (logger ?? noopLogger).child({ component: 'claude-runtime' });
    this.#limiter = new RunLimiter(this.#settings.maxConcurrentRuns);
    this.#now = now ?? Date.now;
  }

  /** The session registry. */
  get store(): ClaudeToolsStore {
    return this.#options.store;
  }

  /** Session ids with a run in progress. */
  runningSessionIds(): string[] {
    return [...this.#running.keys()];
  }

  /** Whether a run (queued or running) works in `cwd`. */
  isBusy(cwd: string): boolean {
    return [...this.#inFlight, ...this.#held].some((entry) => entry.cwd === cwd);
  }

  /** A slot of the run cap for a run executed elsewhere; resolves with its release. */
  acquireSlot(options: AcquireOptions): Promise<() => void> {
    return this.#limiter.acquire(options);
  }

  /** Holds a run executed elsewhere as one of this runtime's (see {@link RunHold}). */
  hold(cwd: string, controller: AbortController): RunHold {
    const entry = { controller, cwd };
    this.#held.add(entry);
    const sessions = new Set<string>();
    return {
      setSession: (sessionId) => {
        const holder = this.#running.get(sessionId);
        if (holder !== undefined && holder !== controller) return false;
        this.#running.set(sessionId, controller);
        sessions.add(sessionId);
        // Another process now writes this session: a warm one would answer from an old history.
        const warm = this.#warm.get(sessionId);
        if (warm !== undefined && !warm.busy) void this.#discard(warm, sessionId);
        return true;
      },
      release: () => {
        this.#held.delete(entry);
        for (const id of sessions) if (this.#running.get(id) === controller) this.#running.delete(id);
      },
    };
  }

  /**
   * The driver options a run of `request` gets: the executable, environment and flags, and how
   * its session resumes (a planned fork included). For runs executed elsewhere.
   */
  async claudeOptions(request: RunRequest): Promise<Omit<RunOptions, 'canUseTool' | 'hooks' | 'logger' | 'spawn'> & { cwd: string }> {
    return {
      cwd: request.cwd,
      ...(this.#settings.claudeExecutable ? { executable: this.#settings.claudeExecutable } : {}),
      ...(this.#settings.claudeEnv ? { env: this.#settings.claudeEnv } : {}),
      ...driverOptionsOf(request),
      ...(request.permissionMode === 'bypassPermissions' && this.#settings.allowBypassPermissions ? { allowDangerouslySkipPermissions: true } : {}),
      ...(request.sessionId === undefined ? {} : await this.#resumeFlags(request.sessionId)),
    };
  }

  /**
   * Prepares a new session that starts as a fork of `parentId` at `messageId` (a restored
   * checkpoint): its first run resumes the parent with that history and this id.
   */
  async planFork(fork: { sessionId: string; parentId: string; messageId: string | null; cwd: string }): Promise<void> {
    const { cwd, ...planned } = fork;
    await this.store.forks.plan({ ...planned, createdAt: this.#now() }, cwd);
  }

  /** Warm Claude Code processes, runs holding a slot, and runs waiting for one. */
  usage(): { readonly warmProcesses: number; readonly runningRuns: number; readonly queuedRuns: number } {
    return { warmProcesses: new Set(this.#warm.values()).size, runningRuns: this.#limiter.running, queuedRuns: this.#limiter.queued };
  }

  /** Session ids whose CLI process is alive and idle or busy. */
  warmSessionIds(): string[] {
    return [...this.#warm.keys()];
  }

  /** The CLI process ids of warm sessions (for cleanup checks). */
  warmProcessIds(): number[] {
    return [...this.#warm.values()].flatMap((warm) => (warm.session.pid === undefined ? [] : [warm.session.pid]));
  }

  /**
   * Aborts the run in progress on `sessionId`.
   *
   * Rejects with {@link McpToolsError} `MCP_TOOLS_NOT_RUNNING` when nothing runs there.
   */
  async abort(sessionId: string): Promise<void> {
    const controller = this.#running.get(sessionId);
    if (!controller) {
      const known = await this.store.sessions.get(sessionId);
      throw new McpToolsError(
        'MCP_TOOLS_NOT_RUNNING',
        known
          ? `Session ${sessionId} has no run in progress (it is ${known.status}).`
          : `No session ${sessionId} is known to this server; nothing to abort.`,
      );
    }
    controller.abort(new Error('Aborted with claude_abort.'));
  }

  /** Runs one turn; never throws for a failed run: the outcome says how it ended. */
  run(request: RunRequest, callbacks: RunCallbacks): Promise<RunOutcome> {
    const controller = new AbortController();
    const done = this.#run(request, callbacks, controller);
    const entry = { controller, done, cwd: request.cwd };
    this.#inFlight.add(entry);
    const settle = () => void this.#inFlight.delete(entry);
    // The caller gets the rejection of a run that throws; this bookkeeping must not add another.
    void done.then(settle, settle);
    return done;
  }

  async #run(request: RunRequest, callbacks: RunCallbacks, controller: AbortController): Promise<RunOutcome> {
    const shuttingDown = () => new McpToolsError('MCP_TOOLS_SESSION_BUSY', 'The server is shutting down; try again once it is back.');
    if (this.#closed) return { status: 'failed', sessionId: request.sessionId, error: shuttingDown() };
    const onOuterAbort = () => controller.abort(callbacks.signal.reason);
    if (callbacks.signal.aborted) onOuterAbort();
    callbacks.signal.addEventListener('abort', onOuterAbort, { once: true });
    let sessionId = request.sessionId;
    // A row this run stored for the requested id, which Claude Code may yet refuse as unknown.
    const stored = { requestedId: false };
    const writes = new OrderedWrites(this.#logger);
    const register = (id: string) => {
      if (this.#running.get(id) === controller) return;
      this.#running.set(id, controller);
      writes.push('mark the session running', { sessionId: id }, async () => {
        const created = (await this.store.sessions.setStatus(id, 'running', undefined, this.#seed(request))) === 'created';
        if (id === request.sessionId) stored.requestedId = created;
      });
    };
    let release: (() => void) | undefined;
    try {
      if (sessionId !== undefined) {
        if (this.#running.has(sessionId)) {
          return {
            status: 'failed',
            sessionId,
            error: new McpToolsError('MCP_TOOLS_SESSION_BUSY', `Session ${sessionId} is already running a turn; wait for it to finish or stop it with claude_abort.`),
          };
        }
        register(sessionId);
      }
      try {
        release = await this.#limiter.acquire({
          priority: request.priority ?? 'normal',
          signal: controller.signal,
          ...(callbacks.onQueued ? { onQueued: callbacks.onQueued } : {}),
        });
      } catch (error) {
        this.#settleStatus(writes, sessionId, request, 'idle', null);
        return { status: 'cancelled', sessionId, error: error as McpToolsError };
      }
      if (this.#closed) return { status: 'failed', sessionId, error: shuttingDown() };

      let warm: WarmSession;
      try {
        warm = await this.#checkout(request, callbacks.canUseTool);
      } catch (error) {
        if (!McpToolsError.isInstance(error) && !ClaudeCliError.isInstance(error)) throw error;
        this.#settleStatus(writes, sessionId, request, 'failed', error.message);
        return { status: 'failed', sessionId, error };
      }
      warm.abort = controller;
      if (this.#closed) controller.abort(new Error('The server is shutting down.'));
      callbacks.onProcess?.(warm.session.pid);
      const turn = warm.session.send(request.prompt, { signal: controller.signal });
      await this.#stream(turn, callbacks, (id) => {
        if (id === sessionId) return;
        sessionId = id;
        register(id);
      });
      let result: RunResult;
      try {
        result = await turn.result;
      } catch (error) {
        await writes.drain();
        return await this.#failed(writes, error as ClaudeCliError, warm, request, sessionId, stored.requestedId);
      }
      return this.#completed(writes, warm, request, result);
    } finally {
      await writes.drain();
      release?.();
      callbacks.signal.removeEventListener('abort', onOuterAbort);
      for (const [id, owner] of this.#running) if (owner === controller) this.#running.delete(id);
    }
  }

  // Passes the turn's messages on, telling `onSessionId` each session id the CLI names.
  async #stream(turn: AsyncIterable<ClaudeMessage>, callbacks: RunCallbacks, onSessionId: (id: string) => void): Promise<void> {
    try {
      for await (const message of turn) {
        const id = (message as { session_id?: unknown }).session_id;
        if (typeof id === 'string') onSessionId(id);
        callbacks.onMessage?.(message);
      }
    } catch {
      // The outcome comes from the turn's result.
    }
  }

  // A finished turn: its own cost, the process back in the pool, the turn recorded.
  #completed(writes: OrderedWrites, warm: WarmSession, request: RunRequest, result: RunResult): RunOutcome {
    // The CLI's total covers the whole session (a resumed process includes the earlier ones).
    const turnCostUsd = roundUsd(Math.max(0, result.costUsd - warm.costReported));
    warm.costReported = Math.max(warm.costReported, result.costUsd);
    this.#checkin(writes, warm, result.sessionId, request);
    // The run succeeded; a registry failure is logged and must not turn it into a failed run.
    writes.push('record the turn', { sessionId: result.sessionId }, () =>
      this.store.sessions.recordTurn(result.sessionId, { costUsd: turnCostUsd, at: this.#now(), model: request.model ?? null }, this.#seed(request)),
    );
    return { status: 'completed', sessionId: result.sessionId, result, turnCostUsd };
  }

  async #failed(
    writes: OrderedWrites,
    cliError: ClaudeCliError,
    warm: WarmSession,
    request: RunRequest,
    sessionId: string | undefined,
    storedRequestedId: boolean,
  ): Promise<RunOutcome> {
    const resolvedId = sessionId ?? warm.session.sessionId;
    warm.busy = false;
    if (cliError.code === 'CLAUDE_CLI_SESSION_NOT_FOUND') {
      await this.#discard(warm);
      this.#forgetRefusedSession(writes, request, storedRequestedId, cliError.message);
      return {
        status: 'failed',
        sessionId: request.sessionId,
        error: new McpToolsError(
          'MCP_TOOLS_SESSION_NOT_FOUND',
          `Claude Code has no session ${request.sessionId ?? ''} in ${request.cwd}. Check the id (claude_ask returns it) and the working directory it ran in.`,
          { cause: cliError },
        ),
      };
    }
    const cancelled = cliError.code === 'CLAUDE_CLI_INTERRUPTED' || cliError.code === 'CLAUDE_CLI_TIMEOUT';
    // A cancelled run leaves nothing running: its process goes too (the session resumes cold).
    if (cancelled || warm.session.state === 'closed' || !resolvedId) await this.#discard(warm);
    else this.#checkin(writes, warm, resolvedId, request);
    this.#settleStatus(writes, resolvedId, request, cancelled ? 'idle' : 'failed', cancelled ? null : cliError.message);
    return { status: cancelled ? 'cancelled' : 'failed', sessionId: resolvedId, error: cliError };
  }

  /**
   * Waits for the runs in flight (queued ones included) to end by themselves, at most until
   * `signal` aborts: true when none is left. New runs may still start meanwhile; stop sending them.
   */
  async settle(signal: AbortSignal): Promise<boolean> {
    const stopped = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    while (this.#inFlight.size > 0 && !signal.aborted) {
      await Promise.race([Promise.allSettled([...this.#inFlight].map((entry) => entry.done)), stopped]);
    }
    return this.#inFlight.size === 0;
  }

  /** Interrupts every run (queued ones included), waits for them, and closes every process. */
  async close(): Promise<void> {
    this.#closed = true;
    const inFlight = [...this.#inFlight];
    for (const entry of inFlight) entry.controller.abort(new Error('The server is shutting down.'));
    await Promise.allSettled(inFlight.map((entry) => entry.done));
    await Promise.all(
      [...new Set(this.#warm.values())].map(async (warm) => {
        if (warm.idleTimer) clearTimeout(warm.idleTimer);
        await warm.session.close({ force: warm.busy, timeoutMs: 3_000 });
      }),
    );
    this.#warm.clear();
  }

  /** What stores the session when it has no record yet. */
  #seed(request: RunRequest): SessionSeed {
    return { cwd: request.cwd, model: request.model ?? null, at: this.#now() };
  }

  // Claude Code has no such session: a row this run stored for it goes (it never existed); a row
  // known before keeps its history and says what happened.
  #forgetRefusedSession(writes: OrderedWrites, request: RunRequest, storedRequestedId: boolean, message: string): void {
    const id = request.sessionId;
    if (id === undefined) return;
    if (!storedRequestedId) return this.#settleStatus(writes, id, request, 'failed', message);
    writes.push('remove the refused session', { sessionId: id }, () => this.store.sessions.delete(id));
  }

  #settleStatus(writes: OrderedWrites, sessionId: string | undefined, request: RunRequest, status: 'idle' | 'failed', message: string | null): void {
    if (sessionId === undefined) return;
    writes.push('record the session status', { sessionId }, () =>
      this.store.sessions.setStatus(sessionId, status, message, this.#seed(request)),
    );
  }

  /** A process for this request: the warm one when its flags match, else a new (resumed) one. */
  async #checkout(request: RunRequest, canUseTool: CanUseTool): Promise<WarmSession> {
    const fingerprint = fingerprintOf(request);
    if (request.sessionId !== undefined) {
      const warm = this.#warm.get(request.sessionId);
      if (warm && warm.fingerprint === fingerprint && warm.session.state === 'idle') {
        if (warm.idleTimer) clearTimeout(warm.idleTimer);
        warm.idleTimer = undefined;
        warm.busy = true;
        warm.canUseTool = canUseTool;
        this.#warm.delete(request.sessionId);
        return warm;
      }
      if (warm) await this.#discard(warm, request.sessionId);
    }
    // A resumed process reports the session's whole cost so far: start from what is recorded.
    const costReported = request.sessionId === undefined ? 0 : ((await this.store.sessions.get(request.sessionId))?.costUsd ?? 0);
    const holder: { current?: WarmSession } = {};
    const session = await (this.#options.createSession ?? createSession)({
      ...(await this.claudeOptions(request)),
      logger: this.#logger,
      // One callback for the life of the process, forwarding to whichever request uses it now.
      canUseTool: (toolName, input, context) => (holder.current?.canUseTool ?? denyAll)(toolName, input, context),
    });
    // Whatever ends it (idle, evicted, stopped, shutdown), its session is told of once.
    void session.exited.then(() => {
      const id = session.sessionId ?? request.sessionId;
      if (id !== undefined) this.#options.onSessionEnded?.(id);
    });
    if (this.#owner !== undefined && session.pid !== undefined) {
      await trackCliProcess(this.store, this.#owner, { pid: session.pid, sessionId: request.sessionId ?? null, exited: session.exited }, this.#logger, this.#now);
    }
    const warm: WarmSession = {
      session,
      fingerprint,
      costReported,
      exitWatched: false,
      cwd: request.cwd,
      canUseTool,
      busy: true,
      abort: undefined,
      idleTimer: undefined,
      lastUsedAt: this.#now(),
    };
    holder.current = warm;
    return warm;
  }

  async #resumeFlags(sessionId: string): Promise<Pick<RunOptions, 'resume' | 'forkSession' | 'sessionId' | 'resumeSessionAt'>> {
    const fork = await this.store.forks.get(sessionId);
    if (!fork) return { resume: sessionId };
    return {
      resume: fork.parentId,
      forkSession: true,
      sessionId,
      ...(fork.messageId === null ? {} : { resumeSessionAt: fork.messageId }),
    };
  }

  #checkin(writes: OrderedWrites, warm: WarmSession, sessionId: string, request: RunRequest): void {
    // Once a planned fork has run, the session exists in Claude Code and resumes normally.
    writes.push('forget the planned fork', { sessionId }, () => this.store.forks.consume(sessionId));
    warm.busy = false;
    warm.abort = undefined;
    warm.canUseTool = denyAll;
    warm.lastUsedAt = this.#now();
    if (this.#closed || warm.session.state === 'closed') {
      void warm.session.close({ timeoutMs: 3_000 });
      return;
    }
    const previous = this.#warm.get(sessionId);
    if (previous && previous !== warm) void this.#discard(previous);
    warm.fingerprint = fingerprintOf(request);
    this.#warm.set(sessionId, warm);
    const stored = warm;
    if (stored.idleTimer) clearTimeout(stored.idleTimer);
    stored.idleTimer = setTimeout(() => {
      if (this.#warm.get(sessionId) !== stored || stored.busy) return;
      this.#logger.debug({ sessionId }, 'closing idle session');
      void this.#discard(stored, sessionId);
    }, this.#settings.sessionIdleTimeoutMs);
    stored.idleTimer.unref();
    if (!stored.exitWatched) {
      stored.exitWatched = true;
      void warm.session.exited.then(() => {
        for (const [id, other] of this.#warm) if (other === stored) this.#warm.delete(id);
      });
    }
    this.#evictIdle();
  }

  #evictIdle(): void {
    const limit = this.#settings.maxWarmSessions;
    const idle = [...this.#warm.entries()].filter(([, warm]) => !warm.busy).sort((a, b) => a[1].lastUsedAt - b[1].lastUsedAt);
    while (this.#warm.size > limit && idle.length > 0) {
      const [id, oldest] = idle.shift() as [string, WarmSession];
      void this.#discard(oldest, id);
    }
  }

  async #discard(warm: WarmSession, sessionId?: string): Promise<void> {
    if (warm.idleTimer) clearTimeout(warm.idleTimer);
    if (sessionId !== undefined && this.#warm.get(sessionId) === warm) this.#warm.delete(sessionId);
    for (const [id, other] of this.#warm) if (other === warm) this.#warm.delete(id);
    await warm.session.close({ force: warm.busy, timeoutMs: 3_000 });
  }
}

/** Short, human text for progress from one stream message, or undefined when it says nothing new. */
export function describeMessage(message: ClaudeMessage): string | undefined {
  if (isSystemMessage(message, 'init')) {
    const model = (message as { model?: unknown }).model;
    // The session id is what claude_abort needs while the first turn of a new session still runs.
    return `Claude Code started${typeof model === 'string' ? ` (${model})` : ''}; sessionId ${String(message.session_id)}`;
  }
  if (isSystemMessage(message, 'hook_response')) {
    const hook = message as { hook_name?: unknown; exit_code?: unknown; outcome?: unknown };
    return `Hook ${String(hook.hook_name)}: ${String(hook.outcome)} (exit ${String(hook.exit_code)})`;
  }
  if (isSystemMessage(message, 'api_retry')) {
    const attempt = (message as { attempt?: unknown }).attempt;
    return `The Anthropic API asked to retry (attempt ${String(attempt)})`;
  }
  if (isAssistantMessage(message)) {
    for (const block of message.message.content) {
      if (block.type === 'tool_use') {
        const input = (block as { input?: Record<string, unknown> }).input ?? {};
        const detail = input['command'] ?? input['file_path'] ?? input['pattern'] ?? input['description'] ?? '';
        const text = typeof detail === 'string' && detail ? `: ${detail}` : '';
        return `Using ${String((block as { name?: unknown }).name)}${text}`.slice(0, 160);
      }
      if (block.type === 'text') {
        const raw = (block as { text?: unknown }).text;
        const text = typeof raw === 'string' ? raw.trim() : '';
        if (text) return text.length > 160 ? `${text.slice(0, 157)}…` : text;
      }
    }
  }
  return undefined;
}

// What every run tool shares: preparing a run (directory, hooks, subagent), running it with
// progress and log notifications (and an automatic checkpoint when asked), starting it in the
// background. The permission bridge and the result views are beside this file.
import { isSystemMessage, noopLogger, type CanUseTool, type ClaudeMessage, type Logger, type RunResult } from '@claude-code-mcp/claude-cli-driver';
import { LOG_LEVEL_META_KEY, type CallToolResult, type LoggingLevel, type McpServer, type ServerContext } from '@modelcontextprotocol/server';

import { checkSubagent } from '../catalogue.js';
import { describeMessage, type ClaudeRuntime, type RunOutcome, type RunRequest } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import { emitTo, eventCallerOf, eventCallerOfOwner } from '../emit-event.js';
import { buildHookSettings, type HookSpecs } from '../hook-settings.js';
import { createProgressReporter, type ProgressReporter } from '../progress-reporter.js';
import { resolveWorkingDirectory } from '../resolve-working-directory.js';
import { lastMessageId } from '../transcript-path.js';
import type { ToolResult } from './define-tool.js';
import type { HeldRuns } from './held-runs.js';
import { callerOfContext, Ownership, type Caller } from './ownership.js';
import { canAskTheUser, permissionDecider } from './permission-bridge.js';
import { envelopeValue, isModern } from './request-envelope.js';
import type { ToolsSettings } from './tools-settings.js';
import { completedRunResult, emptyOutput, toolError } from './run-results.js';
import { runEventOf } from './run-events.js';
import type { RunOutput } from './schema-parts.js';

export { actionError, backgroundTaskResult, emptyOutput, toolError } from './run-results.js';

/** The server's default rules first, then the call's own. */
export function allowedToolsFor(settings: ToolsSettings, requested: readonly string[] | undefined): string[] {
  return [...settings.defaultAllowedTools, ...(requested ?? [])];
}

/** A run as a tool asks for it: a directory still to check against the roots, hooks still to build. */
export type ToolRunRequest = Omit<RunRequest, 'cwd'> & { workingDirectory?: string | undefined; hooks?: HookSpecs | undefined };

/** How a tool adjusts a run: its own permission decider, a message tap, a reshaped result. */
export interface RunOverrides {
  readonly canUseTool?: CanUseTool;
  readonly onMessage?: (message: ClaudeMessage) => void;
  readonly shape?: (result: RunResult, output: RunOutput) => RunOutput;
}

/**
 * What a tool handler gets besides its arguments: the options, the runtime, and the shared steps
 * of a run.
 *
 * @example
 * ```ts
 * handler: (args, context, kit) => kit.runTool({ prompt: args.query, sessionId: args.sessionId }, context),
 * ```
 */
export interface ToolKit {
  /** The validated options, defaults filled in. */
  readonly options: ToolsSettings;
  readonly runtime: ClaudeRuntime;
  readonly logger: Logger;
  /** What callers own (with OAuth): sessions, tasks, checkpoints. */
  readonly ownership: Ownership;
  /** The directory a call works in: the requested one, else the session's, else the default; inside the roots. */
  resolveCwd(requested: string | undefined, sessionId: string | undefined): Promise<string>;
  /**
   * Runs a turn for a tool call, with progress, and returns the tool result. On 2026-07-28, a
   * permission question becomes an input-required result and the retried call goes on with the run.
   */
  runTool(request: ToolRunRequest, context: ServerContext, overrides?: RunOverrides): Promise<ToolResult>;
  /** Starts a background task (owned by `caller`) and returns its id at once. */
  startBackground(request: ToolRunRequest, caller: Caller): Promise<CallToolResult>;
}

type HookEvents = NonNullable<RunOutput['hookEvents']>;

/** How one run is wired: where its progress and logs go, who decides permissions, what stops it. */
interface RunHow {
  readonly contextOf: () => ServerContext | undefined;
  readonly overrides: RunOverrides;
  readonly canUseTool: CanUseTool;
  readonly signal: AbortSignal;
  /** Who the run's session belongs to. */
  readonly caller: Caller;
}

function hookEventOf(message: ClaudeMessage): HookEvents[number] {
  const hook = message as { hook_name?: unknown; hook_event?: unknown; outcome?: unknown; exit_code?: unknown; stderr?: unknown };
  return {
    hookName: String(hook.hook_name),
    event: String(hook.hook_event),
    outcome: String(hook.outcome),
    exitCode: typeof hook.exit_code === 'number' ? hook.exit_code : null,
    ...(typeof hook.stderr === 'string' && hook.stderr ? { stderr: hook.stderr.slice(0, 2000) } : {}),
  };
}

const LOG_LEVELS: readonly LoggingLevel[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

// MCP log notifications, never after the request ended. A 2025-era client filters them with
// logging/setLevel; on 2026-07-28 only a request that sets a log level gets them, from that level up.
function logNotifier(contextOf: () => ServerContext | undefined): (level: 'info' | 'warning', data: Record<string, unknown>) => void {
  return (level, data) => {
    const context = contextOf();
    if (!context || context.mcpReq.signal.aborted) return;
    if (isModern(context)) {
      const wanted = envelopeValue(context, LOG_LEVEL_META_KEY) as LoggingLevel | undefined;
      if (wanted === undefined || LOG_LEVELS.indexOf(level) < LOG_LEVELS.indexOf(wanted)) return;
    }
    context.mcpReq.log(level, data, 'claude-code').catch(() => {});
  };
}

class ClaudeToolKit implements ToolKit {
  readonly options: ToolsSettings;
  readonly runtime: ClaudeRuntime;
  readonly logger: Logger;
  readonly ownership: Ownership;
  readonly #server: McpServer;

  constructor(server: McpServer, options: ToolsSettings) {
    this.#server = server;
    this.options = options;
    this.runtime = options.runtime;
    this.ownership = new Ownership(options.runtime.store.owners, options.runtime.store.tasks);
    this.logger = (options.logger ?? noopLogger).child({ component: 'claude-tools' });
  }

  async resolveCwd(requested: string | undefined, sessionId: string | undefined): Promise<string> {
    const fallback = (sessionId ? (await this.runtime.store.sessions.get(sessionId))?.cwd : undefined) ?? this.options.defaultWorkingDirectory;
    return resolveWorkingDirectory(requested ?? fallback, { roots: this.options.roots, base: this.options.defaultWorkingDirectory });
  }

  /**
   * Everything a run needs checked before it starts, for foreground and background runs alike:
   * the directory (inside the roots), hook scripts (inside the hook folders), the subagent name.
   * Returns the runtime request, or the tool error that says what was wrong.
   */
  async #checkRequest(request: ToolRunRequest, caller: Caller): Promise<{ request: RunRequest } | { error: CallToolResult }> {
    const { workingDirectory, hooks, ...rest } = request;
    try {
      // Another principal's session is not found, as a session that does not exist is not.
      if (request.sessionId && !(await this.ownership.visible('session', request.sessionId, caller))) {
        throw new McpToolsError('MCP_TOOLS_SESSION_NOT_FOUND', `No session ${request.sessionId} is known; start a new one without sessionId.`);
      }
      const cwd = await this.resolveCwd(workingDirectory, request.sessionId);
      const hookSettings =
        hooks && Object.keys(hooks).length > 0 ? await buildHookSettings(hooks, { cwd, hookDirectories: this.options.hookDirectories }) : undefined;
      // An unknown agent is named as such, with the ones that exist, before anything runs.
      if (rest.agent) await checkSubagent(this.options, cwd, rest.agent);
      return { request: { ...rest, cwd, ...(hookSettings ? { settings: hookSettings, includeHookEvents: true } : {}) } };
    } catch (error) {
      if (McpToolsError.isInstance(error)) return { error: toolError(error, request.sessionId ?? null) };
      throw error;
    }
  }

  // Progress goes to the request that waits now (a held run's caller changes with each retry).
  #progress(contextOf: () => ServerContext | undefined): ProgressReporter {
    const { progressIntervalMs, heartbeatMs } = this.options;
    return createProgressReporter({
      send: async (value, message) => {
        const context = contextOf();
        const token = context?.mcpReq._meta?.progressToken;
        if (!context || token === undefined || context.mcpReq.signal.aborted) return;
        await context.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: value, message } });
      },
      ...(progressIntervalMs === undefined ? {} : { minIntervalMs: progressIntervalMs }),
      ...(heartbeatMs === undefined ? {} : { heartbeatMs }),
    });
  }

  // AUTO_CHECKPOINT: a checkpoint before a follow-up turn; a failure is logged, never fatal.
  async #autoCheckpoint(request: RunRequest, progress: ProgressReporter, caller: Caller): Promise<void> {
    const { checkpoints, claudeConfigDir } = this.options;
    if (!this.options.autoCheckpoint || !checkpoints || !request.sessionId) return;
    try {
      const checkpoint = await checkpoints.create({
        cwd: request.cwd,
        sessionId: request.sessionId,
        lastMessageId: await lastMessageId(claudeConfigDir, request.cwd, request.sessionId),
        label: `auto: before "${request.prompt.slice(0, 60)}"`,
      });
      await this.ownership.claim('checkpoint', checkpoint.id, caller);
      emitTo(this.options.onEvent, { type: 'checkpoint.created', checkpointId: checkpoint.id, sessionId: request.sessionId, automatic: true, caller: eventCallerOfOwner(caller.owner), at: Date.now() });
      progress.update(`Checkpoint ${checkpoint.id} taken`);
    } catch (error) {
      this.logger.warn({ err: error, sessionId: request.sessionId }, 'automatic checkpoint failed; running anyway');
    }
  }

  async #run(request: RunRequest, how: RunHow, progress: ProgressReporter, hookEvents: HookEvents): Promise<RunOutcome> {
    const { overrides } = how;
    const claimSession = this.#sessionClaimer(how.caller, request.sessionId);
    try {
      return await this.runtime.run(request, {
        signal: how.signal,
        canUseTool: overrides.canUseTool ?? how.canUseTool,
        onQueued: (position, length) => progress.update(`Waiting for a free slot: position ${position} of ${length}`),
        onMessage: (message) => {
          claimSession(message);
          overrides.onMessage?.(message);
          if (isSystemMessage(message, 'hook_response')) hookEvents.push(hookEventOf(message));
          const text = describeMessage(message);
          if (text) progress.update(text);
        },
      });
    } finally {
      progress.finish();
    }
  }

  // A new session (or fork) is the caller's from the moment the CLI names it: its owner can abort
  // it mid-run. A resumed one keeps its owner: an admin resuming someone's session does not take it.
  #sessionClaimer(caller: Caller, resumed: string | undefined): (message: ClaudeMessage) => void {
    let claimed = false;
    return (message) => {
      const sessionId = (message as { session_id?: unknown }).session_id;
      if (claimed || typeof sessionId !== 'string' || sessionId === resumed || caller.owner === undefined) return;
      claimed = true;
      this.ownership.claim('session', sessionId, caller).catch((error: unknown) => this.logger.warn({ err: error, sessionId }, 'could not record who owns a session'));
    };
  }

  async runTool(request: ToolRunRequest, context: ServerContext, overrides: RunOverrides = {}): Promise<ToolResult> {
    const held = this.options.heldRuns;
    const caller = callerOfContext(context);
    if (held && isModern(context)) {
      const state = context.mcpReq.requestState();
      if (state !== undefined) return this.#resume(held, state, context);
      if (!overrides.canUseTool && canAskTheUser(this.#server, context)) return this.#hold(held, request, context, overrides);
    }
    const checked = await this.#checkRequest(request, caller);
    if ('error' in checked) return checked.error;
    const canUseTool = permissionDecider(this.#server, context, { policy: this.options.permissionPolicy, timeoutMs: this.options.elicitationTimeoutMs, logger: this.logger });
    return this.#pipeline(checked.request, { contextOf: () => context, overrides, canUseTool, signal: context.mcpReq.signal, caller });
  }

  // 2026-07-28 with a client that can be asked: the run is held, its questions go back as input-required results.
  async #hold(held: HeldRuns, request: ToolRunRequest, context: ServerContext, overrides: RunOverrides): Promise<ToolResult> {
    const caller = callerOfContext(context);
    const checked = await this.#checkRequest(request, caller);
    if ('error' in checked) return checked.error;
    const run = held.start(context, (run) => {
      // The session id goes with each question, so a caller who will not answer can claude_abort it.
      const onMessage = (message: ClaudeMessage) => {
        const sessionId = (message as { session_id?: unknown }).session_id;
        if (typeof sessionId === 'string') run.sessionId = sessionId;
        overrides.onMessage?.(message);
      };
      return this.#pipeline(checked.request, { contextOf: () => run.context, overrides: { ...overrides, onMessage }, canUseTool: run.ask, signal: run.controller.signal, caller });
    });
    return run.wait(context);
  }

  // A retried call: its answers go to the held run's open questions, and it waits for what comes next.
  async #resume(held: HeldRuns, state: unknown, context: ServerContext): Promise<ToolResult> {
    // A server built without the verify hook hands the raw string: verify it here.
    const verified = typeof state === 'string' ? await held.verify(state, context).catch(() => undefined) : state;
    const run = held.find(verified);
    if (!run) {
      const error = new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'This answer belongs to a question that was already answered or has expired; call the tool again without requestState.');
      return toolError(error, null);
    }
    run.answer(context.mcpReq.inputResponses);
    return run.wait(context);
  }

  async #pipeline(prepared: RunRequest, how: RunHow): Promise<CallToolResult> {
    const notifyLog = logNotifier(how.contextOf);
    const progress = this.#progress(how.contextOf);
    progress.update(`Starting Claude Code in ${prepared.cwd}`);
    // A tool with its own permission decider (claude_plan) changes nothing: no checkpoint needed.
    if (!how.overrides.canUseTool) await this.#autoCheckpoint(prepared, progress, how.caller);
    notifyLog('info', { event: 'run.started', cwd: prepared.cwd, sessionId: prepared.sessionId ?? null });
    const hookEvents: HookEvents = [];
    const started = performance.now();
    const caller = () => eventCallerOf(how.contextOf()?.http?.authInfo);
    let outcome: RunOutcome;
    try {
      outcome = await this.#run(prepared, how, progress, hookEvents);
    } catch (error) {
      emitTo(this.options.onEvent, { type: 'run.finished', status: 'failed', errorCode: 'internal', model: prepared.model ?? 'default', seconds: (performance.now() - started) / 1000, costUsd: 0, background: false, caller: caller(), at: Date.now() });
      throw error;
    }
    emitTo(this.options.onEvent, runEventOf(outcome, prepared, (performance.now() - started) / 1000, caller()));
    // A new session (or a fork) is the caller's; a resumed one keeps its owner.
    if (outcome.sessionId !== prepared.sessionId) {
      await this.ownership.claim('session', outcome.sessionId, how.caller);
      if (outcome.sessionId !== undefined) {
        emitTo(this.options.onEvent, { type: 'session.started', sessionId: outcome.sessionId, ...(prepared.sessionId === undefined ? {} : { forkedFrom: prepared.sessionId }), caller: caller(), at: Date.now() });
      }
    }
    if (outcome.status !== 'completed') {
      this.logger.info({ sessionId: outcome.sessionId, code: outcome.error.code }, 'run did not complete');
      notifyLog('warning', { event: `run.${outcome.status}`, sessionId: outcome.sessionId ?? null, code: outcome.error.code });
      return toolError(outcome.error, outcome.sessionId ?? null, outcome.status);
    }
    const { result, sessionId, turnCostUsd } = outcome;
    notifyLog('info', { event: 'run.completed', sessionId, numTurns: result.numTurns, costUsd: result.costUsd });
    const shape = how.overrides.shape ?? ((_result: RunResult, output: RunOutput) => output);
    return completedRunResult(result, { sessionId, turnCostUsd, maxResultChars: this.options.maxResultChars, hookEvents, shape });
  }

  async startBackground(request: ToolRunRequest, caller: Caller): Promise<CallToolResult> {
    const tasks = this.options.tasks;
    if (!tasks) {
      return toolError(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Background tasks are not enabled on this server; call without backgroundTask.'), null);
    }
    const checked = await this.#checkRequest(request, caller);
    if ('error' in checked) return checked.error;
    const task = await tasks.start(checked.request);
    await this.ownership.claim('task', task.id, caller);
    const output: RunOutput = { ...emptyOutput('started', task.sessionId), taskId: task.id };
    return {
      content: [{ type: 'text', text: `Started background task ${task.id}. Follow it with claude_background_tasks (action "get", "logs" or "result").` }],
      structuredContent: output,
    };
  }
}

/**
 * The shared steps of the run tools for one server (the permission bridge asks that server's client).
 *
 * @example
 * ```ts
 * const kit = createToolKit(server, parseToolsSettings(options));
 * ```
 */
export function createToolKit(server: McpServer, settings: ToolsSettings): ToolKit {
  return new ClaudeToolKit(server, settings);
}

import { readFile } from 'node:fs/promises';

import {
  isAssistantMessage,
  isSystemMessage,
  type ClaudeCliError,
  type ClaudeMessage,
  noopLogger,
  type CanUseTool,
  type Logger,
  type PermissionResult,
  type RunResult,
} from '@claude-code-mcp/claude-cli-driver';
import {
  CLIENT_CAPABILITIES_META_KEY,
  McpServer,
  ResourceTemplate,
  type CallToolResult,
  type RegisteredTool,
  type ClientCapabilities,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';

import { describeMessage, type ClaudeRuntime, type RunOutcome, type RunRequest } from './claude-runtime.js';
import { McpToolsError } from './errors.js';
import { enableMcpTasks } from './mcp-tasks.js';
import { checkSubagent, registerCatalogueTools } from './catalogue-tools.js';
import { withoutDialect } from './schema-dialect.js';
import { checkpointView, lastMessageId, restoreCheckpoint } from './checkpoint-tool.js';
import type { CheckpointManager } from './checkpoints/index.js';
import { buildHookSettings, type HookSpecs } from './hook-settings.js';
import { transcriptPath } from './transcript-path.js';
import { createProgressReporter } from './progress-reporter.js';
import { resolveWorkingDirectory } from './resolve-working-directory.js';
import { thinkingLevelToEffort } from './thinking-level.js';
import type { TaskManager, TaskRecord } from './tasks/task-manager.js';
import {
  abortInputSchema,
  abortOutputSchema,
  askInputSchema,
  backgroundTasksInputSchema,
  backgroundTasksOutputSchema,
  checkpointInputSchema,
  checkpointOutputSchema,
  planInputSchema,
  resumeInputSchema,
  runOutputSchema,
  type RunOutput,
} from './tool-schemas.js';

/** What to do with a tool call that needs approval when the MCP client cannot be asked. */
export type PermissionPolicy = 'deny' | 'allow';

/** Options of {@link registerClaudeTools}. */
export interface ClaudeToolsOptions {
  readonly runtime: ClaudeRuntime;
  /** Directories Claude Code may work in (and below). */
  readonly roots: readonly string[];
  /** Where a call that names no directory (and no session) runs. Must be inside a root. */
  readonly defaultWorkingDirectory: string;
  /** Tool rules always allowed, before the call's own `allowedTools`. */
  readonly defaultAllowedTools?: readonly string[];
  /** Longest result text returned inline (default 40 000 characters); the rest is in the transcript resource. */
  readonly maxResultChars?: number;
  /** When the client cannot be asked (no elicitation): deny (default) or allow calls that would prompt. */
  readonly permissionPolicy?: PermissionPolicy;
  /** How long to wait for the user to answer a permission question (default 2 min); then deny. */
  readonly elicitationTimeoutMs?: number;
  /** Fewest ms between two progress notifications (default 1000). */
  readonly progressIntervalMs?: number;
  /** A progress notification at least this often while a run lives (default 10 000). */
  readonly heartbeatMs?: number;
  /** Claude Code's config folder (`CLAUDE_CONFIG_DIR`, or `~/.claude`), where transcripts live. */
  readonly claudeConfigDir: string;
  /** Folders besides `<cwd>/.claude/hooks` that hook scripts may live in. */
  readonly hookDirectories?: readonly string[];
  /** The `claude` executable for `claude plugin …` (otherwise found from `claudeEnv`). */
  readonly claudeExecutable?: string | undefined;
  /** The environment `claude plugin …` runs with. */
  readonly claudeEnv?: Record<string, string | undefined> | undefined;
  /** Whether claude_plugin_install may change the installation (default true). */
  readonly allowPluginInstall?: boolean;
  /** Checkpoints (`claude_checkpoint`); without it the tool answers that they are not enabled. */
  readonly checkpoints?: CheckpointManager;
  /** Take a checkpoint before each claude_ask / claude_resume on an existing session (default false). */
  readonly autoCheckpoint?: boolean;
  /** Background runs (`backgroundTask: true`, `claude_background_tasks`); without it they are refused. */
  readonly tasks?: TaskManager;
  readonly logger?: Logger;
}

/** The server name and version an app reports, plus the tool options. */
export interface ClaudeToolsServerOptions extends ClaudeToolsOptions {
  readonly name?: string;
  readonly version: string;
  /**
   * Also offer background runs through the MCP tasks feature (protocol 2025-11-25): a
   * task-augmented `claude_ask` call becomes a background task, followed with `tasks/*`. Needs
   * `tasks`. Only for servers speaking the 2025 protocols; 2026-07-28 has no `capabilities.tasks`.
   */
  readonly mcpTasks?: boolean;
}

/** Tool names; stable. */
export const TOOL_NAMES = [
  'claude_ask',
  'claude_plan',
  'claude_resume',
  'claude_abort',
  'claude_background_tasks',
  'claude_checkpoint',
  'claude_subagent_list',
  'claude_plugin_list',
  'claude_plugin_install',
] as const;

const READ_ONLY_TOOLS = ['Read', 'Grep', 'Glob', 'LS', 'NotebookRead', 'TodoWrite', 'Task'];
const TRANSCRIPT_SCHEME = 'claude-transcript';
const CHECKPOINT_DIFF_SCHEME = 'claude-checkpoint-diff';

function clientCapabilities(server: McpServer, context: ServerContext): ClientCapabilities | undefined {
  const envelope = context.mcpReq.envelope as Record<string, unknown> | undefined;
  return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.server.getClientCapabilities();
}

export { transcriptPath };

/** The tool error of an action tool (`claude_background_tasks`, `claude_checkpoint`). */
function actionError(action: string, error: McpToolsError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `Error (${error.code}): ${error.message}` }], structuredContent: { action } };
}

function emptyOutput(status: RunOutput['status'], sessionId: string | null): RunOutput {
  return {
    status,
    sessionId,
    result: '',
    costUsd: 0,
    numTurns: 0,
    durationMs: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
    permissionDenials: [],
    truncated: false,
  };
}

function toolError(error: McpToolsError | ClaudeCliError, sessionId: string | null, status: RunOutput['status'] = 'failed'): CallToolResult {
  const output: RunOutput = { ...emptyOutput(status, sessionId), error: { code: error.code, message: error.message } };
  const prefix = status === 'cancelled' ? 'Cancelled' : 'Error';
  return {
    isError: true,
    content: [{ type: 'text', text: `${prefix} (${error.code}): ${error.message}${sessionId ? `\nsessionId: ${sessionId}` : ''}` }],
    structuredContent: output,
  };
}

/**
 * The `claude_ask` result a finished background task stands for: its answer (or its error) with
 * the run's structured output. What MCP `tasks/result` returns.
 *
 * @example
 * ```ts
 * const result = backgroundTaskResult(tasks.get(taskId)!);
 * ```
 */
export function backgroundTaskResult(task: TaskRecord): CallToolResult {
  const status: RunOutput['status'] = task.status === 'completed' ? 'completed' : task.status === 'stopped' ? 'cancelled' : 'failed';
  const output: RunOutput = {
    ...emptyOutput(status, task.sessionId),
    taskId: task.id,
    result: task.result ?? '',
    ...(task.structuredOutput === undefined ? {} : { structuredOutput: task.structuredOutput }),
    costUsd: task.costUsd,
    numTurns: task.numTurns,
    durationMs: task.startedAt !== null && task.finishedAt !== null ? task.finishedAt - task.startedAt : 0,
    ...(status === 'completed' ? {} : { error: { code: `MCP_TOOLS_TASK_${task.status.toUpperCase()}`, message: task.error ?? `The task was ${task.status}.` } }),
  };
  const text =
    status === 'completed'
      ? `${output.result}\n\n— sessionId: ${task.sessionId ?? '(none)'} · turns: ${task.numTurns} · cost: $${task.costUsd.toFixed(4)}`
      : `Task ${task.id} ${task.status}${task.error ? `: ${task.error}` : ''}`;
  return { ...(status === 'completed' ? {} : { isError: true }), content: [{ type: 'text', text }], structuredContent: output };
}

/**
 * The registered tools a caller may adjust after {@link registerClaudeTools} (e.g. to declare
 * task support).
 *
 * @example
 * ```ts
 * const { claude_ask } = registerClaudeTools(server, options);
 * ```
 */
export interface RegisteredClaudeTools {
  readonly claude_ask: RegisteredTool;
}

/**
 * Registers `claude_ask`, `claude_plan`, `claude_resume` and `claude_abort`, and the transcript
 * resource `claude-transcript://{sessionId}`, on an MCP server. Transport-free: the app chooses
 * stdio or HTTP.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'claude-code', version: '1.0.0' }, { capabilities: { logging: {} } });
 * registerClaudeTools(server, { runtime, roots: ['/repo'], defaultWorkingDirectory: '/repo', claudeConfigDir });
 * ```
 */
export function registerClaudeTools(server: McpServer, options: ClaudeToolsOptions): RegisteredClaudeTools {
  const logger = (options.logger ?? noopLogger).child({ component: 'claude-tools' });
  const maxResultChars = options.maxResultChars ?? 40_000;
  const runtime = options.runtime;

  const permissionDecider = (context: ServerContext): CanUseTool => {
    return async (toolName, input, { signal }): Promise<PermissionResult> => {
      if (clientCapabilities(server, context)?.elicitation && !context.mcpReq.signal.aborted) {
        // The user approves exactly what they see: the whole input, never a cut-down preview.
        const shown = JSON.stringify(input, null, 2);
        try {
          const answer = await context.mcpReq.elicitInput(
            {
              mode: 'form',
              message: `Claude Code wants to use ${toolName} with:\n${shown}\nAllow it?`,
              requestedSchema: {
                type: 'object',
                properties: {
                  decision: { type: 'string', title: 'Decision', enum: ['allow', 'deny'], description: `Allow ${toolName} this once, or deny it.` },
                },
                required: ['decision'],
              },
            },
            { timeout: options.elicitationTimeoutMs ?? 120_000, signal },
          );
          const decision = (answer.content as { decision?: unknown } | undefined)?.decision;
          logger.info({ toolName, action: answer.action, decision }, 'permission answered by the user');
          if (answer.action === 'accept' && decision === 'allow') return { behavior: 'allow', updatedInput: input };
          return { behavior: 'deny', message: `The user did not allow ${toolName} (${answer.action}${typeof decision === 'string' ? `: ${decision}` : ''}).` };
        } catch (error) {
          // Asked but not answered (timeout, error, cancel): that is a no, whatever the policy.
          logger.warn({ err: error, toolName }, 'permission question not answered; denying');
          return { behavior: 'deny', message: `${toolName} was not approved: the permission question got no answer in time.` };
        }
      }
      if (options.permissionPolicy === 'allow') return { behavior: 'allow', updatedInput: input };
      return {
        behavior: 'deny',
        message: `${toolName} needs approval and the MCP client could not be asked, so the server's policy denied it. Allow it up front with allowedTools (e.g. "${toolName}").`,
      };
    };
  };

  const resolveCwd = async (requested: string | undefined, sessionId: string | undefined): Promise<string> => {
    const fallback = (sessionId ? runtime.store.getSession(sessionId)?.cwd : undefined) ?? options.defaultWorkingDirectory;
    return resolveWorkingDirectory(requested ?? fallback, { roots: options.roots, base: options.defaultWorkingDirectory });
  };

  type ToolRunRequest = Omit<RunRequest, 'cwd'> & { workingDirectory?: string | undefined; hooks?: HookSpecs | undefined };

  /**
   * Everything a run needs checked before it starts, for foreground and background runs alike:
   * the directory (inside the roots), hook scripts (inside the hook folders), the subagent name.
   * Returns the runtime request, or the tool error that says what was wrong.
   */
  const prepareRun = async (request: ToolRunRequest): Promise<{ request: RunRequest } | { error: CallToolResult }> => {
    const { workingDirectory, hooks, ...rest } = request;
    try {
      const cwd = await resolveCwd(workingDirectory, request.sessionId);
      const hookSettings =
        hooks && Object.keys(hooks).length > 0
          ? await buildHookSettings(hooks, { cwd, ...(options.hookDirectories ? { hookDirectories: options.hookDirectories } : {}) })
          : undefined;
      // An unknown agent is named as such, with the ones that exist, before anything runs.
      if (rest.agent) await checkSubagent(options, cwd, rest.agent);
      return { request: { ...rest, cwd, ...(hookSettings ? { settings: hookSettings, includeHookEvents: true } : {}) } };
    } catch (error) {
      if (McpToolsError.isInstance(error)) return { error: toolError(error, request.sessionId ?? null) };
      throw error;
    }
  };

  const runTool = async (
    request: ToolRunRequest,
    context: ServerContext,
    overrides: {
      canUseTool?: CanUseTool;
      onMessage?: (message: ClaudeMessage) => void;
      shape?: (result: RunResult, output: RunOutput) => RunOutput;
    } = {},
  ): Promise<CallToolResult> => {
    const shape = overrides.shape ?? ((_result: RunResult, output: RunOutput) => output);
    const checked = await prepareRun(request);
    if ('error' in checked) return checked.error;
    const prepared = checked.request;
    const cwd = prepared.cwd;
    const hookEvents: NonNullable<RunOutput['hookEvents']> = [];
    const token = context.mcpReq._meta?.progressToken;
    // MCP log notifications (the client filters them with logging/setLevel); never after the
    // request has ended.
    const notifyLog = (level: 'info' | 'warning', data: Record<string, unknown>) => {
      if (context.mcpReq.signal.aborted) return;
      context.mcpReq.log(level, data, 'claude-code').catch(() => {});
    };
    const progress = createProgressReporter({
      send: async (value, message) => {
        if (token === undefined || context.mcpReq.signal.aborted) return;
        await context.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: value, message } });
      },
      ...(options.progressIntervalMs === undefined ? {} : { minIntervalMs: options.progressIntervalMs }),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
    });
    progress.update(`Starting Claude Code in ${cwd}`);
    if (options.autoCheckpoint && options.checkpoints && request.sessionId && !overrides.canUseTool) {
      try {
        const checkpoint = await options.checkpoints.create({
          cwd,
          sessionId: request.sessionId,
          lastMessageId: await lastMessageId(options.claudeConfigDir, cwd, request.sessionId),
          label: `auto: before "${request.prompt.slice(0, 60)}"`,
        });
        progress.update(`Checkpoint ${checkpoint.id} taken`);
      } catch (error) {
        logger.warn({ err: error, sessionId: request.sessionId }, 'automatic checkpoint failed; running anyway');
      }
    }
    notifyLog('info', { event: 'run.started', cwd, sessionId: request.sessionId ?? null });
    let outcome: RunOutcome;
    try {
      outcome = await runtime.run(
        prepared,
        {
          signal: context.mcpReq.signal,
          canUseTool: overrides.canUseTool ?? permissionDecider(context),
          onQueued: (position, length) => progress.update(`Waiting for a free slot: position ${position} of ${length}`),
          onMessage: (message) => {
            overrides.onMessage?.(message);
            if (isSystemMessage(message, 'hook_response')) {
              const hook = message as { hook_name?: unknown; hook_event?: unknown; outcome?: unknown; exit_code?: unknown; stderr?: unknown };
              hookEvents.push({
                hookName: String(hook.hook_name),
                event: String(hook.hook_event),
                outcome: String(hook.outcome),
                exitCode: typeof hook.exit_code === 'number' ? hook.exit_code : null,
                ...(typeof hook.stderr === 'string' && hook.stderr ? { stderr: hook.stderr.slice(0, 2000) } : {}),
              });
            }
            const text = describeMessage(message);
            if (text) progress.update(text);
          },
        },
      );
    } finally {
      progress.finish();
    }
    if (outcome.status !== 'completed') {
      logger.info({ sessionId: outcome.sessionId, code: outcome.error.code }, 'run did not complete');
      notifyLog('warning', { event: `run.${outcome.status}`, sessionId: outcome.sessionId ?? null, code: outcome.error.code });
      return toolError(outcome.error, outcome.sessionId ?? null, outcome.status);
    }
    const { result, sessionId, turnCostUsd } = outcome;
    notifyLog('info', { event: 'run.completed', sessionId, numTurns: result.numTurns, costUsd: result.costUsd });
    const transcriptUri = `${TRANSCRIPT_SCHEME}://${sessionId}`;
    const truncated = result.text.length > maxResultChars;
    const text = truncated
      ? `${result.text.slice(0, maxResultChars)}\n\n[… truncated: ${result.text.length - maxResultChars} more characters. The whole transcript is at ${transcriptUri}]`
      : result.text;
    const usage = result.usage;
    const output = shape(result, {
      status: 'completed',
      sessionId,
      result: text,
      ...(result.structuredOutput === undefined ? {} : { structuredOutput: result.structuredOutput }),
      costUsd: turnCostUsd,
      sessionCostUsd: result.costUsd,
      numTurns: result.numTurns,
      durationMs: result.durationMs,
      usage: {
        inputTokens: usage.input_tokens ?? 0,
        outputTokens: usage.output_tokens ?? 0,
        cacheReadInputTokens: usage.cache_read_input_tokens ?? 0,
        cacheCreationInputTokens: usage.cache_creation_input_tokens ?? 0,
      },
      permissionDenials: result.permissionDenials.map((denial) => ({
        toolName: denial.tool_name,
        ...(denial.tool_use_id ? { toolUseId: denial.tool_use_id } : {}),
      })),
      truncated,
      transcriptUri,
      ...(hookEvents.length ? { hookEvents } : {}),
    });
    const denials = output.permissionDenials.length ? `; denied: ${output.permissionDenials.map((denial) => denial.toolName).join(', ')}` : '';
    return {
      content: [
        { type: 'text', text: `${output.plan ?? output.result}\n\n— sessionId: ${sessionId} · turns: ${result.numTurns} · cost: $${turnCostUsd.toFixed(4)}${denials}` },
        { type: 'resource_link', uri: transcriptUri, name: `transcript-${sessionId}`, title: 'Claude Code transcript', mimeType: 'application/x-ndjson' },
      ],
      structuredContent: output,
    };
  };

  const startBackground = async (request: ToolRunRequest): Promise<CallToolResult> => {
    if (!options.tasks) {
      return toolError(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Background tasks are not enabled on this server; call without backgroundTask.'), null);
    }
    const checked = await prepareRun(request);
    if ('error' in checked) return checked.error;
    const task = options.tasks.start(checked.request);
    const output: RunOutput = { ...emptyOutput('started', task.sessionId), taskId: task.id };
    return {
      content: [{ type: 'text', text: `Started background task ${task.id}. Follow it with claude_background_tasks (action "get", "logs" or "result").` }],
      structuredContent: output,
    };
  };

  const runAnnotations = { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };

  const askTool = server.registerTool(
    'claude_ask',
    {
      title: 'Ask Claude Code',
      description:
        'Delegate a coding task or question to Claude Code running in a working directory: it reads, edits and runs code there and returns its answer and a sessionId to continue with. Long runs report progress; cancel to stop.',
      inputSchema: withoutDialect(askInputSchema),
      outputSchema: withoutDialect(runOutputSchema),
      annotations: runAnnotations,
    },
    async (args, context) => {
      // `@name task` runs the task as that subagent when Claude Code knows such an agent; otherwise
      // (`@src/file.ts`, `@Makefile`) it is Claude Code's own file mention and stays in the prompt.
      let query = args.query;
      let agent = args.subagent;
      const mention = /^@([A-Za-z0-9][A-Za-z0-9_:.-]{0,127})\s+/.exec(query);
      if (mention?.[1] && !agent) {
        try {
          const cwd = await resolveCwd(args.workingDirectory, args.sessionId);
          agent = (await checkSubagent(options, cwd, mention[1])).name;
          query = query.slice(mention[0].length);
        } catch {
          agent = undefined;
        }
      }
      const request = {
        prompt: query,
        sessionId: args.sessionId,
        workingDirectory: args.workingDirectory,
        model: args.model,
        agent,
        effort: args.effort ?? (args.thinkingLevel ? thinkingLevelToEffort(args.thinkingLevel) : undefined),
        allowedTools: [...(options.defaultAllowedTools ?? []), ...(args.allowedTools ?? [])],
        disallowedTools: args.disallowedTools,
        priority: args.priority,
        maxTurns: args.maxTurns,
        maxBudgetUsd: args.maxBudgetUsd,
        jsonSchema: args.jsonSchema,
        hooks: args.hooks,
      };
      return args.backgroundTask ? startBackground(request) : runTool(request, context);
    },
  );

  server.registerTool(
    'claude_plan',
    {
      title: 'Plan with Claude Code',
      description:
        'Ask Claude Code for an implementation plan without changing anything: it runs in plan mode with read-only tools and returns the plan.',
      inputSchema: withoutDialect(planInputSchema),
      outputSchema: withoutDialect(runOutputSchema),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, context) => {
      let plan: string | undefined;
      // Plan mode ends with the model calling ExitPlanMode with the plan: take the plan from the
      // stream and refuse the exit (and anything else that asks), so nothing is executed.
      const capturePlan = (message: ClaudeMessage) => {
        if (!isAssistantMessage(message)) return;
        for (const block of message.message.content) {
          const input = (block as { name?: unknown; input?: { plan?: unknown } }).input;
          if ((block as { name?: unknown }).name === 'ExitPlanMode' && typeof input?.plan === 'string') plan = input.plan;
        }
      };
      const refuse: CanUseTool = (toolName) => ({
        behavior: 'deny',
        message: toolName === 'ExitPlanMode' ? 'Planning only: the plan has been recorded; do not execute it.' : `Planning only: ${toolName} is not allowed.`,
      });
      return runTool(
        {
          prompt: args.query,
          sessionId: args.sessionId,
          workingDirectory: args.workingDirectory,
          model: args.model,
          effort: args.effort ?? (args.thinkingLevel ? thinkingLevelToEffort(args.thinkingLevel) : undefined),
          permissionMode: 'plan',
          allowedTools: READ_ONLY_TOOLS,
          disallowedTools: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Bash'],
          priority: args.priority,
          maxTurns: args.maxTurns,
        },
        context,
        { canUseTool: refuse, onMessage: capturePlan, shape: (result, output) => ({ ...output, plan: plan ?? result.text }) },
      );
    },
  );

  server.registerTool(
    'claude_resume',
    {
      title: 'Resume a Claude Code session',
      description: 'Continue an earlier Claude Code session by its id with a new message. Works after a server restart.',
      inputSchema: withoutDialect(resumeInputSchema),
      outputSchema: withoutDialect(runOutputSchema),
      annotations: runAnnotations,
    },
    async (args, context) =>
      runTool(
        {
          prompt: args.query,
          sessionId: args.sessionId,
          workingDirectory: args.workingDirectory,
          model: args.model,
          effort: args.effort ?? (args.thinkingLevel ? thinkingLevelToEffort(args.thinkingLevel) : undefined),
          allowedTools: [...(options.defaultAllowedTools ?? []), ...(args.allowedTools ?? [])],
          disallowedTools: args.disallowedTools,
          priority: args.priority,
          maxTurns: args.maxTurns,
        },
        context,
      ),
  );

  server.registerTool(
    'claude_abort',
    {
      title: 'Abort a Claude Code run',
      description: 'Stop the run in progress on a session. The aborted call returns promptly with status "cancelled"; no process is left behind.',
      inputSchema: withoutDialect(abortInputSchema),
      outputSchema: withoutDialect(abortOutputSchema),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args): CallToolResult => {
      try {
        runtime.abort(args.sessionId);
      } catch (error) {
        if (!McpToolsError.isInstance(error)) throw error;
        return {
          isError: true,
          content: [{ type: 'text', text: `Error (${error.code}): ${error.message}` }],
          structuredContent: { sessionId: args.sessionId, aborted: false },
        };
      }
      return {
        content: [{ type: 'text', text: `Aborted the run on session ${args.sessionId}.` }],
        structuredContent: { sessionId: args.sessionId, aborted: true },
      };
    },
  );

  const taskView = (task: TaskRecord) => ({
    id: task.id,
    status: task.status,
    prompt: task.prompt.length > 500 ? `${task.prompt.slice(0, 499)}…` : task.prompt,
    cwd: task.cwd,
    sessionId: task.sessionId,
    createdAt: new Date(task.createdAt).toISOString(),
    startedAt: task.startedAt === null ? null : new Date(task.startedAt).toISOString(),
    finishedAt: task.finishedAt === null ? null : new Date(task.finishedAt).toISOString(),
    result: task.result,
    ...(task.structuredOutput === undefined ? {} : { structuredOutput: task.structuredOutput }),
    costUsd: task.costUsd,
    numTurns: task.numTurns,
    error: task.error,
    restartedFrom: task.restartedFrom,
  });

  server.registerTool(
    'claude_background_tasks',
    {
      title: 'Background Claude Code tasks',
      description:
        'Manage runs started with claude_ask backgroundTask: list (by status), get, result, logs (paged, readable or raw), stop, restart. Tasks and their logs survive a server restart; a task that was running when the server stopped is reported interrupted.',
      inputSchema: withoutDialect(backgroundTasksInputSchema),
      outputSchema: withoutDialect(backgroundTasksOutputSchema),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
    },
    async (args): Promise<CallToolResult> => {
      const tasks = options.tasks;
      const fail = (error: McpToolsError) => actionError(args.action, error);
      if (!tasks) return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Background tasks are not enabled on this server.'));
      try {
        if (args.action === 'list') {
          const list = tasks.list({ ...(args.status ? { status: args.status } : {}), ...(args.limit ? { limit: args.limit } : {}) }).map(taskView);
          const lines = list.map((task) => `${task.id} ${task.status} ${task.createdAt} ${task.prompt.slice(0, 80)}`);
          return { content: [{ type: 'text', text: lines.length ? lines.join('\n') : 'No background tasks.' }], structuredContent: { action: 'list', tasks: list } };
        }
        if (!args.taskId) return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', `action "${args.action}" needs a taskId.`));
        const taskId = args.taskId;
        switch (args.action) {
          case 'get':
          case 'result': {
            const task = tasks.get(taskId);
            if (!task) return fail(new McpToolsError('MCP_TOOLS_TASK_NOT_FOUND', `No background task ${taskId}; list them with action "list".`));
            const view = taskView(task);
            const text =
              args.action === 'result'
                ? task.status === 'completed'
                  ? (task.result ?? '')
                  : `Task ${taskId} is ${task.status}${task.error ? `: ${task.error}` : ''}; no result yet.`
                : `Task ${taskId}: ${task.status}${task.sessionId ? `, session ${task.sessionId}` : ''}`;
            return { content: [{ type: 'text', text }], structuredContent: { action: args.action, task: view } };
          }
          case 'logs': {
            const page = tasks.logs(taskId, { ...(args.offset === undefined ? {} : { offset: args.offset }), ...(args.limit ? { limit: args.limit } : {}), raw: args.raw ?? false });
            return {
              content: [{ type: 'text', text: page.lines.join('\n') || '(no log lines in this range)' }],
              structuredContent: { action: 'logs', logs: { lines: [...page.lines], offset: page.offset, nextOffset: page.nextOffset, total: page.total } },
            };
          }
          case 'stop': {
            const task = await tasks.stop(taskId);
            return { content: [{ type: 'text', text: `Task ${taskId} is ${task.status}.` }], structuredContent: { action: 'stop', task: taskView(task) } };
          }
          case 'restart': {
            const task = tasks.restart(taskId);
            return { content: [{ type: 'text', text: `Restarted ${taskId} as ${task.id}.` }], structuredContent: { action: 'restart', task: taskView(task) } };
          }
        }
      } catch (error) {
        if (McpToolsError.isInstance(error)) return fail(error);
        throw error;
      }
    },
  );

  server.registerTool(
    'claude_checkpoint',
    {
      title: 'Claude Code checkpoints',
      description:
        'Checkpoints of a working directory and the session\'s place in it, kept outside the project (its own .git is never touched; .gitignore is respected): create, list, restore (files return exactly; the conversation continues as a fork with a new sessionId), compare (changed files and a unified diff), delete. They survive a server restart.',
      inputSchema: withoutDialect(checkpointInputSchema),
      outputSchema: withoutDialect(checkpointOutputSchema),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    async (args): Promise<CallToolResult> => {
      const checkpoints = options.checkpoints;
      const fail = (error: McpToolsError) => actionError(args.action, error);
      if (!checkpoints) return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Checkpoints are not enabled on this server.'));
      const needId = () => {
        if (!args.checkpointId) throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', `action "${args.action}" needs a checkpointId; list them with action "list".`);
        return args.checkpointId;
      };
      try {
        switch (args.action) {
          case 'create': {
            const cwd = await resolveCwd(args.workingDirectory, args.sessionId);
            const messageId = args.sessionId ? await lastMessageId(options.claudeConfigDir, cwd, args.sessionId) : null;
            // A restore forks the conversation at this message: without one, it would hand back a
            // session id that claude_resume cannot find.
            if (args.sessionId && messageId === null) {
              throw new McpToolsError(
                'MCP_TOOLS_SESSION_NOT_FOUND',
                `Claude Code has no conversation ${args.sessionId} in ${cwd}: pass a sessionId that claude_ask returned for this directory, or leave it out to checkpoint only the files.`,
              );
            }
            const checkpoint = await checkpoints.create({
              cwd,
              ...(args.label ? { label: args.label } : {}),
              ...(args.sessionId ? { sessionId: args.sessionId, lastMessageId: messageId } : {}),
            });
            return {
              content: [{ type: 'text', text: `Checkpoint ${checkpoint.id} of ${checkpoint.cwd}: ${checkpoint.fileCount} files.` }],
              structuredContent: { action: 'create', checkpoint: checkpointView(checkpoint) },
            };
          }
          case 'list': {
            const cwd = args.workingDirectory ? await resolveCwd(args.workingDirectory, undefined) : undefined;
            const list = checkpoints.list({ ...(cwd ? { cwd } : {}), ...(args.sessionId ? { sessionId: args.sessionId } : {}) }).map(checkpointView);
            const lines = list.map((item) => `${item.id} ${item.createdAt} ${item.fileCount} files ${item.label ?? ''} ${item.sessionId ?? ''}`.trim());
            return { content: [{ type: 'text', text: lines.join('\n') || 'No checkpoints.' }], structuredContent: { action: 'list', checkpoints: list } };
          }
          case 'restore': {
            const restored = await restoreCheckpoint(checkpoints, runtime, needId());
            const { restored: changedFiles, removed, recreated } = restored.changed;
            const summary = `Restored ${restored.checkpoint.id}: ${changedFiles.length} reverted, ${removed.length} removed, ${recreated.length} brought back.`;
            return {
              content: [
                {
                  type: 'text',
                  text: restored.sessionId ? `${summary} Continue the conversation from there with claude_resume sessionId ${restored.sessionId}.` : summary,
                },
              ],
              structuredContent: { action: 'restore', checkpoint: checkpointView(restored.checkpoint), changed: restored.changed, sessionId: restored.sessionId },
            };
          }
          case 'compare': {
            const from = needId();
            const to = args.toCheckpointId ?? 'present';
            const result = await checkpoints.compare(from, to);
            const fullDiffUri = `${CHECKPOINT_DIFF_SCHEME}://${from}/${to}`;
            const files = result.files.map((file) => ({ path: file.path, status: file.status, insertions: file.insertions, deletions: file.deletions }));
            const header = `${countOf(files.length, 'file')} changed, ${countOf(result.insertions, 'insertion')}(+), ${countOf(result.deletions, 'deletion')}(-)`;
            return {
              content: [
                { type: 'text', text: `${header}\n${result.diff}${result.truncated ? `\n[… diff truncated; the whole diff is at ${fullDiffUri}]` : ''}` },
                { type: 'resource_link', uri: fullDiffUri, name: `diff-${from}-${to}`, title: 'Full diff', mimeType: 'text/x-diff' },
              ],
              structuredContent: {
                action: 'compare',
                compare: { files, insertions: result.insertions, deletions: result.deletions, diff: result.diff, truncated: result.truncated, fullDiffUri },
              },
            };
          }
          case 'delete': {
            const id = needId();
            await checkpoints.delete(id);
            return { content: [{ type: 'text', text: `Deleted ${id}.` }], structuredContent: { action: 'delete' } };
          }
        }
      } catch (error) {
        if (McpToolsError.isInstance(error)) return fail(error);
        throw error;
      }
    },
  );

  registerCatalogueTools(server, options, (requested) => resolveCwd(requested, undefined));

  server.registerResource(
    'claude-checkpoint-diff',
    new ResourceTemplate(`${CHECKPOINT_DIFF_SCHEME}://{from}/{to}`, { list: undefined }),
    { title: 'Checkpoint diff', description: 'The whole unified diff between two checkpoints, or a checkpoint and the present files.', mimeType: 'text/x-diff' },
    async (uri, variables) => {
      if (!options.checkpoints) throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Checkpoints are not enabled on this server.');
      const from = String(variables['from']);
      const to = String(variables['to']);
      const result = await options.checkpoints.compare(from, to === 'present' ? 'present' : to, { maxDiffBytes: Number.POSITIVE_INFINITY });
      return { contents: [{ uri: uri.href, mimeType: 'text/x-diff', text: result.diff }] };
    },
  );

  server.registerResource(
    'claude-transcript',
    new ResourceTemplate(`${TRANSCRIPT_SCHEME}://{sessionId}`, { list: undefined }),
    {
      title: 'Claude Code session transcript',
      description: 'The full transcript of a session, one JSON object per line, as Claude Code stores it.',
      mimeType: 'application/x-ndjson',
    },
    async (uri, variables) => {
      const sessionId = String(variables['sessionId']);
      const parsed = z.uuid().safeParse(sessionId);
      const record = parsed.success ? runtime.store.getSession(sessionId) : undefined;
      if (!record) throw new McpToolsError('MCP_TOOLS_SESSION_NOT_FOUND', `No session ${sessionId} is known to this server.`);
      const text = await readFile(transcriptPath(options.claudeConfigDir, record.cwd, sessionId), 'utf8');
      return { contents: [{ uri: uri.href, mimeType: 'application/x-ndjson', text }] };
    },
  );
  return Object.freeze({ claude_ask: askTool });
}

/**
 * A ready MCP server with the Claude Code tools registered and `logging` declared.
 *
 * @example
 * ```ts
 * serveStdio(() => createClaudeToolsServer({ version: '1.0.0', runtime, roots, defaultWorkingDirectory, claudeConfigDir }));
 * ```
 */
export function createClaudeToolsServer(options: ClaudeToolsServerOptions): McpServer {
  const server = new McpServer(
    { name: options.name ?? 'claude-code-mcp', version: options.version, title: 'Claude Code' },
    {
      // `tools` is declared by the first registered tool (after enableMcpTasks has had its look).
      capabilities: { resources: {}, logging: {} },
      instructions:
        'Delegate coding work to Claude Code: claude_ask runs a task in a working directory and returns a sessionId (or, with backgroundTask, a taskId for claude_background_tasks); claude_resume continues it; claude_plan plans without changing files; claude_abort stops a run; claude_checkpoint saves and restores the working directory.',
    },
  );
  // Before the tools: it must see McpServer install its tools/call handler.
  const mcpTasks = options.mcpTasks && options.tasks ? enableMcpTasks(server, { tasks: options.tasks, resultOf: backgroundTaskResult }) : undefined;
  const tools = registerClaudeTools(server, options);
  mcpTasks?.allow('claude_ask', tools.claude_ask);
  return server;
}

/** `1 file`, `2 files`: counts in sentences a person reads. */
function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// What every run tool shares: the permission bridge (Claude Code asks → the user is asked through
// elicitation, or the policy decides), preparing a run (directory, hooks, subagent), running it
// with progress and log notifications, starting it in the background, and the tool errors.
import {
  isSystemMessage,
  noopLogger,
  type CanUseTool,
  type ClaudeCliError,
  type ClaudeMessage,
  type Logger,
  type PermissionResult,
  type RunResult,
} from '@claude-code-mcp/claude-cli-driver';
import { CLIENT_CAPABILITIES_META_KEY, type CallToolResult, type ClientCapabilities, type McpServer, type ServerContext } from '@modelcontextprotocol/server';

import { checkSubagent } from '../catalogue.js';
import { describeMessage, type ClaudeRuntime, type RunOutcome, type RunRequest } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import { buildHookSettings, type HookSpecs } from '../hook-settings.js';
import { createProgressReporter } from '../progress-reporter.js';
import type { ClaudeToolsOptions } from '../register-claude-tools.js';
import { resolveWorkingDirectory } from '../resolve-working-directory.js';
import { TRANSCRIPT_SCHEME } from '../resources/transcript.js';
import type { TaskRecord } from '../tasks/task-manager.js';
import { lastMessageId } from '../transcript-path.js';
import type { RunOutput } from './schema-parts.js';

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
  readonly options: ClaudeToolsOptions;
  readonly runtime: ClaudeRuntime;
  readonly logger: Logger;
  /** The directory a call works in: the requested one, else the session's, else the default; inside the roots. */
  resolveCwd(requested: string | undefined, sessionId: string | undefined): Promise<string>;
  /** Runs a turn for a tool call, with progress, and returns the tool result. */
  runTool(request: ToolRunRequest, context: ServerContext, overrides?: RunOverrides): Promise<CallToolResult>;
  /** Starts a background task and returns its id at once. */
  startBackground(request: ToolRunRequest): Promise<CallToolResult>;
}

function clientCapabilities(server: McpServer, context: ServerContext): ClientCapabilities | undefined {
  const envelope = context.mcpReq.envelope as Record<string, unknown> | undefined;
  return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? server.server.getClientCapabilities();
}

/** The tool error of an action tool (`claude_background_tasks`, `claude_checkpoint`). */
export function actionError(action: string, error: McpToolsError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `Error (${error.code}): ${error.message}` }], structuredContent: { action } };
}

export function emptyOutput(status: RunOutput['status'], sessionId: string | null): RunOutput {
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

export function toolError(error: McpToolsError | ClaudeCliError, sessionId: string | null, status: RunOutput['status'] = 'failed'): CallToolResult {
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
 * The shared steps of the run tools for one server (the permission bridge asks that server's client).
 *
 * @example
 * ```ts
 * const kit = createToolKit(server, options);
 * ```
 */
export function createToolKit(server: McpServer, options: ClaudeToolsOptions): ToolKit {
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

  const runTool = async (request: ToolRunRequest, context: ServerContext, overrides: RunOverrides = {}): Promise<CallToolResult> => {
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

  return Object.freeze({ options, runtime, logger, resolveCwd, runTool, startBackground });
}

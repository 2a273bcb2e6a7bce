// The results the run tools return: a completed run (answer capped, transcript linked), a tool
// error, a started or finished background task.
import type { ClaudeCliError, RunResult } from '@claude-code-mcp/claude-cli-driver';
import type { CallToolResult } from '@modelcontextprotocol/server';

import type { McpToolsError, McpToolsErrorCode } from '../errors.js';
import { TRANSCRIPT_SCHEME } from '../resources/transcript.js';
import type { TaskRecord } from '../tasks/task-manager.js';
import type { RunOutput } from './schema-parts.js';

/** The tool error of an action tool (`claude_background_tasks`, `claude_checkpoint`). */
export function actionError(action: string, error: McpToolsError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `Error (${error.code}): ${error.message}` }], structuredContent: { action } };
}

/** A run output with nothing in it yet. */
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

/** A failed or cancelled run as a tool error, with the session id when there is one. */
export function toolError(error: McpToolsError | ClaudeCliError, sessionId: string | null, status: RunOutput['status'] = 'failed'): CallToolResult {
  const output: RunOutput = { ...emptyOutput(status, sessionId), error: { code: error.code, message: error.message } };
  const prefix = status === 'cancelled' ? 'Cancelled' : 'Error';
  return {
    isError: true,
    content: [{ type: 'text', text: `${prefix} (${error.code}): ${error.message}${sessionId ? `\nsessionId: ${sessionId}` : ''}` }],
    structuredContent: output,
  };
}

// The code a task's result carries when it did not complete (a task not finished yet has failed
// to give one, as far as its result goes).
function taskErrorCode(status: TaskRecord['status']): McpToolsErrorCode {
  if (status === 'stopped') return 'MCP_TOOLS_TASK_STOPPED';
  if (status === 'interrupted') return 'MCP_TOOLS_TASK_INTERRUPTED';
  return 'MCP_TOOLS_TASK_FAILED';
}

/**
 * The `claude_ask` result a finished background task stands for: its answer (or its error) with
 * the run's structured output. What MCP `tasks/result` returns.
 *
 * @example
 * ```ts
 * const result = backgroundTaskResult((await tasks.get(taskId))!);
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
    ...(status === 'completed' ? {} : { error: { code: taskErrorCode(task.status), message: task.error ?? `The task was ${task.status}.` } }),
  };
  const text =
    status === 'completed'
      ? `${output.result}\n\n— sessionId: ${task.sessionId ?? '(none)'} · turns: ${task.numTurns} · cost: $${task.costUsd.toFixed(4)}`
      : `Task ${task.id} ${task.status}${task.error ? `: ${task.error}` : ''}`;
  return { ...(status === 'completed' ? {} : { isError: true }), content: [{ type: 'text', text }], structuredContent: output };
}

/** What {@link completedRunResult} needs besides the run's result. */
export interface CompletedRun {
  readonly sessionId: string;
  readonly turnCostUsd: number;
  readonly maxResultChars: number;
  readonly hookEvents: NonNullable<RunOutput['hookEvents']>;
  readonly shape: (result: RunResult, output: RunOutput) => RunOutput;
}

function runOutputOf(result: RunResult, run: CompletedRun, transcriptUri: string): RunOutput {
  const truncated = result.text.length > run.maxResultChars;
  const text = truncated
    ? `${result.text.slice(0, run.maxResultChars)}\n\n[… truncated: ${result.text.length - run.maxResultChars} more characters. The whole transcript is at ${transcriptUri}]`
    : result.text;
  const usage = result.usage;
  return {
    status: 'completed',
    sessionId: run.sessionId,
    result: text,
    ...(result.structuredOutput === undefined ? {} : { structuredOutput: result.structuredOutput }),
    costUsd: run.turnCostUsd,
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
    ...(run.hookEvents.length ? { hookEvents: run.hookEvents } : {}),
  };
}

/**
 * A completed run as the tool result: the answer (capped at `maxResultChars`, the transcript
 * linked), the session id, turns, cost and denials.
 *
 * @example
 * ```ts
 * return completedRunResult(outcome.result, { sessionId, turnCostUsd, maxResultChars: 40_000, hookEvents: [], shape: (_r, output) => output });
 * ```
 */
export function completedRunResult(result: RunResult, run: CompletedRun): CallToolResult {
  const { sessionId } = run;
  const transcriptUri = `${TRANSCRIPT_SCHEME}://${sessionId}`;
  const output = run.shape(result, runOutputOf(result, run, transcriptUri));
  const denials = output.permissionDenials.length ? `; denied: ${output.permissionDenials.map((denial) => denial.toolName).join(', ')}` : '';
  return {
    content: [
      { type: 'text', text: `${output.plan ?? output.result}\n\n— sessionId: ${sessionId} · turns: ${result.numTurns} · cost: $${run.turnCostUsd.toFixed(4)}${denials}` },
      { type: 'resource_link', uri: transcriptUri, name: `transcript-${sessionId}`, title: 'Claude Code transcript', mimeType: 'application/x-ndjson' },
    ],
    structuredContent: output,
  };
}

import { ClaudeCliError, type ClaudeCliErrorCode } from './errors.js';
import type { PermissionDenial, ResultMessage, Usage } from './messages.js';

/** The outcome of a successful turn. */
export interface RunResult {
  /** The final text (for structured output, the JSON text). Empty when the CLI gave none. */
  readonly text: string;
  /** The value the model gave for `jsonSchema`; `undefined` when it gave none. */
  readonly structuredOutput: unknown;
  /** The session id; pass it to `resume` to continue. */
  readonly sessionId: string;
  /** Cost in USD reported by the CLI (cumulative over the turns of one process). */
  readonly costUsd: number;
  /** Token usage of this turn's main loop. */
  readonly usage: Usage;
  /** Model round trips in this turn. */
  readonly numTurns: number;
  /** Wall time the CLI reported for this turn. */
  readonly durationMs: number;
  /** Tool calls that were refused. */
  readonly permissionDenials: readonly PermissionDenial[];
  /** Why the turn ended (`completed`, …). */
  readonly terminalReason: string | null;
  /** The model's stop reason (`end_turn`, …). */
  readonly stopReason: string | null;
  /** The `result` line, untouched. */
  readonly message: ResultMessage;
}

/** Facts about the process that help classify a failed result. */
export interface ResultContext {
  readonly interrupted: boolean;
  readonly stderrTail: string;
}

function apiErrorCode(status: number | null | undefined): ClaudeCliErrorCode {
  if (status === 401 || status === 403) return 'CLAUDE_CLI_AUTH_FAILED';
  if (status === 429) return 'CLAUDE_CLI_RATE_LIMITED';
  if (status === 529) return 'CLAUDE_CLI_OVERLOADED';
  return 'CLAUDE_CLI_API_ERROR';
}

const NOT_LOGGED_IN = /not logged in|please run \/login/i;
// The CLI's own advice ("Please run /login") means nothing to someone behind an MCP client.
const LOGIN_HINT =
  'Claude Code needs credentials for the user the server runs as: set ANTHROPIC_API_KEY in the server\'s environment (an MCP client config\'s "env"), or log in once by running `claude` and typing /login';

function describe(message: ResultMessage): string {
  return message.errors?.join('; ') || message.result || message.subtype;
}

/**
 * Turns a `result` line into a {@link RunResult}, or into the {@link ClaudeCliError} it stands for.
 * API errors arrive as `subtype: "success"` with `is_error: true`, so `is_error` is checked first.
 *
 * @internal
 */
export function interpretResult(message: ResultMessage, context: ResultContext): RunResult | ClaudeCliError {
  const details = {
    result: message,
    sessionId: message.session_id,
    stderrTail: context.stderrTail,
    ...(message.api_error_status == null ? {} : { apiStatus: message.api_error_status }),
  };
  const fail = (code: ClaudeCliErrorCode, text: string) => new ClaudeCliError(code, text, { details });

  switch (message.subtype) {
    case 'error_max_turns':
      return fail('CLAUDE_CLI_MAX_TURNS', `The run stopped at its turn limit: ${describe(message)}. Raise maxTurns or split the task.`);
    case 'error_max_budget_usd':
      return fail('CLAUDE_CLI_MAX_BUDGET', `The run stopped at its budget: ${describe(message)}. Raise maxBudgetUsd.`);
    case 'error_max_structured_output_retries':
      return fail('CLAUDE_CLI_STRUCTURED_OUTPUT_FAILED', `The model never produced output matching the JSON schema: ${describe(message)}`);
    case 'error_during_execution': {
      if (/No conversation found with session ID/i.test(context.stderrTail)) {
        return fail('CLAUDE_CLI_SESSION_NOT_FOUND', `Claude Code has no session with that id (${context.stderrTail.trim().split('\n').at(-1) ?? ''}).`);
      }
      if (context.interrupted || message.terminal_reason?.startsWith('aborted')) {
        return fail('CLAUDE_CLI_INTERRUPTED', 'The run was interrupted before it finished.');
      }
      return fail('CLAUDE_CLI_EXECUTION_ERROR', `Claude Code failed during the run: ${describe(message)}`);
    }
    default:
      break;
  }
  if (message.is_error) {
    if (message.terminal_reason === 'api_error' || message.api_error_status != null) {
      // Without credentials the CLI makes no request: no status, only its "Not logged in" text.
      const code = NOT_LOGGED_IN.test(message.result ?? '') ? 'CLAUDE_CLI_AUTH_FAILED' : apiErrorCode(message.api_error_status);
      const failure = `The Anthropic API failed${message.api_error_status == null ? '' : ` (HTTP ${message.api_error_status})`}: ${describe(message)}`;
      return fail(code, code === 'CLAUDE_CLI_AUTH_FAILED' ? `${failure}. ${LOGIN_HINT}` : failure);
    }
    return fail('CLAUDE_CLI_EXECUTION_ERROR', `Claude Code reported an error: ${describe(message)}`);
  }
  return {
    text: message.result ?? '',
    structuredOutput: message.structured_output,
    sessionId: message.session_id,
    costUsd: message.total_cost_usd ?? 0,
    usage: message.usage ?? {},
    numTurns: message.num_turns ?? 0,
    durationMs: message.duration_ms ?? 0,
    permissionDenials: message.permission_denials ?? [],
    terminalReason: message.terminal_reason ?? null,
    stopReason: message.stop_reason ?? null,
    message,
  };
}

/**
 * Every stable error code raised by `@claude-code-mcp/claude-cli-driver`.
 *
 * | code | when |
 * | --- | --- |
 * | `CLAUDE_CLI_NOT_FOUND` | no `claude` binary was found (option, `CLAUDE_CODE_PATH`, `PATH`, installed package) |
 * | `CLAUDE_CLI_VERSION_UNSUPPORTED` | the binary is older than {@link MINIMUM_CLI_VERSION} or its version could not be read |
 * | `CLAUDE_CLI_INVALID_OPTIONS` | an option failed validation before anything was spawned |
 * | `CLAUDE_CLI_SPAWN_FAILED` | the operating system refused to start the binary |
 * | `CLAUDE_CLI_API_ERROR` | the Messages API failed (any status other than the ones below) |
 * | `CLAUDE_CLI_AUTH_FAILED` | the Messages API answered 401/403, or the CLI has no credentials at all ("Not logged in") |
 * | `CLAUDE_CLI_RATE_LIMITED` | the Messages API answered 429 after the CLI's own retries |
 * | `CLAUDE_CLI_OVERLOADED` | the Messages API answered 529 after the CLI's own retries |
 * | `CLAUDE_CLI_MAX_TURNS` | `maxTurns` was reached |
 * | `CLAUDE_CLI_MAX_BUDGET` | `maxBudgetUsd` was reached |
 * | `CLAUDE_CLI_STRUCTURED_OUTPUT_FAILED` | `jsonSchema` was never satisfied |
 * | `CLAUDE_CLI_INTERRUPTED` | the run was aborted (signal, `interrupt()`) |
 * | `CLAUDE_CLI_EXECUTION_ERROR` | the CLI reported `error_during_execution` for another reason |
 * | `CLAUDE_CLI_SESSION_NOT_FOUND` | `resume` named a session the CLI does not know |
 * | `CLAUDE_CLI_EXITED` | the process ended without a result; `stderrTail` holds its last words |
 * | `CLAUDE_CLI_MALFORMED_OUTPUT` | stdout carried lines that are not the stream-json protocol |
 * | `CLAUDE_CLI_TIMEOUT` | the run exceeded `timeoutMs` and was cancelled |
 * | `CLAUDE_CLI_CONTROL_TIMEOUT` | a control request got no answer in time |
 * | `CLAUDE_CLI_CONTROL_ERROR` | the CLI answered a control request with an error |
 * | `CLAUDE_CLI_SESSION_CLOSED` | a turn or control request was sent to a session that has ended |
 */
export type ClaudeCliErrorCode =
  | 'CLAUDE_CLI_NOT_FOUND'
  | 'CLAUDE_CLI_VERSION_UNSUPPORTED'
  | 'CLAUDE_CLI_INVALID_OPTIONS'
  | 'CLAUDE_CLI_SPAWN_FAILED'
  | 'CLAUDE_CLI_API_ERROR'
  | 'CLAUDE_CLI_AUTH_FAILED'
  | 'CLAUDE_CLI_RATE_LIMITED'
  | 'CLAUDE_CLI_OVERLOADED'
  | 'CLAUDE_CLI_MAX_TURNS'
  | 'CLAUDE_CLI_MAX_BUDGET'
  | 'CLAUDE_CLI_STRUCTURED_OUTPUT_FAILED'
  | 'CLAUDE_CLI_INTERRUPTED'
  | 'CLAUDE_CLI_EXECUTION_ERROR'
  | 'CLAUDE_CLI_SESSION_NOT_FOUND'
  | 'CLAUDE_CLI_EXITED'
  | 'CLAUDE_CLI_MALFORMED_OUTPUT'
  | 'CLAUDE_CLI_TIMEOUT'
  | 'CLAUDE_CLI_CONTROL_TIMEOUT'
  | 'CLAUDE_CLI_CONTROL_ERROR'
  | 'CLAUDE_CLI_SESSION_CLOSED';

/** Extra facts attached to a {@link ClaudeCliError}, when known. */
export interface ClaudeCliErrorDetails {
  /** The `result` line of the failed turn, untouched. */
  readonly result?: Readonly<Record<string, unknown>>;
  /** The HTTP status the Messages API answered with (API errors only). */
  readonly apiStatus?: number;
  /** The process exit code, when the process has ended. */
  readonly exitCode?: number | null;
  /** The signal that ended the process, when it was killed. */
  readonly exitSignal?: NodeJS.Signals | null;
  /** The last few KiB of the CLI's stderr. */
  readonly stderrTail?: string;
  /** The session id, when the CLI reported one. */
  readonly sessionId?: string;
}

const brand = Symbol.for('@claude-code-mcp/claude-cli-driver:ClaudeCliError');

/**
 * The one error class of this package. Switch on {@link ClaudeCliError.code}.
 *
 * @example
 * ```ts
 * try {
 *   await query({ prompt: 'hi' }).result;
 * } catch (error) {
 *   if (ClaudeCliError.isInstance(error) && error.code === 'CLAUDE_CLI_OVERLOADED') retryLater();
 *   else throw error;
 * }
 * ```
 */
export class ClaudeCliError extends Error {
  /** Stable, documented code; see {@link ClaudeCliErrorCode}. */
  readonly code: ClaudeCliErrorCode;
  /** What else is known about the failure. */
  readonly details: ClaudeCliErrorDetails;

  constructor(code: ClaudeCliErrorCode, message: string, options?: ErrorOptions & { details?: ClaudeCliErrorDetails }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ClaudeCliError';
    this.code = code;
    this.details = Object.freeze({ ...options?.details });
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `true` for any ClaudeCliError, including one thrown by another installed copy of this package.
   *
   * @example
   * ```ts
   * if (ClaudeCliError.isInstance(error)) console.error(error.code);
   * ```
   */
  static isInstance(value: unknown): value is ClaudeCliError {
    return typeof value === 'object' && value !== null && brand in value;
  }
}

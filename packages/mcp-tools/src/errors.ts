/**
 * Every stable error code raised by `@claude-code-mcp/mcp-tools`.
 *
 * | code | when |
 * | --- | --- |
 * | `MCP_TOOLS_INVALID_OPTIONS` | options passed by the app (not by the MCP client) failed validation, such as an empty or missing root |
 * | `MCP_TOOLS_INVALID_ARGUMENTS` | tool arguments from the MCP client failed validation (bad thinking level, empty or relative path…) |
 * | `MCP_TOOLS_PATH_OUTSIDE_ROOTS` | a requested working directory resolves (after symlinks) outside every allowed root |
 * | `MCP_TOOLS_DIRECTORY_NOT_FOUND` | a requested working directory inside the roots does not exist |
 * | `MCP_TOOLS_NOT_A_DIRECTORY` | a requested working directory is a file, not a directory |
 * | `MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE` | a requested working directory could not be resolved for another reason (permissions, symlink loop) |
 * | `MCP_TOOLS_SESSION_NOT_FOUND` | a tool named a session id that neither the registry nor Claude Code knows |
 * | `MCP_TOOLS_SESSION_BUSY` | a run was asked of a session that is already running one |
 * | `MCP_TOOLS_NOT_RUNNING` | `claude_abort` named a session with no run in progress |
 * | `MCP_TOOLS_QUEUE_ABORTED` | a run was cancelled while it waited for a free slot |
 * | `MCP_TOOLS_STORE_FAILED` | the state database could not be opened, migrated, read or written |
 * | `MCP_TOOLS_TASK_NOT_FOUND` | a background task id is unknown |
 * | `MCP_TOOLS_AGENT_NOT_FOUND` | a `subagent` names no agent Claude Code would load; the message lists the available ones |
 * | `MCP_TOOLS_PLUGIN_COMMAND_FAILED` | a `claude plugin …` command failed; the message carries the CLI's reason |
 * | `MCP_TOOLS_CHECKPOINT_NOT_FOUND` | a checkpoint id is well-formed but no checkpoint with it is stored (deleted, or from another data folder) |
 * | `MCP_TOOLS_CHECKPOINT_TOO_LARGE` | a checkpoint (or the capture of the present before a restore or compare) would exceed the file-count or byte limit; the message names the largest folders to ignore |
 * | `MCP_TOOLS_GIT_FAILED` | the system `git` that checkpoints use is missing, failed or timed out; the message quotes git |
 * | `MCP_TOOLS_TASK_FAILED` | (in a task's result) the background run failed; the message says why |
 * | `MCP_TOOLS_TASK_STOPPED` | (in a task's result) the background run was stopped (`claude_background_tasks` stop, `tasks/cancel`) |
 * | `MCP_TOOLS_TASK_INTERRUPTED` | (in a task's result) the server stopped while the background run worked |
 *
 * @example
 * ```ts
 * const isCallerMistake = (code: McpToolsErrorCode): boolean => code !== 'MCP_TOOLS_INVALID_OPTIONS';
 * ```
 */
export type McpToolsErrorCode =
  | 'MCP_TOOLS_INVALID_OPTIONS'
  | 'MCP_TOOLS_INVALID_ARGUMENTS'
  | 'MCP_TOOLS_PATH_OUTSIDE_ROOTS'
  | 'MCP_TOOLS_DIRECTORY_NOT_FOUND'
  | 'MCP_TOOLS_NOT_A_DIRECTORY'
  | 'MCP_TOOLS_DIRECTORY_NOT_ACCESSIBLE'
  | 'MCP_TOOLS_SESSION_NOT_FOUND'
  | 'MCP_TOOLS_SESSION_BUSY'
  | 'MCP_TOOLS_NOT_RUNNING'
  | 'MCP_TOOLS_QUEUE_ABORTED'
  | 'MCP_TOOLS_STORE_FAILED'
  | 'MCP_TOOLS_TASK_NOT_FOUND'
  | 'MCP_TOOLS_AGENT_NOT_FOUND'
  | 'MCP_TOOLS_PLUGIN_COMMAND_FAILED'
  | 'MCP_TOOLS_CHECKPOINT_NOT_FOUND'
  | 'MCP_TOOLS_CHECKPOINT_TOO_LARGE'
  | 'MCP_TOOLS_GIT_FAILED'
  | 'MCP_TOOLS_TASK_FAILED'
  | 'MCP_TOOLS_TASK_STOPPED'
  | 'MCP_TOOLS_TASK_INTERRUPTED';

const brand = Symbol.for('@claude-code-mcp/mcp-tools:McpToolsError');

/**
 * The one local error class of this package. Switch on {@link McpToolsError.code}; tool handlers
 * turn these into tool results with `isError: true` and the message, which says what to do.
 *
 * @example
 * ```ts
 * try {
 *   cwd = await resolveWorkingDirectory(args.workingDirectory, { roots });
 * } catch (error) {
 *   if (McpToolsError.isInstance(error)) return { isError: true, content: [{ type: 'text', text: error.message }] };
 *   throw error;
 * }
 * ```
 */
export class McpToolsError extends Error {
  /** Stable, documented code; see {@link McpToolsErrorCode}. */
  readonly code: McpToolsErrorCode;

  /**
   * @param code - the stable error code.
   * @param message - a sentence that says what was wrong and how to fix it.
   * @param options - `cause`, when another error led to this one.
   */
  constructor(code: McpToolsErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }

  /**
   * `true` for any `McpToolsError`, including one thrown by another installed copy of this package.
   *
   * @example
   * ```ts
   * if (McpToolsError.isInstance(error) && error.code === 'MCP_TOOLS_PATH_OUTSIDE_ROOTS') deny();
   * ```
   */
  static isInstance(value: unknown): value is McpToolsError {
    return typeof value === 'object' && value != null && brand in value;
  }
}

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
 * | `MCP_TOOLS_PLUGIN_COMMAND_FAILED` | a `claude plugin …` command failed, timed out or printed something unexpected; the message carries the CLI's reason, `plugin` the details |
 * | `MCP_TOOLS_CHECKPOINT_NOT_FOUND` | a checkpoint id is well-formed but no checkpoint with it is stored (deleted, or from another data folder) |
 * | `MCP_TOOLS_CHECKPOINT_TOO_LARGE` | a checkpoint (or the capture of the present before a restore or compare) would exceed the file-count or byte limit; the message names the largest folders to ignore |
 * | `MCP_TOOLS_GIT_FAILED` | the system `git` that checkpoints use is missing, failed or timed out; the message quotes git |
 * | `MCP_TOOLS_TASK_FAILED` | (in a task's result) the background run failed; the message says why |
 * | `MCP_TOOLS_TASK_STOPPED` | (in a task's result) the background run was stopped (`claude_background_tasks` stop, `tasks/cancel`) |
 * | `MCP_TOOLS_INSUFFICIENT_SCOPE` | the call's access token lacks the scope the tool (or its action) needs (legacy HTTP+SSE; Streamable HTTP answers 403 before the tool runs) |
 * | `MCP_TOOLS_TASK_INTERRUPTED` | (in a task's result) its process cannot run any more (the machine restarted) |
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
  | 'MCP_TOOLS_INSUFFICIENT_SCOPE'
  | 'MCP_TOOLS_TASK_INTERRUPTED';

/**
 * What a failed `claude plugin …` command left behind, on `McpToolsError.plugin` for
 * `MCP_TOOLS_PLUGIN_COMMAND_FAILED`.
 *
 * @example
 * ```ts
 * const retryAfterUpdate = error.plugin?.failureCode === 'not_found'; // update the marketplace, then retry
 * ```
 */
export interface PluginCommandDetails {
  /** What went wrong: the CLI reported `failed`, exited non-zero (`exit`), ran past its time (`timeout`), could not start (`spawn`), printed no usable JSON (`output`), or was `aborted`. */
  readonly reason: 'failed' | 'exit' | 'timeout' | 'spawn' | 'output' | 'aborted';
  /** The CLI arguments (after the executable). */
  readonly args: readonly string[];
  /** Exit code, when the CLI exited. */
  readonly exitCode: number | null;
  /** The CLI's `failureCode` (`not_found`, `manifest_missing`, `invalid_source`, …), when it printed a result. */
  readonly failureCode: string | undefined;
  /** The CLI's result line, when it printed one. */
  readonly result: Readonly<Record<string, unknown>> | undefined;
  /** The end of the CLI's stderr. */
  readonly stderr: string;
}

/**
 * Options of the {@link McpToolsError} constructor.
 *
 * @example
 * ```ts
 * throw new McpToolsError('MCP_TOOLS_STORE_FAILED', 'Could not read a session: disk I/O error.', { cause: error });
 * ```
 */
export interface McpToolsErrorOptions extends ErrorOptions {
  /** For `MCP_TOOLS_PLUGIN_COMMAND_FAILED`: the command's details. */
  readonly plugin?: PluginCommandDetails;
}

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
  /** For `MCP_TOOLS_PLUGIN_COMMAND_FAILED`: what the `claude plugin …` command left behind. */
  readonly plugin: PluginCommandDetails | undefined;

  /**
   * @param code - the stable error code.
   * @param message - a sentence that says what was wrong and how to fix it.
   * @param options - `cause`, when another error led to this one; `plugin` details.
   */
  constructor(code: McpToolsErrorCode, message: string, options?: McpToolsErrorOptions) {
    const { plugin, ...errorOptions } = options ?? {};
    super(message, errorOptions);
    this.name = new.target.name;
    this.code = code;
    this.plugin = plugin === undefined ? undefined : Object.freeze({ ...plugin });
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

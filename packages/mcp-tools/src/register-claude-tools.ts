// Puts the Claude Code tools and resources on an MCP server: one module per tool in tools/, the
// resources in resources/; this file is the options, the registration loop and the server factory.
import { noopLogger, type Logger } from '@claude-code-mcp/claude-cli-driver';
import { McpServer, type RegisteredTool, type ServerContext } from '@modelcontextprotocol/server';

import type { ClaudeRuntime } from './claude-runtime.js';
import type { CheckpointManager } from './checkpoints/index.js';
import type { ToolsEventListener } from './events.js';
import { enableMcpTasks } from './mcp-tasks.js';
import { observeOperations } from './observe-operations.js';
import { enableCommandPrompts } from './prompts/command-prompts.js';
import type { CommandWatcher } from './prompts/command-watcher.js';
import { registerCheckpointDiffResource } from './resources/checkpoint-diff.js';
import { registerTranscriptResource } from './resources/transcript.js';
import type { TaskManager } from './tasks/task-manager.js';
import { backgroundTaskTool } from './tasks-extension/background-task-tool.js';
import { enableTasksExtension } from './tasks-extension/tasks-extension.js';
import { canAskTheUser, type PermissionPolicy } from './tools/permission-bridge.js';
import { HeldRuns } from './tools/held-runs.js';
import { Ownership } from './tools/ownership.js';
import { CLAUDE_TOOLS } from './tools/index.js';
import { backgroundTaskResult, createToolKit } from './tools/tool-kit.js';
import { parseToolsSettings, type ToolsSettings } from './tools/tools-settings.js';

export { TOOL_NAMES } from './tools/index.js';
export type { PermissionPolicy } from './tools/permission-bridge.js';


/**
 * Options of {@link registerClaudeTools}.
 *
 * @example
 * ```ts
 * const options: ClaudeToolsOptions = { runtime, tasks, checkpoints, roots: ['/repo'], defaultWorkingDirectory: '/repo' };
 * ```
 */
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
  /**
   * Remote marketplaces (`owner/repo`, https or git URLs, exactly as given) claude_plugin_install
   * may add; a local marketplace must be a directory inside the roots. Default: none.
   */
  readonly allowedMarketplaces?: readonly string[];
  /** Checkpoints (`claude_checkpoint`); without it the tool answers that they are not enabled. */
  readonly checkpoints?: CheckpointManager;
  /** Take a checkpoint before each claude_ask / claude_resume on an existing session (default false). */
  readonly autoCheckpoint?: boolean;
  /**
   * Runs waiting on 2026-07-28 callers (permission questions as input-required results). Share one
   * across every server of the process when a server is made per request (HTTP), as
   * {@link openClaudeToolsService} does; without it each server gets its own.
   */
  readonly heldRuns?: HeldRuns;
  /** Background runs (`backgroundTask: true`, `claude_background_tasks`); without it they are refused. */
  readonly tasks?: TaskManager;
  readonly logger?: Logger;
  /** Told of each MCP request answered, tool call and finished run (for metrics and webhooks). */
  readonly onEvent?: ToolsEventListener;
}

/**
 * The server name and version an app reports, plus the tool options.
 *
 * @example
 * ```ts
 * const options: ClaudeToolsServerOptions = { ...toolsOptions, name: 'claude-code-mcp', version: '1.2.0' };
 * ```
 */
export interface ClaudeToolsServerOptions extends ClaudeToolsOptions {
  readonly name?: string;
  readonly version: string;
  /**
   * Also offer background runs through the MCP tasks feature (protocol 2025-11-25): a
   * task-augmented `claude_ask` call becomes a background task, followed with `tasks/*`. Needs
   * `tasks`. Only for servers speaking the 2025 protocols; 2026-07-28 has no `capabilities.tasks`.
   */
  readonly mcpTasks?: boolean;
  /**
   * Also offer background runs through the tasks extension of protocol 2026-07-28
   * (`io.modelcontextprotocol/tasks`): `claude_ask` from a client that declares it becomes a
   * background task when it sets `backgroundTask` or cannot be asked. Needs `tasks`. Only for
   * servers speaking 2026-07-28.
   */
  readonly tasksExtension?: boolean;
  /**
   * The project's and the user's Claude Code slash commands as MCP prompts (default true): read
   * from `<defaultWorkingDirectory>/.claude/commands` and `<claudeConfigDir>/commands`.
   */
  readonly commandPrompts?: boolean;
  /** Tells this server's client `prompts/list_changed` when a command file changes (long-lived servers). */
  readonly commandWatcher?: CommandWatcher | undefined;
  /**
   * Verifies the request states of other tools on the same server (the server has one
   * `requestState.verify` hook): tried when a state is not one the held runs minted.
   */
  readonly requestStateVerifier?: ((state: string, context: ServerContext) => Promise<unknown>) | undefined;
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
 * Registers the nine `claude_*` tools and the resources `claude-transcript://{sessionId}` and
 * `claude-checkpoint-diff://{from}/{to}` on an MCP server. Transport-free: the app chooses stdio
 * or HTTP.
 *
 * @example
 * ```ts
 * const server = new McpServer({ name: 'claude-code', version: '1.0.0' }, { capabilities: { logging: {} } });
 * registerClaudeTools(server, { runtime, roots: ['/repo'], defaultWorkingDirectory: '/repo', claudeConfigDir });
 * ```
 */
export function registerClaudeTools(server: McpServer, options: ClaudeToolsOptions): RegisteredClaudeTools {
  const checked = parseToolsSettings(options);
  const settings = checked.heldRuns ? checked : Object.freeze({ ...checked, heldRuns: heldRunsFor(checked) });
  const kit = createToolKit(server, settings);
  const registered = new Map<string, RegisteredTool>();
  for (const tool of CLAUDE_TOOLS) registered.set(tool.name, tool.register(server, kit));
  registerCheckpointDiffResource(server, options.checkpoints, kit.ownership);
  registerTranscriptResource(server, options.runtime, options.claudeConfigDir, kit.ownership);
  const askTool = registered.get('claude_ask');
  if (!askTool) throw new Error('claude_ask is not among the tools');
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
  const heldRuns = options.heldRuns ?? heldRunsFor(parseToolsSettings(options));
  const server = new McpServer(
    { name: options.name ?? 'claude-code-mcp', version: options.version, title: 'Claude Code' },
    {
      // `tools` is declared by the first registered tool (after enableMcpTasks has had its look).
      capabilities: { resources: {}, logging: {} },
      // A retried call's requestState is checked (signature, expiry, caller) before a handler sees it.
      requestState: { verify: chainVerifiers(heldRuns.verify, options.requestStateVerifier) },
      instructions:
        'Delegate coding work to Claude Code: claude_ask runs a task in a working directory and returns a sessionId (or, with backgroundTask, a taskId for claude_background_tasks); claude_resume continues it; claude_plan plans without changing files; claude_abort stops a run; claude_checkpoint saves and restores the working directory.',
    },
  );
  observeOperations(server, options.onEvent);
  // Before the tools: it must see McpServer install its tools/call handler.
  const ownership = new Ownership(options.runtime.store.owners, options.runtime.store.tasks);
  const mcpTasks = options.mcpTasks && options.tasks ? enableMcpTasks(server, { tasks: options.tasks, resultOf: backgroundTaskResult, ownership }) : undefined;
  const extension = options.tasksExtension && options.tasks ? enableTasksExtension(server) : undefined;
  const tools = registerClaudeTools(server, options.heldRuns ? options : { ...options, heldRuns });
  mcpTasks?.allow('claude_ask', tools.claude_ask);
  if (extension && options.tasks) {
    extension.offer('claude_ask', backgroundTaskTool({ tasks: options.tasks, resultOf: backgroundTaskResult, canAsk: (context) => canAskTheUser(server, context), ownership }));
  }
  if (options.commandPrompts !== false) {
    enableCommandPrompts(server, { cwd: options.defaultWorkingDirectory, claudeConfigDir: options.claudeConfigDir, watcher: options.commandWatcher });
  }
  return server;
}

/** The held runs' verifier, then (for a state they did not mint) the other tools' one. */
function chainVerifiers(
  held: (state: string, context: ServerContext) => Promise<unknown>,
  other: ((state: string, context: ServerContext) => Promise<unknown>) | undefined,
): (state: string, context: ServerContext) => Promise<unknown> {
  if (!other) return held;
  return (state, context) => held(state, context).catch(() => other(state, context));
}

/** A held-runs registry for a server given none: its questions wait as long as the elicitation timeout. */
function heldRunsFor(settings: ToolsSettings): HeldRuns {
  return new HeldRuns({ timeoutMs: settings.elicitationTimeoutMs, logger: settings.logger ?? noopLogger });
}

export { McpToolsError } from './errors.js';
export type { McpToolsErrorCode } from './errors.js';
export { resolveWorkingDirectory } from './resolve-working-directory.js';
export type { ResolveWorkingDirectoryOptions } from './resolve-working-directory.js';
export { THINKING_LEVELS, thinkingLevelToEffort } from './thinking-level.js';
export type { EffortLevel, ThinkingLevel } from './thinking-level.js';
export { ClaudeRuntime, describeMessage } from './claude-runtime.js';
export type { ClaudeRuntimeOptions, RunCallbacks, RunOutcome, RunRequest, RuntimeSession, SessionFactory } from './claude-runtime.js';
export { backgroundTaskResult, createClaudeToolsServer, registerClaudeTools, TOOL_NAMES, transcriptPath } from './register-claude-tools.js';
export type { ClaudeToolsOptions, ClaudeToolsServerOptions, PermissionPolicy, RegisteredClaudeTools } from './register-claude-tools.js';
export { RunLimiter, PRIORITIES } from './run-limiter.js';
export type { AcquireOptions, Priority } from './run-limiter.js';
export { createProgressReporter } from './progress-reporter.js';
export type { ProgressReporter, ProgressReporterOptions, SendProgress } from './progress-reporter.js';
export { askInputSchema } from './tools/claude-ask.js';
export type { AskInput } from './tools/claude-ask.js';
export { planInputSchema } from './tools/claude-plan.js';
export type { PlanInput } from './tools/claude-plan.js';
export { resumeInputSchema } from './tools/claude-resume.js';
export type { ResumeInput } from './tools/claude-resume.js';
export { abortInputSchema, abortOutputSchema } from './tools/claude-abort.js';
export { runOutputSchema } from './tools/schema-parts.js';
export type { RunOutput } from './tools/schema-parts.js';
export { CLAUDE_TOOLS } from './tools/index.js';
export { defineTool } from './tools/define-tool.js';
export type { ClaudeTool, ToolDefinition } from './tools/define-tool.js';
export type { RunOverrides, ToolKit, ToolRunRequest } from './tools/tool-kit.js';
export { createToolKit } from './tools/tool-kit.js';
export { parseToolsSettings } from './tools/tools-settings.js';
export type { ToolsSettings } from './tools/tools-settings.js';
export { MIGRATIONS, SESSION_STATUSES, openStore } from './store/index.js';
export type {
  ClaudeToolsStore,
  CliProcessRecord,
  CompletedTurn,
  ListSessionsFilter,
  Migration,
  NewSessionRecord,
  OpenStoreOptions,
  SessionRecord,
  SessionStatus,
} from './store/index.js';
export { TaskManager } from './tasks/task-manager.js';
export type { TaskEvent, TaskLogPage, TaskManagerOptions, TaskRecord, TaskStatus } from './tasks/task-manager.js';
export { renderMessage } from './tasks/render-message.js';
export { backgroundTasksInputSchema, backgroundTasksOutputSchema } from './tools/claude-background-tasks.js';
export { HOOK_ALIASES, HOOK_EVENTS, buildHookSettings } from './hook-settings.js';
export type { HookSpec, HookSpecs } from './hook-settings.js';
export {
  CHECKPOINT_ID_PATTERN,
  DEFAULT_CHECKPOINT_MAX_BYTES,
  DEFAULT_CHECKPOINT_MAX_FILES,
  DEFAULT_MAX_DIFF_BYTES,
  createCheckpointManager,
} from './checkpoints/index.js';
export type {
  ChangedFile,
  CheckpointManager,
  CheckpointManagerOptions,
  CheckpointRecord,
  CompareCheckpointsOptions,
  CompareResult,
  CreateCheckpointInput,
  ListCheckpointsFilter,
  RestoreChanges,
  RestoreResult,
} from './checkpoints/index.js';
export { checkpointInputSchema, checkpointOutputSchema } from './tools/claude-checkpoint.js';
export { BUILT_IN_AGENTS, listAgents, parseToolList, readFrontmatter, resolveAgentName } from './agents/index.js';
export type { AgentInfo, AgentSource, Frontmatter, ListAgentsOptions, PluginDirectory } from './agents/index.js';
export {
  DEFAULT_PLUGIN_CHANGE_TIMEOUT_MS,
  DEFAULT_PLUGIN_LIST_TIMEOUT_MS,
  PLUGIN_NAME_PATTERN,
  PluginCommandError,
  addMarketplace,
  installPlugin,
  installedPluginDirectories,
  listMarketplaces,
  listPlugins,
  validateMarketplaceName,
  validateMarketplaceSource,
  validatePluginName,
  validatePluginReference,
} from './plugins/index.js';
export type {
  AvailablePlugin,
  InstalledPlugin,
  Marketplace,
  MarketplaceSource,
  PluginCliOptions,
  PluginCommandFailure,
  PluginCommandResult,
  PluginList,
  PluginScope,
} from './plugins/index.js';
export { openClaudeToolsService } from './claude-tools-service.js';
export type { ClaudeToolsService, ClaudeToolsServiceOptions } from './claude-tools-service.js';
export { enableMcpTasks } from './mcp-tasks.js';
export type { McpTasks, McpTasksOptions } from './mcp-tasks.js';

// The package's public surface: what apps and library users need. Everything else (the tool
// modules, the catalogue, the SQLite schema, helpers) is internal and may change.
export { McpToolsError } from './errors.js';
export type { McpToolsErrorCode, McpToolsErrorOptions, PluginCommandDetails } from './errors.js';
export { openClaudeToolsService } from './claude-tools-service.js';
export type { ClaudeToolsService, ClaudeToolsServiceOptions, ClaudeToolsServiceState, ServerContextOptions } from './claude-tools-service.js';
export { createClaudeToolsServer, registerClaudeTools, TOOL_NAMES } from './register-claude-tools.js';
export type { ClaudeToolsOptions, ClaudeToolsServerOptions, PermissionPolicy, RegisteredClaudeTools } from './register-claude-tools.js';
export { HeldRuns } from './tools/held-runs.js';
export { CommandWatcher } from './prompts/command-watcher.js';
export type { HeldRun, HeldRunsOptions } from './tools/held-runs.js';
export type { ToolResult } from './tools/define-tool.js';
export { ClaudeRuntime } from './claude-runtime.js';
export type { ClaudeRuntimeOptions, RunCallbacks, RunOutcome, RuntimeSession, SessionFactory } from './claude-runtime.js';
export type { RunRequest } from './run-request.js';
export type { Priority } from './run-limiter.js';
export { TaskManager } from './tasks/task-manager.js';
export type { TaskEvent, TaskLogPage, TaskManagerOptions, TaskRecovery, TaskShutdownPolicy } from './tasks/task-manager.js';
export { detachedProcesses } from './tasks/detached-processes.js';
export type { DetachedProcesses, RecordedProcess } from './tasks/detached-processes.js';
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
  CompareCheckpointsOptions,
  CompareResult,
  CreateCheckpointInput,
  ListCheckpointsFilter,
  RestoreChanges,
  RestoreResult,
} from './checkpoints/index.js';
export { createMemoryStore, openStore, SESSION_STATUSES, TERMINAL_TASK_STATUSES } from './store/index.js';
export type * from './store/index.js';

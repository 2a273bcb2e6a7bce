export { query } from './query.js';
export type { Query, QueryOptions } from './query.js';
export { createSession, ClaudeSession } from './session.js';
export type {
  AgentDefinition,
  CanUseTool,
  CanUseToolContext,
  EffortLevel,
  HookCallback,
  HookCallbacks,
  PermissionMode,
  PermissionResult,
  RewindFilesResult,
  RunOptions,
  SessionState,
  Turn,
  TurnOptions,
} from './session.js';
export type { ExitInfo, SpawnFunction } from './cli-process.js';
export type { RunResult } from './result.js';
export { ClaudeCliError } from './errors.js';
export type { ClaudeCliErrorCode, ClaudeCliErrorDetails } from './errors.js';
export { parseStreamLine, isAssistantMessage, isResultMessage, isSystemMessage, isUserMessage } from './messages.js';
export type {
  AssistantMessage,
  ClaudeMessage,
  ContentBlock,
  ControlCancelRequestMessage,
  ControlMessage,
  ControlRequestMessage,
  ControlResponseMessage,
  ParsedLine,
  PermissionDenial,
  ResultMessage,
  StreamEventMessage,
  SystemMessage,
  UnknownMessage,
  UserMessage,
  Usage,
} from './messages.js';
export { LineSplitter } from './line-splitter.js';
export type { SplitLine } from './line-splitter.js';
export { EFFORT_LEVELS, PERMISSION_MODES } from './options.js';
export { MINIMUM_CLI_VERSION, compareVersions, detectClaudeVersion, platformPackageName, resolveClaudeBinary } from './resolve-binary.js';
export type { ClaudeBinarySource, ResolveClaudeBinaryOptions, ResolvedClaudeBinary } from './resolve-binary.js';
export { currentBootId, describeProcess, isAlive, killSnapshot, listDescendants } from './process-tree.js';
export { startDetachedRun, stopDetachedRun } from './detached-run.js';
export type { DetachedRun, DetachedRunFiles, DetachedRunOptions, DetachedSpawnFunction } from './detached-run.js';
export { RunLogReader, detachedOutcome } from './run-log.js';
export type { ProcessEntry } from './process-tree.js';
export { noopLogger } from './logger.js';
export type { LogFn, Logger } from './logger.js';

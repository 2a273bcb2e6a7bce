// The state store's surface: the interfaces, their two implementations and the record types.
export { createMemoryStore } from './memory/memory-store.js';
export { openStore } from './sqlite/open-store.js';
export type { OpenStoreOptions } from './sqlite/open-store.js';
export type { CheckpointRecord } from './checkpoint-record.js';
export { SESSION_STATUSES } from './session-record.js';
export type { NewSessionRecord, SessionRecord, SessionStatus } from './session-record.js';
export type {
  CheckpointIndex,
  CheckpointIndexFilter,
  ClaudeToolsStore,
  CliProcessRecord,
  CliProcessStore,
  CompletedTurn,
  ForkStore,
  IndexedCheckpoint,
  ListSessionsFilter,
  ListTasksFilter,
  OwnedKind,
  OwnerStore,
  PlannedFork,
  SessionSeed,
  SessionStore,
  TaskStore,
} from './stores.js';
export { TERMINAL_TASK_STATUSES } from './task-record.js';
export type { NewTaskRecord, TaskFinish, TaskOwner, TaskProcess, TaskRecord, TaskStatus } from './task-record.js';

// Input checks of the task, checkpoint and fork stores, shared by every implementation so that
// they refuse alike (each throws `MCP_TOOLS_STORE_FAILED` naming the field).
import { McpToolsError } from '../errors.js';
import type { CheckpointRecord } from './checkpoint-record.js';
import { checkObject, checkText, checkTextOrNull, checkWholeNumber } from './session-record.js';
import type { CheckpointIndexFilter, IndexedCheckpoint, ListTasksFilter, PlannedFork } from './stores.js';
import type { NewTaskRecord, TaskProcess, TaskStatus } from './task-record.js';

const TASK_STATUSES: readonly TaskStatus[] = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'];

/** A limit of at least 1, or `undefined` for none. */
function checkLimit(action: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const limit = checkWholeNumber(action, 'limit', value);
  if (limit < 1) throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: limit must be at least 1 (got ${limit}).`);
  return limit;
}

/** A new task, with its request as the JSON text to keep. */
export function checkNewTask(task: NewTaskRecord): Omit<NewTaskRecord, 'request' | 'ownerStartTime'> & { readonly request: string; readonly ownerStartTime: string | null } {
  const action = 'store a task';
  checkObject(action, 'task', task);
  let request: string | undefined;
  try {
    request = JSON.stringify(task.request);
  } catch (error) {
    throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: its request cannot be written as JSON.`, { cause: error });
  }
  if (request === undefined) throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: it needs a request.`);
  return Object.freeze({
    id: checkText(action, 'id', task.id),
    prompt: checkText(action, 'prompt', task.prompt),
    cwd: checkText(action, 'cwd', task.cwd),
    request,
    sessionId: checkTextOrNull(action, 'sessionId', task.sessionId),
    createdAt: checkWholeNumber(action, 'createdAt', task.createdAt),
    ownerPid: checkWholeNumber(action, 'ownerPid', task.ownerPid),
    ownerStartTime: checkTextOrNull(action, 'ownerStartTime', task.ownerStartTime ?? null),
    logPath: checkText(action, 'logPath', task.logPath),
    restartedFrom: checkTextOrNull(action, 'restartedFrom', task.restartedFrom),
  });
}

/** The process of a started task (or `null`: none is known). */
export function checkTaskProcess(process: TaskProcess | null): TaskProcess | null {
  const action = 'mark a task started';
  if (process === null) return null;
  checkObject(action, 'process', process);
  return { pid: checkWholeNumber(action, 'pid', process.pid), startTime: checkText(action, 'startTime', process.startTime), bootId: checkTextOrNull(action, 'bootId', process.bootId) };
}

/** A page of tasks: a status or none, a limit of at least 1, an offset of at least 0. */
export function checkTaskFilter(filter: ListTasksFilter): ListTasksFilter {
  const action = 'list tasks';
  checkObject(action, 'filter', filter);
  if (filter.status !== undefined && !TASK_STATUSES.includes(filter.status)) {
    throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot ${action}: status must be one of ${TASK_STATUSES.join(', ')} (got ${String(filter.status)}).`);
  }
  return { status: filter.status, limit: checkLimit(action, filter.limit) ?? 1, offset: checkWholeNumber(action, 'offset', filter.offset) };
}

/** A checkpoint to index, frozen. */
export function checkIndexedCheckpoint(checkpoint: IndexedCheckpoint): IndexedCheckpoint {
  const action = 'store a checkpoint';
  checkObject(action, 'checkpoint', checkpoint);
  checkObject(action, 'record', checkpoint.record);
  const { record } = checkpoint;
  const checked: CheckpointRecord = Object.freeze({
    id: checkText(action, 'id', record.id),
    label: checkTextOrNull(action, 'label', record.label),
    cwd: checkText(action, 'cwd', record.cwd),
    sessionId: checkTextOrNull(action, 'sessionId', record.sessionId),
    lastMessageId: checkTextOrNull(action, 'lastMessageId', record.lastMessageId),
    commit: checkText(action, 'commit', record.commit),
    fileCount: checkWholeNumber(action, 'fileCount', record.fileCount),
    bytes: checkWholeNumber(action, 'bytes', record.bytes),
    createdAt: checkWholeNumber(action, 'createdAt', record.createdAt),
  });
  return Object.freeze({ repo: checkText(action, 'repo', checkpoint.repo), record: checked });
}

/** A checkpoint list filter. */
export function checkCheckpointFilter(filter: CheckpointIndexFilter): CheckpointIndexFilter {
  const action = 'list checkpoints';
  checkObject(action, 'filter', filter);
  return {
    cwd: checkTextOrNull(action, 'cwd', filter.cwd),
    sessionId: checkTextOrNull(action, 'sessionId', filter.sessionId),
    limit: checkLimit(action, filter.limit),
  };
}

/** A planned fork's own fields (its session is checked as a session). */
export function checkPlannedFork(fork: PlannedFork): void {
  const action = 'plan a fork';
  checkObject(action, 'fork', fork);
  checkText(action, 'parentId', fork.parentId);
  checkTextOrNull(action, 'messageId', fork.messageId);
}

/** The error for a task id that is taken. */
export function taskTaken(id: string, cause?: unknown): McpToolsError {
  return new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot store task "${id}": a task with that id is already stored.`, cause === undefined ? undefined : { cause });
}

/** The error for a session that already has a planned fork. */
export function forkTaken(sessionId: string, cause?: unknown): McpToolsError {
  return new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot plan a fork for session "${sessionId}": one is already planned.`, cause === undefined ? undefined : { cause });
}

// claude_ask through the tasks extension: its tasks are the background tasks (the ones
// claude_background_tasks and the 2025-11-25 tasks show), so one task has three views.
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';

import type { TaskManager, TaskRecord } from '../tasks/task-manager.js';
import { callerOfContext, type Ownership } from '../tools/ownership.js';
import { requireScope } from '../tools/tool-scopes.js';
import type { ExtensionTask, ExtensionTaskSource, TaskTool } from './tasks-extension.js';

/** Options of {@link backgroundTaskTool}. */
export interface BackgroundTaskToolOptions {
  readonly tasks: TaskManager;
  /** The tool result a finished task stands for (what the call would have returned). */
  readonly resultOf: (task: TaskRecord) => CallToolResult;
  /**
   * Whether this request's client can be asked (permission questions through input-required
   * results). A call that can be asked runs as usual unless it sets `backgroundTask`; one that
   * cannot would run on the permission policy anyway, so it becomes a task: it then survives
   * client timeouts and server restarts.
   */
  readonly canAsk: (context: ServerContext) => boolean;
  /** Who may see which task (with OAuth: its owner, or an admin). Default: everyone sees every task. */
  readonly ownership?: Ownership;
}

const TERMINAL: ReadonlySet<TaskRecord['status']> = new Set(['completed', 'failed', 'stopped', 'interrupted']);

const STATUS: Record<TaskRecord['status'], ExtensionTask['status']> = {
  queued: 'working',
  running: 'working',
  completed: 'completed',
  // A run that failed is a tool error of claude_ask (isError), not a JSON-RPC error.
  failed: 'completed',
  interrupted: 'completed',
  stopped: 'cancelled',
};

function viewOf(record: TaskRecord, resultOf: (task: TaskRecord) => CallToolResult): ExtensionTask {
  const status = STATUS[record.status];
  return {
    taskId: record.id,
    status,
    statusMessage: record.status === 'queued' ? 'Waiting for a free Claude Code slot.' : (record.error ?? undefined),
    createdAt: record.createdAt,
    lastUpdatedAt: record.finishedAt ?? record.startedAt ?? record.createdAt,
    // Kept in the data folder until deleted.
    ttlMs: null,
    ...(status === 'completed' ? { result: resultOf(record) } : {}),
  };
}

function backgroundSource(options: BackgroundTaskToolOptions): ExtensionTaskSource {
  const { tasks } = options;
  // Another principal's task is not found, as one that does not exist is not.
  const visible = async (taskId: string, context: ServerContext | undefined) => {
    if (context !== undefined) requireScope(context, 'read', 'Reading a task');
    const record = await tasks.get(taskId);
    const visible = options.ownership === undefined || (await options.ownership.visible('task', taskId, callerOfContext(context)));
    return record !== undefined && visible ? record : undefined;
  };
  return {
    async get(taskId, context) {
      const record = await visible(taskId, context);
      return record === undefined ? undefined : viewOf(record, options.resultOf);
    },
    // A background task asks nobody: there is never an outstanding request to answer.
    async update(taskId, _inputResponses, context) {
      return (await visible(taskId, context)) !== undefined;
    },
    async cancel(taskId, context) {
      if (context !== undefined) requireScope(context, 'run', 'Cancelling a task');
      const record = await visible(taskId, context);
      if (record === undefined) return false;
      if (!tasks.isActive(taskId)) {
        // Ended meanwhile: acknowledged, it stays as it ended.
        if (TERMINAL.has(record.status)) return true;
        throw new ProtocolError(ProtocolErrorCode.InternalError, `Cannot cancel task ${taskId}: another server process on the same data folder runs it; cancel it there`);
      }
      // Acknowledged at once; the task shows `cancelled` once its processes are gone.
      void tasks.stop(taskId).catch(() => undefined);
      return true;
    },
  };
}

/**
 * claude_ask as a task tool of the extension: a call that sets `backgroundTask`, or whose client
 * cannot be asked (unless it sets `backgroundTask: false`), starts a background task (the same validation and checks apply) and answers
 * with it; other calls run as usual.
 *
 * @example
 * ```ts
 * extension.offer('claude_ask', backgroundTaskTool({ tasks, resultOf: backgroundTaskResult, canAsk: (context) => canAskTheUser(server, context) }));
 * ```
 */
export function backgroundTaskTool(options: BackgroundTaskToolOptions): TaskTool {
  return {
    support: 'optional',
    source: backgroundSource(options),
    async start(call, run, context) {
      const args = call.arguments ?? {};
      // An explicit `backgroundTask: false` is honoured; left out, the server decides.
      if (args['backgroundTask'] === false || (args['backgroundTask'] !== true && options.canAsk(context))) return { answer: await run(call) };
      const started = (await run({ ...call, arguments: { ...args, backgroundTask: true } })) as CallToolResult;
      const taskId = (started.structuredContent as { taskId?: unknown } | undefined)?.taskId;
      if (started.isError || typeof taskId !== 'string') return { answer: started };
      return { taskId };
    },
  };
}

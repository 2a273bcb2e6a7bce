// Background runs through the MCP tasks feature of protocol revision 2025-11-25 (experimental
// there; 2026-07-28 moved tasks into an extension with other methods). A task-augmented
// `tools/call` of claude_ask (`params.task`) starts a background task and answers at once with the
// task; `tasks/get`, `tasks/result`, `tasks/list` and `tasks/cancel` read, await and stop it.
//
// The MCP SDK v2 ships no task runtime, and McpServer drops `params.task` before a tool handler
// sees it. So McpServer's tools/call handler is wrapped (tools-call-interceptor.ts): calls without
// `params.task` go to it unchanged.
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type RegisteredTool,
  type ServerContext,
  type Task,
} from '@modelcontextprotocol/server';
import * as z from 'zod';

import { callerOfContext, type Ownership } from './tools/ownership.js';
import { requireScope } from './tools/tool-scopes.js';
import type { TaskManager, TaskRecord, TaskStatus } from './tasks/task-manager.js';
import { interceptToolsCall, type ToolsCallHandler } from './tools-call-interceptor.js';

/** Options of {@link enableMcpTasks}. */
export interface McpTasksOptions {
  readonly tasks: TaskManager;
  /** How often clients should poll `tasks/get`, in milliseconds. Default: 1000. */
  readonly pollIntervalMs?: number;
  /** The tool result a finished task stands for (what `tasks/result` returns). */
  readonly resultOf: (task: TaskRecord) => CallToolResult;
  /** Tasks per `tasks/list` page. Default: 50. */
  readonly pageSize?: number;
  /** Who may see which task (with OAuth: its owner, or an admin). Default: everyone sees every task. */
  readonly ownership?: Ownership;
}

/** What {@link enableMcpTasks} returns: mark the tools whose calls may run as tasks. */
export interface McpTasks {
  /** Declares `execution.taskSupport: 'optional'` on `tool` and lets its calls run as tasks. */
  allow(name: string, tool: RegisteredTool): void;
}

const STATUS: Record<TaskStatus, Task['status']> = {
  queued: 'working',
  running: 'working',
  completed: 'completed',
  failed: 'failed',
  stopped: 'cancelled',
  interrupted: 'failed',
};
const TERMINAL = new Set<Task['status']>(['completed', 'failed', 'cancelled']);

const taskIdParams = z.looseObject({ taskId: z.string().min(1) });
const listParams = z.looseObject({ cursor: z.string().optional() });

// A task record as MCP's Task: status mapped, why it waits or ended, never expiring.
function toTask(record: TaskRecord, pollInterval: number): Task {
  const status = STATUS[record.status];
  const statusMessage = record.error ?? (record.status === 'queued' ? 'Waiting for a free Claude Code slot.' : undefined);
  return {
    taskId: record.id,
    status,
    ...(statusMessage ? { statusMessage } : {}),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUpdatedAt: new Date(record.finishedAt ?? record.startedAt ?? record.createdAt).toISOString(),
    // Tasks are kept in the data folder until deleted: unlimited retention.
    ttl: null,
    ...(TERMINAL.has(status) ? {} : { pollInterval }),
  };
}

type LowLevelServer = McpServer['server'];
type TaskLookup = (taskId: string, context: ServerContext) => Promise<TaskRecord>;

// A call with `params.task` runs as a background task and answers with the task at once.
function taskAwareToolsCall(delegate: ToolsCallHandler, taskCapable: ReadonlySet<string>, find: TaskLookup, pollInterval: number): ToolsCallHandler {
  return async (request, context) => {
    const { name, task } = request.params;
    if (task === undefined) return delegate(request, context);
    // 2025-11-25: a tool without task support (taskSupport absent = forbidden) answers -32601.
    if (!taskCapable.has(name)) throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Tool ${name} cannot run as a task; call it without params.task`);
    // The same call as a background run: validation, roots and subagent checks all apply.
    const started = (await delegate({ ...request, params: { ...request.params, task: undefined, arguments: { ...request.params.arguments, backgroundTask: true } } }, context)) as CallToolResult;
    const taskId = (started.structuredContent as { taskId?: unknown } | undefined)?.taskId;
    if (started.isError || typeof taskId !== 'string') return started;
    // CreateTaskResult; `content` stays because the SDK checks every tools/call result for it.
    return { content: started.content, task: toTask(await find(taskId, context), pollInterval) };
  };
}

// A page of the tasks the caller may see, newest first.
async function visiblePage(options: McpTasksOptions, context: ServerContext, page: { limit: number; offset: number }): Promise<TaskRecord[]> {
  const caller = callerOfContext(context);
  if (options.ownership === undefined || caller.seesAll) return options.tasks.list(page);
  const own = await options.ownership.filter('task', await options.tasks.list({ limit: 10_000, offset: 0 }), (task) => task.id, caller);
  return own.slice(page.offset, page.offset + page.limit);
}

// tasks/get, tasks/result (waits for the end), tasks/list (paged) and tasks/cancel.
function registerTaskMethods(lowLevel: LowLevelServer, options: McpTasksOptions, find: TaskLookup, pollInterval: number): void {
  const { tasks } = options;
  const pageSize = options.pageSize ?? 50;
  lowLevel.setRequestHandler('tasks/get', { params: taskIdParams }, async (params, context) => toTask(await find(params.taskId, context), pollInterval));
  lowLevel.setRequestHandler('tasks/result', { params: taskIdParams }, async (params, context) => {
    await find(params.taskId, context);
    const record = await tasks.settled(params.taskId, context.mcpReq.signal);
    const result = options.resultOf(record);
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId: record.id } } };
  });
  lowLevel.setRequestHandler('tasks/list', { params: listParams }, async (params, context) => {
    requireScope(context, 'read', 'Listing tasks');
    // The cursor is an offset into the newest-first list (tasks started meanwhile shift it).
    const offset = params.cursor === undefined ? 0 : /^\d{1,9}$/.test(params.cursor) ? Number(params.cursor) : Number.NaN;
    if (Number.isNaN(offset)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor: ${params.cursor}; pass the nextCursor of the previous page`);
    const page = await visiblePage(options, context, { limit: pageSize + 1, offset });
    return {
      tasks: page.slice(0, pageSize).map((record) => toTask(record, pollInterval)),
      ...(page.length > pageSize ? { nextCursor: String(offset + pageSize) } : {}),
    };
  });
  lowLevel.setRequestHandler('tasks/cancel', { params: taskIdParams }, async (params, context) => {
    requireScope(context, 'run', 'Cancelling a task');
    const record = await find(params.taskId, context);
    if (TERMINAL.has(STATUS[record.status])) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot cancel task ${record.id}: it is already ${STATUS[record.status]}`);
    }
    if (!tasks.isActive(record.id)) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot cancel task ${record.id}: another server process runs it; cancel it there`);
    }
    return toTask(await tasks.stop(record.id), pollInterval);
  });
}

/**
 * Declares the `tasks` capability on `server` and answers the tasks methods from `options.tasks`.
 * Call it on a server constructed without the `tools` capability and before registering tools
 * (registering the first tool declares `tools`; this must see McpServer install its tools/call
 * handler then), and only for servers that speak the 2025 protocols: 2026-07-28 has no
 * `capabilities.tasks`.
 *
 * @example
 * ```ts
 * const mcpTasks = enableMcpTasks(server, { tasks, resultOf: (task) => ({ content: [{ type: 'text', text: task.result ?? '' }] }) });
 * const tools = registerClaudeTools(server, options);
 * mcpTasks.allow('claude_ask', tools.claude_ask);
 * ```
 */
export function enableMcpTasks(server: McpServer, options: McpTasksOptions): McpTasks {
  const pollInterval = options.pollIntervalMs ?? 1000;
  const taskCapable = new Set<string>();
  const lowLevel = server.server;
  const find: TaskLookup = async (taskId, context) => {
    requireScope(context, 'read', 'Reading a task');
    const record = await options.tasks.get(taskId);
    // Another principal's task is not found, as one that does not exist is not.
    const visible = record !== undefined && (options.ownership === undefined || (await options.ownership.visible('task', taskId, callerOfContext(context))));
    if (!record || !visible) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId}`);
    return record;
  };
  // Throws when McpServer already installed its tools/call handler (constructed with the `tools`
  // capability, or a tool registered): too late to wrap it.
  interceptToolsCall(server, (delegate) => taskAwareToolsCall(delegate, taskCapable, find, pollInterval));
  lowLevel.registerCapabilities({ tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } });
  registerTaskMethods(lowLevel, options, find, pollInterval);
  return {
    allow(name, tool) {
      tool.execution = { ...tool.execution, taskSupport: 'optional' };
      taskCapable.add(name);
    },
  };
}

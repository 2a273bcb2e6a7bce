// claude_background_tasks: follow, page, stop and restart runs started with claude_ask backgroundTask.
import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { McpToolsError } from '../errors.js';
import type { TaskManager, TaskRecord } from '../tasks/task-manager.js';
import { defineTool } from './define-tool.js';
import { callerOfContext, type Caller } from './ownership.js';
import { backgroundTasksScope } from './tool-scopes.js';
import { UUID } from './schema-parts.js';
import { actionError, type ToolKit } from './tool-kit.js';

const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'] as const;

/** Arguments of `claude_background_tasks`. */
export const backgroundTasksInputSchema = z.object({
  action: z
    .enum(['list', 'get', 'result', 'logs', 'stop', 'restart'])
    .describe('list tasks; get one; result of one; logs of one (paged); stop a running one; restart one (same prompt and options, new task id).'),
  taskId: z.string().regex(UUID, 'must be a task id as returned by claude_ask').optional().describe('The task, for every action but list.'),
  status: z.enum(TASK_STATUSES).optional().describe('list: only tasks in this state.'),
  limit: z.number().int().min(1).max(1000).optional().describe('list: most tasks (default 50); logs: most lines (default 100).'),
  offset: z.number().int().min(0).optional().describe('logs: first line to return (default 0).'),
  raw: z.boolean().optional().describe('logs: the raw stream-json lines instead of a readable rendering.'),
});

const taskSchema = z.object({
  id: z.string(),
  status: z.enum(TASK_STATUSES),
  prompt: z.string(),
  cwd: z.string(),
  sessionId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  result: z.string().nullable(),
  structuredOutput: z.unknown().optional(),
  costUsd: z.number().describe('What this call cost.'),
  sessionCostUsd: z.number().optional().describe('What the whole session has cost so far, as Claude Code reports it.'),
  numTurns: z.number().int(),
  error: z.string().nullable(),
  restartedFrom: z.string().nullable(),
});

/** The result of `claude_background_tasks`. */
export const backgroundTasksOutputSchema = z.object({
  action: z.string(),
  tasks: z.array(taskSchema).optional(),
  task: taskSchema.optional(),
  logs: z
    .object({ lines: z.array(z.string()), offset: z.number().int(), nextOffset: z.number().int().nullable(), total: z.number().int() })
    .optional(),
});

// A task as the tool shows it: times as ISO strings, a long prompt cut.
function taskView(task: TaskRecord) {
  return {
    id: task.id,
    status: task.status,
    prompt: task.prompt.length > 500 ? `${task.prompt.slice(0, 499)}…` : task.prompt,
    cwd: task.cwd,
    sessionId: task.sessionId,
    createdAt: new Date(task.createdAt).toISOString(),
    startedAt: task.startedAt === null ? null : new Date(task.startedAt).toISOString(),
    finishedAt: task.finishedAt === null ? null : new Date(task.finishedAt).toISOString(),
    result: task.result,
    ...(task.structuredOutput === undefined ? {} : { structuredOutput: task.structuredOutput }),
    costUsd: task.costUsd,
    numTurns: task.numTurns,
    error: task.error,
    restartedFrom: task.restartedFrom,
  };
}

// The list a caller may see: every task, or (with OAuth, without admin) its own, newest first.
async function visibleTasks(tasks: TaskManager, kit: ToolKit, caller: Caller, args: { status?: TaskRecord['status'] | undefined; limit?: number | undefined }): Promise<TaskRecord[]> {
  const filter = { ...(args.status ? { status: args.status } : {}), ...(args.limit ? { limit: args.limit } : {}) };
  if (caller.seesAll) return tasks.list(filter);
  const own = await kit.ownership.filter('task', await tasks.list({ ...filter, limit: 10_000 }), (task) => task.id, caller);
  return own.slice(0, args.limit ?? 50);
}

/** `claude_background_tasks`. */
export const claudeBackgroundTasks = defineTool({
  name: 'claude_background_tasks',
  title: 'Background Claude Code tasks',
  description:
    'Manage runs started with claude_ask backgroundTask: list (by status), get, result, logs (paged, readable or raw), stop, restart. Tasks run in processes of their own and outlive the server (the next server adopts them); only a task whose machine restarted is reported interrupted.',
  inputSchema: backgroundTasksInputSchema,
  outputSchema: backgroundTasksOutputSchema,
  scope: backgroundTasksScope,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async (args, context, kit): Promise<CallToolResult> => {
    const tasks = kit.options.tasks;
    const fail = (error: McpToolsError) => actionError(args.action, error);
    if (!tasks) return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Background tasks are not enabled on this server.'));
    const caller = callerOfContext(context);
    try {
      if (args.action === 'list') {
        const list = (await visibleTasks(tasks, kit, caller, args)).map(taskView);
        const lines = list.map((task) => `${task.id} ${task.status} ${task.createdAt} ${task.prompt.slice(0, 80)}`);
        return { content: [{ type: 'text', text: lines.length ? lines.join('\n') : 'No background tasks.' }], structuredContent: { action: 'list', tasks: list } };
      }
      if (!args.taskId) return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', `action "${args.action}" needs a taskId.`));
      const taskId = args.taskId;
      // Another principal's task is not found, as one that does not exist is not.
      if (!(await kit.ownership.visible('task', taskId, caller))) return fail(new McpToolsError('MCP_TOOLS_TASK_NOT_FOUND', `No background task ${taskId}; list them with action "list".`));
      switch (args.action) {
        case 'get':
        case 'result': {
          const task = await tasks.get(taskId);
          if (!task) return fail(new McpToolsError('MCP_TOOLS_TASK_NOT_FOUND', `No background task ${taskId}; list them with action "list".`));
          const view = taskView(task);
          const text =
            args.action === 'result'
              ? task.status === 'completed'
                ? (task.result ?? '')
                : `Task ${taskId} is ${task.status}${task.error ? `: ${task.error}` : ''}; no result yet.`
              : `Task ${taskId}: ${task.status}${task.sessionId ? `, session ${task.sessionId}` : ''}`;
          return { content: [{ type: 'text', text }], structuredContent: { action: args.action, task: view } };
        }
        case 'logs': {
          const page = await tasks.logs(taskId, { ...(args.offset === undefined ? {} : { offset: args.offset }), ...(args.limit ? { limit: args.limit } : {}), raw: args.raw ?? false });
          return {
            content: [{ type: 'text', text: page.lines.join('\n') || '(no log lines in this range)' }],
            structuredContent: { action: 'logs', logs: { lines: [...page.lines], offset: page.offset, nextOffset: page.nextOffset, total: page.total } },
          };
        }
        case 'stop': {
          const task = await tasks.stop(taskId);
          return { content: [{ type: 'text', text: `Task ${taskId} is ${task.status}.` }], structuredContent: { action: 'stop', task: taskView(task) } };
        }
        case 'restart': {
          const task = await tasks.restart(taskId);
          await kit.ownership.claim('task', task.id, caller);
          return { content: [{ type: 'text', text: `Restarted ${taskId} as ${task.id}.` }], structuredContent: { action: 'restart', task: taskView(task) } };
        }
      }
    } catch (error) {
      if (McpToolsError.isInstance(error)) return fail(error);
      throw error;
    }
  },
});

// MCP tasks on protocol 2026-07-28: the `io.modelcontextprotocol/tasks` extension (SEP-2663).
// The server decides per call whether a tool call becomes a task, and only for a request whose
// client capabilities name the extension; the client polls `tasks/get` (the result is inlined once
// the task ends), answers questions with `tasks/update` and stops it with `tasks/cancel`. There is
// no `tasks/result` or `tasks/list`. Tasks come from sources: the background tasks for the
// product's tools, anything else (a test's fixtures) for tools registered beside them.
import {
  CLIENT_CAPABILITIES_META_KEY,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type InputRequests,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server';
import * as z from 'zod';

import { envelopeValue, isModern } from '../tools/request-envelope.js';
import { interceptToolsCall, type ToolsCallAnswer, type ToolsCallHandler, type ToolsCallRequest } from '../tools-call-interceptor.js';

/**
 * The extension's identifier, as clients and servers name it in their capabilities.
 *
 * @example
 * ```ts
 * const capabilities = { extensions: { [TASKS_EXTENSION_ID]: {} } };
 * ```
 */
export const TASKS_EXTENSION_ID = 'io.modelcontextprotocol/tasks';

/**
 * One task as the extension shows it. Times are epoch milliseconds; `inputRequests` (status
 * `input_required`), `result` (`completed`) and `error` (`failed`: a JSON-RPC error) go with
 * their status only.
 *
 * @example
 * ```ts
 * const task: ExtensionTask = { taskId, status: 'working', createdAt: Date.now(), lastUpdatedAt: Date.now(), ttlMs: null };
 * ```
 */
export interface ExtensionTask {
  readonly taskId: string;
  readonly status: 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';
  readonly statusMessage?: string | undefined;
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
  /** How long after creation the task may be discarded; `null`: kept until deleted. */
  readonly ttlMs: number | null;
  readonly inputRequests?: InputRequests | undefined;
  readonly result?: CallToolResult | undefined;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown } | undefined;
}

/**
 * Where a tool's tasks live. `update` and `cancel` resolve `false` for a task they do not know.
 *
 * @example
 * ```ts
 * const source: ExtensionTaskSource = { get: (id) => registry.view(id), update: (id, answers) => registry.answer(id, answers), cancel: (id) => registry.cancel(id) };
 * ```
 */
export interface ExtensionTaskSource {
  /** The task, or `undefined` when unknown (or, for `context`'s caller, not theirs to see). */
  get(taskId: string, context?: ServerContext): Promise<ExtensionTask | undefined>;
  /** Answers outstanding input requests; keys not outstanding are ignored. */
  update(taskId: string, inputResponses: Readonly<Record<string, unknown>>, context?: ServerContext): Promise<boolean>;
  /** Asks the task to stop (it may still end otherwise). */
  cancel(taskId: string, context?: ServerContext): Promise<boolean>;
}

/**
 * A call as the tool was called: its name, arguments and the rest of its params.
 *
 * @example
 * ```ts
 * const call: ToolCallParams = { name: 'slow_compute', arguments: { seconds: 1 } };
 * ```
 */
export type ToolCallParams = ToolsCallRequest['params'];

/**
 * What a {@link StartTask} did: started a task, or answered the call without one (a tool error,
 * an answer the tool gave at once, or an input-required result: questions before the task exists).
 *
 * @example
 * ```ts
 * const started: StartedTask = { taskId: randomUUID() };
 * ```
 */
export type StartedTask = { readonly taskId: string } | { readonly answer: ToolsCallAnswer };

/**
 * Starts a task for a call of a client that declared the extension. `run` calls the tool as
 * registered (arguments validated), with the params given.
 *
 * @example
 * ```ts
 * const start: StartTask = async (call) => ({ taskId: registry.begin(call.arguments) });
 * ```
 */
export type StartTask = (call: ToolCallParams, run: (call: ToolCallParams) => Promise<ToolsCallAnswer>, context: ServerContext) => Promise<StartedTask>;

/**
 * How a tool takes part: `optional` runs it as usual for a client without the extension;
 * `required` refuses such a client with -32021.
 *
 * @example
 * ```ts
 * extension.offer('claude_ask', { support: 'optional', source, start });
 * ```
 */
export interface TaskTool {
  readonly support: 'optional' | 'required';
  readonly source: ExtensionTaskSource;
  readonly start: StartTask;
}

/**
 * The extension on one server: offer tools as tasks.
 *
 * @example
 * ```ts
 * tasksExtensionOf(server)?.offer('slow_compute', { support: 'optional', source, start });
 * ```
 */
export interface TasksExtension {
  offer(toolName: string, tool: TaskTool): void;
}

/**
 * Options of {@link enableTasksExtension}.
 *
 * @example
 * ```ts
 * const extension = enableTasksExtension(server, { pollIntervalMs: 500 });
 * ```
 */
export interface TasksExtensionOptions {
  /** How often clients should poll `tasks/get`, in ms (default 1000). */
  readonly pollIntervalMs?: number;
}

const extensions = new WeakMap<McpServer, TasksExtension>();

/**
 * Whether this request's client capabilities name the extension (2026-07-28 only).
 *
 * @example
 * ```ts
 * if (declaresTasksExtension(context)) return { taskId: registry.begin() };
 * ```
 */
export function declaresTasksExtension(context: ServerContext): boolean {
  if (!isModern(context)) return false;
  const capabilities = envelopeValue(context, CLIENT_CAPABILITIES_META_KEY) as { extensions?: Record<string, unknown> } | undefined;
  const declared = capabilities?.extensions?.[TASKS_EXTENSION_ID];
  return typeof declared === 'object' && declared !== null;
}

function missingExtension(what: string): MissingRequiredClientCapabilityError {
  return new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } },
    `${what} needs the ${TASKS_EXTENSION_ID} extension: declare it in the request's client capabilities (_meta["${CLIENT_CAPABILITIES_META_KEY}"].extensions)`,
  );
}

const iso = (ms: number) => new Date(ms).toISOString();
const TERMINAL = new Set<ExtensionTask['status']>(['completed', 'failed', 'cancelled']);

// The fields every view of a task carries (CreateTaskResult, tasks/get).
function taskFields(task: ExtensionTask, pollIntervalMs: number): Record<string, unknown> {
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage ? { statusMessage: task.statusMessage } : {}),
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.lastUpdatedAt),
    ttlMs: task.ttlMs,
    ...(TERMINAL.has(task.status) ? {} : { pollIntervalMs }),
  };
}

// tasks/get: the task and what goes with its status. The inlined result is what the call would
// have returned on 2026-07-28 (`resultType: "complete"`), naming no related task.
function detailedTask(task: ExtensionTask, pollIntervalMs: number): Record<string, unknown> {
  const { [RELATED_TASK_META_KEY]: _related, ...meta } = task.result?._meta ?? {};
  const result = task.result && { resultType: 'complete', ...task.result, ...(task.result._meta ? { _meta: meta } : {}) };
  return {
    ...taskFields(task, pollIntervalMs),
    ...(task.status === 'input_required' ? { inputRequests: task.inputRequests ?? {} } : {}),
    ...(task.status === 'completed' && result ? { result } : {}),
    ...(task.status === 'failed' ? { error: task.error ?? { code: ProtocolErrorCode.InternalError, message: task.statusMessage ?? 'The task failed.' } } : {}),
  };
}

interface Registry {
  readonly tools: Map<string, TaskTool>;
  readonly pollIntervalMs: number;
}

function taskCreatingToolsCall(delegate: ToolsCallHandler, registry: Registry): ToolsCallHandler {
  return async (request, context) => {
    const tool = registry.tools.get(request.params.name);
    if (tool === undefined || !isModern(context)) return delegate(request, context);
    if (!declaresTasksExtension(context)) {
      if (tool.support === 'required') throw missingExtension(`Tool ${request.params.name} runs only as a task, which`);
      return delegate(request, context);
    }
    const started = await tool.start(request.params, (params) => delegate({ ...request, params }, context), context);
    if ('answer' in started) return started.answer;
    // Only once a tasks/get would find it (the source stored it before answering).
    const task = await tool.source.get(started.taskId, context);
    if (task === undefined) throw new ProtocolError(ProtocolErrorCode.InternalError, `Task ${started.taskId} was started but cannot be found`);
    return { resultType: 'task', ...taskFields(task, registry.pollIntervalMs) };
  };
}

// Params are parsed after the capability gate: a client without the extension learns that first,
// whatever it sent. The SDK lifts `inputResponses` out of the params into `ctx.mcpReq.inputResponses`.
const anyParams = z.looseObject({});
const taskIdParams = z.looseObject({ taskId: z.string().min(1).max(200) });
const updateParams = z.looseObject({ taskId: z.string().min(1).max(200), inputResponses: z.record(z.string(), z.unknown()).optional() });

function parsed<T>(schema: z.ZodType<T>, params: unknown, method: string): T {
  const result = schema.safeParse(params);
  if (!result.success) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid params for ${method}: ${z.prettifyError(result.error)}`);
  return result.data;
}

function registerTaskMethods(server: McpServer, registry: Registry): void {
  const lowLevel = server.server;
  const sources = () => new Set([...registry.tools.values()].map((tool) => tool.source));
  const gate = (context: ServerContext, method: string) => {
    if (!declaresTasksExtension(context)) throw missingExtension(method);
  };
  const find = async (taskId: string, context: ServerContext): Promise<{ task: ExtensionTask; source: ExtensionTaskSource }> => {
    for (const source of sources()) {
      const task = await source.get(taskId, context);
      if (task !== undefined) return { task, source };
    }
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Failed to retrieve task: task ${taskId} not found`);
  };
  lowLevel.setRequestHandler('tasks/get', { params: anyParams }, async (raw, context) => {
    gate(context, 'tasks/get');
    const params = parsed(taskIdParams, raw, 'tasks/get');
    return detailedTask((await find(params.taskId, context)).task, registry.pollIntervalMs);
  });
  lowLevel.setRequestHandler('tasks/update', { params: anyParams }, async (raw, context) => {
    gate(context, 'tasks/update');
    const params = parsed(updateParams, raw, 'tasks/update');
    const inputResponses = params.inputResponses ?? (context.mcpReq.inputResponses) ?? {};
    await (await find(params.taskId, context)).source.update(params.taskId, inputResponses, context);
    return {};
  });
  lowLevel.setRequestHandler('tasks/cancel', { params: anyParams }, async (raw, context) => {
    gate(context, 'tasks/cancel');
    const params = parsed(taskIdParams, raw, 'tasks/cancel');
    const { task, source } = await find(params.taskId, context);
    // Cancelling an ended task is acknowledged like any other: it stays as it ended.
    if (!TERMINAL.has(task.status)) await source.cancel(params.taskId, context);
    return {};
  });
}

/**
 * Declares the tasks extension on `server` (2026-07-28: `capabilities.extensions`) and answers
 * `tasks/get`, `tasks/update` and `tasks/cancel` from the sources of the tools it offers. A call
 * of an offered tool from a client that declares the extension is started with the tool's
 * `start`; from one that does not, it runs as usual (`optional`) or gets -32021 (`required`).
 * Call it before the first tool is registered (it wraps McpServer's tools/call handler).
 *
 * @example
 * ```ts
 * const extension = enableTasksExtension(server);
 * registerClaudeTools(server, options);
 * extension.offer('claude_ask', backgroundTaskTool({ tasks, resultOf: backgroundTaskResult, server }));
 * ```
 */
export function enableTasksExtension(server: McpServer, options: TasksExtensionOptions = {}): TasksExtension {
  const registry: Registry = { tools: new Map(), pollIntervalMs: options.pollIntervalMs ?? 1000 };
  interceptToolsCall(server, (delegate) => taskCreatingToolsCall(delegate, registry));
  server.server.registerCapabilities({ extensions: { [TASKS_EXTENSION_ID]: {} } });
  registerTaskMethods(server, registry);
  const extension: TasksExtension = Object.freeze({
    offer(toolName: string, tool: TaskTool) {
      registry.tools.set(toolName, tool);
    },
  });
  extensions.set(server, extension);
  return extension;
}

/**
 * The tasks extension enabled on `server`, to offer more tools as tasks (a test's fixtures).
 *
 * @example
 * ```ts
 * tasksExtensionOf(service.createServer({ era: 'modern' }))?.offer('slow_compute', fixtureTool);
 * ```
 */
export function tasksExtensionOf(server: McpServer): TasksExtension | undefined {
  return extensions.get(server);
}

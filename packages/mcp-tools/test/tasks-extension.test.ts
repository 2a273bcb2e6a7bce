// The tasks extension (2026-07-28) on a server with one tool, through the SDK's per-request HTTP
// handler (no network): what clients with and without the extension get, and every task view.
import { createMcpHandler, McpServer, RELATED_TASK_META_KEY, type CallToolResult } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';

import { backgroundTaskTool } from '../src/tasks-extension/background-task-tool.js';
import { enableTasksExtension, TASKS_EXTENSION_ID, tasksExtensionOf, type ExtensionTask, type ExtensionTaskSource } from '../src/tasks-extension/index.js';
import type { TaskManager, TaskRecord } from '../src/tasks/task-manager.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');

/** Tasks a test sets by hand; updates and cancels are recorded. */
class HandTasks implements ExtensionTaskSource {
  readonly tasks = new Map<string, ExtensionTask>();
  readonly updates: unknown[] = [];
  readonly cancels: string[] = [];
  get(taskId: string) {
    return Promise.resolve(this.tasks.get(taskId));
  }
  update(taskId: string, responses: Readonly<Record<string, unknown>>) {
    this.updates.push(responses);
    return Promise.resolve(this.tasks.has(taskId));
  }
  cancel(taskId: string) {
    this.cancels.push(taskId);
    return Promise.resolve(this.tasks.has(taskId));
  }
}

function serve(support: 'optional' | 'required') {
  const source = new HandTasks();
  const handler = createMcpHandler(() => {
    const server = new McpServer({ name: 't', version: '1' });
    enableTasksExtension(server, { pollIntervalMs: 250 });
    server.registerTool('work', { inputSchema: z.object({ n: z.number() }) }, ({ n }) => ({ content: [{ type: 'text', text: `ran ${n} at once` }] }));
    tasksExtensionOf(server)?.offer('work', {
      support,
      source,
      start: (call) => {
        const taskId = `task-${String(call.arguments?.['n'])}`;
        source.tasks.set(taskId, { taskId, status: 'working', createdAt: NOW, lastUpdatedAt: NOW, ttlMs: 60_000 });
        return Promise.resolve({ taskId });
      },
    });
    return server;
  }, { legacy: 'reject' });
  const call = async (method: string, params: Record<string, unknown>, capabilities: Record<string, unknown> = { extensions: { [TASKS_EXTENSION_ID]: {} } }) => {
    const name = (params['name'] ?? params['taskId']) as string | undefined;
    const body = { jsonrpc: '2.0', id: 7, method, params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'c', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': capabilities } } };
    const response = await handler.fetch(
      new Request('http://127.0.0.1/mcp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) },
        body: JSON.stringify(body),
      }),
    );
    return (await response.json()) as { result?: Record<string, unknown>; error?: { code: number; data?: unknown } };
  };
  return { source, call };
}

/** A result without the `_meta` the SDK adds to every one (the server's info). */
const withoutMeta = (result: Record<string, unknown> | undefined) => {
  const { _meta: _ignored, ...rest } = result ?? {};
  return rest;
};

describe('the tasks extension', () => {
  it('advertises itself, and turns a call from a declaring client into a flat CreateTaskResult', async () => {
    const { call } = serve('optional');
    const discovered = await call('server/discover', {});
    expect(discovered.result?.['capabilities']).toMatchObject({ extensions: { [TASKS_EXTENSION_ID]: {} } });
    const created = await call('tools/call', { name: 'work', arguments: { n: 1 } });
    expect(created.result).toMatchObject({ resultType: 'task', taskId: 'task-1', status: 'working', createdAt: '2026-12-01T10:00:00.000Z', ttlMs: 60_000, pollIntervalMs: 250 });
    for (const absent of ['task', 'result', 'error', 'inputRequests', 'ttl', 'pollInterval']) expect(created.result).not.toHaveProperty(absent);
  });

  it('runs an optional tool at once for a client without the extension, and refuses a required one with -32021', async () => {
    const optional = serve('optional');
    expect((await optional.call('tools/call', { name: 'work', arguments: { n: 2 } }, {})).result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'ran 2 at once' }] });
    const required = serve('required');
    const refused = await required.call('tools/call', { name: 'work', arguments: { n: 2 } }, {});
    expect(refused.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } } });
  });

  it('tasks/get inlines what goes with each status; the result says complete and names no related task', async () => {
    const { source, call } = serve('optional');
    const result: CallToolResult = { content: [{ type: 'text', text: 'done' }], _meta: { [RELATED_TASK_META_KEY]: { taskId: 'a' }, kept: 1 } };
    const base = { createdAt: NOW, lastUpdatedAt: NOW + 1000, ttlMs: null };
    source.tasks.set('a', { ...base, taskId: 'a', status: 'completed', result });
    source.tasks.set('b', { ...base, taskId: 'b', status: 'failed', statusMessage: 'boom', error: { code: -32603, message: 'boom' } });
    source.tasks.set('c', { ...base, taskId: 'c', status: 'input_required', inputRequests: { q: { method: 'elicitation/create', params: { message: 'ok?', requestedSchema: { type: 'object', properties: {} } } } } });
    expect((await call('tasks/get', { taskId: 'a' })).result).toMatchObject({ resultType: 'complete', status: 'completed', ttlMs: null, result: { resultType: 'complete', content: [{ text: 'done' }], _meta: { kept: 1 } } });
    expect((await call('tasks/get', { taskId: 'a' })).result).not.toHaveProperty('pollIntervalMs');
    expect(((await call('tasks/get', { taskId: 'a' })).result?.['result'] as CallToolResult)._meta).not.toHaveProperty(RELATED_TASK_META_KEY);
    expect((await call('tasks/get', { taskId: 'b' })).result).toMatchObject({ status: 'failed', statusMessage: 'boom', error: { code: -32603, message: 'boom' } });
    expect((await call('tasks/get', { taskId: 'b' })).result).not.toHaveProperty('result');
    expect((await call('tasks/get', { taskId: 'c' })).result).toMatchObject({ status: 'input_required', inputRequests: { q: { method: 'elicitation/create' } }, pollIntervalMs: 250 });
  });

  it('tasks/update and tasks/cancel acknowledge with nothing else; cancelling an ended task leaves it be', async () => {
    const { source, call } = serve('optional');
    await call('tools/call', { name: 'work', arguments: { n: 3 } });
    expect(withoutMeta((await call('tasks/update', { taskId: 'task-3', inputResponses: { q: { action: 'accept', content: {} } } })).result)).toEqual({ resultType: 'complete' });
    expect(source.updates).toEqual([{ q: { action: 'accept', content: {} } }]);
    expect(withoutMeta((await call('tasks/cancel', { taskId: 'task-3' })).result)).toEqual({ resultType: 'complete' });
    source.tasks.set('done', { taskId: 'done', status: 'completed', createdAt: NOW, lastUpdatedAt: NOW, ttlMs: null, result: { content: [] } });
    expect(withoutMeta((await call('tasks/cancel', { taskId: 'done' })).result)).toEqual({ resultType: 'complete' });
    expect(source.cancels).toEqual(['task-3']);
  });

  it('checks the capability before the task (-32021), then the task (-32602); tasks/result and tasks/list do not exist', async () => {
    const { call } = serve('optional');
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      expect((await call(method, { taskId: 'unknown', inputResponses: {} }, {})).error).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } } });
      expect((await call(method, { taskId: 'unknown', inputResponses: {} })).error).toMatchObject({ code: -32602 });
    }
    // Whatever the params: a client without the extension hears of that first.
    expect((await call('tasks/get', {}, {})).error).toMatchObject({ code: -32021 });
    expect((await call('tasks/get', {})).error).toMatchObject({ code: -32602 });
    expect((await call('tasks/result', { taskId: 'unknown' })).error).toMatchObject({ code: -32601 });
    expect((await call('tasks/list', {})).error).toMatchObject({ code: -32601 });
  });
});

describe('claude_ask as a task tool', () => {
  const record = (status: TaskRecord['status'], extra: Partial<TaskRecord> = {}): TaskRecord =>
    ({ id: 't', status, createdAt: NOW, startedAt: NOW + 10, finishedAt: status === 'queued' || status === 'running' ? null : NOW + 20, error: null, ...extra }) as TaskRecord;
  const toolFor = (task: TaskRecord, active = true) => {
    const stopped: string[] = [];
    const tasks = { get: () => Promise.resolve(task), isActive: () => active, stop: (id: string) => (stopped.push(id), Promise.resolve(task)) } as unknown as TaskManager;
    return { tool: backgroundTaskTool({ tasks, resultOf: (t) => ({ content: [{ type: 'text', text: `result of ${t.status}` }], ...(t.status === 'completed' ? {} : { isError: true }) }), canAsk: () => false }), stopped };
  };

  it.each([
    ['queued', 'working', undefined],
    ['running', 'working', undefined],
    ['completed', 'completed', false],
    ['failed', 'completed', true],
    ['interrupted', 'completed', true],
    ['stopped', 'cancelled', undefined],
  ] as const)('shows a %s background task as %s (a failed run is a tool error, not a JSON-RPC one)', async (status, shown, isError) => {
    const view = await toolFor(record(status, status === 'stopped' ? { error: 'Stopped with claude_background_tasks.' } : {})).tool.source.get('t');
    expect(view?.status).toBe(shown);
    expect(view?.ttlMs).toBeNull();
    if (isError === undefined) expect(view?.result).toBeUndefined();
    else expect(view?.result?.isError ?? false).toBe(isError);
    if (status === 'queued') expect(view?.statusMessage).toContain('slot');
  });

  it('cancels a task of this server, acknowledges one that ended meanwhile, and refuses one another server runs', async () => {
    const own = toolFor(record('running'));
    expect(await own.tool.source.cancel('t')).toBe(true);
    expect(own.stopped).toEqual(['t']);
    const ended = toolFor(record('completed'), false);
    expect(await ended.tool.source.cancel('t')).toBe(true);
    expect(ended.stopped).toEqual([]);
    await expect(toolFor(record('running'), false).tool.source.cancel('t')).rejects.toMatchObject({ code: -32603, message: expect.stringContaining('another server process') as string });
  });

  it('starts a background task unless the client can be asked and did not set backgroundTask', async () => {
    const { tool } = toolFor(record('running'));
    const started = { content: [], structuredContent: { status: 'started', taskId: 'new-task' } };
    const calls: unknown[] = [];
    const run = (call: unknown) => (calls.push(call), Promise.resolve(started));
    const context = {} as never;
    expect(await tool.start({ name: 'claude_ask', arguments: { query: 'q' } }, run, context)).toEqual({ taskId: 'new-task' });
    expect(calls[0]).toMatchObject({ arguments: { query: 'q', backgroundTask: true } });
    const askable = backgroundTaskTool({ tasks: {} as TaskManager, resultOf: () => ({ content: [] }), canAsk: () => true });
    const answered = await askable.start({ name: 'claude_ask', arguments: { query: 'q' } }, () => Promise.resolve({ content: [{ type: 'text', text: 'ran' }] }), context);
    expect(answered).toEqual({ answer: { content: [{ type: 'text', text: 'ran' }] } });
    const refused = await tool.start({ name: 'claude_ask', arguments: { query: 'q' } }, () => Promise.resolve({ content: [], isError: true }), context);
    expect(refused).toEqual({ answer: { content: [], isError: true } });
    // An explicit `backgroundTask: false` runs the call as usual, even for a client that cannot be asked.
    const plain = await tool.start({ name: 'claude_ask', arguments: { query: 'q', backgroundTask: false } }, () => Promise.resolve({ content: [{ type: 'text', text: 'ran' }] }), context);
    expect(plain).toEqual({ answer: { content: [{ type: 'text', text: 'ran' }] } });
  });
});

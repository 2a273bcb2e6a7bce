// claude_ask as a task of the 2026-07-28 tasks extension over HTTP, driven by the extension's own
// requester (@modelcontextprotocol/ext-tasks): created, polled, its result inlined, cancelled;
// and the same task seen through claude_background_tasks.
import { httpRawDispatch, tasksPort, text, toolUse, turn, type RawDispatch } from '@claude-code-mcp/test-harness';
import { withTasks, type ConnectedMcpSessionPort } from '@modelcontextprotocol/ext-tasks/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

const TASKS = 'io.modelcontextprotocol/tasks';
const LONG_BASH = 'for i in $(seq 1 120); do sleep 1; done';

let fixture: ServerFixture;
let server: RunningServer | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture.dispose();
});

const envelope = (capabilities: Record<string, unknown>) => ({
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': capabilities,
});

async function resultOf(dispatch: RawDispatch, method: string, params: Record<string, unknown>, capabilities: Record<string, unknown> = { extensions: { [TASKS]: {} } }) {
  const response = await dispatch({ method, params: { ...params, _meta: envelope(capabilities) } });
  if (response.kind === 'error') throw Object.assign(new Error(response.error.message), { code: response.error.code, data: response.error.data });
  return response.result as Record<string, unknown>;
}

describe('claude_ask through the tasks extension (2026-07-28, HTTP)', () => {
  it('the ext-tasks requester creates the task, polls it and gets the result; the tool and tasks/get show the same task', async () => {
    fixture.mock.script(turn(toolUse('Bash', { command: 'sleep 1; echo polled', description: 'wait' }), { match: { userText: 'as a task' } }), turn(text('done as an extension task'), { match: { toolResult: true } }));
    server = await startServer(fixture);
    const dispatch = httpRawDispatch(new URL('/mcp', server.origin));
    const discovered = await resultOf(dispatch, 'server/discover', {});
    expect((discovered['capabilities'] as { extensions: Record<string, unknown> }).extensions[TASKS]).toEqual({});
    expect((discovered['capabilities'] as Record<string, unknown>)['tasks']).toBeUndefined();

    const session = withTasks(tasksPort({ endpointId: 'http', dispatch, clientCapabilities: { extensions: { [TASKS]: {} } } }) as unknown as ConnectedMcpSessionPort);
    const execution = await session.callTool('claude_ask', { query: 'as a task', allowedTools: ['Bash'] });
    expect(execution.kind).toBe('task');
    const taskId = execution.handle!.taskId;
    const working = await resultOf(dispatch, 'tasks/get', { taskId });
    expect(working).toMatchObject({ resultType: 'complete', taskId, status: 'working', ttlMs: null, pollIntervalMs: 1000 });

    const { outcome } = await execution.settle();
    const failure = (outcome as { error?: Error }).error;
    expect(outcome, `${failure?.message} ${String((failure?.cause as Error | undefined)?.message)}`).toMatchObject({ status: 'completed' });
    const result = (outcome as unknown as { result: { content: { text: string }[]; structuredContent: { status: string; result: string; costUsd: number } } }).result;
    expect(result.content[0]?.text).toMatch(/^done as an extension task/);
    expect(result.structuredContent).toMatchObject({ status: 'completed', result: 'done as an extension task' });
    expect(result.structuredContent.costUsd).toBeGreaterThan(0);
    const viaTool = await resultOf(dispatch, 'tools/call', { name: 'claude_background_tasks', arguments: { action: 'get', taskId } });
    expect((viaTool['structuredContent'] as { task: { status: string } }).task.status).toBe('completed');
    await session.close();
  });

  it('cancel stops the run; a client without the extension gets a plain run, and -32021 on tasks/*', async () => {
    fixture.mock.script(turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'long task' } }), turn(text('plain answer'), { match: { userText: 'no extension' } }));
    server = await startServer(fixture);
    const dispatch = httpRawDispatch(new URL('/mcp', server.origin));
    const session = withTasks(tasksPort({ endpointId: 'http', dispatch, clientCapabilities: { extensions: { [TASKS]: {} } } }) as unknown as ConnectedMcpSessionPort);
    const execution = await session.callTool('claude_ask', { query: 'long task', allowedTools: ['Bash'] });
    const taskId = execution.handle!.taskId;
    await expect.poll(async () => (await resultOf(dispatch, 'tools/call', { name: 'claude_background_tasks', arguments: { action: 'get', taskId } }))['structuredContent'], { timeout: 15_000 }).toMatchObject({ task: { status: 'running' } });
    await execution.cancel();
    await expect.poll(async () => (await resultOf(dispatch, 'tasks/get', { taskId }))['status'], { timeout: 15_000 }).toBe('cancelled');
    // Cancelling what has ended is acknowledged, and changes nothing.
    expect(await resultOf(dispatch, 'tasks/cancel', { taskId })).toEqual(expect.objectContaining({ resultType: 'complete' }));
    await session.close();

    const plain = await resultOf(dispatch, 'tools/call', { name: 'claude_ask', arguments: { query: 'no extension' } }, {});
    expect(plain['resultType']).toBe('complete');
    expect((plain['structuredContent'] as { result: string }).result).toBe('plain answer');
    await expect(resultOf(dispatch, 'tasks/get', { taskId }, {})).rejects.toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS]: {} } } } });
    await expect(resultOf(dispatch, 'tasks/get', { taskId: 'no-such-task' })).rejects.toMatchObject({ code: -32602 });
    await expect(resultOf(dispatch, 'tasks/list', {})).rejects.toMatchObject({ code: -32601 });
  });
});

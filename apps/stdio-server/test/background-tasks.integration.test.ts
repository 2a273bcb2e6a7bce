// Background tasks through the built server: started at once, listed, logs paged, stopped with no
// process left, restarted; they run in processes of their own that outlive the server (a client
// that exits, a SIGKILL), and the next server on the data folder adopts them.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { listDescendants } from '@claude-code-mcp/claude-cli-driver';
import { descendantPids, stdioRawDispatch, tasksPort, text, toolUse, turn } from '@claude-code-mcp/test-harness';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome, toolDeclarationFromMcpTool, withTasks, type ConnectedMcpSessionPort } from '@modelcontextprotocol/ext-tasks/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { commandLine, connect, createServerFixture, isRunning, LONG_BASH, SERVER_ENTRY, waitForDescendant, type ServerFixture } from './helpers.js';

const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

interface TaskView {
  id: string;
  status: string;
  result: string | null;
  costUsd: number;
  restartedFrom: string | null;
  sessionId: string | null;
}
type TasksOutput = { action: string; task?: TaskView; tasks?: TaskView[]; logs?: { lines: string[]; offset: number; nextOffset: number | null; total: number } };
const tasksOutput = (result: CallToolResult) => result.structuredContent as TasksOutput;

async function waitForStatus(call: () => Promise<CallToolResult>, status: string, timeoutMs = 30_000): Promise<TaskView> {
  const deadline = Date.now() + timeoutMs;
  let last: TaskView | undefined;
  while (Date.now() < deadline) {
    last = tasksOutput(await call()).task;
    if (last?.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`task never became ${status} (last: ${JSON.stringify(last)})`);
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pid of the Claude Code process below `serverPid` once its Bash command matches `pattern`. */
async function cliOf(serverPid: number, pattern: RegExp): Promise<number> {
  const tree = await waitForDescendant(serverPid, pattern);
  const cli = tree.find((pid) => /claude/.test(commandLine(pid)));
  if (cli === undefined) throw new Error(`no claude process below ${serverPid}`);
  return cli;
}

/** The server started by hand, speaking raw JSON-RPC, so the test decides how it ends. */
function startRawServer(env: Record<string, string> = fixture.env): { child: ChildProcessWithoutNullStreams; request: (id: number, method: string, params?: object) => Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [SERVER_ENTRY], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  const request = async (id: number, method: string, params: object = {}) => {
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const line = stdout.split('\n').find((candidate) => candidate.includes(`"id":${id},`) || candidate.endsWith(`"id":${id}}`));
      if (line) return JSON.parse(line) as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no reply to ${method}`);
  };
  return { child, request };
}

describe('background tasks', () => {
  it('starts at once, completes, pages its logs, and restarts as a linked task', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'echo step one; echo step two', description: 'steps' }), { match: { userText: 'background job' }, delayMs: 300, times: 2 }),
      turn(text('background done'), { match: { toolResult: true }, times: 2 }),
    );
    const { client, close, stderr } = await connect(fixture);
    const started = Date.now();
    const ask = await client.callTool({ name: 'claude_ask', arguments: { query: 'background job', allowedTools: ['Bash'], backgroundTask: true } });
    expect(Date.now() - started).toBeLessThan(2_000);
    const askOutput = ask.structuredContent as { status: string; taskId: string };
    expect(askOutput.status).toBe('started');
    const taskId = askOutput.taskId;

    const listed = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'list' } }));
    expect(listed.tasks?.map((task) => task.id)).toContain(taskId);

    const done = await waitForStatus(() => client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } }), 'completed');
    expect(done.result).toBe('background done');
    const result = await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'result', taskId } });
    expect(result.content).toEqual([{ type: 'text', text: 'background done' }]);

    const all = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'logs', taskId, limit: 1000 } })).logs;
    expect(all?.lines.join('\n')).toContain('[tool] Bash');
    expect(all?.lines.join('\n')).toContain('step two');
    expect(all?.lines.at(-1)).toMatch(/^\[result\] background done/);
    const firstPage = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'logs', taskId, offset: 0, limit: 2 } })).logs;
    const secondPage = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'logs', taskId, offset: 2, limit: 2 } })).logs;
    expect(firstPage?.lines).toEqual(all?.lines.slice(0, 2));
    expect(firstPage?.nextOffset).toBe(2);
    expect(secondPage?.lines).toEqual(all?.lines.slice(2, 4));
    const raw = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'logs', taskId, raw: true, limit: 1000 } })).logs;
    for (const line of raw?.lines ?? []) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(raw?.lines.some((line) => line.includes('"type":"result"'))).toBe(true);

    const restarted = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'restart', taskId } })).task;
    expect(restarted?.id).not.toBe(taskId);
    expect(restarted?.restartedFrom).toBe(taskId);
    const second = await waitForStatus(() => client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId: restarted?.id } }), 'completed');
    expect(second.result).toBe('background done');
    // The task events (what webhooks will consume) reached the app's onEvent, which logs them.
    const events = stderr()
      .split('\n')
      .filter((line) => line.includes('background task event'))
      .map((line) => (JSON.parse(line) as { event: string; taskId: string }));
    expect(events.filter((event) => event.taskId === taskId).map((event) => event.event)).toEqual(['background_task.started', 'background_task.completed']);
    await close();
  });

  it('stop ends the task and leaves no process', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    const { client, close, transport } = await connect(fixture);
    const ask = await client.callTool({ name: 'claude_ask', arguments: { query: 'long', allowedTools: ['Bash'], backgroundTask: true } });
    const taskId = (ask.structuredContent as { taskId: string }).taskId;
    const tree = await waitForDescendant(transport.pid ?? -1, /^sleep 1$/);
    const stopped = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'stop', taskId } })).task;
    expect(stopped?.status).toBe('stopped');
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && tree.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of tree) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    const again = await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'stop', taskId } });
    expect(again.isError).toBe(true);
    await close();
  });

  it('a client that exits (the SDK client closing) leaves its task running; the next server reports it completed, with result and cost', async () => {
    fixture.mock.script(
      toolUse('Bash', { command: 'sleep 3; echo outlived > outlived.txt', description: 'slow' }),
      turn(text('finished without a server'), { match: { toolResult: true } }),
    );
    const first = await connect(fixture);
    const ask = await first.client.callTool({ name: 'claude_ask', arguments: { query: 'go', allowedTools: ['Bash'], backgroundTask: true } });
    const taskId = (ask.structuredContent as { taskId: string }).taskId;
    const serverPid = first.transport.pid ?? -1;
    const cli = await cliOf(serverPid, /^sleep 3$/);
    await first.close();
    await waitUntil(() => !isRunning(serverPid), 'the first server to exit');
    expect(first.stderr()).toContain('the next server on this data folder adopts them');
    expect(isRunning(cli)).toBe(true);

    const second = await connect(fixture);
    const done = await waitForStatus(() => second.client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } }), 'completed');
    expect(done.result).toBe('finished without a server');
    expect(done.costUsd).toBeGreaterThan(0);
    expect(readFileSync(join(fixture.sandbox.cwd, 'outlived.txt'), 'utf8')).toBe('outlived\n');
    expect(second.stderr()).toContain('adopting a background task');
    await second.close();
  });

  it('a server killed mid-task (SIGKILL): its task runs on and the next server records it completed', async () => {
    fixture.mock.script(
      toolUse('Bash', { command: 'sleep 2; echo survived', description: 'slow' }),
      turn(text('survived the kill'), { match: { toolResult: true } }),
    );
    const first = startRawServer();
    await first.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    const reply = await first.request(2, 'tools/call', { name: 'claude_ask', arguments: { query: 'go', allowedTools: ['Bash'], backgroundTask: true } });
    const taskId = ((reply['result'] as { structuredContent: { taskId: string } }).structuredContent).taskId;
    const cli = await cliOf(first.child.pid ?? -1, /^sleep 2$/);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.on('close', resolve));
    expect(isRunning(cli)).toBe(true);

    const { client, close } = await connect(fixture);
    const done = await waitForStatus(() => client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } }), 'completed');
    expect(done).toMatchObject({ result: 'survived the kill', status: 'completed' });
    expect(done.costUsd).toBeGreaterThan(0);
    await waitUntil(() => !isRunning(cli), 'the CLI to exit');
    await close();
  });

  it('stop after adoption ends the CLI and its Bash command (pids checked)', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    const first = startRawServer();
    await first.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
    const reply = await first.request(2, 'tools/call', { name: 'claude_ask', arguments: { query: 'go', allowedTools: ['Bash'], backgroundTask: true } });
    const taskId = ((reply['result'] as { structuredContent: { taskId: string } }).structuredContent).taskId;
    const tree = await waitForDescendant(first.child.pid ?? -1, /^sleep 1$/);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.on('close', resolve));
    expect(tree.some(isRunning)).toBe(true);

    const { client, close } = await connect(fixture);
    const adopted = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } })).task;
    expect(adopted?.status).toBe('running');
    const stopped = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'stop', taskId } })).task;
    expect(stopped?.status).toBe('stopped');
    for (const pid of tree.filter((pid) => pid !== first.child.pid)) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    expect(listDescendants(process.pid).some((entry) => tree.includes(entry.pid))).toBe(false);
    await close();
  });

  it('with BACKGROUND_TASKS_ON_SHUTDOWN=stop, SIGTERM stops the task and its processes, and says why', async () => {
    const own = await createServerFixture({ BACKGROUND_TASKS_ON_SHUTDOWN: 'stop' });
    try {
      own.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
      const first = startRawServer(own.env);
      await first.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } });
      const reply = await first.request(2, 'tools/call', { name: 'claude_ask', arguments: { query: 'go', allowedTools: ['Bash'], backgroundTask: true } });
      const taskId = ((reply['result'] as { structuredContent: { taskId: string } }).structuredContent).taskId;
      const tree = await waitForDescendant(first.child.pid ?? -1, /^sleep 1$/);
      first.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => first.child.on('close', resolve));
      expect(code).toBe(0);
      for (const pid of tree) expect(isRunning(pid), `pid ${pid}`).toBe(false);
      const { client, close } = await connect(own);
      const task = tasksOutput(await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } })).task as TaskView & { error: string };
      expect(task.status).toBe('stopped');
      expect(task.error).toContain('BACKGROUND_TASKS_ON_SHUTDOWN=stop');
      await close();
    } finally {
      await own.dispose();
    }
  });

  it.each([
    ['allow', true],
    ['deny', false],
  ])('PERMISSION_POLICY=%s decides a Write of a background task (no one to ask)', async (policy, written) => {
    const own = await createServerFixture({ PERMISSION_POLICY: policy });
    try {
      const target = join(own.sandbox.cwd, 'policy.txt');
      own.mock.script(toolUse('Write', { file_path: target, content: 'by policy\n' }), turn(text('wrote or not'), { match: { toolResult: true } }));
      const { client, close } = await connect(own);
      const ask = await client.callTool({ name: 'claude_ask', arguments: { query: 'write it', backgroundTask: true } });
      const taskId = (ask.structuredContent as { taskId: string }).taskId;
      await waitForStatus(() => client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } }), 'completed');
      expect(existsSync(target)).toBe(written);
      await close();
    } finally {
      await own.dispose();
    }
  });
});

describe('MCP tasks (protocol 2025-11-25)', () => {
  it('a task-augmented claude_ask is a background task: tasks/get, tasks/result, tasks/list, tasks/cancel', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'echo as a task', description: 'echo' }), { match: { userText: 'task job' }, delayMs: 300 }),
      turn(text('done as an MCP task'), { match: { toolResult: true } }),
      turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'long task' } }),
    );
    const server = startRawServer();
    const init = await server.request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-tasks', version: '1' } });
    expect((init['result'] as { capabilities: Record<string, unknown> }).capabilities['tasks']).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const listed = (await server.request(2, 'tools/list'))['result'] as { tools: { name: string; execution?: { taskSupport?: string } }[] };
    expect(listed.tools.find((tool) => tool.name === 'claude_ask')?.execution).toEqual({ taskSupport: 'optional' });

    const created = (await server.request(3, 'tools/call', { name: 'claude_ask', arguments: { query: 'task job', allowedTools: ['Bash'] }, task: { ttl: 60_000 } }))['result'] as {
      task: { taskId: string; status: string; ttl: number | null; pollInterval?: number };
    };
    expect(created.task).toMatchObject({ status: 'working', ttl: null, pollInterval: 1000 });
    const { taskId } = created.task;
    const working = (await server.request(4, 'tasks/get', { taskId }))['result'] as { taskId: string; status: string };
    expect(working).toMatchObject({ taskId, status: 'working' });

    // tasks/result waits for the end and returns what claude_ask would have.
    const result = (await server.request(5, 'tasks/result', { taskId }))['result'] as CallToolResult & { _meta: Record<string, unknown> };
    expect(result.structuredContent).toMatchObject({ status: 'completed', taskId, result: 'done as an MCP task' });
    expect(result._meta['io.modelcontextprotocol/related-task']).toEqual({ taskId });
    expect(((await server.request(6, 'tasks/get', { taskId }))['result'] as { status: string }).status).toBe('completed');
    // The same task, seen through the tool.
    const viaTool = (await server.request(7, 'tools/call', { name: 'claude_background_tasks', arguments: { action: 'get', taskId } }))['result'] as CallToolResult;
    expect(tasksOutput(viaTool).task?.status).toBe('completed');

    // The first task's session stays warm; only what the second one starts must go.
    const warm = descendantPids(server.child.pid ?? -1);
    const long = (await server.request(8, 'tools/call', { name: 'claude_ask', arguments: { query: 'long task', allowedTools: ['Bash'] }, task: {} }))['result'] as { task: { taskId: string } };
    const tree = (await waitForDescendant(server.child.pid ?? -1, /^sleep 1$/)).filter((pid) => !warm.includes(pid));
    const all = (await server.request(9, 'tasks/list'))['result'] as { tasks: { taskId: string; status: string }[] };
    expect(all.tasks.map((task) => [task.taskId, task.status])).toEqual([
      [long.task.taskId, 'working'],
      [taskId, 'completed'],
    ]);
    const cancelled = (await server.request(10, 'tasks/cancel', { taskId: long.task.taskId }))['result'] as { status: string };
    expect(cancelled.status).toBe('cancelled');
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && tree.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of tree) expect(isRunning(pid), `pid ${pid}`).toBe(false);

    // Errors the spec names: an unknown task, and cancelling one that has ended.
    const unknown = await server.request(11, 'tasks/get', { taskId: 'no-such-task' });
    expect(unknown['error']).toMatchObject({ code: -32602 });
    const again = await server.request(12, 'tasks/cancel', { taskId });
    expect(again['error']).toMatchObject({ code: -32602, message: expect.stringContaining('already completed') as unknown });
    // A tool without task support, called as a task: -32601.
    const notTaskable = await server.request(13, 'tools/call', { name: 'claude_subagent_list', arguments: {}, task: {} });
    expect(notTaskable['error']).toMatchObject({ code: -32601 });
    server.child.stdin.end();
    await new Promise((resolve) => server.child.on('close', resolve));
  });

  it("a second server on the same data folder waits on the first one's task with tasks/result, and cannot cancel it", async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'sleep 2; echo shared', description: 'slow' }), { match: { userText: 'shared job' } }),
      turn(text('finished in the first server'), { match: { toolResult: true } }),
    );
    const first = startRawServer();
    const second = startRawServer();
    const init = { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-tasks', version: '1' } };
    await first.request(1, 'initialize', init);
    await second.request(1, 'initialize', init);
    const created = (await first.request(2, 'tools/call', { name: 'claude_ask', arguments: { query: 'shared job', allowedTools: ['Bash'] }, task: {} }))['result'] as {
      task: { taskId: string };
    };
    const { taskId } = created.task;
    const refused = await second.request(2, 'tasks/cancel', { taskId });
    expect(refused['error']).toMatchObject({ code: -32602, message: expect.stringContaining('another server process') as unknown });
    // The second server only sees the database: it polls until the first one finishes the task.
    const result = (await second.request(3, 'tasks/result', { taskId }))['result'] as CallToolResult;
    expect(result.structuredContent).toMatchObject({ status: 'completed', taskId, result: 'finished in the first server' });
    for (const server of [first, second]) {
      server.child.stdin.end();
      await new Promise((resolve) => server.child.on('close', resolve));
    }
  });

  it('the MCP Tasks client library (@modelcontextprotocol/ext-tasks) runs claude_ask as a task', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'echo from ext-tasks', description: 'echo' }), { match: { userText: 'ext job' } }),
      turn(text('settled through ext-tasks'), { match: { toolResult: true } }),
    );
    const { client, close } = await connect(fixture);
    const { tools } = await client.listTools();
    const declarations = new Map(tools.map((tool) => [tool.name, toolDeclarationFromMcpTool(tool)]));
    const session = createTaskSessionFromClient(client, { endpointId: 'stdio-test', tools: { currentTool: (name) => declarations.get(name) } });
    const execution = await session.callTool('claude_ask', { query: 'ext job', allowedTools: ['Bash'] }, { task: { preference: 'require' } });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    const result = resultFromTaskOutcome(outcome) as CallToolResult;
    expect(result.structuredContent).toMatchObject({ status: 'completed', result: 'settled through ext-tasks' });
    await session.close();
    await close();
  });

  it('offers no tasks capability on the 2026-07-28 protocol, where tasks left the core', async () => {
    const { client, close } = await connect(fixture, { negotiate: true });
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerCapabilities()?.['tasks']).toBeUndefined();
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === 'claude_ask')?.execution).toBeUndefined();
    await close();
  });
});

describe('MCP tasks through the extension (protocol 2026-07-28, stdio)', () => {
  it('the ext-tasks requester runs claude_ask as a task over stdio: created, polled, result, then a cancelled one', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'sleep 1; echo over stdio', description: 'wait' }), { match: { userText: 'stdio task' } }),
      turn(text('done over stdio'), { match: { toolResult: true } }),
      turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'long one' } }),
    );
    const child = spawn(process.execPath, [SERVER_ENTRY], { env: fixture.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    const dispatch = stdioRawDispatch(child);
    const session = withTasks(tasksPort({ endpointId: 'stdio', dispatch, clientCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } }) as unknown as ConnectedMcpSessionPort);
    const execution = await session.callTool('claude_ask', { query: 'stdio task', allowedTools: ['Bash'] });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    expect(outcome.status).toBe('completed');
    const result = (outcome as unknown as { result: { structuredContent: { result: string; costUsd: number; taskId: string } } }).result.structuredContent;
    expect(result).toMatchObject({ result: 'done over stdio', taskId: execution.handle?.taskId });
    expect(result.costUsd).toBeGreaterThan(0);

    const long = await session.callTool('claude_ask', { query: 'long one', allowedTools: ['Bash'] });
    const tree = await waitForDescendant(child.pid ?? -1, /^sleep 1$/);
    await long.cancel();
    const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': { extensions: { [TASKS_EXTENSION]: {} } } };
    const statusOf = async () => ((await dispatch({ method: 'tasks/get', params: { taskId: long.handle?.taskId, _meta: envelope } })) as { result: { status: string } }).result.status;
    await expect.poll(statusOf, { timeout: 15_000 }).toBe('cancelled');
    for (const pid of tree) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    await session.close();
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
  });
});

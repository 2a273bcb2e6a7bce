// Session behaviour of the built server: one run per session, the run limit's queue, idle
// closing, large results, time-limited permission questions and MCP log notifications.
import { listDescendants } from '@claude-code-mcp/claude-cli-driver';
import { text, toolUse, turn } from '@claude-code-mcp/test-harness';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';

import { commandLine, connect, createServerFixture, isRunning, LONG_BASH, waitForDescendant, type ServerFixture } from './helpers.js';

let fixture: ServerFixture | undefined;
afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

type RunOutput = { status: string; sessionId: string | null; result: string; truncated: boolean; transcriptUri?: string; error?: { code: string }; permissionDenials: { toolName: string }[] };
const output = (result: CallToolResult) => result.structuredContent as RunOutput;
const claudeProcesses = (serverPid: number) => listDescendants(serverPid).filter((entry) => /claude/.test(commandLine(entry.pid)) && !/sleep|bash/.test(commandLine(entry.pid)));

describe('sessions', () => {
  it('refuses a second run on a session that is running, with a clear message', async () => {
    fixture = await createServerFixture();
    fixture.mock.script(text('ready'), turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'busy work' } }));
    const { client, close, transport } = await connect(fixture);
    const first = output(await client.callTool({ name: 'claude_ask', arguments: { query: 'start', allowedTools: ['Bash'] } }));
    const running = client.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: 'busy work', allowedTools: ['Bash'] } });
    await waitForDescendant(transport.pid ?? -1, /^sleep 1$/);
    const second = await client.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: 'me too' } });
    expect(second.isError).toBe(true);
    expect(output(second).error?.code).toBe('MCP_TOOLS_SESSION_BUSY');
    expect(JSON.stringify(second.content)).toContain('claude_abort');
    await client.callTool({ name: 'claude_abort', arguments: { sessionId: first.sessionId } });
    expect(output(await running).status).toBe('cancelled');
    await close();
  });

  it('queues runs past MAX_CONCURRENT_SESSIONS and reports the queue position as progress', async () => {
    fixture = await createServerFixture({ MAX_CONCURRENT_SESSIONS: '1' });
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'sleep 1; sleep 1; echo first', description: 'slow' }), { match: { userText: 'first job' } }),
      turn(text('first done'), { match: { toolResult: true } }),
      turn(text('second done'), { match: { userText: 'second job' } }),
    );
    const { client, close, transport } = await connect(fixture);
    const firstCall = client.callTool({ name: 'claude_ask', arguments: { query: 'first job', allowedTools: ['Bash'] } });
    await waitForDescendant(transport.pid ?? -1, /^sleep 1$/);
    const messages: string[] = [];
    const second = output(
      await client.callTool({ name: 'claude_ask', arguments: { query: 'second job', priority: 'high' } }, { onprogress: (progress) => messages.push(progress.message ?? '') }),
    );
    expect(second).toMatchObject({ status: 'completed', result: 'second done' });
    expect(output(await firstCall)).toMatchObject({ status: 'completed', result: 'first done' });
    expect(messages).toContain('Waiting for a free slot: position 1 of 1');
    // The second run only reached the API after the first had finished.
    const requests = fixture.mock.mainRequests();
    expect(requests.map((request) => request.turnIndex)).toEqual([0, 1, 2]);
    await close();
  });

  it('closes an idle session process after SESSION_TIMEOUT_MS; the session still resumes', async () => {
    fixture = await createServerFixture({ SESSION_TIMEOUT_MS: '1000' });
    fixture.mock.script(text('one'), text('two'));
    const { client, close, transport } = await connect(fixture);
    const first = output(await client.callTool({ name: 'claude_ask', arguments: { query: 'hello' } }));
    const warm = claudeProcesses(transport.pid ?? -1);
    expect(warm).toHaveLength(1);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && warm.some((entry) => isRunning(entry.pid))) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(warm.some((entry) => isRunning(entry.pid))).toBe(false);
    const second = output(await client.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: 'again' } }));
    expect(second).toMatchObject({ status: 'completed', result: 'two', sessionId: first.sessionId });
    await close();
  });
});

describe('a server killed mid-run', () => {
  it('the next start stops the Claude Code it left running (and its Bash), so a session never has two', async () => {
    fixture = await createServerFixture();
    fixture.mock.script(text('ready'), turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'long work' } }));
    const first = await connect(fixture);
    const { sessionId } = output(await first.client.callTool({ name: 'claude_ask', arguments: { query: 'start' } }));
    const serverPid = first.transport.pid ?? -1;
    const running = first.client.callTool({ name: 'claude_resume', arguments: { sessionId, query: 'long work', allowedTools: ['Bash'] } }).catch(() => undefined);
    const tree = await waitForDescendant(serverPid, /^sleep 1$/);
    expect(claudeProcesses(serverPid)).toHaveLength(1);
    // SIGKILL: no cleanup. The CLI, its Bash and the sleep are reparented and go on with the turn.
    process.kill(serverPid, 'SIGKILL');
    await running;
    await first.close().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(tree.filter(isRunning).length).toBeGreaterThan(0);

    const second = await connect(fixture);
    await expect.poll(() => tree.filter(isRunning), { timeout: 5_000, interval: 100 }).toEqual([]);
    expect(second.stderr()).toContain('stopped Claude Code processes left running by a server that is gone');
    fixture.mock.script(text('resumed in one process'));
    const resumed = output(await second.client.callTool({ name: 'claude_resume', arguments: { sessionId, query: 'go on' } }));
    expect(resumed).toMatchObject({ status: 'completed', result: 'resumed in one process', sessionId });
    expect(claudeProcesses(second.transport.pid ?? -1)).toHaveLength(1);
    await second.close();
  });
});

describe('results and permissions', () => {
  it('caps a large result with a marker and serves the whole transcript as a resource', async () => {
    fixture = await createServerFixture({ MAX_RESULT_CHARS: '1000' });
    const long = `${'lorem ipsum '.repeat(500)}THE-END`;
    fixture.mock.script(text(long));
    const { client, close } = await connect(fixture);
    const result = await client.callTool({ name: 'claude_ask', arguments: { query: 'write a lot' } });
    const structured = output(result);
    expect(structured.truncated).toBe(true);
    expect(structured.result.length).toBeLessThan(1300);
    expect(structured.result).toContain('[… truncated');
    expect(structured.result).not.toContain('THE-END');
    const transcript = await client.readResource({ uri: structured.transcriptUri ?? '' });
    expect((transcript.contents[0] as { text: string }).text).toContain('THE-END');
    await close();
  });

  it('denies when the user does not answer a permission question in time, even under an allow policy', async () => {
    fixture = await createServerFixture({ PERMISSION_TIMEOUT_MS: '500', PERMISSION_POLICY: 'allow' });
    fixture.mock.script(toolUse('Write', { file_path: `${fixture.sandbox.cwd}/never.txt`, content: 'x' }), turn(text('gave up'), { match: { toolResult: true } }));
    const { client, close } = await connect(fixture, { elicitation: true });
    let asked = 0;
    client.setRequestHandler('elicitation/create', async () => {
      asked += 1;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return { action: 'accept', content: { decision: 'allow' } };
    });
    const started = Date.now();
    const result = output(await client.callTool({ name: 'claude_ask', arguments: { query: 'write' } }));
    expect(asked).toBe(1);
    expect(result.permissionDenials.map((denial) => denial.toolName)).toEqual(['Write']);
    expect(Date.now() - started).toBeLessThan(5_000);
    await close();
  });

  it('sends MCP log notifications for the run', async () => {
    fixture = await createServerFixture();
    fixture.mock.script(text('logged'));
    const { client, close } = await connect(fixture);
    const logs: unknown[] = [];
    client.setNotificationHandler('notifications/message', (notification) => void logs.push(notification.params.data));
    await client.setLoggingLevel('info');
    await client.callTool({ name: 'claude_ask', arguments: { query: 'log it' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(logs).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'run.started' }), expect.objectContaining({ event: 'run.completed' })]));
    await close();
  });
});

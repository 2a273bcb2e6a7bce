// Background tasks of the HTTP server outlive it: SIGTERM (the container's stop, Ctrl-C) leaves
// the task's Claude Code process running, and the next server on the same data folder adopts it.
import { commandLine, httpRawDispatch, isProcessAlive, text, toolUse, turn, waitForDescendant, type RawDispatch } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
const servers: RunningServer[] = [];
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await fixture.dispose();
});

const envelope = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

async function callTool(dispatch: RawDispatch, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await dispatch({ method: 'tools/call', params: { name, arguments: args, _meta: envelope } });
  if (response.kind === 'error') throw new Error(response.error.message);
  return (response.result as { structuredContent: Record<string, unknown> }).structuredContent;
}

describe('background tasks of the HTTP server', () => {
  it('SIGTERM leaves a running task running; the next server on the data folder records it completed, with result and cost', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'sleep 2; echo after-sigterm', description: 'slow' }), { match: { userText: 'outlive' } }),
      turn(text('finished after SIGTERM'), { match: { toolResult: true } }),
    );
    const first = await startServer(fixture);
    const started = await callTool(httpRawDispatch(new URL('/mcp', first.origin)), 'claude_ask', { query: 'outlive', allowedTools: ['Bash'], backgroundTask: true });
    const taskId = started['taskId'] as string;
    const tree = await waitForDescendant(first.child.pid ?? -1, /^sleep 2$/);
    const cli = tree.find((pid) => /claude/.test(commandLine(pid)));
    expect(await first.stop()).toBe(0);
    expect(first.stderr()).toContain('the next server on this data folder adopts them');
    expect(cli !== undefined && isProcessAlive(cli)).toBe(true);

    const second = await startServer(fixture);
    servers.push(second);
    const dispatch = httpRawDispatch(new URL('/mcp', second.origin));
    await expect
      .poll(async () => ((await callTool(dispatch, 'claude_background_tasks', { action: 'get', taskId }))['task'] as { status: string }).status, { timeout: 20_000, interval: 200 })
      .toBe('completed');
    const task = (await callTool(dispatch, 'claude_background_tasks', { action: 'get', taskId }))['task'] as { result: string; costUsd: number };
    expect(task.result).toBe('finished after SIGTERM');
    expect(task.costUsd).toBeGreaterThan(0);
    expect(second.stderr()).toContain('adopting a background task');
  });
});

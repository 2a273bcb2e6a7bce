// The built stdio server under the official SDK v2 client, running the real Claude Code binary
// against the project's mock of the Messages API.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { getLastUserTexts, getMessages, text, toolUse, turn } from '@claude-code-mcp/test-harness';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, isRunning, LONG_BASH, waitForDescendant, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

type RunOutput = {
  status: string;
  costUsd: number;
  sessionCostUsd?: number;
  sessionId: string | null;
  result: string;
  plan?: string;
  permissionDenials: { toolName: string }[];
  transcriptUri?: string;
  error?: { code: string; message: string };
};
const output = (result: CallToolResult) => result.structuredContent as RunOutput;
const textOf = (result: CallToolResult) => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

describe('tools/list', () => {
  it('lists the tools with schemas free of $schema dialect markers', async () => {
    const { client, close } = await connect(fixture);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['claude_abort', 'claude_ask', 'claude_background_tasks', 'claude_checkpoint', 'claude_plan', 'claude_plugin_install', 'claude_plugin_list', 'claude_resume', 'claude_subagent_list']);
    const serialised = JSON.stringify(tools);
    expect(serialised).not.toContain('$schema');
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(tool.annotations).toBeDefined();
      expect(tool.description?.length).toBeGreaterThan(20);
    }
    const ask = tools.find((tool) => tool.name === 'claude_ask');
    expect(Object.keys(ask?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['query', 'sessionId', 'model', 'subagent', 'thinkingLevel', 'effort', 'allowedTools', 'disallowedTools', 'priority', 'workingDirectory', 'maxTurns', 'maxBudgetUsd', 'jsonSchema']),
    );
    expect(tools.find((tool) => tool.name === 'claude_plan')?.annotations?.readOnlyHint).toBe(true);
    await close();
  });
});

describe('claude_ask and claude_resume', () => {
  it('answers, returns the session id in text and structured content, and links the transcript', async () => {
    fixture.mock.script(text('The answer is 42.'));
    const { client, close } = await connect(fixture);
    const result = (await client.callTool({ name: 'claude_ask', arguments: { query: 'what is the answer?' } }));
    expect(result.isError).toBeFalsy();
    const structured = output(result);
    expect(structured).toMatchObject({ status: 'completed', result: 'The answer is 42.' });
    expect(structured.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(textOf(result)).toContain(structured.sessionId);
    expect(result.content).toContainEqual(expect.objectContaining({ type: 'resource_link', uri: `claude-transcript://${structured.sessionId}` }));
    const transcript = await client.readResource({ uri: structured.transcriptUri ?? '' });
    const transcriptText = (transcript.contents[0] as { text: string }).text;
    expect(transcriptText).toContain('what is the answer?');
    await close();
  });

  it('writes a file through the Write tool when allowed', async () => {
    const target = join(fixture.sandbox.cwd, 'out.txt');
    fixture.mock.script(toolUse('Write', { file_path: target, content: 'from mcp\n' }), turn(text('written'), { match: { toolResult: true } }));
    const { client, close } = await connect(fixture);
    const result = (await client.callTool({ name: 'claude_ask', arguments: { query: 'write', allowedTools: ['Write'] } }));
    expect(output(result).status).toBe('completed');
    expect(readFileSync(target, 'utf8')).toBe('from mcp\n');
    await close();
  });

  it('continues a warm session with claude_resume in the same process', async () => {
    fixture.mock.script(text('first answer'), text('second answer'));
    const { client, close, transport } = await connect(fixture);
    const first = output((await client.callTool({ name: 'claude_ask', arguments: { query: 'remember 7' } })));
    const { listDescendants } = await import('@claude-code-mcp/claude-cli-driver');
    const warmBefore = listDescendants(transport.pid ?? -1).map((entry) => entry.pid);
    const second = output(
      (await client.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: 'what did I say?' } })),
    );
    expect(second).toMatchObject({ status: 'completed', result: 'second answer', sessionId: first.sessionId });
    // costUsd is this call's cost; the session's running total is reported beside it.
    expect(first.costUsd).toBeGreaterThan(0);
    expect(second.costUsd).toBeLessThan(first.costUsd * 1.5);
    expect(second.sessionCostUsd).toBeGreaterThan(first.costUsd * 1.5);
    const texts = getMessages(fixture.mock.mainRequests()[1]?.body).flatMap((message) => message.content.map((block) => block.text ?? ''));
    expect(texts).toEqual(expect.arrayContaining(['remember 7', 'first answer', 'what did I say?']));
    // No new CLI process was spawned for the follow-up.
    expect(listDescendants(transport.pid ?? -1).map((entry) => entry.pid)).toEqual(warmBefore);
    await close();
  });

  it('resumes a session after a server restart', async () => {
    fixture.mock.script(text('before restart'), text('after restart'));
    const firstServer = await connect(fixture);
    const first = output((await firstServer.client.callTool({ name: 'claude_ask', arguments: { query: 'keep this' } })));
    await firstServer.close();

    const secondServer = await connect(fixture);
    const resumed = output(
      (await secondServer.client.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: 'still there?' } })),
    );
    expect(resumed).toMatchObject({ status: 'completed', result: 'after restart', sessionId: first.sessionId });
    // A resumed process reports the session's whole cost; the call's own cost is separated out.
    expect(resumed.costUsd).toBeLessThan(first.costUsd * 1.5);
    expect(getLastUserTexts(fixture.mock.mainRequests()[1]?.body).join('\n')).toContain('still there?');
    await secondServer.close();
  });

  it('refuses an unknown session id with a clear tool error', async () => {
    const { client, close } = await connect(fixture);
    const result = (await client.callTool({
      name: 'claude_resume',
      arguments: { sessionId: '00000000-0000-4000-8000-000000000000', query: 'hello?' },
    }));
    expect(result.isError).toBe(true);
    expect(output(result).error?.code).toBe('MCP_TOOLS_SESSION_NOT_FOUND');
    expect(textOf(result)).toContain('00000000-0000-4000-8000-000000000000');
    // Nothing is left behind for the refused id: no session "running" forever.
    const aborted = await client.callTool({ name: 'claude_abort', arguments: { sessionId: '00000000-0000-4000-8000-000000000000' } });
    expect(textOf(aborted)).toContain('No session 00000000-0000-4000-8000-000000000000 is known to this server');
    await close();
  });
});

describe('progress, cancellation and abort', () => {
  it('sends progress notifications during a slow run', async () => {
    fixture.mock.script(
      toolUse('Bash', { command: 'for i in 1 2 3; do sleep 1; done; echo finished', description: 'slow' }),
      turn(text('done slowly'), { match: { toolResult: true } }),
    );
    const { client, close } = await connect(fixture);
    const progress: { progress: number; message?: string; at: number }[] = [];
    const result = (await client.callTool(
      { name: 'claude_ask', arguments: { query: 'slow', allowedTools: ['Bash'] } },
      { onprogress: (notification) => progress.push({ ...notification, at: Date.now() }) },
    ));
    const finishedAt = Date.now();
    expect(output(result).status).toBe('completed');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.some((entry) => entry.message?.includes('Using Bash'))).toBe(true);
    for (let index = 1; index < progress.length; index += 1) expect(progress[index]!.progress).toBeGreaterThan(progress[index - 1]!.progress);
    expect(progress.every((entry) => entry.at <= finishedAt)).toBe(true);
    await close();
  });

  it('cancelling the request stops the run and leaves no process', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    const { client, close, transport } = await connect(fixture);
    const controller = new AbortController();
    const call = client.callTool({ name: 'claude_ask', arguments: { query: 'run', allowedTools: ['Bash'] } }, { signal: controller.signal });
    const tree = await waitForDescendant(transport.pid ?? -1, /^sleep 1$/);
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && tree.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of tree) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    await close();
  });

  it('claude_abort stops a run by session id; the aborted call returns cancelled promptly', async () => {
    fixture.mock.script(text('ready'), turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'long job' } }));
    const { client, close, transport } = await connect(fixture);
    const first = output((await client.callTool({ name: 'claude_ask', arguments: { query: 'hello', allowedTools: ['Bash'] } })));
    const running = client.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: 'long job', allowedTools: ['Bash'] } });
    const tree = await waitForDescendant(transport.pid ?? -1, /^sleep 1$/);
    const started = Date.now();
    const aborted = (await client.callTool({ name: 'claude_abort', arguments: { sessionId: first.sessionId } }));
    expect(aborted.structuredContent).toEqual({ sessionId: first.sessionId, aborted: true });
    const cancelled = (await running);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cancelled.isError).toBe(true);
    expect(output(cancelled)).toMatchObject({ status: 'cancelled', sessionId: first.sessionId });
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && tree.some(isRunning)) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const pid of tree) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    // Nothing to abort any more.
    const again = (await client.callTool({ name: 'claude_abort', arguments: { sessionId: first.sessionId } }));
    expect(again.isError).toBe(true);
    await close();
  });
});

describe('permissions and safety', () => {
  it('denies a tool call that needs approval when the client cannot be asked', async () => {
    const target = join(fixture.sandbox.cwd, 'denied.txt');
    fixture.mock.script(toolUse('Write', { file_path: target, content: 'x' }), turn(text('could not write'), { match: { toolResult: true } }));
    const { client, close } = await connect(fixture);
    const result = output((await client.callTool({ name: 'claude_ask', arguments: { query: 'write it' } })));
    expect(result.status).toBe('completed');
    expect(result.permissionDenials.map((denial) => denial.toolName)).toEqual(['Write']);
    expect(existsSync(target)).toBe(false);
    await close();
  });

  it('asks the user through elicitation and applies an approval', async () => {
    const target = join(fixture.sandbox.cwd, 'approved.txt');
    fixture.mock.script(toolUse('Write', { file_path: target, content: 'approved\n' }), turn(text('written after approval'), { match: { toolResult: true } }));
    const { client, close } = await connect(fixture, { elicitation: true });
    const questions: string[] = [];
    client.setRequestHandler('elicitation/create', (request) => {
      questions.push(request.params.message);
      return { action: 'accept', content: { decision: 'allow' } };
    });
    const result = output((await client.callTool({ name: 'claude_ask', arguments: { query: 'write it' } })));
    expect(result.status).toBe('completed');
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('Write');
    expect(readFileSync(target, 'utf8')).toBe('approved\n');
    await close();
  });

  it('rejects a working directory outside the roots, a flag-like model and an oversized tool rule as tool errors', async () => {
    const { client, close } = await connect(fixture);
    const outside = (await client.callTool({ name: 'claude_ask', arguments: { query: 'hi', workingDirectory: '/etc' } }));
    expect(outside.isError).toBe(true);
    expect(output(outside).error?.code).toBe('MCP_TOOLS_PATH_OUTSIDE_ROOTS');
    const flag = (await client.callTool({ name: 'claude_ask', arguments: { query: 'hi', model: '--dangerously-skip-permissions' } }));
    expect(flag.isError).toBe(true);
    expect(textOf(flag)).toMatch(/model/);
    // Once ended in `spawn E2BIG`: every string bound for argv has a cap, named in the error.
    const huge = await client.callTool({ name: 'claude_ask', arguments: { query: 'hi', allowedTools: [`Bash(${'x'.repeat(200_000)})`] } });
    expect(huge.isError).toBe(true);
    expect(textOf(huge)).toContain('at most 1000 characters');
    expect(textOf(huge)).not.toContain('E2BIG');
    expect(fixture.mock.requests).toHaveLength(0);
    await close();
  });
});

describe('claude_plan', () => {
  it('returns the plan from plan mode and changes nothing', async () => {
    fixture.mock.script(
      toolUse('ExitPlanMode', { plan: '1. Read the code\n2. Add the feature' }),
      turn(text('Here is my plan.'), { match: { toolResult: true } }),
    );
    const { client, close } = await connect(fixture);
    const result = output((await client.callTool({ name: 'claude_plan', arguments: { query: 'plan a feature' } })));
    expect(result.status).toBe('completed');
    expect(result.plan).toBe('1. Read the code\n2. Add the feature');
    const request = fixture.mock.mainRequests()[0]?.body as { tools?: { name: string }[] };
    const toolNames = (request.tools ?? []).map((tool) => tool.name);
    expect(toolNames).not.toContain('Write');
    expect(toolNames).not.toContain('Bash');
    await close();
  });
});

// Permission questions on 2026-07-28 over stdio: claude_ask answers with an input-required result
// while the run waits, and the SDK v2 client's retry carries the answer into the same run.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { stdioRawDispatch, text, toolUse, turn, type RawDispatch } from '@claude-code-mcp/test-harness';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, SERVER_ENTRY, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
let client: Client | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await fixture.dispose();
});

async function connectModern(decision: 'allow' | 'deny'): Promise<string[]> {
  const questions: string[] = [];
  client = new Client({ name: 'stdio-mrtr', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler('elicitation/create', (request) => {
    questions.push(request.params.message);
    return { action: 'accept', content: { decision } };
  });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env: fixture.env, cwd: fixture.sandbox.cwd, stderr: 'pipe' }));
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  return questions;
}

describe('permission questions as input-required results (2026-07-28, stdio)', () => {
  it.each([
    ['allow', true],
    ['deny', false],
  ] as const)('a Write the user answers "%s" to is written only when allowed', async (decision, written) => {
    const target = join(fixture.sandbox.cwd, `${decision}.txt`);
    fixture.mock.script(
      turn(toolUse('Write', { file_path: target, content: 'approved over stdio\n' }), { match: { userText: 'write it' } }),
      turn(text('the Write tool came back'), { match: { toolResult: true } }),
    );
    const questions = await connectModern(decision);
    const result = (await client!.callTool({ name: 'claude_ask', arguments: { query: 'write it' } })).structuredContent as { status: string; result: string };
    expect(result).toMatchObject({ status: 'completed', result: 'the Write tool came back' });
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('Write');
    expect(existsSync(target)).toBe(written);
    if (written) expect(readFileSync(target, 'utf8')).toBe('approved over stdio\n');
  });
});

describe('who can answer a question (2026-07-28, stdio)', () => {
  const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } } };
  const spawnServer = (env: Record<string, string>) => {
    const child = spawn(process.execPath, [SERVER_ENTRY], { env, cwd: fixture.sandbox.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr.resume();
    return { child, dispatch: stdioRawDispatch(child) };
  };
  const ask = (dispatch: RawDispatch, extra: Record<string, unknown> = {}) => dispatch({ method: 'tools/call', params: { name: 'claude_ask', arguments: { query: 'write it' }, ...extra, _meta: envelope } });
  const close = async (child: ChildProcessWithoutNullStreams) => {
    child.stdin.end();
    await new Promise((resolve) => child.on('close', resolve));
  };

  it('a second client (another server process) cannot answer the first one\'s question; the first one can', async () => {
    const target = join(fixture.sandbox.cwd, 'first-only.txt');
    fixture.mock.script(turn(toolUse('Write', { file_path: target, content: 'by the first client\n' }), { match: { userText: 'write it' } }), turn(text('written'), { match: { toolResult: true } }));
    const first = spawnServer(fixture.env);
    const second = spawnServer(fixture.env);
    const question = await ask(first.dispatch);
    const asked = (question as { result: { resultType: string; requestState: string; inputRequests: Record<string, unknown> } }).result;
    expect(asked.resultType).toBe('input_required');
    const allow = Object.fromEntries(Object.keys(asked.inputRequests).map((key) => [key, { action: 'accept', content: { decision: 'allow' } }]));
    const stolen = await ask(second.dispatch, { requestState: asked.requestState, inputResponses: allow });
    expect(stolen).toMatchObject({ kind: 'error', error: { code: -32602 } });
    expect(existsSync(target)).toBe(false);
    const answered = await ask(first.dispatch, { requestState: asked.requestState, inputResponses: allow });
    expect(answered).toMatchObject({ kind: 'result', result: { structuredContent: { status: 'completed' } } });
    expect(readFileSync(target, 'utf8')).toBe('by the first client\n');
    await close(first.child);
    await close(second.child);
  });

  it('a question nobody answers is denied after PERMISSION_TIMEOUT_MS', async () => {
    const target = join(fixture.sandbox.cwd, 'unanswered.txt');
    fixture.mock.script(turn(toolUse('Write', { file_path: target, content: 'never\n' }), { match: { userText: 'write it' } }), turn(text('gave up'), { match: { toolResult: true } }));
    const { child, dispatch } = spawnServer({ ...fixture.env, PERMISSION_TIMEOUT_MS: '1000' });
    const question = (await ask(dispatch)) as { result: { resultType: string; requestState: string; inputRequests: Record<string, unknown> } };
    expect(question.result.resultType).toBe('input_required');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    // The retry after the timeout, with no answer: the run went on with the Write denied.
    const after = await ask(dispatch, { requestState: question.result.requestState, inputResponses: {} });
    expect(after).toMatchObject({ kind: 'result', result: { structuredContent: { status: 'completed', permissionDenials: [{ toolName: 'Write' }] } } });
    expect(existsSync(target)).toBe(false);
    await close(child);
  });
});

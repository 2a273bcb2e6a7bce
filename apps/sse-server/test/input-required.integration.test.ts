// Permission questions on 2026-07-28 over HTTP: the server answers claude_ask with an
// input-required result while the run waits, and the client's retry (with the answer and the
// request state) continues the same run. The SDK v2 client does the rounds itself; raw requests
// show what a client that tampers with or replays the state gets.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { text, toolUse, turn } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

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

const structured = (result: unknown) => (result as { structuredContent: { status: string; result: string; permissionDenials?: { toolName: string }[] } }).structuredContent;

/** A 2026-07-28 client that answers every permission question with `answer` (after `delayMs`). */
async function modernClient(origin: string, answer: { action: 'accept' | 'decline'; decision?: string }, delayMs = 0) {
  const questions: string[] = [];
  const client = new Client({ name: 'http-mrtr', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler('elicitation/create', async (request) => {
    questions.push(request.params.message);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return answer.action === 'accept' ? { action: 'accept', content: { decision: answer.decision ?? 'allow' } } : { action: 'decline' };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', origin)));
  expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
  return { client, questions };
}

function scriptWrite(target: string): void {
  fixture.mock.script(
    turn(toolUse('Write', { file_path: target, content: 'approved over 2026-07-28\n' }), { match: { userText: 'write it' } }),
    turn(text('the Write tool came back'), { match: { toolResult: true } }),
  );
}

describe('permission questions as input-required results (2026-07-28, HTTP)', () => {
  it('writes the file when the user approves, and the same run goes on', async () => {
    const target = join(fixture.sandbox.cwd, 'approved.txt');
    scriptWrite(target);
    server = await startServer(fixture);
    const { client, questions } = await modernClient(server.origin, { action: 'accept' });
    const result = structured(await client.callTool({ name: 'claude_ask', arguments: { query: 'write it' } }));
    expect(result).toMatchObject({ status: 'completed', result: 'the Write tool came back' });
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('Write');
    expect(questions[0]).toContain(target);
    expect(readFileSync(target, 'utf8')).toBe('approved over 2026-07-28\n');
    await client.close();
  });

  it.each([
    ['declines', { action: 'decline' as const }],
    ['answers deny', { action: 'accept' as const, decision: 'deny' }],
  ])('writes nothing when the user %s', async (_name, answer) => {
    const target = join(fixture.sandbox.cwd, 'denied.txt');
    scriptWrite(target);
    server = await startServer(fixture);
    const { client, questions } = await modernClient(server.origin, answer);
    const result = structured(await client.callTool({ name: 'claude_ask', arguments: { query: 'write it' } }));
    expect(result.status).toBe('completed');
    expect(result.permissionDenials?.map((denial) => denial.toolName)).toEqual(['Write']);
    expect(questions).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
    await client.close();
  });

  it('denies a question left unanswered past PERMISSION_TIMEOUT_MS', async () => {
    const target = join(fixture.sandbox.cwd, 'late.txt');
    scriptWrite(target);
    server = await startServer(fixture, { PERMISSION_TIMEOUT_MS: '1000' });
    // The user answers "allow", but only after the question has expired.
    const { client, questions } = await modernClient(server.origin, { action: 'accept' }, 3_000);
    const result = structured(await client.callTool({ name: 'claude_ask', arguments: { query: 'write it' } }));
    expect(result.permissionDenials?.map((denial) => denial.toolName)).toEqual(['Write']);
    expect(questions).toHaveLength(1);
    expect(existsSync(target)).toBe(false);
    await client.close();
  });
});

describe('the request state of a held run (raw 2026-07-28 requests)', () => {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } }, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' } };

  async function call(id: number, params: Record<string, unknown>, tool = 'claude_ask'): Promise<{ result?: Record<string, unknown>; error?: { code: number; message: string } }> {
    const response = await fetch(new URL('/mcp', server!.origin), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool },
      body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: tool, arguments: { query: 'write it' }, ...params, _meta: meta } }),
    });
    const body = await response.text();
    // A JSON body, or an event stream whose last data line is the answer.
    const json = body.trimStart().startsWith('{') ? body : (body.split('\n').filter((line) => line.startsWith('data:')).pop() ?? '').slice(5);
    return JSON.parse(json) as { result?: Record<string, unknown>; error?: { code: number; message: string } };
  }

  it('refuses a tampered state, continues the run with the real one, and refuses it when replayed', async () => {
    const target = join(fixture.sandbox.cwd, 'raw.txt');
    scriptWrite(target);
    server = await startServer(fixture);
    const first = await call(1, {});
    expect(first.result).toMatchObject({ resultType: 'input_required' });
    const state = first.result?.['requestState'] as string;
    const [key] = Object.keys(first.result?.['inputRequests'] as Record<string, unknown>);
    const allow = { [key!]: { action: 'accept', content: { decision: 'allow' } } };

    // Another caller's forgery: the signature does not match.
    const forged = await call(2, { requestState: `${state.slice(0, -4)}AAAA`, inputResponses: allow });
    expect(forged.error?.code).toBe(-32602);
    expect(existsSync(target)).toBe(false);

    const answered = await call(3, { requestState: state, inputResponses: allow });
    expect(answered.result).toMatchObject({ structuredContent: { status: 'completed' } });
    expect(readFileSync(target, 'utf8')).toBe('approved over 2026-07-28\n');

    // The same state again (a second client that got hold of it): that question is closed.
    const replayed = await call(4, { requestState: state, inputResponses: allow });
    expect(replayed.result).toMatchObject({ isError: true });
    expect(JSON.stringify(replayed.result)).toMatch(/already answered or has expired/);
  });

  it('names the session of a held run with each question, so that a caller who will not answer can stop it', async () => {
    const target = join(fixture.sandbox.cwd, 'abandoned.txt');
    scriptWrite(target);
    server = await startServer(fixture);
    const first = await call(1, {});
    const sessionId = (first.result?.['_meta'] as Record<string, unknown> | undefined)?.['claude-code-mcp/sessionId'];
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const aborted = await call(2, { arguments: { sessionId } }, 'claude_abort');
    expect(aborted.result).toMatchObject({ structuredContent: { aborted: true } });
    // The answer that comes afterwards finds the run stopped, and nothing was written.
    const [key] = Object.keys(first.result?.['inputRequests'] as Record<string, unknown>);
    const late = await call(3, { requestState: first.result?.['requestState'], inputResponses: { [key!]: { action: 'accept', content: { decision: 'allow' } } } });
    expect(JSON.stringify(late.result)).toMatch(/cancelled|interrupted|aborted/i);
    expect(existsSync(target)).toBe(false);
  });
});

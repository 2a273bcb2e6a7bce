// Claude Code itself as the MCP client of the HTTP server: it speaks 2026-07-28 (stateless, no
// session), calls claude_ask, and answers the permission question of the inner run (an
// input-required result) through its own Elicitation hook, as a headless user would configure it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { createMockAnthropicServer, getToolResults, text, toolUse, turn, type MockAnthropicServer } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
let outer: MockAnthropicServer;
let server: RunningServer | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
  outer = await createMockAnthropicServer();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await outer.close();
  await fixture.dispose();
});

/** Runs the outer `claude -p` with our server over HTTP and an Elicitation hook that answers `action`. */
async function outerRun(origin: string, action: 'accept' | 'decline'): Promise<{ code: number | null; stderr: string; questions: string }> {
  const mcpConfig = join(fixture.sandbox.root, 'mcp.json');
  writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { 'claude-code': { type: 'http', url: `${origin}/mcp` } } }));
  const questions = join(fixture.sandbox.root, 'questions.jsonl');
  const hook = join(fixture.sandbox.root, 'answer-elicitation.sh');
  const answer = JSON.stringify({ hookSpecificOutput: { hookEventName: 'Elicitation', action, ...(action === 'accept' ? { content: { decision: 'allow' } } : {}) } });
  writeFileSync(hook, `#!/bin/sh\ncat >> '${questions}'\necho >> '${questions}'\nprintf '%s' '${answer}'\n`, { mode: 0o755 });
  const settings = JSON.stringify({ hooks: { Elicitation: [{ hooks: [{ type: 'command', command: hook }] }] } });
  const args = ['-p', '--output-format=stream-json', '--verbose', `--mcp-config=${mcpConfig}`, '--strict-mcp-config', '--allowedTools=mcp__claude-code__claude_ask', `--settings=${settings}`];
  return new Promise((resolve) => {
    const child = spawn(fixture.sandbox.claudePath, args, { env: { ...fixture.sandbox.env, ANTHROPIC_BASE_URL: outer.url }, cwd: fixture.sandbox.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr, questions: existsSync(questions) ? readFileSync(questions, 'utf8') : '' }));
    child.stdin.end('please delegate');
  });
}

function scriptWrite(target: string): void {
  fixture.mock.script(turn(toolUse('Write', { file_path: target, content: 'written for Claude Code\n' }), { match: { userText: 'write the file' } }), turn(text('the inner run is done'), { match: { toolResult: true } }));
  outer.script(toolUse('mcp__claude-code__claude_ask', { query: 'write the file' }), turn(text('the outer run is done'), { match: { toolResult: true } }));
}

describe('Claude Code as the MCP client over HTTP (2026-07-28)', () => {
  it.each([
    ['accept', true],
    ['decline', false],
  ] as const)('puts the Write of the inner run to it as a question; its hook answering %s decides', async (action, written) => {
    const target = join(fixture.sandbox.cwd, 'for-claude-code.txt');
    scriptWrite(target);
    server = await startServer(fixture);
    const run = await outerRun(server.origin, action);
    expect(run.code, run.stderr).toBe(0);
    // The question reached Claude Code as an MCP elicitation naming the tool and the file.
    const question = JSON.parse(run.questions.trim().split('\n')[0] ?? '{}') as { hook_event_name: string; mcp_server_name: string; message: string };
    expect(question).toMatchObject({ hook_event_name: 'Elicitation', mcp_server_name: 'claude-code' });
    expect(question.message).toContain('Write');
    expect(question.message).toContain(target);
    expect(existsSync(target)).toBe(written);
    // Stateless 2026-07-28: no 2025-era session was opened.
    expect(server.stderr()).not.toContain('MCP session opened');
    const toolResult = getToolResults(outer.mainRequests()[1]?.body)[0];
    expect(toolResult?.text).toContain('the inner run is done');
    if (!written) expect(toolResult?.text).toContain('Write');
  });
});

// Permission questions on 2026-07-28 over stdio: claude_ask answers with an input-required result
// while the run waits, and the SDK v2 client's retry carries the answer into the same run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { text, toolUse, turn } from '@claude-code-mcp/test-harness';
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

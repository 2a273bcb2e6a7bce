import { McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { noopLogger } from '@claude-code-mcp/claude-cli-driver';

import { canAskTheUser, permissionDecider } from '../src/tools/permission-bridge.js';

const server = new McpServer({ name: 'test', version: '1' });
const withCapabilities = (capabilities: unknown): ServerContext =>
  ({ mcpReq: { envelope: { 'io.modelcontextprotocol/clientCapabilities': capabilities } } }) as unknown as ServerContext;

describe('canAskTheUser', () => {
  it.each([
    [{ elicitation: { form: {} } }, true],
    [{ elicitation: {} }, true], // a bare elicitation capability means form
    [{ elicitation: { form: {}, url: {} } }, true],
    [{ elicitation: { url: {} } }, false], // the question is a form: a URL-only client cannot show it
    [{}, false],
  ])('for %j is %s', (capabilities, expected) => {
    expect(canAskTheUser(server, withCapabilities(capabilities))).toBe(expected);
  });
});

describe('permissionDecider (2025 sessions: elicitation requests)', () => {
  it('asks once for a tool the user allows "always", and again for another tool', async () => {
    const asked: string[] = [];
    const context = {
      mcpReq: {
        signal: new AbortController().signal,
        envelope: { 'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } } },
        elicitInput: (params: { message: string }) => {
          asked.push(params.message.split(' with:')[0] ?? '');
          return Promise.resolve({ action: 'accept', content: { decision: asked.length === 1 ? 'always' : 'deny' } });
        },
      },
    } as unknown as ServerContext;
    const decide = permissionDecider(server, context, { policy: 'deny', timeoutMs: 1_000, logger: noopLogger });
    const signal = new AbortController().signal;
    const results = [
      await decide('Bash', { command: 'ls' }, { signal } as never),
      await decide('Bash', { command: 'pwd' }, { signal } as never),
      await decide('Write', { file_path: '/x' }, { signal } as never),
    ];
    expect(results.map((result) => result.behavior)).toEqual(['allow', 'allow', 'deny']);
    expect(asked).toEqual(['Claude Code wants to use Bash', 'Claude Code wants to use Write']);
  });
});


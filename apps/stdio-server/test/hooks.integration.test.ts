// The `hooks` argument: command hooks from the working directory's .claude/hooks, run by the
// real CLI; a script outside the allowed folders is refused before anything runs.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { text, toolUse, turn } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

type Output = {
  status: string;
  permissionDenials: { toolName: string }[];
  hookEvents?: { hookName: string; event: string; outcome: string; exitCode: number | null; stderr?: string }[];
  error?: { code: string; message: string };
};

describe('hooks', () => {
  it('a preToolUse hook that exits 2 blocks a Bash call, and its run is reported', async () => {
    const hooksFolder = join(fixture.sandbox.cwd, '.claude', 'hooks');
    mkdirSync(hooksFolder, { recursive: true });
    const script = join(hooksFolder, 'no-bash.sh');
    writeFileSync(script, '#!/bin/sh\ncat > /dev/null\necho "bash is not allowed here" >&2\nexit 2\n');
    chmodSync(script, 0o755);
    const target = join(fixture.sandbox.cwd, 'blocked.txt');
    fixture.mock.script(
      toolUse('Bash', { command: `echo nope > ${target}`, description: 'write' }),
      turn(text('the hook stopped me'), { match: { toolResult: true } }),
    );
    const { client, close } = await connect(fixture);
    const result = await client.callTool({
      name: 'claude_ask',
      arguments: { query: 'run bash', allowedTools: ['Bash'], hooks: { preToolUse: [{ matcher: 'Bash', command: 'no-bash.sh' }] } },
    });
    const output = result.structuredContent as Output;
    expect(output.status).toBe('completed');
    expect(existsSync(target)).toBe(false);
    expect(output.permissionDenials.map((denial) => denial.toolName)).toEqual(['Bash']);
    expect(output.hookEvents).toEqual(
      expect.arrayContaining([expect.objectContaining({ event: 'PreToolUse', exitCode: 2, stderr: expect.stringContaining('bash is not allowed here') as unknown })]),
    );
    const settings = fixture.mock.mainRequests()[1]?.body;
    expect(JSON.stringify(settings)).toContain('bash is not allowed here');
    await close();
  });

  it('refuses a hook script outside the allowed folders before running anything', async () => {
    const outside = join(fixture.sandbox.root, 'evil.sh');
    writeFileSync(outside, '#!/bin/sh\nexit 0\n');
    chmodSync(outside, 0o755);
    const { client, close } = await connect(fixture);
    const result = await client.callTool({
      name: 'claude_ask',
      arguments: { query: 'hi', hooks: { preToolUse: [{ command: outside }] } },
    });
    expect(result.isError).toBe(true);
    const output = result.structuredContent as Output;
    expect(output.error?.code).toBe('MCP_TOOLS_INVALID_ARGUMENTS');
    expect(output.error?.message).toContain('outside the allowed hook folders');
    // A relative path that climbs out of .claude/hooks is refused the same way.
    const climbing = await client.callTool({ name: 'claude_ask', arguments: { query: 'hi', hooks: { preToolUse: [{ command: '../../../evil.sh' }] } } });
    expect(climbing.isError).toBe(true);
    expect(fixture.mock.requests).toHaveLength(0);
    await close();
  });
});

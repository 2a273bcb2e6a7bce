// The MCP conformance suite (pinned) against the fixture stack: our HTTP stack serving the suite's
// fixture tools, resources and prompts beside the product's tools, so that the scenarios that call
// them judge the stack. A scenario that fails without being listed in
// test/conformance/fixture-expected-failures-<revision>.yaml, or one listed that passes, fails this.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { startFixtureStack, type FixtureStack } from './conformance/fixture-stack.js';

const require = createRequire(import.meta.url);
const SUITE = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
const BASELINES = fileURLToPath(new URL('./conformance/', import.meta.url));

let stack: FixtureStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

function runSuite(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SUITE, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

describe('the MCP conformance suite against the fixture stack', () => {
  it.each(['2026-07-28', '2025-11-25'])('passes the %s requirements, but for the scenarios listed with a reason', async (revision) => {
    stack = await startFixtureStack();
    const { code, output } = await runSuite([
      'server',
      '--url',
      new URL('/mcp', stack.origin).href,
      '--requirements',
      revision,
      '--expected-failures',
      join(BASELINES, `fixture-expected-failures-${revision}.yaml`),
    ]);
    const summary = output.split('\n').filter((line) => /^(Total|✗|Unexpected|Stale|Expected)|regress|stale/i.test(line));
    expect(code, summary.join('\n') || output.slice(-3000)).toBe(0);
    expect(output).toMatch(/Total: \d+ passed/);
  }, 180_000);
});

// The MCP conformance suite (pinned) against the fixture stack: our HTTP stack serving the suite's
// fixture tools, resources and prompts beside the product's tools, so that the scenarios that call
// them judge the stack. A scenario that fails without being listed in
// test/conformance/fixture-expected-failures-<revision>.yaml, or one listed that passes, fails this.
import { afterEach, describe, expect, it } from 'vitest';

import { startFixtureStack, type FixtureStack } from './conformance/fixture-stack.js';
import { TASKS_SCENARIOS, runConformance, runScenario } from './conformance/run-suite.js';

let stack: FixtureStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('the MCP conformance suite against the fixture stack', () => {
  it.each(['2026-07-28', '2025-11-25'])('passes the %s requirements, but for the scenarios listed with a reason', async (revision) => {
    stack = await startFixtureStack();
    const run = await runConformance(new URL('/mcp', stack.origin).href, revision, `fixture-expected-failures-${revision}.yaml`);
    expect(run.code, run.summary).toBe(0);
    expect(run.output).toMatch(/Total: \d+ passed/);
  }, 180_000);
});

describe('the tasks extension scenarios (run one by one: the requirement sets do not score them) against the fixture stack', () => {
  it('passes every one', async () => {
    stack = await startFixtureStack();
    const url = new URL('/mcp', stack.origin).href;
    const failed: string[] = [];
    for (const scenario of TASKS_SCENARIOS) {
      const run = await runScenario(url, scenario);
      if (run.code !== 0) failed.push(`${scenario}:\n${run.output.split('\n').filter((line) => /FAIL|✗|error/i.test(line)).join('\n')}`);
    }
    expect(failed, failed.join('\n\n')).toEqual([]);
  }, 300_000);
});

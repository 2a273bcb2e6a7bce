import { noopLogger, type PermissionResult } from '@claude-code-mcp/claude-cli-driver';
import type { CallToolResult, InputRequiredResult, ServerContext } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';

import { HeldRuns, type HeldRun } from '../src/tools/held-runs.js';

function context(signal = new AbortController().signal, inputResponses?: Record<string, unknown>): ServerContext {
  return { mcpReq: { method: 'tools/call', signal, inputResponses } } as unknown as ServerContext;
}

/** A run that asks once and finishes with the answer it got. */
function askingRun(held: HeldRuns): HeldRun {
  return held.start(context(), async (run) => {
    const permission: PermissionResult = await run.ask('Write', { file_path: '/x' });
    if (run.controller.signal.aborted) return { content: [{ type: 'text', text: 'aborted' }], isError: true };
    return { content: [{ type: 'text', text: permission.behavior }] };
  });
}

const asInputRequired = (result: CallToolResult | InputRequiredResult) => result as InputRequiredResult;
const textOf = (result: CallToolResult | InputRequiredResult) => ((result as CallToolResult).content[0] as { text: string }).text;

describe('HeldRuns', () => {
  it('puts a question as an input-required result, and the retry with the answer gets the run’s result', async () => {
    const held = new HeldRuns({ timeoutMs: 5_000, logger: noopLogger });
    const run = askingRun(held);
    const first = asInputRequired(await run.wait(context()));
    expect(first.resultType).toBe('input_required');
    const [key] = Object.keys(first.inputRequests ?? {});
    const state = await held.verify(first.requestState!, context());
    const found = held.find(state);
    expect(found).toBe(run);
    // The round is claimed by that retry: a second one with the same state (a replay, or another
    // client that got hold of it) finds nothing.
    expect(held.find(state)).toBeUndefined();
    found!.answer({ [key!]: { action: 'accept', content: { decision: 'allow' } } });
    expect(textOf(await run.wait(context()))).toBe('allow');
    // Once collected, the run is gone: the same state is stale.
    expect(held.find(state)).toBeUndefined();
  });

  it('keeps a question open while the retry carries no answer for it, asking again under a new round', async () => {
    const held = new HeldRuns({ timeoutMs: 5_000, logger: noopLogger });
    const run = askingRun(held);
    const first = asInputRequired(await run.wait(context()));
    const firstState = await held.verify(first.requestState!, context());
    expect(held.find(firstState)).toBe(run);
    run.answer({});
    const second = asInputRequired(await run.wait(context()));
    expect(Object.keys(second.inputRequests ?? {})).toEqual(Object.keys(first.inputRequests ?? {}));
    expect(held.find(firstState)).toBeUndefined();
    expect(held.find(await held.verify(second.requestState!, context()))).toBe(run);
    run.answer({ [Object.keys(second.inputRequests!)[0]!]: { action: 'decline' } });
    expect(textOf(await run.wait(context()))).toBe('deny');
  });

  it('denies a question nobody answers within the timeout', async () => {
    const held = new HeldRuns({ timeoutMs: 50, logger: noopLogger });
    const run = askingRun(held);
    await run.wait(context());
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(textOf(await run.wait(context()))).toBe('deny');
  });

  it('stops the run when the waiting request is cancelled, and refuses a tampered state', async () => {
    const held = new HeldRuns({ timeoutMs: 5_000, logger: noopLogger });
    const run = held.start(context(), async (run) => {
      await new Promise((resolve) => run.controller.signal.addEventListener('abort', resolve, { once: true }));
      return { content: [{ type: 'text', text: 'stopped' }] };
    });
    const cancel = new AbortController();
    const waiting = run.wait(context(cancel.signal));
    cancel.abort();
    expect(textOf(await waiting)).toBe('stopped');
    await expect(held.verify('v1.e30.AAAA', context())).rejects.toThrow();
    expect(held.find({ run: run.id, round: 7 })).toBeUndefined();
    expect(held.find('raw')).toBeUndefined();
  });

  it('drops a question Claude Code withdraws, as a deny', async () => {
    const held = new HeldRuns({ timeoutMs: 5_000, logger: noopLogger });
    const withdraw = new AbortController();
    const run = held.start(context(), async (run) => {
      const asked = run.ask('Bash', { command: 'ls' }, { signal: withdraw.signal } as never);
      withdraw.abort();
      return { content: [{ type: 'text', text: (await asked).behavior }] };
    });
    expect(textOf(await run.wait(context()))).toBe('deny');
  });

  it('asks once for a tool the user allows "always": its later calls in the run are allowed without a round', async () => {
    const held = new HeldRuns({ timeoutMs: 5_000, logger: noopLogger });
    const run = held.start(context(), async (run) => {
      const first = await run.ask('Bash', { command: 'ls' });
      const second = await run.ask('Bash', { command: 'pwd' });
      const other = await run.ask('Write', { file_path: '/x' });
      return { content: [{ type: 'text', text: [first, second, other].map((result) => result.behavior).join(',') }] };
    });
    const first = asInputRequired(await run.wait(context()));
    expect(held.find(await held.verify(first.requestState!, context()))).toBe(run);
    run.answer({ [Object.keys(first.inputRequests!)[0]!]: { action: 'accept', content: { decision: 'always' } } });
    const next = asInputRequired(await run.wait(context()));
    // The next question is the Write: the second Bash was not asked.
    expect(JSON.stringify(next.inputRequests)).toContain('Write');
    expect(held.find(await held.verify(next.requestState!, context()))).toBe(run);
    run.answer({ [Object.keys(next.inputRequests!)[0]!]: { action: 'accept', content: { decision: 'deny' } } });
    expect(textOf(await run.wait(context()))).toBe('allow,allow,deny');
  });

  it('refuses the state to another caller (another OAuth client), and to another server process', async () => {
    const held = new HeldRuns({ timeoutMs: 5_000, logger: noopLogger });
    const run = askingRun(held);
    const first = asInputRequired(await run.wait(context()));
    const state = first.requestState!;
    const as = (clientId: string) => ({ ...context(), http: { authInfo: { clientId } } }) as unknown as ServerContext;
    await expect(held.verify(state, as('someone-else'))).rejects.toThrow();
    // Another process mints and checks with a key of its own.
    await expect(new HeldRuns({ timeoutMs: 5_000, logger: noopLogger }).verify(state, context())).rejects.toThrow();
    await expect(held.verify(state, context())).resolves.toBeDefined();
    run.controller.abort();
  });
});

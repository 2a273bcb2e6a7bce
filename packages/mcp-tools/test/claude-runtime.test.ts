// The runtime against fake sessions: no Claude Code process is started (the executable named
// below does not exist, so a real session could not start either).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ClaudeCliError, noopLogger, type CanUseTool } from '@claude-code-mcp/claude-cli-driver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ClaudeRuntime, type ClaudeRuntimeOptions, type RunOutcome, type RunRequest } from '../src/claude-runtime.js';
import { McpToolsError } from '../src/errors.js';
import { createMemoryStore, type ClaudeToolsStore } from '../src/store/index.js';
import { fakeSessions, type TurnScript } from './fake-session.js';

const denyAll: CanUseTool = () => ({ behavior: 'deny', message: 'no' });
const MISSING_CLAUDE = '/nonexistent/claude-code-mcp-test/claude';

let dataDir: string;
let cwd: string;
let store: ClaudeToolsStore;
const runtimes: ClaudeRuntime[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'runtime-'));
  cwd = mkdtempSync(path.join(tmpdir(), 'runtime-cwd-'));
  store = createMemoryStore();
});
afterEach(async () => {
  for (const runtime of runtimes.splice(0)) await runtime.close();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

function runtimeWith(script: TurnScript, options: Partial<ClaudeRuntimeOptions> = {}) {
  const sessions = fakeSessions(script);
  const runtime = new ClaudeRuntime({ store, claudeExecutable: MISSING_CLAUDE, createSession: sessions.factory, ...options });
  runtimes.push(runtime);
  const run = (request: Partial<RunRequest> & { prompt: string }, extra: { onQueued?: (position: number) => void } = {}) =>
    runtime.run({ cwd, ...request }, { signal: new AbortController().signal, canUseTool: denyAll, ...extra });
  return { runtime, run, started: sessions.started };
}

const completed = (outcome: RunOutcome) => {
  if (outcome.status !== 'completed') throw new Error(`expected a completed run, got ${outcome.status}: ${outcome.error.message}`);
  return outcome;
};

/** A gate a turn waits on until the test opens it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('ClaudeRuntime, warm sessions', () => {
  it('answers a follow-up in the same process, and charges each call only its own cost', async () => {
    // The CLI reports a session's cost cumulatively: 0.0003, then 0.00058 in all.
    const costs = [0.0003, 0.00058];
    const { run, started } = runtimeWith(() => ({ text: 'answer', costUsd: costs.shift() ?? 0 }));
    const first = completed(await run({ prompt: 'one' }));
    const second = completed(await run({ prompt: 'two', sessionId: first.sessionId }));
    expect(started).toHaveLength(1);
    expect(started[0]?.prompts).toEqual(['one', 'two']);
    expect(second.sessionId).toBe(first.sessionId);
    expect([first.turnCostUsd, second.turnCostUsd]).toEqual([0.0003, 0.00028]);
    expect(await store.sessions.get(first.sessionId)).toMatchObject({ turns: 2, costUsd: 0.00058, status: 'idle' });
  });

  it('starts a resumed process when a follow-up needs other flags, and closes the old one', async () => {
    const { run, started } = runtimeWith(() => ({ text: 'ok' }));
    const first = completed(await run({ prompt: 'one' }));
    completed(await run({ prompt: 'two', sessionId: first.sessionId, model: 'opus' }));
    expect(started).toHaveLength(2);
    expect(started[1]?.options).toMatchObject({ resume: first.sessionId, model: 'opus' });
    expect(started[0]?.state).toBe('closed');
  });

  it('never reuses a process for a budgeted run (the CLI budgets the whole process)', async () => {
    const { run, started } = runtimeWith(() => ({ text: 'ok' }));
    const first = completed(await run({ prompt: 'one', maxBudgetUsd: 1 }));
    completed(await run({ prompt: 'two', sessionId: first.sessionId, maxBudgetUsd: 1 }));
    expect(started).toHaveLength(2);
  });

  it('keeps at most maxWarmSessions idle processes, closing the least recently used', async () => {
    const { runtime, run, started } = runtimeWith(() => ({ text: 'ok' }), { maxWarmSessions: 1 });
    const first = completed(await run({ prompt: 'a' }));
    const second = completed(await run({ prompt: 'b' }));
    expect(started.map((session) => session.state)).toEqual(['closed', 'idle']);
    expect(runtime.warmSessionIds()).toEqual([second.sessionId]);
    expect(runtime.warmSessionIds()).not.toContain(first.sessionId);
  });

  it('closes a process idle for sessionIdleTimeoutMs', async () => {
    const { runtime, run, started } = runtimeWith(() => ({ text: 'ok' }), { sessionIdleTimeoutMs: 50 });
    completed(await run({ prompt: 'a' }));
    await expect.poll(() => started[0]?.state, { timeout: 2_000 }).toBe('closed');
    expect(runtime.warmSessionIds()).toEqual([]);
  });
});

describe('ClaudeRuntime, one run per session and a priority queue', () => {
  it('refuses a second run on a session that is running', async () => {
    const hold = gate();
    let turns = 0;
    const { run } = runtimeWith(() => (turns++ === 0 ? { text: 'first' } : { text: 'slow', until: hold.promise }));
    const { sessionId } = completed(await run({ prompt: 'start' }));
    const slow = run({ prompt: 'slow', sessionId });
    const refused = await run({ prompt: 'me too', sessionId });
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'MCP_TOOLS_SESSION_BUSY' } });
    hold.open();
    expect((await slow).status).toBe('completed');
  });

  it('queues past maxConcurrentRuns, high priority first, telling each its position', async () => {
    const hold = gate();
    const order: string[] = [];
    const { run } = runtimeWith(
      (prompt) => {
        order.push(prompt);
        return prompt === 'busy' ? { until: hold.promise } : { text: prompt };
      },
      { maxConcurrentRuns: 1 },
    );
    const busy = run({ prompt: 'busy' });
    await expect.poll(() => order).toEqual(['busy']);
    const positions: Record<string, number[]> = { low: [], high: [] };
    const low = run({ prompt: 'low', priority: 'low' }, { onQueued: (position) => positions['low']?.push(position) });
    const high = run({ prompt: 'high', priority: 'high' }, { onQueued: (position) => positions['high']?.push(position) });
    hold.open();
    await Promise.all([busy, low, high]);
    expect(order).toEqual(['busy', 'high', 'low']);
    expect(positions['low']?.[0]).toBe(1);
    expect(positions['high']?.at(-1)).toBe(1);
  });

  it('aborts a run: cancelled, and its process goes too', async () => {
    const { runtime, run, started } = runtimeWith(() => ({ until: new Promise(() => undefined) }));
    const running = run({ prompt: 'forever' });
    await expect.poll(() => runtime.runningSessionIds()).toHaveLength(1);
    await runtime.abort(runtime.runningSessionIds()[0] ?? '');
    expect((await running).status).toBe('cancelled');
    expect(started[0]?.state).toBe('closed');
  });
});

describe('ClaudeRuntime, sessions Claude Code does not know', () => {
  const unknown = '00000000-0000-4000-8000-000000000000';
  const notFound = () => ({ error: new ClaudeCliError('CLAUDE_CLI_SESSION_NOT_FOUND', 'No conversation found') });

  it('refuses the run and leaves no session row behind for an id it never knew', async () => {
    const { runtime, run } = runtimeWith(notFound);
    const outcome = await run({ prompt: 'hello?', sessionId: unknown });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'MCP_TOOLS_SESSION_NOT_FOUND' } });
    expect(await store.sessions.get(unknown)).toBeUndefined();
    await expect(runtime.abort(unknown)).rejects.toThrow(/No session .* is known to this server/);
  });

  it('keeps a known session, marked failed with the reason, instead of "running" forever', async () => {
    await store.sessions.insert({ id: unknown, cwd, model: null, createdAt: 1, lastUsedAt: 1, status: 'idle', parentId: null });
    const { run } = runtimeWith(notFound);
    expect((await run({ prompt: 'hello?', sessionId: unknown })).status).toBe('failed');
    expect((await store.sessions.get(unknown))?.status).toBe('failed');
    expect((await store.sessions.get(unknown))?.lastError).toContain('No conversation found');
  });
});

describe('ClaudeRuntime and its store', () => {
  it('passes each run flag to the driver once, leaving out unset ones and empty rule lists (not an empty tools list)', async () => {
    const { run, started } = runtimeWith(() => ({ text: 'ok' }));
    const jsonSchema = { type: 'object' };
    completed(await run({ prompt: 'a', model: 'opus', effort: 'high', allowedTools: [], disallowedTools: ['Bash'], tools: [], maxTurns: 3, jsonSchema, includeHookEvents: false }));
    const options = started[0]?.options ?? {};
    expect(options).toMatchObject({ cwd, model: 'opus', effort: 'high', disallowedTools: ['Bash'], tools: [], maxTurns: 3, jsonSchema });
    expect(options).not.toHaveProperty('allowedTools');
    expect(options).not.toHaveProperty('includeHookEvents');
    expect(options).not.toHaveProperty('resume');
  });

  it('runs a planned fork from its parent at the message, once; then the fork resumes as itself', async () => {
    const { runtime, run, started } = runtimeWith(() => ({ text: 'ok' }));
    const parent = '11111111-1111-4111-8111-111111111111';
    const fork = '22222222-2222-4222-8222-222222222222';
    await runtime.planFork({ sessionId: fork, parentId: parent, messageId: 'msg-7', cwd });
    expect(await store.sessions.get(fork)).toMatchObject({ status: 'idle', parentId: parent, cwd });
    completed(await run({ prompt: 'go on', sessionId: fork }));
    expect(started[0]?.options).toMatchObject({ resume: parent, forkSession: true, sessionId: fork, resumeSessionAt: 'msg-7' });
    expect(await store.forks.get(fork)).toBeUndefined();
    completed(await run({ prompt: 'and again', sessionId: fork, model: 'other' }));
    expect(started[1]?.options).toMatchObject({ resume: fork });
    expect(started[1]?.options).not.toHaveProperty('forkSession');
  });

  it('reports a finished run as completed even when recording it fails (the failure is logged)', async () => {
    const errors: unknown[] = [];
    const logger = { ...noopLogger, error: (fields: unknown) => void errors.push(fields), child: () => logger };
    const failing: ClaudeToolsStore = Object.freeze({
      ...store,
      sessions: Object.freeze({
        ...bind(store.sessions),
        recordTurn: () => Promise.reject(new McpToolsError('MCP_TOOLS_STORE_FAILED', 'Could not record a turn: database is locked')),
      }),
    });
    const { run } = runtimeWith(() => ({ text: 'done anyway' }), { store: failing, logger });
    const outcome = completed(await run({ prompt: 'a' }));
    expect(outcome.result.text).toBe('done anyway');
    expect(errors).toHaveLength(1);
    const [logged] = errors as [{ sessionId: string; err: Error }];
    expect(logged.sessionId).toBe(outcome.sessionId);
    expect(logged.err.message).toContain('database is locked');
  });

  it('marks a new session running while its turn runs, then idle with the turn counted', async () => {
    const turn = gate();
    const { runtime, run } = runtimeWith(() => ({ text: 'ok', until: turn.promise, costUsd: 0.01 }));
    const running = run({ prompt: 'a' });
    await expect.poll(() => runtime.runningSessionIds()).toHaveLength(1);
    const id = runtime.runningSessionIds()[0]!;
    await expect.poll(async () => (await store.sessions.get(id))?.status).toBe('running');
    turn.open();
    completed(await running);
    expect(await store.sessions.get(id)).toMatchObject({ status: 'idle', turns: 1, costUsd: 0.01, cwd });
  });
});

/** The methods of a class instance as an object of bound functions (to override one of them). */
function bind<T extends object>(instance: T): T {
  const prototype = Object.getPrototypeOf(instance) as object;
  const names = Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');
  return Object.fromEntries(names.map((name) => [name, (instance as Record<string, (...args: unknown[]) => unknown>)[name]!.bind(instance)])) as T;
}

describe('ClaudeRuntime options', () => {
  it.each([
    [{ maxConcurrentRuns: 0 }, 'maxConcurrentRuns'],
    [{ sessionIdleTimeoutMs: 3_000_000_000 }, 'sessionIdleTimeoutMs'],
    [{ maxWarmSessions: -1 }, 'maxWarmSessions'],
    [{ claudeExecutable: '' }, 'claudeExecutable'],
  ])('refuses %j at construction, naming the option', (options, name) => {
    let caught: unknown;
    try {
      new ClaudeRuntime({ store, ...options });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    expect((caught as Error).message).toContain(name);
  });
});

describe('ClaudeRuntime environment', () => {
  it('takes process.env as the CLI environment', () => {
    expect(() => new ClaudeRuntime({ store, claudeEnv: process.env })).not.toThrow();
  });
});

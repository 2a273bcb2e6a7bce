// Each tool module's handler, called directly with a tool kit over a runtime of fake sessions: no
// Claude Code process is started (the executable named below does not exist).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { ClaudeMessage } from '@claude-code-mcp/claude-cli-driver';
import { McpServer, type CallToolResult, type ServerContext } from '@modelcontextprotocol/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createCheckpointManager } from '../src/checkpoints/index.js';
import { ClaudeRuntime } from '../src/claude-runtime.js';
import type { ClaudeToolsOptions } from '../src/register-claude-tools.js';
import { createMemoryStore, type ClaudeToolsStore } from '../src/store/index.js';
import { TaskManager } from '../src/tasks/task-manager.js';
import { FakeProcesses, resultLine } from './fake-processes.js';
import { claudeAbort } from '../src/tools/claude-abort.js';
import { claudeAsk } from '../src/tools/claude-ask.js';
import { claudeBackgroundTasks } from '../src/tools/claude-background-tasks.js';
import { claudeCheckpoint } from '../src/tools/claude-checkpoint.js';
import { claudePlan } from '../src/tools/claude-plan.js';
import { claudePluginInstall } from '../src/tools/claude-plugin-install.js';
import { claudePluginList } from '../src/tools/claude-plugin-list.js';
import { claudeResume } from '../src/tools/claude-resume.js';
import { claudeSubagentList } from '../src/tools/claude-subagent-list.js';
import type { ClaudeTool } from '../src/tools/define-tool.js';
import { CLAUDE_TOOLS, TOOL_NAMES } from '../src/tools/index.js';
import { createToolKit, type ToolKit } from '../src/tools/tool-kit.js';
import { parseToolsSettings } from '../src/tools/tools-settings.js';
import { fakeSessions, type FakeSession, type TurnScript } from './fake-session.js';

const MISSING_CLAUDE = '/nonexistent/claude-code-mcp-test/claude';

let scratch: string;
let cwd: string;
let store: ClaudeToolsStore;
const closers: (() => Promise<void>)[] = [];

beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'tools-'));
  cwd = path.join(scratch, 'project');
  mkdirSync(cwd);
  store = createMemoryStore();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

function setUp(script: TurnScript, extra: Partial<ClaudeToolsOptions> = {}): { kit: ToolKit; started: FakeSession[]; runtime: ClaudeRuntime } {
  const sessions = fakeSessions(script);
  const runtime = new ClaudeRuntime({ store, claudeExecutable: MISSING_CLAUDE, createSession: sessions.factory });
  closers.push(() => runtime.close());
  const server = new McpServer({ name: 'test', version: '1.0.0' });
  const options: ClaudeToolsOptions = {
    runtime,
    roots: [cwd],
    defaultWorkingDirectory: cwd,
    claudeConfigDir: path.join(scratch, 'claude-config'),
    claudeExecutable: MISSING_CLAUDE,
    ...extra,
  };
  return { kit: createToolKit(server, parseToolsSettings(options)), started: sessions.started, runtime };
}

function context(): ServerContext {
  const ignore = () => Promise.resolve();
  return { mcpReq: { signal: new AbortController().signal, _meta: {}, log: ignore, notify: ignore } } as unknown as ServerContext;
}

const call = (tool: ClaudeTool, kit: ToolKit, args: Record<string, unknown>): Promise<CallToolResult> =>
  Promise.resolve(tool.definition.handler(tool.definition.inputSchema.parse(args), context(), kit)) as Promise<CallToolResult>;
const structured = <T = Record<string, unknown>>(result: CallToolResult) => result.structuredContent as T;
const textOf = (result: CallToolResult) => result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

describe('the tool list', () => {
  it('has the nine tools, each named once, and TOOL_NAMES derived from it', () => {
    expect(TOOL_NAMES).toEqual(['claude_ask', 'claude_plan', 'claude_resume', 'claude_abort', 'claude_background_tasks', 'claude_checkpoint', 'claude_subagent_list', 'claude_plugin_list', 'claude_plugin_install']);
    expect(new Set(CLAUDE_TOOLS.map((tool) => tool.name)).size).toBe(9);
  });
});

describe('claude_ask', () => {
  it('runs a turn and returns the answer, the session id and the cost line', async () => {
    const { kit, started } = setUp(() => ({ text: 'the answer', costUsd: 0.0012 }), { defaultAllowedTools: ['Read'] });
    const result = await call(claudeAsk, kit, { query: 'what?', allowedTools: ['Bash(npm test:*)'] });
    expect(result.isError).toBeUndefined();
    const output = structured<{ status: string; result: string; sessionId: string; costUsd: number }>(result);
    expect(output).toMatchObject({ status: 'completed', result: 'the answer', costUsd: 0.0012 });
    expect(textOf(result)).toContain(`sessionId: ${output.sessionId} · turns: 1 · cost: $0.0012`);
    // The server's default rules come first, then the call's own.
    expect(started[0]?.options.allowedTools).toEqual(['Read', 'Bash(npm test:*)']);
    expect(started[0]?.options.cwd).toBe(cwd);
  });

  it('refuses a directory outside the roots and a background task without a task manager, as tool errors', async () => {
    const { kit, started } = setUp(() => ({ text: 'never' }));
    const outside = await call(claudeAsk, kit, { query: 'hi', workingDirectory: tmpdir() });
    expect(structured<{ error: { code: string } }>(outside).error.code).toBe('MCP_TOOLS_PATH_OUTSIDE_ROOTS');
    const background = await call(claudeAsk, kit, { query: 'hi', backgroundTask: true });
    expect(background.isError).toBe(true);
    expect(textOf(background)).toContain('Background tasks are not enabled');
    expect(started).toHaveLength(0);
  });

  it('keeps "@something" that names no subagent in the prompt (a file mention for Claude Code)', async () => {
    const { kit, started } = setUp(() => ({ text: 'ok' }));
    await call(claudeAsk, kit, { query: '@Makefile explain the targets' });
    expect(started[0]?.prompts).toEqual(['@Makefile explain the targets']);
    expect(started[0]?.options.agent).toBeUndefined();
  });
});

describe('log notifications on 2026-07-28', () => {
  /** A 2026-07-28 request context whose envelope has `logLevel` when given; it records what is logged. */
  function modernContext(logLevel?: string): { context: ServerContext; logged: string[] } {
    const logged: string[] = [];
    const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, ...(logLevel ? { 'io.modelcontextprotocol/logLevel': logLevel } : {}) };
    const log = (level: string) => Promise.resolve(void logged.push(level));
    const context = { mcpReq: { signal: new AbortController().signal, _meta: {}, envelope, log, notify: () => Promise.resolve(), requestState: () => undefined } } as unknown as ServerContext;
    return { context, logged };
  }

  it.each([
    [undefined, []],
    ['info', ['info', 'info']],
    ['warning', []],
  ])('with logLevel %s the run logs %j', async (logLevel, expected) => {
    const { kit } = setUp(() => ({ text: 'done' }));
    const { context, logged } = modernContext(logLevel);
    const result = (await claudeAsk.definition.handler(claudeAsk.definition.inputSchema.parse({ query: 'hi' }), context, kit)) as CallToolResult;
    expect(structured<{ status: string }>(result).status).toBe('completed');
    expect(logged).toEqual(expected);
  });
});

describe('claude_plan and claude_resume', () => {
  it('claude_plan runs in plan mode, read-only, and returns the plan from ExitPlanMode', async () => {
    const exitPlan = { type: 'assistant', message: { content: [{ type: 'tool_use', id: 't1', name: 'ExitPlanMode', input: { plan: '1. read\n2. write' } }] } } as unknown as ClaudeMessage;
    const { kit, started } = setUp(() => ({ text: 'Here is the plan.', messages: [exitPlan] }));
    const result = await call(claudePlan, kit, { query: 'plan it' });
    expect(structured(result)).toMatchObject({ status: 'completed', plan: '1. read\n2. write' });
    expect(started[0]?.options).toMatchObject({ permissionMode: 'plan', disallowedTools: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Bash'] });
  });

  it('claude_resume continues the session in the same process', async () => {
    const { kit, started } = setUp(() => ({ text: 'again' }));
    const first = structured<{ sessionId: string }>(await call(claudeAsk, kit, { query: 'one' }));
    const resumed = structured<{ sessionId: string; status: string }>(await call(claudeResume, kit, { sessionId: first.sessionId, query: 'two' }));
    expect(resumed).toMatchObject({ status: 'completed', sessionId: first.sessionId });
    expect(started).toHaveLength(1);
  });
});

describe('claude_abort', () => {
  it('says so when nothing runs on the session, and stops a run that does', async () => {
    let release = () => undefined as void;
    const { kit, runtime } = setUp(() => ({ until: new Promise<void>((resolve) => (release = resolve)) }));
    const idle = await call(claudeAbort, kit, { sessionId: '00000000-0000-4000-8000-000000000000' });
    expect(idle.isError).toBe(true);
    expect(structured(idle)).toEqual({ sessionId: '00000000-0000-4000-8000-000000000000', aborted: false });

    const running = call(claudeAsk, kit, { query: 'long' });
    await expect.poll(() => runtime.runningSessionIds()).toHaveLength(1);
    const sessionId = runtime.runningSessionIds()[0] ?? '';
    expect(structured(await call(claudeAbort, kit, { sessionId }))).toEqual({ sessionId, aborted: true });
    expect(structured(await running)).toMatchObject({ status: 'cancelled' });
    release();
  });
});

describe('claude_background_tasks', () => {
  it('answers that tasks are off without a task manager', async () => {
    const { kit } = setUp(() => ({ text: 'x' }));
    const result = await call(claudeBackgroundTasks, kit, { action: 'list' });
    expect(result.isError).toBe(true);
    expect(structured(result)).toEqual({ action: 'list' });
  });

  it('lists, gets and returns the result of a task started by claude_ask', async () => {
    const processes = new FakeProcesses(() => ({ lines: [resultLine('s-bg', 'done in the background', 0.01)] }));
    const runtime = new ClaudeRuntime({ store, claudeExecutable: MISSING_CLAUDE });
    const tasks = new TaskManager({ runtime, store, dataDir: path.join(scratch, 'data'), processes, pollIntervalMs: 10 });
    closers.push(() => runtime.close(), () => tasks.shutdown());
    const kit = createToolKit(new McpServer({ name: 't', version: '1' }), parseToolsSettings({ runtime, tasks, roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir: scratch }));
    const { taskId } = structured<{ taskId: string }>(await call(claudeAsk, kit, { query: 'in the background', backgroundTask: true }));
    await tasks.waitForIdle();
    const listed = structured<{ tasks: { id: string; status: string }[] }>(await call(claudeBackgroundTasks, kit, { action: 'list' }));
    expect(listed.tasks).toEqual([expect.objectContaining({ id: taskId, status: 'completed' })]);
    const result = await call(claudeBackgroundTasks, kit, { action: 'result', taskId });
    expect(textOf(result)).toBe('done in the background');
    const missing = await call(claudeBackgroundTasks, kit, { action: 'get', taskId: '00000000-0000-4000-8000-000000000000' });
    expect(textOf(missing)).toContain('MCP_TOOLS_TASK_NOT_FOUND');
  });
});

describe('claude_checkpoint', () => {
  it('answers that checkpoints are off without a manager, and creates and lists them with one', async () => {
    const off = await call(claudeCheckpoint, setUp(() => ({})).kit, { action: 'list' });
    expect(textOf(off)).toContain('Checkpoints are not enabled');

    writeFileSync(path.join(cwd, 'a.txt'), 'one\n');
    const checkpoints = createCheckpointManager({ store, dataDir: path.join(scratch, 'data'), isBusy: () => false });
    const { kit } = setUp(() => ({}), { checkpoints });
    const created = structured<{ checkpoint: { id: string; fileCount: number } }>(await call(claudeCheckpoint, kit, { action: 'create', label: 'first' }));
    expect(created.checkpoint.fileCount).toBe(1);
    writeFileSync(path.join(cwd, 'b.txt'), 'two\n');
    const compared = await call(claudeCheckpoint, kit, { action: 'compare', checkpointId: created.checkpoint.id });
    expect(textOf(compared)).toMatch(/^1 file changed, 1 insertion\(\+\), 0 deletions\(-\)/);
    const noSession = await call(claudeCheckpoint, kit, { action: 'create', sessionId: '00000000-0000-4000-8000-000000000000' });
    expect(textOf(noSession)).toContain('MCP_TOOLS_SESSION_NOT_FOUND');
  });
});

describe('the catalogue tools', () => {
  it('claude_subagent_list lists project and built-in agents, and says why plugin agents are missing', async () => {
    mkdirSync(path.join(cwd, '.claude', 'agents'), { recursive: true });
    writeFileSync(path.join(cwd, '.claude', 'agents', 'reviewer.md'), '---\nname: reviewer\ndescription: Reviews code\n---\nYou review.\n');
    const { kit } = setUp(() => ({}));
    const output = structured<{ agents: { name: string; source: string }[]; warning?: string }>(await call(claudeSubagentList, kit, {}));
    expect(output.agents).toContainEqual(expect.objectContaining({ name: 'reviewer', source: 'project' }));
    expect(output.agents.some((agent) => agent.source === 'built-in')).toBe(true);
    expect(output.warning).toContain('Plugin agents are missing');
  });

  it('claude_plugin_list names the missing claude binary; claude_plugin_install refuses when installs are off', async () => {
    const { kit } = setUp(() => ({}), { allowPluginInstall: false });
    const listed = await call(claudePluginList, kit, {});
    expect(listed.isError).toBe(true);
    expect(textOf(listed)).toContain('CLAUDE_CLI_NOT_FOUND');
    const install = await call(claudePluginInstall, kit, { plugin: 'formatter' });
    expect(textOf(install)).toContain('Installing plugins is not allowed');
  });
});

describe('the tools options', () => {
  it.each([
    [{ roots: [] }, 'roots'],
    [{ roots: ['relative/dir'] }, 'roots'],
    [{ maxResultChars: 0 }, 'maxResultChars'],
    [{ permissionPolicy: 'ask' }, 'permissionPolicy'],
    [{ elicitationTimeoutMs: 3_000_000_000 }, 'elicitationTimeoutMs'],
  ])('refuses %j at registration, naming the option', (bad, name) => {
    const runtime = new ClaudeRuntime({ store, claudeExecutable: MISSING_CLAUDE });
    let caught: unknown;
    try {
      parseToolsSettings({ runtime, roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir: scratch, ...(bad as object) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    expect((caught as Error).message).toContain(name);
  });

  it('takes an environment map such as process.env as it is', () => {
    const settings = parseToolsSettings({ runtime: new ClaudeRuntime({ store }), roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir: scratch, claudeEnv: process.env });
    expect(settings.claudeEnv).toBe(process.env);
  });

  it('fills in the defaults once and freezes them', () => {
    const settings = parseToolsSettings({ runtime: new ClaudeRuntime({ store }), roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir: scratch });
    expect(settings).toMatchObject({ maxResultChars: 40_000, permissionPolicy: 'deny', elicitationTimeoutMs: 120_000, defaultAllowedTools: [], hookDirectories: [], allowPluginInstall: true, autoCheckpoint: false });
    expect(Object.isFrozen(settings)).toBe(true);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { McpServer } from '@modelcontextprotocol/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ClaudeRuntime } from '../src/claude-runtime.js';
import { enableMcpTasks } from '../src/mcp-tasks.js';
import { backgroundTaskResult } from '../src/tools/tool-kit.js';
import { createMemoryStore, type ClaudeToolsStore } from '../src/store/index.js';
import { TaskManager } from '../src/tasks/task-manager.js';

let dataDir: string;
let store: ClaudeToolsStore;
let tasks: TaskManager;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'mcp-tasks-'));
  store = createMemoryStore();
  tasks = new TaskManager({ runtime: new ClaudeRuntime({ store }), store, dataDir });
});
afterEach(async () => {
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('enableMcpTasks', () => {
  it('refuses a server whose tools/call handler is already installed, since it could not wrap it', () => {
    const server = new McpServer({ name: 't', version: '1' }, { capabilities: { tools: {} } });
    expect(() => enableMcpTasks(server, { tasks, resultOf: backgroundTaskResult })).toThrow(/tools\/call/);
  });

  it('declares the tasks capability and task support on the tools it is allowed for', () => {
    const server = new McpServer({ name: 't', version: '1' });
    const mcpTasks = enableMcpTasks(server, { tasks, resultOf: backgroundTaskResult });
    const tool = server.registerTool('echo', { description: 'echo' }, () => ({ content: [] }));
    mcpTasks.allow('echo', tool);
    expect(server.server.getCapabilities()['tasks']).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    expect(tool.execution).toEqual({ taskSupport: 'optional' });
  });
});

describe('backgroundTaskResult', () => {
  const base = {
    id: '0b0b0b0b-0000-4000-8000-000000000000',
    prompt: 'p',
    cwd: '/w',
    sessionId: 's',
    createdAt: 1000,
    startedAt: 2000,
    finishedAt: 5000,
    result: 'the answer',
    structuredOutput: undefined,
    costUsd: 0.5,
    numTurns: 2,
    error: null,
    pid: null,
    processStartTime: null,
    bootId: null,
    ownerStartTime: null,
    ownerPid: 1,
    logPath: '/l',
    restartedFrom: null,
  } as const;

  it('is the answer of a completed task, with its run figures', () => {
    const result = backgroundTaskResult({ ...base, status: 'completed' });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toMatchObject({ status: 'completed', taskId: base.id, result: 'the answer', costUsd: 0.5, numTurns: 2, durationMs: 3000 });
  });

  it.each([
    ['failed', 'failed'],
    ['stopped', 'cancelled'],
    ['interrupted', 'failed'],
  ] as const)('is a tool error for a %s task', (status, runStatus) => {
    const result = backgroundTaskResult({ ...base, status, error: 'it broke' });
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: runStatus, error: { code: `MCP_TOOLS_TASK_${status.toUpperCase()}`, message: 'it broke' } });
  });
});

// The task manager against fake detached processes (no Claude Code process is started): runs,
// stops, shutdowns that leave tasks running, and the next server adopting what it finds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ClaudeRuntime } from '../src/claude-runtime.js';
import { createMemoryStore, openStore, type ClaudeToolsStore } from '../src/store/index.js';
import { TaskManager, type TaskManagerOptions } from '../src/tasks/task-manager.js';
import { FakeProcesses, initLine, resultLine, type RunScript } from './fake-processes.js';

const MISSING_CLAUDE = '/nonexistent/claude-code-mcp-test/claude';

let dataDir: string;
let cwd: string;
let store: ClaudeToolsStore;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tasks-'));
  cwd = mkdtempSync(path.join(tmpdir(), 'tasks-cwd-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

/** A gate a fake process waits on until the test opens it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const answers =
  (text: string, costUsd: number): RunScript =>
  () => ({ lines: [initLine('s-1'), resultLine('s-1', text, costUsd)] });

let serverPid = 5_000;
/** A task manager as one server process would have it: its own owner identity and runtime. */
function server(processes: FakeProcesses, options: Partial<TaskManagerOptions> = {}) {
  serverPid += 1;
  const runtime = new ClaudeRuntime({ store, claudeExecutable: MISSING_CLAUDE, maxConcurrentRuns: 1 });
  const events: string[] = [];
  const tasks = new TaskManager({
    runtime,
    store,
    dataDir,
    processes,
    owner: { pid: serverPid, startTime: `server-${serverPid}` },
    pollIntervalMs: 10,
    onEvent: (event) => events.push(`${event.type}:${event.task.status}`),
    ...options,
  });
  cleanups.push(async () => {
    await tasks.shutdown();
    await runtime.close();
  });
  return { tasks, runtime, events };
}

// Owners are fake pids: alive only while the test says so.
function aliveOwners(processes: FakeProcesses, alive: Set<number>): FakeProcesses {
  const isAlive = processes.isAlive.bind(processes);
  processes.isAlive = (process) => (process.startTime.startsWith('server-') ? alive.has(process.pid) : isAlive(process));
  return processes;
}

describe.each([
  ['the memory store', () => createMemoryStore()],
  ['the SQLite store', () => openStore({ dataDir: path.join(dataDir, 'state') })],
])('TaskManager on %s', (_name, makeStore) => {
  beforeEach(() => {
    store = makeStore();
  });

  it('runs a task to its result in a detached process: events in order, cost, session, restart', async () => {
    const processes = new FakeProcesses(answers('all green', 0.02));
    const { tasks, events } = server(processes);
    const task = await tasks.start({ prompt: 'run the tests', cwd, model: 'opus' });
    expect(task).toMatchObject({ status: 'queued', prompt: 'run the tests', cwd });
    const done = await tasks.settled(task.id);
    expect(done).toMatchObject({ status: 'completed', result: 'all green', costUsd: 0.02, numTurns: 1, pid: null, sessionId: 's-1' });
    expect(events).toEqual(['background_task.started:running', 'background_task.completed:completed']);
    expect(processes.started[0]).toMatchObject({ prompt: 'run the tests', cwd, model: 'opus', executable: MISSING_CLAUDE, files: { outputPath: task.logPath } });
    expect(await store.sessions.get('s-1')).toMatchObject({ status: 'idle', turns: 1, costUsd: 0.02 });
    expect((await tasks.logs(task.id, { raw: true })).lines).toHaveLength(2);
    const again = await tasks.restart(task.id);
    expect(again).toMatchObject({ restartedFrom: task.id, prompt: 'run the tests' });
    expect((await tasks.settled(again.id)).status).toBe('completed');
  });

  it('charges a task that resumes a session only what its turn added', async () => {
    await store.sessions.recordTurn('s-1', { costUsd: 0.05, at: 1, model: null }, { cwd, model: null });
    const { tasks } = server(new FakeProcesses(answers('more', 0.08)));
    const task = await tasks.start({ prompt: 'go on', cwd, sessionId: 's-1' });
    expect((await tasks.settled(task.id)).costUsd).toBe(0.03);
    expect(await store.sessions.get('s-1')).toMatchObject({ turns: 2, costUsd: 0.08 });
  });

  it('fails a task whose process cannot start, saying why', async () => {
    const processes = new FakeProcesses(answers('x', 0));
    processes.start = () => Promise.reject(new Error('spawn ENOENT'));
    const { tasks, events } = server(processes);
    const task = await tasks.start({ prompt: 'p', cwd });
    expect(await tasks.settled(task.id)).toMatchObject({ status: 'failed', error: 'spawn ENOENT' });
    expect(events).toEqual(['background_task.failed:failed']);
  });

  it('stop ends the process and records the task stopped', async () => {
    const processes = new FakeProcesses(() => ({ lines: [initLine('s-2')], until: new Promise(() => undefined) }));
    const { tasks } = server(processes);
    const task = await tasks.start({ prompt: 'forever', cwd });
    await expect.poll(async () => (await tasks.get(task.id))?.status).toBe('running');
    const stopped = await tasks.stop(task.id);
    expect(stopped).toMatchObject({ status: 'stopped', error: 'Stopped with claude_background_tasks.' });
    expect(processes.alive()).toEqual([]);
    expect(processes.stopped).toHaveLength(1);
  });

  it('a server that shuts down leaves its task running; the next one adopts it and records the result', async () => {
    const release = gate();
    const owners = new Set<number>();
    const processes = aliveOwners(new FakeProcesses(() => ({ lines: [initLine('s-3'), resultLine('s-3', 'done later', 0.04)], until: release.promise })), owners);
    const first = server(processes);
    owners.add(serverPid);
    const task = await first.tasks.start({ prompt: 'long', cwd });
    await expect.poll(async () => (await first.tasks.get(task.id))?.status).toBe('running');
    await first.tasks.shutdown();
    expect(processes.alive()).toHaveLength(1);
    expect(await store.tasks.get(task.id)).toMatchObject({ status: 'running', processStartTime: expect.stringMatching(/^start-/) as string, bootId: 'boot-1' });
    // The first server's process is gone; the second adopts the task.
    owners.clear();
    const second = server(processes);
    expect(await second.tasks.recoverAfterRestart()).toEqual({ adopted: 1, started: 0, interrupted: 0 });
    expect(second.tasks.isActive(task.id)).toBe(true);
    release.open();
    expect(await second.tasks.settled(task.id)).toMatchObject({ status: 'completed', result: 'done later', costUsd: 0.04, ownerPid: serverPid });
    expect(second.events).toEqual(['background_task.completed:completed']);
  });

  it('records from its log a task whose process ended while no server watched', async () => {
    const owners = new Set<number>();
    const release = gate();
    const processes = aliveOwners(new FakeProcesses(() => ({ lines: [initLine('s-4'), resultLine('s-4', 'finished alone', 0.01)], until: release.promise })), owners);
    const first = server(processes);
    const task = await first.tasks.start({ prompt: 'p', cwd });
    await expect.poll(async () => (await first.tasks.get(task.id))?.status).toBe('running');
    await first.tasks.shutdown();
    release.open();
    await expect.poll(() => processes.alive()).toEqual([]);
    const second = server(processes);
    expect((await second.tasks.recoverAfterRestart()).adopted).toBe(1);
    expect(await second.tasks.settled(task.id)).toMatchObject({ status: 'completed', result: 'finished alone' });
  });

  it('a queued task of a server that is gone is started by the next one', async () => {
    const hold = gate();
    const processes = new FakeProcesses((options) => (options.prompt === 'first' ? { lines: [resultLine('s-5', 'one', 0)], until: hold.promise } : { lines: [resultLine('s-6', 'two', 0)] }));
    const first = server(processes);
    const running = await first.tasks.start({ prompt: 'first', cwd });
    const queued = await first.tasks.start({ prompt: 'second', cwd });
    await expect.poll(async () => (await first.tasks.get(running.id))?.status).toBe('running');
    await first.tasks.shutdown();
    expect((await store.tasks.get(queued.id))?.status).toBe('queued');
    const second = server(processes);
    expect(await second.tasks.recoverAfterRestart()).toEqual({ adopted: 1, started: 1, interrupted: 0 });
    expect(await second.tasks.settled(queued.id)).toMatchObject({ status: 'completed', result: 'two' });
    hold.open();
    expect((await second.tasks.settled(running.id)).status).toBe('completed');
  });

  it('interrupts, saying why, only what cannot go on: a task of another boot, or run in-process by an older server', async () => {
    const processes = new FakeProcesses(answers('x', 0));
    const { tasks } = server(processes);
    const logPath = path.join(dataDir, 'tasks', 'x.jsonl');
    await store.tasks.insert({ id: 'rebooted', prompt: 'p', cwd, request: { prompt: 'p', cwd }, sessionId: null, createdAt: 1, ownerPid: 1, ownerStartTime: 'gone', logPath, restartedFrom: null });
    await store.tasks.markStarted('rebooted', 2, { pid: 123, startTime: 'start-123', bootId: 'boot-0' });
    await store.tasks.insert({ id: 'legacy', prompt: 'p', cwd, request: { prompt: 'p', cwd }, sessionId: null, createdAt: 1, ownerPid: 2 ** 22 + 1, logPath, restartedFrom: null });
    await store.tasks.markStarted('legacy', 2, null);
    expect(await tasks.recoverAfterRestart()).toEqual({ adopted: 0, started: 0, interrupted: 2 });
    expect(await tasks.get('rebooted')).toMatchObject({ status: 'interrupted', error: expect.stringContaining('machine restarted') as string });
    expect(await tasks.get('legacy')).toMatchObject({ status: 'interrupted', error: expect.stringContaining('earlier version') as string });
  });

  it('interrupts a queued task whose start a dead server began (its log exists), rather than run it twice', async () => {
    const processes = new FakeProcesses(answers('x', 0));
    const { tasks } = server(processes);
    const logPath = path.join(dataDir, 'tasks', 'half-started.jsonl');
    writeFileSync(logPath, '');
    await store.tasks.insert({ id: 'half-started', prompt: 'p', cwd, request: { prompt: 'p', cwd }, sessionId: null, createdAt: 1, ownerPid: 1, ownerStartTime: 'gone', logPath, restartedFrom: null });
    expect(await tasks.recoverAfterRestart()).toEqual({ adopted: 0, started: 0, interrupted: 1 });
    expect(await tasks.get('half-started')).toMatchObject({ status: 'interrupted', error: expect.stringContaining('while starting this task') as string });
    expect(processes.started).toHaveLength(0);
  });

  it('records from its log a task whose process ended before it could be identified', async () => {
    const { tasks } = server(new FakeProcesses(answers('x', 0)));
    const logPath = path.join(dataDir, 'tasks', 'unidentified.jsonl');
    writeFileSync(logPath, `${JSON.stringify(initLine('s-9'))}\n${JSON.stringify(resultLine('s-9', 'quick', 0.001))}\n`);
    await store.tasks.insert({ id: 'unidentified', prompt: 'p', cwd, request: { prompt: 'p', cwd }, sessionId: null, createdAt: 1, ownerPid: 1, ownerStartTime: 'gone', logPath, restartedFrom: null });
    await store.tasks.markStarted('unidentified', 2, null);
    expect((await tasks.recoverAfterRestart()).adopted).toBe(1);
    expect(await tasks.settled('unidentified')).toMatchObject({ status: 'completed', result: 'quick' });
  });

  it('takes over later the tasks of a server that ends after this one started (keepRecovering)', async () => {
    const owners = new Set<number>();
    const release = gate();
    const processes = aliveOwners(new FakeProcesses(() => ({ lines: [resultLine('s-10', 'late owner', 0)], until: release.promise })), owners);
    const first = server(processes);
    owners.add(serverPid);
    const task = await first.tasks.start({ prompt: 'p', cwd });
    await expect.poll(async () => (await first.tasks.get(task.id))?.status).toBe('running');
    const second = server(processes);
    expect((await second.tasks.recoverAfterRestart()).adopted).toBe(0);
    const stop = second.tasks.keepRecovering(20);
    await first.tasks.shutdown();
    owners.clear();
    await expect.poll(() => second.tasks.isActive(task.id)).toBe(true);
    release.open();
    expect(await second.tasks.settled(task.id)).toMatchObject({ status: 'completed', result: 'late owner' });
    stop();
  });

  it('a stop under way is finished even if the server shuts down meanwhile', async () => {
    const processes = new FakeProcesses(() => ({ lines: [], until: new Promise(() => undefined) }));
    let stopCalled = false;
    processes.stop = (process) => {
      stopCalled = true;
      return new Promise((resolve) => setTimeout(() => resolve(FakeProcesses.prototype.stop.call(processes, process)), 50));
    };
    const { tasks } = server(processes);
    const task = await tasks.start({ prompt: 'p', cwd });
    await expect.poll(async () => (await tasks.get(task.id))?.status).toBe('running');
    const stopping = tasks.stop(task.id);
    await expect.poll(() => stopCalled).toBe(true);
    await tasks.shutdown();
    expect(await stopping).toMatchObject({ status: 'stopped' });
    expect(processes.alive()).toEqual([]);
  });

  it('leaves alone the tasks of a live server on the same data folder', async () => {
    const owners = new Set<number>();
    const processes = aliveOwners(new FakeProcesses(() => ({ lines: [], until: new Promise(() => undefined) })), owners);
    const first = server(processes);
    owners.add(serverPid);
    const task = await first.tasks.start({ prompt: 'mine', cwd });
    await expect.poll(async () => (await first.tasks.get(task.id))?.status).toBe('running');
    const second = server(processes);
    expect(await second.tasks.recoverAfterRestart()).toEqual({ adopted: 0, started: 0, interrupted: 0 });
    await expect(second.tasks.stop(task.id)).rejects.toMatchObject({ code: 'MCP_TOOLS_NOT_RUNNING' });
    await first.tasks.stop(task.id);
  });

  it('with onShutdown "stop", shutdown stops each task and says why', async () => {
    const processes = new FakeProcesses(() => ({ lines: [], until: new Promise(() => undefined) }));
    const { tasks } = server(processes, { onShutdown: 'stop' });
    const task = await tasks.start({ prompt: 'p', cwd });
    await expect.poll(async () => (await tasks.get(task.id))?.status).toBe('running');
    await tasks.shutdown();
    expect(await tasks.get(task.id)).toMatchObject({ status: 'stopped', error: expect.stringContaining('BACKGROUND_TASKS_ON_SHUTDOWN=stop') as string });
    expect(processes.alive()).toEqual([]);
  });
});

describe('TaskManager permissions and options', () => {
  beforeEach(() => {
    store = createMemoryStore();
  });

  it('deny passes the run settings as they are; allow adds a PreToolUse hook that approves, after the run own hooks', async () => {
    const own = { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/repo/.claude/hooks/check.sh' }] }] } };
    for (const permissionPolicy of ['deny', 'allow'] as const) {
      const processes = new FakeProcesses(answers('ok', 0));
      const { tasks } = server(processes, { permissionPolicy });
      await tasks.settled((await tasks.start({ prompt: 'p', cwd, settings: own })).id);
      const settings = processes.started[0]?.settings as typeof own;
      if (permissionPolicy === 'deny') {
        expect(settings).toEqual(own);
      } else {
        expect(settings.hooks.PreToolUse).toHaveLength(2);
        expect(settings.hooks.PreToolUse[0]).toEqual(own.hooks.PreToolUse[0]);
        expect(settings.hooks.PreToolUse[1]).toMatchObject({ matcher: '*', hooks: [{ type: 'command', command: expect.stringContaining('"permissionDecision":"allow"') as string }] });
      }
    }
  });

  it.each([
    [{ dataDir: 'relative/data' }, 'dataDir'],
    [{ onShutdown: 'pause' }, 'onShutdown'],
    [{ pollIntervalMs: 0 }, 'pollIntervalMs'],
  ])('refuses %j, naming it', (options, name) => {
    let caught: unknown;
    try {
      new TaskManager({ runtime: new ClaudeRuntime({ store }), store, dataDir, ...(options as Partial<TaskManagerOptions>) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'MCP_TOOLS_INVALID_OPTIONS' });
    expect((caught as Error).message).toContain(name);
  });
});

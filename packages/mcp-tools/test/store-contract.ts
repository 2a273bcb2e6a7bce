// The behaviour every ClaudeToolsStore implementation shares, run against each of them
// (store.test.ts: SQLite; memory-store.test.ts: in memory), so a backend is checked by one suite.
import { describe, expect, it } from 'vitest';

import { McpToolsError, type McpToolsErrorCode } from '../src/errors.js';
import type { ClaudeToolsStore, IndexedCheckpoint, NewSessionRecord, NewTaskRecord } from '../src/store/index.js';

export function session(id: string, overrides: Partial<NewSessionRecord> = {}): NewSessionRecord {
  return {
    id,
    cwd: '/work/project',
    model: null,
    createdAt: 1_000,
    lastUsedAt: 1_000,
    status: 'idle',
    parentId: null,
    ...overrides,
  };
}

/** Runs `work` and checks that it throws or rejects with an McpToolsError of `code`. */
export async function expectCode(work: () => unknown, code: McpToolsErrorCode, message?: RegExp): Promise<McpToolsError> {
  let thrown: unknown;
  try {
    await work();
  } catch (error) {
    thrown = error;
  }
  expect(McpToolsError.isInstance(thrown), `expected an McpToolsError ${code}, got ${String(thrown)}`).toBe(true);
  expect(thrown).toMatchObject({ code, name: 'McpToolsError' });
  if (message !== undefined) expect((thrown as Error).message).toMatch(message);
  return thrown as McpToolsError;
}

function task(id: string, overrides: Partial<NewTaskRecord> = {}): NewTaskRecord {
  return { id, prompt: `prompt ${id}`, cwd: '/work/project', request: { prompt: `prompt ${id}`, cwd: '/work/project', allowedTools: ['Read'] }, sessionId: null, createdAt: 1_000, ownerPid: 42, logPath: `/data/tasks/${id}.jsonl`, restartedFrom: null, ...overrides };
}

function checkpoint(id: string, overrides: Partial<IndexedCheckpoint['record']> = {}, repo = 'a'.repeat(32)): IndexedCheckpoint {
  return {
    repo,
    record: { id, label: null, cwd: '/work/project', sessionId: null, lastMessageId: null, commit: 'c'.repeat(40), fileCount: 3, bytes: 120, createdAt: 1_000, ...overrides },
  };
}

/** The shared suite, for a store made fresh by `open` for each test. */
export function describeStoreContract(name: string, open: () => Promise<ClaudeToolsStore>): void {
  describe(`${name}: the store contract`, () => {
  describe('sessions', () => {
    it('inserts with defaults and reads back a frozen record', async () => {
      const store = await open();
      const inserted = await store.sessions.insert(session('a', { model: 'claude-sonnet-4-5', parentId: 'origin' }));
      expect(inserted).toEqual({
        id: 'a',
        cwd: '/work/project',
        model: 'claude-sonnet-4-5',
        createdAt: 1_000,
        lastUsedAt: 1_000,
        turns: 0,
        costUsd: 0,
        status: 'idle',
        parentId: 'origin',
        lastError: null,
      });
      expect(Object.isFrozen(inserted)).toBe(true);
      expect(await store.sessions.get('a')).toEqual(inserted);
      expect(Object.isFrozen(await store.sessions.get('a'))).toBe(true);
      expect(await store.sessions.get('missing')).toBeUndefined();

      const full = await store.sessions.insert(session('b', { turns: 3, costUsd: 0.25, lastError: 'boom', status: 'failed' }));
      expect(full).toMatchObject({ turns: 3, costUsd: 0.25, lastError: 'boom', status: 'failed' });
    });

    it('refuses a duplicate id with MCP_TOOLS_STORE_FAILED and leaves the first row alone', async () => {
      const store = await open();
      await store.sessions.insert(session('dup', { cwd: '/first' }));
      await expectCode(
        () => store.sessions.insert(session('dup', { cwd: '/second' })),
        'MCP_TOOLS_STORE_FAILED',
        /"dup".*already stored/,
      );
      expect((await store.sessions.get('dup'))?.cwd).toBe('/first');
    });

    it('validates records before writing', async () => {
      const store = await open();
      await expectCode(() => store.sessions.insert(session('')), 'MCP_TOOLS_STORE_FAILED', /id must be a non-empty string/);
      await expectCode(
        () => store.sessions.insert(session('x', { status: 'sleeping' as 'idle' })),
        'MCP_TOOLS_STORE_FAILED',
        /status must be one of idle, running/,
      );
      await expectCode(() => store.sessions.insert(session('x', { costUsd: -1 })), 'MCP_TOOLS_STORE_FAILED', /costUsd/);
      await expectCode(() => store.sessions.insert(session('x', { createdAt: 1.5 })), 'MCP_TOOLS_STORE_FAILED', /createdAt/);
      await expectCode(
        () => store.sessions.insert(session('x', { model: undefined as unknown as null })),
        'MCP_TOOLS_STORE_FAILED',
        /model must be a string or null/,
      );
      expect(await store.sessions.list()).toEqual([]);
    });

    it('lists newest lastUsedAt first, with limit and status filter', async () => {
      const store = await open();
      await store.sessions.insert(session('old', { lastUsedAt: 100 }));
      await store.sessions.insert(session('new', { lastUsedAt: 300, status: 'running' }));
      await store.sessions.insert(session('mid', { lastUsedAt: 200, status: 'closed' }));
      await store.sessions.insert(session('mid-later-insert', { lastUsedAt: 200 }));

      expect((await store.sessions.list()).map((s) => s.id)).toEqual(['new', 'mid-later-insert', 'mid', 'old']);
      expect((await store.sessions.list({ limit: 2 })).map((s) => s.id)).toEqual(['new', 'mid-later-insert']);
      expect((await store.sessions.list({ status: 'idle' })).map((s) => s.id)).toEqual(['mid-later-insert', 'old']);
      expect((await store.sessions.list({ status: 'idle', limit: 1 })).map((s) => s.id)).toEqual(['mid-later-insert']);
      expect(await store.sessions.list({ status: 'failed' })).toEqual([]);
      expect((await store.sessions.list()).every((s) => Object.isFrozen(s))).toBe(true);

      await store.sessions.recordTurn('old', { costUsd: 0, at: 400 });
      expect((await store.sessions.list({ limit: 1 }))[0]?.id).toBe('old');

      await expectCode(() => store.sessions.list({ limit: 0 }), 'MCP_TOOLS_STORE_FAILED', /limit/);
      await expectCode(() => store.sessions.list({ limit: 2.5 }), 'MCP_TOOLS_STORE_FAILED', /limit/);
      await expectCode(() => store.sessions.list({ status: 'nope' as 'idle' }), 'MCP_TOOLS_STORE_FAILED', /status/);
    });

    it('delete removes one session and says whether there was one', async () => {
      const store = await open();
      await store.sessions.insert(session('gone'));
      await store.sessions.insert(session('kept'));
      expect(await store.sessions.delete('gone')).toBe(true);
      expect(await store.sessions.delete('gone')).toBe(false);
      expect(await store.sessions.get('gone')).toBeUndefined();
      expect(await store.sessions.get('kept')).toBeDefined();
    });

    it('recordTurn counts turns, sums cost, moves lastUsedAt, sets idle and keeps or updates the model', async () => {
      const store = await open();
      await store.sessions.insert(session('s', { status: 'running', model: 'first-model', lastError: 'earlier' }));

      const one = await store.sessions.recordTurn('s', { costUsd: 0.1, at: 2_000 });
      expect(one).toMatchObject({
        turns: 1,
        lastUsedAt: 2_000,
        status: 'idle',
        model: 'first-model',
        lastError: 'earlier',
      });
      expect(one.costUsd).toBeCloseTo(0.1, 12);
      expect(Object.isFrozen(one)).toBe(true);

      await store.sessions.setStatus('s', 'running');
      await store.sessions.recordTurn('s', { costUsd: 0.2, at: 3_000, model: null });
      const three = await store.sessions.recordTurn('s', { costUsd: 0.05, at: 4_000, model: 'second-model' });
      expect(three).toMatchObject({ turns: 3, lastUsedAt: 4_000, status: 'idle', model: 'second-model' });
      // Summed without floating-point noise (0.1 + 0.2 + 0.05 is 0.35000000000000003 in doubles).
      expect(three.costUsd).toBe(0.35);
      expect(await store.sessions.get('s')).toEqual(three);

      await expectCode(() => store.sessions.recordTurn('ghost', { costUsd: 0, at: 1 }), 'MCP_TOOLS_SESSION_NOT_FOUND', /ghost/);
      await expectCode(() => store.sessions.recordTurn('s', { costUsd: Number.NaN, at: 1 }), 'MCP_TOOLS_STORE_FAILED', /costUsd/);
      await expectCode(() => store.sessions.recordTurn('s', { costUsd: 0, at: -1 }), 'MCP_TOOLS_STORE_FAILED', /at must/);
      expect((await store.sessions.get('s'))?.turns).toBe(3);
    });

    it('setStatus changes the status and sets, keeps or clears lastError', async () => {
      const store = await open();
      await store.sessions.insert(session('s'));
      await store.sessions.setStatus('s', 'running');
      expect(await store.sessions.get('s')).toMatchObject({ status: 'running', lastError: null });
      await store.sessions.setStatus('s', 'failed', 'the CLI exited with code 1');
      expect(await store.sessions.get('s')).toMatchObject({ status: 'failed', lastError: 'the CLI exited with code 1' });
      await store.sessions.setStatus('s', 'idle');
      expect(await store.sessions.get('s')).toMatchObject({ status: 'idle', lastError: 'the CLI exited with code 1' });
      await store.sessions.setStatus('s', 'closed', null);
      expect(await store.sessions.get('s')).toMatchObject({ status: 'closed', lastError: null });

      await expectCode(() => store.sessions.setStatus('ghost', 'idle'), 'MCP_TOOLS_SESSION_NOT_FOUND', /ghost/);
      await expectCode(() => store.sessions.setStatus('s', 'done' as 'idle'), 'MCP_TOOLS_STORE_FAILED', /status/);
    });

    it('markRunningAsInterrupted turns only running sessions into interrupted ones', async () => {
      const store = await open();
      await store.sessions.insert(session('r1', { status: 'running' }));
      await store.sessions.insert(session('r2', { status: 'running' }));
      await store.sessions.insert(session('i', { status: 'idle' }));
      await store.sessions.insert(session('c', { status: 'closed' }));

      expect(await store.sessions.markRunningAsInterrupted()).toBe(2);
      expect((await store.sessions.get('r1'))?.status).toBe('interrupted');
      expect((await store.sessions.get('r1'))?.lastError).toMatch(/stopped while this session was running/);
      expect((await store.sessions.get('r2'))?.status).toBe('interrupted');
      expect(await store.sessions.get('i')).toMatchObject({ status: 'idle', lastError: null });
      expect((await store.sessions.get('c'))?.status).toBe('closed');
      expect(await store.sessions.markRunningAsInterrupted()).toBe(0);
    });
  });

    describe('session seeds (writes for a session without a record)', () => {
      it('setStatus stores a seeded session and says so; without a seed an unknown id is refused', async () => {
        const store = await open();
        const seed = { cwd: '/seeded', model: 'm', at: 7_000 };
        expect(await store.sessions.setStatus('new', 'running', undefined, seed)).toBe('created');
        expect(await store.sessions.get('new')).toMatchObject({ cwd: '/seeded', model: 'm', createdAt: 7_000, lastUsedAt: 7_000, status: 'running', lastError: null, turns: 0 });
        expect(await store.sessions.setStatus('new', 'failed', 'boom', seed)).toBe('updated');
        expect(await store.sessions.get('new')).toMatchObject({ status: 'failed', lastError: 'boom', cwd: '/seeded' });
        expect(await store.sessions.setStatus('other', 'failed', 'at once', seed)).toBe('created');
        expect(await store.sessions.get('other')).toMatchObject({ status: 'failed', lastError: 'at once' });
        await expectCode(() => store.sessions.setStatus('ghost', 'idle'), 'MCP_TOOLS_SESSION_NOT_FOUND', /ghost/);
        // A seed is checked only when it is used: a known session's status never fails on it.
        expect(await store.sessions.setStatus('new', 'idle', undefined, { ...seed, at: 1.5 })).toBe('updated');
        await expectCode(() => store.sessions.setStatus('bad-seed', 'idle', undefined, { ...seed, at: 1.5 }), 'MCP_TOOLS_STORE_FAILED', /createdAt/);
      });

      it('recordTurn stores a seeded session first, then counts the turn', async () => {
        const store = await open();
        const turned = await store.sessions.recordTurn('fresh', { costUsd: 0.5, at: 9_000, model: 'x' }, { cwd: '/c', model: null });
        expect(turned).toMatchObject({ id: 'fresh', cwd: '/c', createdAt: 9_000, lastUsedAt: 9_000, turns: 1, costUsd: 0.5, status: 'idle', model: 'x' });
        const again = await store.sessions.recordTurn('fresh', { costUsd: 0.25, at: 9_500 }, { cwd: '/elsewhere', model: null });
        expect(again).toMatchObject({ cwd: '/c', turns: 2, costUsd: 0.75, createdAt: 9_000 });
      });
    });

    describe('forks', () => {
      it('plans a fork together with its session, reads it back, and forgets it once consumed', async () => {
        const store = await open();
        await store.forks.plan({ sessionId: 'child', parentId: 'parent', messageId: 'msg-1', createdAt: 3_000 }, '/repo');
        expect(await store.forks.get('child')).toEqual({ sessionId: 'child', parentId: 'parent', messageId: 'msg-1', createdAt: 3_000 });
        expect(await store.sessions.get('child')).toMatchObject({ cwd: '/repo', status: 'idle', parentId: 'parent', createdAt: 3_000 });
        await store.forks.plan({ sessionId: 'whole', parentId: 'parent', messageId: null, createdAt: 3_100 }, '/repo');
        expect((await store.forks.get('whole'))?.messageId).toBeNull();
        await store.forks.consume('child');
        await store.forks.consume('child');
        expect(await store.forks.get('child')).toBeUndefined();
        expect(await store.sessions.get('child')).toBeDefined();
      });

      it('refuses a second plan for the same session, and a malformed fork', async () => {
        const store = await open();
        await store.forks.plan({ sessionId: 'twice', parentId: 'p', messageId: null, createdAt: 1 }, '/repo');
        await store.sessions.delete('twice');
        await expectCode(() => store.forks.plan({ sessionId: 'twice', parentId: 'p', messageId: null, createdAt: 2 }, '/repo'), 'MCP_TOOLS_STORE_FAILED', /twice/);
        expect(await store.sessions.get('twice')).toBeUndefined();
        await expectCode(() => store.forks.plan({ sessionId: 'm', parentId: 'p', messageId: undefined as unknown as null, createdAt: 1 }, '/repo'), 'MCP_TOOLS_STORE_FAILED', /messageId/);
        await expectCode(() => store.forks.plan({ sessionId: 'm', parentId: '', messageId: null, createdAt: 1 }, '/repo'), 'MCP_TOOLS_STORE_FAILED', /parentId/);
        expect(await store.forks.get('m')).toBeUndefined();
      });

      it('refuses a fork whose session id is taken, storing neither part', async () => {
        const store = await open();
        await store.sessions.insert(session('taken'));
        await expectCode(() => store.forks.plan({ sessionId: 'taken', parentId: 'p', messageId: null, createdAt: 1 }, '/repo'), 'MCP_TOOLS_STORE_FAILED', /taken/);
        expect(await store.forks.get('taken')).toBeUndefined();
        expect((await store.sessions.get('taken'))?.parentId).toBeNull();
      });
    });

    describe('tasks', () => {
      it('inserts queued tasks and lists them newest first (ties by id), by status, paged', async () => {
        const store = await open();
        const first = await store.tasks.insert(task('t-b', { createdAt: 1_000 }));
        expect(first).toMatchObject({ id: 't-b', status: 'queued', startedAt: null, finishedAt: null, result: null, costUsd: 0, numTurns: 0, pid: null, error: null, ownerPid: 42 });
        expect(first.structuredOutput).toBeUndefined();
        expect(Object.isFrozen(first)).toBe(true);
        await store.tasks.insert(task('t-a', { createdAt: 1_000 }));
        await store.tasks.insert(task('t-c', { createdAt: 2_000 }));
        expect((await store.tasks.list({ limit: 10, offset: 0 })).map((t) => t.id)).toEqual(['t-c', 't-a', 't-b']);
        expect((await store.tasks.list({ limit: 1, offset: 1 })).map((t) => t.id)).toEqual(['t-a']);
        await store.tasks.markStarted('t-a', 1_500, { pid: 4242, startTime: '777', bootId: 'boot-1' });
        expect((await store.tasks.list({ status: 'running', limit: 10, offset: 0 })).map((t) => t.id)).toEqual(['t-a']);
        expect((await store.tasks.listUnfinished()).map((t) => t.id).sort()).toEqual(['t-a', 't-b', 't-c']);
        expect(await store.tasks.get('t-a')).toMatchObject({ status: 'running', startedAt: 1_500, pid: 4242, processStartTime: '777', bootId: 'boot-1' });
        expect(await store.tasks.get('nope')).toBeUndefined();
      });

      it('keeps the request, notes the first session id only, and finishes keeping what is not given', async () => {
        const store = await open();
        await store.tasks.insert(task('t'));
        expect(await store.tasks.requestOf('t')).toEqual({ prompt: 'prompt t', cwd: '/work/project', allowedTools: ['Read'] });
        expect(await store.tasks.requestOf('nope')).toBeUndefined();
        await store.tasks.noteSession('t', 'first');
        await store.tasks.noteSession('t', 'second');
        expect((await store.tasks.get('t'))?.sessionId).toBe('first');
        await store.tasks.markStarted('t', 2_000, { pid: 99, startTime: '5', bootId: null });
        await store.tasks.finish('t', { status: 'completed', at: 3_000, error: null, result: 'done', structuredOutput: { ok: [1, 2] }, costUsd: 0.2, numTurns: 2 });
        const done = await store.tasks.get('t');
        expect(done).toMatchObject({ status: 'completed', finishedAt: 3_000, result: 'done', costUsd: 0.2, numTurns: 2, pid: null, sessionId: 'first', startedAt: 2_000 });
        expect(done?.structuredOutput).toEqual({ ok: [1, 2] });
        await store.tasks.finish('t', { status: 'failed', at: 4_000, error: 'later' });
        expect(await store.tasks.get('t')).toMatchObject({ status: 'failed', finishedAt: 4_000, result: 'done', costUsd: 0.2, error: 'later' });
        expect((await store.tasks.listUnfinished()).map((t) => t.id)).toEqual([]);
        // A start reported after the end does not reopen the task.
        await store.tasks.markStarted('t', 5_000, { pid: 7, startTime: '6', bootId: null });
        expect(await store.tasks.get('t')).toMatchObject({ status: 'failed', startedAt: 2_000, pid: null, processStartTime: null, bootId: null });
      });

      it('hands an unfinished task to one new owner, only from the owner it names', async () => {
        const store = await open();
        await store.tasks.insert(task('t', { ownerPid: 10, ownerStartTime: 'old' }));
        expect(await store.tasks.get('t')).toMatchObject({ ownerPid: 10, ownerStartTime: 'old' });
        expect(await store.tasks.claim('t', { pid: 10, startTime: 'other' }, { pid: 20, startTime: 'new' })).toBe(false);
        expect(await store.tasks.claim('t', { pid: 10, startTime: 'old' }, { pid: 20, startTime: 'new' })).toBe(true);
        // The second of two servers starting together gets nothing.
        expect(await store.tasks.claim('t', { pid: 10, startTime: 'old' }, { pid: 30, startTime: 'newer' })).toBe(false);
        expect(await store.tasks.get('t')).toMatchObject({ ownerPid: 20, ownerStartTime: 'new' });
        await store.tasks.insert(task('legacy'));
        expect((await store.tasks.get('legacy'))?.ownerStartTime).toBeNull();
        expect(await store.tasks.claim('legacy', { pid: 42, startTime: null }, { pid: 20, startTime: 'new' })).toBe(true);
        await store.tasks.finish('t', { status: 'completed', at: 1, error: null });
        expect(await store.tasks.claim('t', { pid: 20, startTime: 'new' }, { pid: 30, startTime: 'newer' })).toBe(false);
        expect(await store.tasks.claim('nope', { pid: 20, startTime: 'new' }, { pid: 30, startTime: 'newer' })).toBe(false);
        await expectCode(() => store.tasks.markStarted('legacy', 1, { pid: 1.5, startTime: 'x', bootId: null }), 'MCP_TOOLS_STORE_FAILED', /pid/);
      });

      it('refuses a taken id, malformed tasks and filters, and hands out copies of structured output', async () => {
        const store = await open();
        await store.tasks.insert(task('t'));
        await expectCode(() => store.tasks.insert(task('t')), 'MCP_TOOLS_STORE_FAILED', /"t".*already stored/);
        await expectCode(() => store.tasks.insert(task('u', { createdAt: 1.5 })), 'MCP_TOOLS_STORE_FAILED', /createdAt/);
        await expectCode(() => store.tasks.insert(task('')), 'MCP_TOOLS_STORE_FAILED', /id must be a non-empty string/);
        await expectCode(() => store.tasks.insert(task('v', { request: undefined })), 'MCP_TOOLS_STORE_FAILED', /request/);
        await expectCode(() => store.tasks.list({ limit: 10, offset: -1 }), 'MCP_TOOLS_STORE_FAILED', /offset/);
        await expectCode(() => store.tasks.list({ limit: 0, offset: 0 }), 'MCP_TOOLS_STORE_FAILED', /limit/);
        await expectCode(() => store.tasks.list({ status: 'nope' as 'queued', limit: 1, offset: 0 }), 'MCP_TOOLS_STORE_FAILED', /status/);
        expect((await store.tasks.list({ limit: 10, offset: 0 })).map((t) => t.id)).toEqual(['t']);
        await store.tasks.finish('t', { status: 'completed', at: 2, error: null, structuredOutput: { items: [1] } });
        const first = await store.tasks.get('t');
        (first?.structuredOutput as { items: number[] }).items.push(2);
        expect((await store.tasks.get('t'))?.structuredOutput).toEqual({ items: [1] });
      });
    });

    describe('checkpoint index', () => {
      it('inserts, reads, lists newest first with filters and limit, counts per repository and removes', async () => {
        const store = await open();
        const stored = await store.checkpoints.insert(checkpoint('ckpt_1', { createdAt: 1_000, sessionId: 's1' }));
        expect(stored.record).toMatchObject({ id: 'ckpt_1', sessionId: 's1', fileCount: 3, bytes: 120 });
        expect(Object.isFrozen(stored.record)).toBe(true);
        await store.checkpoints.insert(checkpoint('ckpt_2', { createdAt: 2_000 }));
        await store.checkpoints.insert(checkpoint('ckpt_3', { createdAt: 2_000, cwd: '/other' }, 'b'.repeat(32)));
        expect(await store.checkpoints.get('ckpt_3')).toMatchObject({ repo: 'b'.repeat(32), record: { cwd: '/other' } });
        const ids = async (filter: Parameters<ClaudeToolsStore['checkpoints']['list']>[0]) => (await store.checkpoints.list(filter)).map((c) => c.id);
        expect(await ids({ cwd: null, sessionId: null })).toEqual(['ckpt_3', 'ckpt_2', 'ckpt_1']);
        expect(await ids({ cwd: '/work/project', sessionId: null })).toEqual(['ckpt_2', 'ckpt_1']);
        expect(await ids({ cwd: null, sessionId: 's1' })).toEqual(['ckpt_1']);
        expect(await ids({ cwd: null, sessionId: null, limit: 1 })).toEqual(['ckpt_3']);
        expect(await store.checkpoints.countInRepo('a'.repeat(32))).toBe(2);
        await expectCode(() => store.checkpoints.insert(checkpoint('ckpt_1')), 'MCP_TOOLS_STORE_FAILED', /ckpt_1/);
        expect(await store.checkpoints.remove('ckpt_1')).toBe(true);
        expect(await store.checkpoints.remove('ckpt_1')).toBe(false);
        expect(await store.checkpoints.get('ckpt_1')).toBeUndefined();
        expect(await store.checkpoints.countInRepo('a'.repeat(32))).toBe(1);
      });

      it('refuses malformed checkpoints and filters', async () => {
        const store = await open();
        await expectCode(() => store.checkpoints.insert(checkpoint('ckpt_x', { fileCount: -1 })), 'MCP_TOOLS_STORE_FAILED', /fileCount/);
        await expectCode(() => store.checkpoints.insert(checkpoint('')), 'MCP_TOOLS_STORE_FAILED', /id/);
        await expectCode(() => store.checkpoints.insert(checkpoint('ckpt_y', {}, '')), 'MCP_TOOLS_STORE_FAILED', /repo/);
        await expectCode(() => store.checkpoints.list({ cwd: null, sessionId: null, limit: -1 }), 'MCP_TOOLS_STORE_FAILED', /limit/);
        expect(await store.checkpoints.list({ cwd: null, sessionId: null })).toEqual([]);
      });
    });

    describe('Claude Code processes', () => {
      it('records, replaces, lists oldest first and forgets processes; checks records', async () => {
        const store = await open();
        const record = { pid: 10, startTime: '500', ownerPid: 1, ownerStartTime: '1', sessionId: null, startedAt: 2_000 };
        await store.processes.record(record);
        await store.processes.record({ ...record, pid: 11, startedAt: 1_000 });
        await store.processes.record({ ...record, sessionId: 'later' });
        expect(await store.processes.list()).toEqual([{ ...record, pid: 11, startedAt: 1_000 }, { ...record, sessionId: 'later' }]);
        await store.processes.forget(10, 'other-start');
        expect(await store.processes.list()).toHaveLength(2);
        await store.processes.forget(10, '500');
        expect((await store.processes.list()).map((p) => p.pid)).toEqual([11]);
        await expectCode(() => store.processes.record({ ...record, pid: -1 }), 'MCP_TOOLS_STORE_FAILED', /pid/);
        await expectCode(() => store.processes.forget(10, ''), 'MCP_TOOLS_STORE_FAILED', /startTime/);
      });
    });

    describe('owners', () => {
      it('keeps the first claim, answers who owns what, and checks its input', async () => {
        const store = await open();
        await store.owners.claim('task', 't1', 'alice');
        await store.owners.claim('task', 't1', 'mallory');
        await store.owners.claim('session', 't1', 'bob');
        await store.owners.claim('task', 't2', 'alice');
        expect(await store.owners.ownerOf('task', 't1')).toBe('alice');
        expect(await store.owners.ownerOf('session', 't1')).toBe('bob');
        expect(await store.owners.ownerOf('checkpoint', 't1')).toBeUndefined();
        expect((await store.owners.idsOf('task', 'alice')).sort()).toEqual(['t1', 't2']);
        expect(await store.owners.idsOf('session', 'alice')).toEqual([]);
        await expectCode(() => store.owners.claim('process' as 'task', 'x', 'alice'), 'MCP_TOOLS_STORE_FAILED', /kind/);
        await expectCode(() => store.owners.claim('task', '', 'alice'), 'MCP_TOOLS_STORE_FAILED', /id/);
        await expectCode(() => store.owners.claim('task', 'x', ''), 'MCP_TOOLS_STORE_FAILED', /owner/);
      });
    });

    it('close is idempotent, and a closed store refuses work with MCP_TOOLS_STORE_FAILED', async () => {
      const store = await open();
      await store.close();
      await store.close();
      await expectCode(() => store.sessions.get('a'), 'MCP_TOOLS_STORE_FAILED', /closed/);
      await expectCode(() => store.sessions.insert(session('a')), 'MCP_TOOLS_STORE_FAILED', /closed/);
      await expectCode(() => store.tasks.list({ limit: 1, offset: 0 }), 'MCP_TOOLS_STORE_FAILED', /closed/);
      await expectCode(() => store.checkpoints.get('ckpt_1'), 'MCP_TOOLS_STORE_FAILED', /closed/);
      await expectCode(() => store.processes.list(), 'MCP_TOOLS_STORE_FAILED', /closed/);
      await expectCode(() => store.forks.get('x'), 'MCP_TOOLS_STORE_FAILED', /closed/);
      await expectCode(() => store.owners.ownerOf('task', 'x'), 'MCP_TOOLS_STORE_FAILED', /closed/);
    });

    it('the store and each of its stores are frozen', async () => {
      const store = await open();
      expect(Object.isFrozen(store)).toBe(true);
      for (const part of [store.sessions, store.forks, store.tasks, store.checkpoints, store.processes, store.owners]) expect(Object.isFrozen(part)).toBe(true);
      expect(() => Object.assign(store.sessions, { get: () => undefined })).toThrow(TypeError);
    });
  });
}

// The records of Claude Code processes and the start-up sweep, on real processes (a `sleep` stands
// in for the CLI: what matters is the process table, not what runs).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describeProcess, isAlive, noopLogger } from '@claude-code-mcp/claude-cli-driver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { currentProcess, stopOrphanedProcesses, trackCliProcess } from '../src/processes/cli-processes.js';
import { openStore, type ClaudeToolsStore } from '../src/store/index.js';

let dataDir: string;
let store: ClaudeToolsStore;
const children: ChildProcess[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'cli-processes-'));
  store = openStore({ dataDir });
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function sleeper(): { pid: number; startTime: string; child: ChildProcess } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  const entry = describeProcess(child.pid ?? -1);
  if (!entry) throw new Error('no process table entry for the sleeper');
  return { pid: entry.pid, startTime: entry.startTime, child };
}

// A server that is gone: a process that ran and exited (its pid and start time match nothing now).
function deadOwner(): { pid: number; startTime: string } {
  const gone = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' });
  return { pid: Number(gone.stdout.trim()), startTime: '1' };
}

const record = (cli: { pid: number; startTime: string }, owner: { pid: number; startTime: string }) =>
  store.processes.record({ pid: cli.pid, startTime: cli.startTime, ownerPid: owner.pid, ownerStartTime: owner.startTime, sessionId: null, startedAt: 1 });

describe('Claude Code process records', () => {
  it('tracks a process while it lives and forgets it when it exits', async () => {
    const owner = currentProcess();
    expect(owner?.pid).toBe(process.pid);
    const cli = sleeper();
    const exited = new Promise((resolve) => cli.child.once('exit', resolve));
    await trackCliProcess(store, owner!, { pid: cli.pid, sessionId: 's-1', exited }, noopLogger, () => 5);
    expect(await store.processes.list()).toEqual([{ pid: cli.pid, startTime: cli.startTime, ownerPid: process.pid, ownerStartTime: owner!.startTime, sessionId: 's-1', startedAt: 5 }]);
    cli.child.kill('SIGKILL');
    await exited;
    await expect.poll(() => store.processes.list()).toEqual([]);
  });

  it("stops the processes of a server that is gone, and leaves a live server's alone", async () => {
    const orphan = sleeper();
    const kept = sleeper();
    await record(orphan, deadOwner());
    // A live owner: this test process (another server sharing the data folder, as far as the sweep knows).
    await record(kept, { pid: process.pid, startTime: describeProcess(process.pid)!.startTime });
    expect(await stopOrphanedProcesses(store, { pid: kept.child.pid ?? -1, startTime: 'not us' })).toBe(1);
    await expect.poll(() => isAlive(orphan)).toBe(false);
    expect(isAlive(kept)).toBe(true);
    expect((await store.processes.list()).map((entry) => entry.pid)).toEqual([kept.pid]);
  });

  it('does not touch a later process that reuses a recorded pid', async () => {
    const other = sleeper();
    await record({ pid: other.pid, startTime: 'an earlier process' }, deadOwner());
    expect(await stopOrphanedProcesses(store, currentProcess())).toBe(0);
    expect(isAlive(other)).toBe(true);
    expect(await store.processes.list()).toEqual([]);
  });
});

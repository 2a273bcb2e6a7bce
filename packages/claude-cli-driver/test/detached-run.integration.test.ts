// Detached runs on the real CLI against the mock API: a run goes on after the process that started
// it is killed, its log gives the result, and stopping it (from any process) leaves nothing behind.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { text, toolUse, turn } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  ClaudeCliError,
  RunLogReader,
  currentBootId,
  detachedOutcome,
  isAlive,
  startDetachedRun,
  stopDetachedRun,
  type DetachedRunFiles,
  type RunResult,
} from '../src/index.js';
import { createFixture, isRunning, waitForDescendant, type Fixture } from './helpers.js';

let fixture: Fixture;
let folder: string;
let files: DetachedRunFiles;
beforeEach(async () => {
  fixture = await createFixture();
  folder = mkdtempSync(join(tmpdir(), 'detached-'));
  files = { inputPath: join(folder, 'run.input'), outputPath: join(folder, 'run.jsonl'), stderrPath: join(folder, 'run.stderr') };
});
afterEach(async () => {
  await fixture.dispose();
  rmSync(folder, { recursive: true, force: true });
});

const LONG_BASH = 'for i in $(seq 1 120); do sleep 1; done';
function detachedOptions() {
  const { killGraceMs: _grace, spawn: _spawn, canUseTool: _canUseTool, hooks: _hooks, logger: _logger, ...runOptions } = fixture.options;
  return { ...runOptions, files };
}

async function waitUntilGone(run: { pid: number; startTime: string }, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(run)) {
    if (Date.now() > deadline) throw new Error(`pid ${run.pid} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('detached runs', () => {
  it('run one prompt from a file, write the stream to the log, and end with a result', async () => {
    fixture.mock.script(toolUse('Bash', { command: 'echo detached > out.txt', description: 'write' }), turn(text('Wrote it.'), { match: { toolResult: true } }));
    const run = await startDetachedRun({ ...detachedOptions(), prompt: 'write the file', allowedTools: ['Bash'] });
    expect(run.startTime).not.toBe('');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    const reader = new RunLogReader(files.outputPath);
    const types = reader.read().map((message) => message.type);
    expect(types[0]).toBe('system');
    expect(types.at(-1)).toBe('result');
    const outcome = detachedOutcome(reader.result, { stopped: false, stderrPath: files.stderrPath }) as RunResult;
    expect(outcome.text).toBe('Wrote it.');
    expect(outcome.costUsd).toBeGreaterThan(0);
    expect(readFileSync(join(fixture.sandbox.cwd, 'out.txt'), 'utf8')).toBe('detached\n');
    expect(reader.read()).toEqual([]);
  });

  it('go on after the process that started them is SIGKILLed', async () => {
    fixture.mock.script(toolUse('Bash', { command: 'sleep 2; echo late > late.txt', description: 'wait' }), turn(text('Finished late.'), { match: { toolResult: true } }));
    // A separate Node process starts the run (from the built package), prints its identity, then is killed.
    const script = `
      const { startDetachedRun } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
      const run = await startDetachedRun(JSON.parse(process.argv[1]));
      process.stdout.write(JSON.stringify({ pid: run.pid, startTime: run.startTime }) + '\\n');
      setInterval(() => {}, 1000);`;
    const starter = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify({ ...detachedOptions(), prompt: 'wait', allowedTools: ['Bash'] })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      starter.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8')));
      starter.once('exit', (code) => reject(new Error(`starter exited with ${String(code)}`)));
    });
    const run = JSON.parse(line) as { pid: number; startTime: string };
    starter.kill('SIGKILL');
    expect(isAlive(run)).toBe(true);
    await waitUntilGone(run);
    const reader = new RunLogReader(files.outputPath);
    reader.read();
    expect((detachedOutcome(reader.result, { stopped: false, stderrPath: files.stderrPath }) as RunResult).text).toBe('Finished late.');
    expect(readFileSync(join(fixture.sandbox.cwd, 'late.txt'), 'utf8')).toBe('late\n');
  });

  it('stop: the CLI and its Bash command are gone, and the outcome says it was stopped', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), turn(text('never'), { match: { toolResult: true } }));
    const run = await startDetachedRun({ ...detachedOptions(), prompt: 'a prompt kept off argv', allowedTools: ['Bash'] });
    const tree = await waitForDescendant(run.pid, /^sleep 1$/);
    // The prompt went through the input file, never the command line.
    expect(readFileSync(`/proc/${run.pid}/cmdline`, 'utf8')).not.toContain('a prompt kept off argv');
    expect(await stopDetachedRun(run, { graceMs: 1_000 })).toBe(true);
    for (const pid of [run.pid, ...tree]) expect(isRunning(pid), `pid ${pid}`).toBe(false);
    const reader = new RunLogReader(files.outputPath);
    reader.read();
    const outcome = detachedOutcome(reader.result, { stopped: true, stderrPath: files.stderrPath });
    expect(ClaudeCliError.isInstance(outcome) && outcome.code).toBe('CLAUDE_CLI_INTERRUPTED');
    expect(await stopDetachedRun(run)).toBe(false);
  });

  it('report a run that ended without a result as CLAUDE_CLI_EXITED', async () => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    const run = await startDetachedRun({ ...detachedOptions(), prompt: 'run', allowedTools: ['Bash'] });
    await waitForDescendant(run.pid, /^sleep 1$/);
    process.kill(run.pid, 'SIGKILL');
    await waitUntilGone(run);
    await stopDetachedRun(run);
    const reader = new RunLogReader(files.outputPath);
    expect(reader.read().length).toBeGreaterThan(0);
    const outcome = detachedOutcome(reader.result, { stopped: false, stderrPath: files.stderrPath });
    expect(ClaudeCliError.isInstance(outcome) && outcome.code).toBe('CLAUDE_CLI_EXITED');
  });

  it('refuse callbacks nothing could answer, and relative file paths', async () => {
    await expect(startDetachedRun({ ...detachedOptions(), prompt: 'x', canUseTool: () => ({ behavior: 'deny', message: '' }) } as never)).rejects.toMatchObject({ code: 'CLAUDE_CLI_INVALID_OPTIONS' });
    await expect(startDetachedRun({ ...detachedOptions(), prompt: 'x', files: { ...files, outputPath: 'run.jsonl' } })).rejects.toMatchObject({
      code: 'CLAUDE_CLI_INVALID_OPTIONS',
      message: expect.stringContaining('files.outputPath') as string,
    });
  });

  it('know the boot they run in', () => {
    expect(currentBootId()).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('RunLogReader', () => {
  it('keeps a line not yet ended for the next read, and skips malformed lines', async () => {
    const { appendFileSync } = await import('node:fs');
    const path = join(folder, 'partial.jsonl');
    appendFileSync(path, 'not json\n{"type":"system","subtype":"init","session_id":"s1"');
    const reader = new RunLogReader(path);
    expect(reader.read()).toEqual([]);
    expect(reader.malformed).toBe(1);
    appendFileSync(path, ',"model":"m"}\n');
    expect(reader.read().map((message) => message.type)).toEqual(['system']);
    expect(new RunLogReader(join(folder, 'missing.jsonl')).read()).toEqual([]);
  });
});

// A stand-in for detached Claude Code processes: each "process" writes the stream-json lines its
// script gives to the task's log file, then ends (or runs until stopped or released). Shared by
// several task managers, it plays the machine that outlives a server.
import { appendFileSync } from 'node:fs';

import type { DetachedRun, DetachedRunOptions } from '@claude-code-mcp/claude-cli-driver';

import type { DetachedProcesses, RecordedProcess } from '../src/tasks/detached-processes.js';

/** What one process does: write `lines`, then end, unless `until` holds it. */
export interface FakeRun {
  readonly lines: readonly Record<string, unknown>[];
  /** The process runs until this settles (or it is stopped). */
  readonly until?: Promise<unknown>;
}

export type RunScript = (options: DetachedRunOptions) => FakeRun;

/** A result line as the CLI writes it. */
export function resultLine(sessionId: string, text: string, costUsd: number): Record<string, unknown> {
  return { type: 'result', subtype: 'success', is_error: false, result: text, session_id: sessionId, total_cost_usd: costUsd, num_turns: 1, duration_ms: 5 };
}

export function initLine(sessionId: string): Record<string, unknown> {
  return { type: 'system', subtype: 'init', session_id: sessionId };
}

export class FakeProcesses implements DetachedProcesses {
  readonly started: DetachedRunOptions[] = [];
  readonly stopped: number[] = [];
  boot = 'boot-1';
  readonly #alive = new Set<number>();
  readonly #script: RunScript;
  #nextPid = 70_000;

  constructor(script: RunScript) {
    this.#script = script;
  }

  start(options: DetachedRunOptions): Promise<DetachedRun> {
    const pid = (this.#nextPid += 1);
    this.started.push(options);
    this.#alive.add(pid);
    const run = this.#script(options);
    const write = () => {
      if (!this.#alive.has(pid)) return;
      for (const line of run.lines) appendFileSync(options.files.outputPath, `${JSON.stringify(line)}\n`);
      this.#alive.delete(pid);
    };
    setTimeout(() => void (run.until ?? Promise.resolve()).then(write, write), 5);
    return Promise.resolve({ pid, startTime: `start-${pid}`, exited: new Promise(() => undefined) });
  }

  isAlive(process: RecordedProcess): boolean {
    return process.startTime === `start-${process.pid}` && this.#alive.has(process.pid);
  }

  stop(process: RecordedProcess): Promise<boolean> {
    if (!this.isAlive(process)) return Promise.resolve(false);
    this.#alive.delete(process.pid);
    this.stopped.push(process.pid);
    return Promise.resolve(true);
  }

  bootId(): string | undefined {
    return this.boot;
  }

  /** Pids still running. */
  alive(): number[] {
    return [...this.#alive];
  }
}

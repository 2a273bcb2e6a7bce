// Reading what a detached run writes: its stream-json log, as it grows, and the outcome its
// result line stands for. Any process can read it, also one that did not start the run.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

import { ClaudeCliError } from './errors.js';
import { LineSplitter } from './line-splitter.js';
import { isResultMessage, parseStreamLine, type ClaudeMessage, type ResultMessage } from './messages.js';
import { interpretResult, type RunResult } from './result.js';

const CHUNK_BYTES = 256 * 1024;
const MAX_LINE_BYTES = 64 * 1024 * 1024;
const STDERR_TAIL_BYTES = 8 * 1024;

/**
 * Reads a growing stream-json log from where it last stopped. Lines not yet ended stay for the
 * next read; malformed lines are skipped (counted in `malformed`).
 *
 * @example
 * ```ts
 * const reader = new RunLogReader('/data/tasks/t1.jsonl');
 * for (const message of reader.read()) show(message);
 * ```
 */
export class RunLogReader {
  readonly #path: string;
  readonly #splitter = new LineSplitter(MAX_LINE_BYTES);
  #offset = 0;
  #malformed = 0;
  #result: ResultMessage | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  /** Bytes read so far. */
  get offset(): number {
    return this.#offset;
  }

  /** Lines that were not stream-json messages. */
  get malformed(): number {
    return this.#malformed;
  }

  /** The last `result` message read, if any. */
  get result(): ResultMessage | undefined {
    return this.#result;
  }

  /** The messages appended since the last read (none when the file does not exist yet). */
  read(): ClaudeMessage[] {
    let descriptor: number;
    try {
      descriptor = openSync(this.#path, 'r');
    } catch {
      return [];
    }
    const messages: ClaudeMessage[] = [];
    try {
      const size = fstatSync(descriptor).size;
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      while (this.#offset < size) {
        const bytes = readSync(descriptor, buffer, 0, Math.min(CHUNK_BYTES, size - this.#offset), this.#offset);
        if (bytes === 0) break;
        this.#offset += bytes;
        for (const line of this.#splitter.push(buffer.subarray(0, bytes))) this.#take(line.kind === 'line' ? line.text : undefined, messages);
      }
    } finally {
      closeSync(descriptor);
    }
    return messages;
  }

  #take(text: string | undefined, messages: ClaudeMessage[]): void {
    if (text === undefined || text.trim() === '') {
      if (text === undefined) this.#malformed += 1;
      return;
    }
    const parsed = parseStreamLine(text);
    if (parsed.kind !== 'message') {
      if (parsed.kind === 'malformed') this.#malformed += 1;
      return;
    }
    if (isResultMessage(parsed.message)) this.#result = parsed.message;
    messages.push(parsed.message);
  }
}

function fileTail(path: string, bytes: number): string {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(descriptor).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    readSync(descriptor, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}

/**
 * What a finished detached run stands for: its result, or the error its result line (or its
 * missing result line) means. The end of its stderr file helps classify failures (an unknown
 * session, a crash).
 *
 * @example
 * ```ts
 * const outcome = detachedOutcome(reader.result, { stopped: false, stderrPath: files.stderrPath });
 * if (ClaudeCliError.isInstance(outcome)) logger.warn({ code: outcome.code }, outcome.message);
 * ```
 */
export function detachedOutcome(result: ResultMessage | undefined, context: { readonly stopped: boolean; readonly stderrPath: string }): RunResult | ClaudeCliError {
  const stderrTail = fileTail(context.stderrPath, STDERR_TAIL_BYTES);
  if (result !== undefined) return interpretResult(result, { interrupted: context.stopped, stderrTail });
  if (context.stopped) return new ClaudeCliError('CLAUDE_CLI_INTERRUPTED', 'The run was stopped before it finished.', { details: { stderrTail } });
  const last = stderrTail.trim().split('\n').at(-1);
  return new ClaudeCliError('CLAUDE_CLI_EXITED', `Claude Code ended without a result${last ? `: ${last}` : ' (it was killed, or the machine restarted)'}.`, {
    details: { stderrTail },
  });
}

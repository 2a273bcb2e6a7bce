// Newline-delimited framing for stdio that survives a line over the size limit: the line is
// skipped as it streams in (never buffered whole), and what it began with is kept so that its id
// can be answered.

/** Bytes kept of an oversized line, to find its id. */
const HEAD_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** What the reader hands on. */
export interface LineReaderEvents {
  /** A complete line (without its newline, `\r` trimmed). */
  readonly line: (text: string) => void;
  /** A line longer than the limit: its first bytes and its whole length. */
  readonly oversized: (head: Buffer, bytes: number) => void;
}

/**
 * Splits a byte stream into lines of at most `maxLineBytes`.
 *
 * @example
 * ```ts
 * const reader = new LineReader(10 * 1024 * 1024, { line: (text) => handle(text), oversized: (head, bytes) => refuse(head, bytes) });
 * process.stdin.on('data', (chunk: Buffer) => reader.push(chunk));
 * ```
 */
export class LineReader {
  readonly #maxLineBytes: number;
  readonly #events: LineReaderEvents;
  #parts: Buffer[] = [];
  #bytes = 0;
  /** While skipping an oversized line: its first bytes. */
  #head: Buffer | undefined;

  constructor(maxLineBytes: number, events: LineReaderEvents) {
    this.#maxLineBytes = maxLineBytes;
    this.#events = events;
  }

  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.#take(chunk.subarray(start, end));
      this.#endLine();
      start = end + 1;
    }
    if (start < chunk.length) this.#take(chunk.subarray(start));
  }

  #take(piece: Buffer): void {
    this.#bytes += piece.length;
    if (this.#head !== undefined) {
      if (this.#head.length < HEAD_BYTES) this.#head = Buffer.concat([this.#head, piece.subarray(0, HEAD_BYTES - this.#head.length)]);
      return;
    }
    this.#parts.push(piece);
    if (this.#bytes > this.#maxLineBytes) {
      this.#head = Buffer.concat(this.#parts).subarray(0, HEAD_BYTES);
      this.#parts = [];
    }
  }

  #endLine(): void {
    const head = this.#head;
    const bytes = this.#bytes;
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    this.#head = undefined;
    if (head !== undefined) return this.#events.oversized(head, bytes);
    const text = Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    if (text.trim() !== '') this.#events.line(text);
  }
}

/**
 * The top-level `"id"` of a JSON object's first bytes (a string or a number), or `null` when it
 * is not among them: nested `"id"` keys (inside `params`) are skipped.
 *
 * @example
 * ```ts
 * topLevelId(Buffer.from('{"jsonrpc":"2.0","params":{"id":9},"id":4,"method":"x"')); // 4
 * ```
 */
export function topLevelId(head: Buffer): string | number | null {
  const text = head.toString('utf8');
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '{' || char === '[') depth += 1;
    else if (char === '}' || char === ']') depth -= 1;
    else if (char === '"') {
      const end = stringEnd(text, index);
      if (end === -1) return null;
      if (depth === 1 && text.slice(index, end + 1) === '"id"') return idValue(text.slice(end + 1));
      index = end;
    }
  }
  return null;
}

/** Index of the quote that closes the string opening at `start`, or -1 if it is cut off. */
function stringEnd(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index += 1) {
    if (text[index] === '\\') index += 1;
    else if (text[index] === '"') return index;
  }
  return -1;
}

/** The value after `"id"`: `: 42` or `: "abc"`. */
function idValue(rest: string): string | number | null {
  const match = /^\s*:\s*(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*")/.exec(rest);
  if (!match?.[1]) return null;
  return JSON.parse(match[1]) as string | number;
}

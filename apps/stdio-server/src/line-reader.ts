// Newline-delimited framing for stdio that survives a line over the size limit: the line is
// skipped as it streams in (never buffered whole), read only for its top-level fields so that
// its id can be answered.

const NEWLINE = 0x0a;

/** What the reader hands on. */
export interface LineReaderEvents {
  /** A complete line (without its newline, `\r` trimmed). */
  readonly line: (text: string) => void;
  /** A line longer than the limit: its top-level fields and its whole length. */
  readonly oversized: (fields: TopLevelFields, bytes: number) => void;
}

/**
 * Splits a byte stream into lines of at most `maxLineBytes`.
 *
 * @example
 * ```ts
 * const reader = new LineReader(10 * 1024 * 1024, { line: (text) => handle(text), oversized: (fields, bytes) => refuse(fields.id, bytes) });
 * process.stdin.on('data', (chunk: Buffer) => reader.push(chunk));
 * ```
 */
export class LineReader {
  readonly #maxLineBytes: number;
  readonly #events: LineReaderEvents;
  #parts: Buffer[] = [];
  #bytes = 0;
  /** While skipping an oversized line: what it says at its top level. */
  #skipped: TopLevelFields | undefined;

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
    if (this.#skipped !== undefined) return this.#skipped.push(piece);
    this.#parts.push(piece);
    if (this.#bytes > this.#maxLineBytes) {
      this.#skipped = new TopLevelFields();
      for (const part of this.#parts) this.#skipped.push(part);
      this.#parts = [];
    }
  }

  #endLine(): void {
    const skipped = this.#skipped;
    const bytes = this.#bytes;
    const parts = this.#parts;
    this.#parts = [];
    this.#bytes = 0;
    this.#skipped = undefined;
    if (skipped !== undefined) {
      skipped.end();
      return this.#events.oversized(skipped, bytes);
    }
    const text = Buffer.concat(parts).toString('utf8').replace(/\r$/, '');
    if (text.trim() !== '') this.#events.line(text);
  }
}

/**
 * What a JSON object says at its top level about being a JSON-RPC message, read byte by byte as
 * it streams in (so a line of any length costs no memory): its `id`, and whether it has a
 * `method` (a request or notification) or a `result`/`error` (a response). Nested keys (inside
 * `params`) do not count.
 *
 * @example
 * ```ts
 * const fields = new TopLevelFields();
 * fields.push(Buffer.from('{"jsonrpc":"2.0","params":{"id":9},"method":"x","id":4}'));
 * fields.id; // 4
 * ```
 */
export class TopLevelFields {
  /** The first top-level `id` that is a string or a number, else `null`. */
  id: string | number | null = null;
  hasMethod = false;
  hasOutcome = false;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #expectKey = false;
  #key: string | undefined;
  /** Bytes of the string being read, when it is a top-level key or the id's value. */
  #text: number[] | undefined;
  #textIsKey = false;
  #number: string | undefined;

  push(chunk: Buffer): void {
    for (const byte of chunk) this.#byte(byte);
  }

  /** The line ended: a number still being read is complete. */
  end(): void {
    if (this.#number !== undefined) this.#endNumber();
  }

  #byte(byte: number): void {
    if (this.#inString) return this.#stringByte(byte);
    const char = String.fromCharCode(byte);
    if (this.#number !== undefined) {
      if (/[0-9eE+.-]/.test(char)) {
        this.#number += char;
        return;
      }
      this.#endNumber();
    }
    if (char === '"') return this.#startString();
    if (char === '{' || char === '[') {
      this.#depth += 1;
      this.#expectKey = this.#depth === 1 && char === '{';
    } else if (char === '}' || char === ']') {
      this.#depth -= 1;
    } else if (this.#depth === 1 && char === ',') {
      this.#expectKey = true;
      this.#key = undefined;
    } else if (this.#depth === 1 && char === ':') {
      this.#expectKey = false;
    } else if (this.#depth === 1 && this.#key === 'id' && /[0-9-]/.test(char)) {
      this.#number = char;
    }
  }

  #startString(): void {
    this.#inString = true;
    const wanted = this.#depth === 1 && (this.#expectKey || this.#key === 'id');
    this.#text = wanted ? [] : undefined;
    this.#textIsKey = this.#expectKey;
  }

  #stringByte(byte: number): void {
    if (this.#escaped) this.#escaped = false;
    else if (byte === 0x5c) this.#escaped = true;
    else if (byte === 0x22) return this.#endString();
    if (this.#text !== undefined && this.#text.length < 1024) this.#text.push(byte);
  }

  #endString(): void {
    this.#inString = false;
    const raw = this.#text;
    this.#text = undefined;
    if (raw === undefined) return;
    let value: string;
    try {
      value = JSON.parse(`"${Buffer.from(raw).toString('utf8')}"`) as string;
    } catch {
      return;
    }
    if (!this.#textIsKey) return this.#setId(value);
    this.#key = value;
    this.#expectKey = false;
    if (value === 'method') this.hasMethod = true;
    if (value === 'result' || value === 'error') this.hasOutcome = true;
  }

  #endNumber(): void {
    const text = this.#number ?? '';
    this.#number = undefined;
    const value = Number(text);
    if (Number.isFinite(value)) this.#setId(value);
  }

  #setId(value: string | number): void {
    if (this.id === null) this.id = value;
  }
}

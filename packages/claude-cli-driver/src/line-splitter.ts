import { StringDecoder } from 'node:string_decoder';

/** What {@link LineSplitter} hands out: a whole line, or notice of one that was too long. */
export type SplitLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'oversized'; readonly preview: string; readonly bytes: number };

/**
 * Splits a byte stream into lines, whatever the chunking: a line may arrive in many chunks and a
 * multi-byte character may be cut between two. A line longer than `maxLineBytes` is dropped (its
 * first bytes are kept as a preview) so one runaway line cannot exhaust memory.
 */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8');
  readonly #maxLineBytes: number;
  #pending: string[] = [];
  #pendingLength = 0;
  #discarding = false;
  #discardedBytes = 0;
  #preview = '';

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer | string): SplitLine[] {
    const text = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    return this.#consume(text);
  }

  /** Ends the stream; returns the last line when it had no trailing newline. */
  end(): SplitLine[] {
    const lines = this.#consume(this.#decoder.end());
    if (this.#discarding) {
      lines.push({ kind: 'oversized', preview: this.#preview, bytes: this.#discardedBytes });
    } else if (this.#pendingLength > 0) {
      lines.push({ kind: 'line', text: this.#pending.join('') });
    }
    this.#reset();
    return lines;
  }

  #reset(): void {
    this.#pending = [];
    this.#pendingLength = 0;
    this.#discarding = false;
    this.#discardedBytes = 0;
    this.#preview = '';
  }

  #consume(text: string): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const piece = newline === -1 ? text.slice(start) : text.slice(start, newline);
      this.#append(piece);
      if (newline === -1) break;
      if (this.#discarding) {
        lines.push({ kind: 'oversized', preview: this.#preview, bytes: this.#discardedBytes });
      } else {
        const line = this.#pending.join('');
        // Tolerate CRLF; blank lines carry nothing.
        const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
        if (trimmed.length > 0) lines.push({ kind: 'line', text: trimmed });
      }
      this.#reset();
      start = newline + 1;
    }
    return lines;
  }

  #append(piece: string): void {
    if (piece.length === 0) return;
    const bytes = Buffer.byteLength(piece);
    if (this.#discarding) {
      this.#discardedBytes += bytes;
      return;
    }
    this.#pending.push(piece);
    this.#pendingLength += bytes;
    if (this.#pendingLength > this.#maxLineBytes) {
      this.#discarding = true;
      this.#discardedBytes = this.#pendingLength;
      this.#preview = this.#pending.join('').slice(0, 200);
      this.#pending = [];
      this.#pendingLength = 0;
    }
  }
}

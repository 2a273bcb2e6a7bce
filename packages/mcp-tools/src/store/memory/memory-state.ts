// Internal: what the in-memory stores share: whether the store is open, and an insertion counter
// that stands in for SQLite's rowid in orderings.
import { storeClosed } from '../session-record.js';

export class MemoryState {
  #open = true;
  #sequence = 0;

  /** Throws `MCP_TOOLS_STORE_FAILED` once the store is closed. */
  check(action: string): void {
    if (!this.#open) throw storeClosed(action, 'memory');
  }

  next(): number {
    this.#sequence += 1;
    return this.#sequence;
  }

  close(): void {
    this.#open = false;
  }
}

/** A copy through JSON, so that a stored value behaves as it would after a database round trip. */
export function jsonCopy(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

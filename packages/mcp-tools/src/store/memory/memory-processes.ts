import { checkCliProcess, checkText, checkWholeNumber } from '../session-record.js';
import type { CliProcessRecord, CliProcessStore } from '../stores.js';
import type { MemoryState } from './memory-state.js';

/** Claude Code processes in a map, oldest first. */
export class MemoryCliProcessStore implements CliProcessStore {
  readonly #state: MemoryState;
  readonly #records = new Map<string, CliProcessRecord>();

  constructor(state: MemoryState) {
    this.#state = state;
  }

  async record(record: CliProcessRecord): Promise<void> {
    const values = checkCliProcess(record);
    this.#state.check('record a Claude Code process');
    const key = `${values.pid}:${values.startTime}`;
    this.#records.delete(key); // a replaced record goes to the end, like SQLite's INSERT OR REPLACE
    this.#records.set(key, values);
  }

  async forget(pid: number, startTime: string): Promise<void> {
    const action = 'forget a Claude Code process';
    checkWholeNumber(action, 'pid', pid);
    checkText(action, 'startTime', startTime);
    this.#state.check(action);
    this.#records.delete(`${pid}:${startTime}`);
  }

  async list(): Promise<CliProcessRecord[]> {
    this.#state.check('list Claude Code processes');
    return [...this.#records.values()].sort((a, b) => a.startedAt - b.startedAt);
  }
}

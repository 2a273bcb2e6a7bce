import { McpToolsError } from '../../errors.js';
import {
  checkNewSession,
  checkSessionFilter,
  checkStatusChange,
  checkText,
  checkTurn,
  INTERRUPTED_MESSAGE,
  seedRecord,
  sessionNotFound,
  type NewSessionRecord,
  type SessionRecord,
  type SessionStatus,
} from '../session-record.js';
import type { CompletedTurn, ListSessionsFilter, SessionSeed, SessionStore } from '../stores.js';
import type { MemoryState } from './memory-state.js';

interface Entry {
  record: SessionRecord;
  readonly sequence: number;
}

/** Sessions in a map; the same checks, order and errors as the SQLite store. */
export class MemorySessionStore implements SessionStore {
  readonly #state: MemoryState;
  readonly #entries = new Map<string, Entry>();

  constructor(state: MemoryState) {
    this.#state = state;
  }

  async insert(record: NewSessionRecord): Promise<SessionRecord> {
    const values = checkNewSession(record);
    this.#state.check('insert a session');
    return this.insertNow(values);
  }

  /** Internal (also for the fork store): inserts a checked record. */
  insertNow(values: SessionRecord): SessionRecord {
    if (this.#entries.has(values.id)) {
      throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot insert session "${values.id}": a session with that id is already stored.`);
    }
    this.#entries.set(values.id, { record: values, sequence: this.#state.next() });
    return values;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    checkText('read a session', 'id', id);
    this.#state.check('read a session');
    return this.#entries.get(id)?.record;
  }

  async list(filter: ListSessionsFilter = {}): Promise<SessionRecord[]> {
    const { status, limit } = checkSessionFilter(filter);
    this.#state.check('list sessions');
    const entries = [...this.#entries.values()]
      .filter((entry) => status === undefined || entry.record.status === status)
      .sort((a, b) => b.record.lastUsedAt - a.record.lastUsedAt || b.sequence - a.sequence);
    return entries.slice(0, limit).map((entry) => entry.record);
  }

  async setStatus(id: string, status: SessionStatus, lastError?: string | null, seed?: SessionSeed): Promise<'updated' | 'created'> {
    const error = checkStatusChange(id, status, lastError);
    this.#state.check('set the status of a session');
    const entry = this.#entries.get(id);
    if (entry !== undefined) {
      this.#replace(entry, { status, ...(error === undefined ? {} : { lastError: error }) });
      return 'updated';
    }
    if (seed === undefined) throw sessionNotFound(id);
    this.insertNow(checkNewSession(seedRecord(id, seed, status, error ?? null)));
    return 'created';
  }

  async delete(id: string): Promise<boolean> {
    checkText('delete a session', 'id', id);
    this.#state.check('delete a session');
    return this.#entries.delete(id);
  }

  async recordTurn(id: string, turn: CompletedTurn, seed?: Omit<SessionSeed, 'at'>): Promise<SessionRecord> {
    const values = checkTurn(id, turn);
    this.#state.check('record a turn');
    if (seed !== undefined && !this.#entries.has(id)) {
      this.insertNow(checkNewSession(seedRecord(id, { ...seed, at: values.at }, 'idle', null)));
    }
    const entry = this.#entries.get(id);
    if (entry === undefined) throw sessionNotFound(id);
    return this.#replace(entry, {
      turns: entry.record.turns + 1,
      costUsd: Math.round((entry.record.costUsd + values.costUsd) * 1e9) / 1e9,
      lastUsedAt: values.at,
      status: 'idle',
      model: values.model ?? entry.record.model,
    });
  }

  async markRunningAsInterrupted(): Promise<number> {
    this.#state.check('mark running sessions as interrupted');
    const running = [...this.#entries.values()].filter((entry) => entry.record.status === 'running');
    for (const entry of running) this.#replace(entry, { status: 'interrupted', lastError: INTERRUPTED_MESSAGE });
    return running.length;
  }

  #replace(entry: Entry, change: Partial<SessionRecord>): SessionRecord {
    entry.record = Object.freeze({ ...entry.record, ...change });
    return entry.record;
  }
}

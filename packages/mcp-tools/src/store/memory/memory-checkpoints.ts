import { McpToolsError } from '../../errors.js';
import type { CheckpointRecord } from '../checkpoint-record.js';
import { checkCheckpointFilter, checkIndexedCheckpoint } from '../record-checks.js';
import type { CheckpointIndex, CheckpointIndexFilter, IndexedCheckpoint } from '../stores.js';
import type { MemoryState } from './memory-state.js';

/** The checkpoint index in a map; the same order as the SQLite store. */
export class MemoryCheckpointIndex implements CheckpointIndex {
  readonly #state: MemoryState;
  readonly #entries = new Map<string, { readonly checkpoint: IndexedCheckpoint; readonly sequence: number }>();

  constructor(state: MemoryState) {
    this.#state = state;
  }

  async insert(checkpoint: IndexedCheckpoint): Promise<IndexedCheckpoint> {
    const checked = checkIndexedCheckpoint(checkpoint);
    this.#state.check('store a checkpoint');
    const id = checked.record.id;
    if (this.#entries.has(id)) throw new McpToolsError('MCP_TOOLS_STORE_FAILED', `Cannot store checkpoint "${id}": that id is taken.`);
    this.#entries.set(id, { checkpoint: checked, sequence: this.#state.next() });
    return checked;
  }

  async get(id: string): Promise<IndexedCheckpoint | undefined> {
    this.#state.check('read a checkpoint');
    return this.#entries.get(id)?.checkpoint;
  }

  async list(filter: CheckpointIndexFilter): Promise<CheckpointRecord[]> {
    const { cwd, sessionId, limit } = checkCheckpointFilter(filter);
    this.#state.check('list checkpoints');
    return [...this.#entries.values()]
      .filter(({ checkpoint: { record } }) => (cwd === null || record.cwd === cwd) && (sessionId === null || record.sessionId === sessionId))
      .sort((a, b) => b.checkpoint.record.createdAt - a.checkpoint.record.createdAt || b.sequence - a.sequence)
      .slice(0, limit)
      .map((entry) => entry.checkpoint.record);
  }

  async remove(id: string): Promise<boolean> {
    this.#state.check('delete a checkpoint');
    return this.#entries.delete(id);
  }

  async countInRepo(repo: string): Promise<number> {
    this.#state.check('count checkpoints');
    return [...this.#entries.values()].filter((entry) => entry.checkpoint.repo === repo).length;
  }
}

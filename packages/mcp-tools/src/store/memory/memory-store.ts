import type { ClaudeToolsStore } from '../stores.js';
import { MemoryCheckpointIndex } from './memory-checkpoints.js';
import { MemoryForkStore } from './memory-forks.js';
import { MemoryOwnerStore } from './memory-owners.js';
import { MemoryCliProcessStore } from './memory-processes.js';
import { MemorySessionStore } from './memory-sessions.js';
import { MemoryState } from './memory-state.js';
import { MemoryTaskStore } from './memory-tasks.js';

/**
 * A store that keeps everything in this process's memory and forgets it on exit: for tests, and
 * for embedding the tools where nothing should outlive the process. It checks input, orders
 * lists and fails like {@link openStore}'s SQLite store (the contract suite runs on both; error
 * messages from SQLite itself differ), but one process cannot share it
 * with another.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const runtime = new ClaudeRuntime({ store });
 * ```
 */
export function createMemoryStore(): ClaudeToolsStore {
  const state = new MemoryState();
  const sessions = new MemorySessionStore(state);
  Object.freeze(sessions);
  return Object.freeze({
    location: 'memory',
    sessions,
    forks: Object.freeze(new MemoryForkStore(state, sessions)),
    tasks: Object.freeze(new MemoryTaskStore(state)),
    checkpoints: Object.freeze(new MemoryCheckpointIndex(state)),
    processes: Object.freeze(new MemoryCliProcessStore(state)),
    owners: Object.freeze(new MemoryOwnerStore(state)),
    close: async () => state.close(),
  });
}

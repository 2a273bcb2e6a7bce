import { checkPlannedFork, forkTaken } from '../record-checks.js';
import { checkForkSession } from '../session-record.js';
import type { ForkStore, PlannedFork } from '../stores.js';
import type { MemorySessionStore } from './memory-sessions.js';
import type { MemoryState } from './memory-state.js';

/** Planned forks in a map. */
export class MemoryForkStore implements ForkStore {
  readonly #state: MemoryState;
  readonly #sessions: MemorySessionStore;
  readonly #forks = new Map<string, PlannedFork>();

  constructor(state: MemoryState, sessions: MemorySessionStore) {
    this.#state = state;
    this.#sessions = sessions;
  }

  async plan(fork: PlannedFork, cwd: string): Promise<void> {
    checkPlannedFork(fork);
    const session = checkForkSession(fork, cwd);
    this.#state.check('plan a fork');
    if (this.#forks.has(session.id)) throw forkTaken(session.id);
    this.#sessions.insertNow(session);
    this.#forks.set(fork.sessionId, Object.freeze({ ...fork }));
  }

  async get(sessionId: string): Promise<PlannedFork | undefined> {
    this.#state.check('read a planned fork');
    return this.#forks.get(sessionId);
  }

  async consume(sessionId: string): Promise<void> {
    this.#state.check('forget a planned fork');
    this.#forks.delete(sessionId);
  }

}

import { checkText, invalid } from '../session-record.js';
import type { OwnedKind, OwnerStore } from '../stores.js';
import type { MemoryState } from './memory-state.js';

const OWNED_KINDS: readonly OwnedKind[] = ['session', 'task', 'checkpoint'];

/** Checks an owned thing's kind, id and owner the same way both stores do. */
export function checkOwned(action: string, kind: OwnedKind, id: string, owner?: string): void {
  if (!OWNED_KINDS.includes(kind)) throw invalid(action, 'kind', 'session, task or checkpoint', kind);
  checkText(action, 'id', id);
  if (owner !== undefined) checkText(action, 'owner', owner);
}

/** Owners in a map. */
export class MemoryOwnerStore implements OwnerStore {
  readonly #state: MemoryState;
  readonly #owners = new Map<string, string>();

  constructor(state: MemoryState) {
    this.#state = state;
  }

  async claim(kind: OwnedKind, id: string, owner: string): Promise<void> {
    checkOwned('claim an owner', kind, id, owner);
    this.#state.check('claim an owner');
    const key = `${kind}:${id}`;
    if (!this.#owners.has(key)) this.#owners.set(key, owner);
  }

  async ownerOf(kind: OwnedKind, id: string): Promise<string | undefined> {
    checkOwned('read an owner', kind, id);
    this.#state.check('read an owner');
    return this.#owners.get(`${kind}:${id}`);
  }

  async idsOf(kind: OwnedKind, owner: string): Promise<string[]> {
    checkOwned('list what an owner owns', kind, 'any', owner);
    this.#state.check('list what an owner owns');
    return [...this.#owners].filter(([key, value]) => value === owner && key.startsWith(`${kind}:`)).map(([key]) => key.slice(kind.length + 1));
  }
}

// With OAuth, what a call starts belongs to its principal (client and user): its sessions, its
// background tasks, its checkpoints. Another principal finds none of them ("not found", never
// someone else's run); a token with the admin scope sees everything. Without a token (stdio,
// OAuth off) there is one trust domain: nothing is claimed and everything is visible.
import type { AuthInfo, ServerContext } from '@modelcontextprotocol/server';

import type { OwnedKind, OwnerStore, TaskStore } from '../store/stores.js';
import { grantsScope, subjectOf } from './tool-scopes.js';

/**
 * Who makes a call, as ownership sees it.
 *
 * @example
 * ```ts
 * const caller = callerOf(context.http?.authInfo);
 * ```
 */
export interface Caller {
  /** The principal, or `undefined` without a token. */
  readonly owner: string | undefined;
  /** No token, or the admin scope. */
  readonly seesAll: boolean;
}

/** The caller of a request with `authInfo` (or without one). */
export function callerOf(authInfo: AuthInfo | undefined): Caller {
  if (authInfo === undefined) return Object.freeze({ owner: undefined, seesAll: true });
  const owner = JSON.stringify([authInfo.clientId, subjectOf(authInfo) || authInfo.clientId]);
  return Object.freeze({ owner, seesAll: grantsScope(authInfo.scopes, 'admin') });
}

/** The caller of a tool call or request handler. */
export const callerOfContext = (context: ServerContext | undefined): Caller => callerOf(context?.http?.authInfo);

/**
 * Claims and checks what callers own, over the store's owners.
 *
 * @example
 * ```ts
 * if (!(await ownership.visible('task', taskId, caller))) return notFound();
 * ```
 */
export class Ownership {
  readonly #owners: OwnerStore;
  readonly #tasks: TaskStore | undefined;

  /** `tasks`: where a session a background task ran in is found (it is claimed when first asked for). */
  constructor(owners: OwnerStore, tasks?: TaskStore) {
    this.#owners = owners;
    this.#tasks = tasks;
  }

  async claim(kind: OwnedKind, id: string | null | undefined, caller: Caller): Promise<void> {
    if (caller.owner !== undefined && id) await this.#owners.claim(kind, id, caller.owner);
  }

  async visible(kind: OwnedKind, id: string, caller: Caller): Promise<boolean> {
    if (caller.seesAll) return true;
    const owner = await this.#owners.ownerOf(kind, id);
    if (owner !== undefined) return owner === caller.owner;
    return kind === 'session' && (await this.#ranInOwnTask(id, caller));
  }

  /** The items `caller` may see, in their order. */
  async filter<T>(kind: OwnedKind, items: readonly T[], idOf: (item: T) => string, caller: Caller): Promise<T[]> {
    if (caller.seesAll) return [...items];
    const mine = new Set(await this.#owners.idsOf(kind, caller.owner!));
    return items.filter((item) => mine.has(idOf(item)));
  }

  // A background task learns its session when the CLI names it, in whatever process runs it: the
  // session is the task owner's, claimed the first time it is asked for.
  async #ranInOwnTask(sessionId: string, caller: Caller): Promise<boolean> {
    if (this.#tasks === undefined) return false;
    for (const taskId of await this.#owners.idsOf('task', caller.owner!)) {
      if ((await this.#tasks.get(taskId))?.sessionId === sessionId) {
        await this.claim('session', sessionId, caller);
        return true;
      }
    }
    return false;
  }
}

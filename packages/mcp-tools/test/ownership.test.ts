// Ownership: with a token, what a caller starts is theirs; another principal finds nothing; the
// admin scope and calls without a token see everything.
import { describe, expect, it } from 'vitest';

import { createMemoryStore } from '../src/store/index.js';
import { callerOf, Ownership } from '../src/tools/ownership.js';

const token = (clientId: string, subject: string | undefined, scopes: string[]) => ({ token: 't', clientId, scopes, ...(subject ? { extra: { subject } } : {}) });

describe('callerOf', () => {
  it('is the client and user of a token; without a token, or with admin, it sees everything', () => {
    expect(callerOf(undefined)).toEqual({ owner: undefined, seesAll: true });
    expect(callerOf(token('app', 'user-1', ['run']))).toEqual({ owner: JSON.stringify(['app', 'user-1']), seesAll: false });
    // A machine client's token has no user: the client is the principal.
    expect(callerOf(token('machine', undefined, ['read']))).toEqual({ owner: JSON.stringify(['machine', 'machine']), seesAll: false });
    expect(callerOf(token('app', 'user-1', ['admin'])).seesAll).toBe(true);
  });
});

describe('Ownership', () => {
  it('claims for a caller with a token, hides it from others, and filters lists', async () => {
    const store = createMemoryStore();
    const ownership = new Ownership(store.owners, store.tasks);
    const alice = callerOf(token('app', 'alice', ['run']));
    const bob = callerOf(token('app', 'bob', ['run']));
    const admin = callerOf(token('app', 'root', ['admin']));
    await ownership.claim('task', 'task-a', alice);
    await ownership.claim('task', 'task-b', bob);
    await ownership.claim('task', 'task-none', callerOf(undefined));
    expect(await ownership.visible('task', 'task-a', alice)).toBe(true);
    expect(await ownership.visible('task', 'task-a', bob)).toBe(false);
    expect(await ownership.visible('task', 'task-a', admin)).toBe(true);
    // Made without a token: nobody's, so only those who see everything see it.
    expect(await store.owners.ownerOf('task', 'task-none')).toBeUndefined();
    expect(await ownership.visible('task', 'task-none', alice)).toBe(false);
    expect(await ownership.visible('task', 'task-none', callerOf(undefined))).toBe(true);
    const items = ['task-a', 'task-b', 'task-none'];
    expect(await ownership.filter('task', items, (id) => id, alice)).toEqual(['task-a']);
    expect(await ownership.filter('task', items, (id) => id, admin)).toEqual(items);
  });

  it('gives the owner of a background task the session it ran in, the first time it is asked for', async () => {
    const store = createMemoryStore();
    const ownership = new Ownership(store.owners, store.tasks);
    const alice = callerOf(token('app', 'alice', ['run']));
    const bob = callerOf(token('app', 'bob', ['run']));
    const task = await store.tasks.insert({ id: 'task-1', prompt: 'p', cwd: '/w', request: { prompt: 'p', cwd: '/w' }, sessionId: null, createdAt: 1, ownerPid: 1, logPath: '/l', restartedFrom: null });
    await store.tasks.noteSession(task.id, 'session-1');
    await ownership.claim('task', task.id, alice);
    expect(await ownership.visible('session', 'session-1', bob)).toBe(false);
    expect(await ownership.visible('session', 'session-1', alice)).toBe(true);
    expect(await store.owners.ownerOf('session', 'session-1')).toBe(alice.owner);
  });
});

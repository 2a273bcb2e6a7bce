// The authorization store's contract, run against both implementations: the compare-and-set
// methods let one caller win, records come back as stored, and SQLite keeps them across a reopen
// in a file only its owner can read.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { createMemoryAuthorizationStore, ensureAdminUser, authenticateUser, openSqliteAuthorizationStore, type AuthorizationStore } from '../src/index.js';

const folder = mkdtempSync(join(tmpdir(), 'oauth-store-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;

const stores: [string, () => AuthorizationStore][] = [
  ['memory', createMemoryAuthorizationStore],
  ['sqlite', () => openSqliteAuthorizationStore(join(folder, `store-${(files += 1)}.sqlite`))],
];

const grant = { grantId: 'g1', clientId: 'c1', subject: 'u1', scopes: ['read'], resource: 'https://mcp.example/mcp', createdAt: 1, expiresAt: 10_000, revokedAt: null };
const code = { codeHash: 'h1', grantId: 'g1', clientId: 'c1', subject: 'u1', redirectUri: 'http://127.0.0.1/cb', codeChallenge: 'x'.repeat(43), scopes: ['read'], resource: grant.resource, expiresAt: 100, usedAt: null };

describe.each(stores)('the %s authorization store', (_name, open) => {
  it('redeems a code, spends a refresh token and takes an interaction once', async () => {
    const store = open();
    await store.codes.add(code);
    expect(await Promise.all([store.codes.redeem('h1', 5), store.codes.redeem('h1', 6)])).toEqual([true, false]);
    expect(await store.codes.find('h1')).toMatchObject({ usedAt: 5, redirectUri: code.redirectUri });
    await store.codes.prune(100);
    expect(await store.codes.find('h1')).toBeUndefined();

    await store.refreshTokens.add({ tokenHash: 'r1', grantId: 'g1', parentHash: null, issuedAt: 1, expiresAt: 50, spentAt: null, spentHow: null });
    const child = (hash: string) => ({ tokenHash: hash, grantId: 'g1', parentHash: 'r1', issuedAt: 2, expiresAt: 50, spentAt: null, spentHow: null });
    expect(await Promise.all([store.refreshTokens.rotate('r1', child('r2'), 3, 'used'), store.refreshTokens.rotate('r1', child('r3'), 4, 'used')])).toEqual([true, false]);
    expect(await store.refreshTokens.find('r1')).toMatchObject({ spentAt: 3, spentHow: 'used' });
    // The loser's successor was never stored: spending and storing are one step.
    expect(await store.refreshTokens.findChild('r1')).toMatchObject({ tokenHash: 'r2', spentAt: null });
    expect(await store.refreshTokens.find('r3')).toBeUndefined();

    await store.interactions.add({ id: 'i1', csrfHash: 'c', browserHash: 'b', clientId: 'c1', redirectUri: code.redirectUri, state: null, codeChallenge: code.codeChallenge, scopes: ['read'], resource: grant.resource, expiresAt: 10 });
    expect(await Promise.all([store.interactions.take('i1'), store.interactions.take('i1')])).toEqual([true, false]);
  });

  it('revokes a grant once and keeps consents per subject and client', async () => {
    const store = open();
    await store.grants.add(grant);
    await store.grants.add({ ...grant, subject: 'someone else' });
    await store.grants.revoke('g1', 7);
    await store.grants.revoke('g1', 8);
    expect(await store.grants.find('g1')).toMatchObject({ revokedAt: 7, scopes: ['read'], subject: 'u1' });
    await store.refreshTokens.add({ tokenHash: 'rg', grantId: 'g1', parentHash: null, issuedAt: 1, expiresAt: 50, spentAt: null, spentHow: null });
    await store.grants.add({ ...grant, grantId: 'g2', expiresAt: 100_000 });
    await store.grants.prune(7);
    expect(await store.grants.find('g1')).toMatchObject({ grantId: 'g1' });
    await store.grants.prune(8);
    expect(await store.grants.find('g1')).toBeUndefined();
    expect(await store.refreshTokens.find('rg')).toBeUndefined();
    expect(await store.grants.find('g2')).toMatchObject({ grantId: 'g2' });
    // Clients that never got a grant go after a while; those with one stay.
    await store.clients.add({ clientId: 'c1', clientName: 'used', redirectUris: ['http://127.0.0.1/cb'], applicationType: 'native', source: 'registered', createdAt: 1 });
    await store.clients.add({ clientId: 'idle', clientName: 'idle', redirectUris: ['http://127.0.0.1/cb'], applicationType: 'native', source: 'registered', createdAt: 1 });
    expect(await store.clients.countSince(1)).toBe(2);
    await store.clients.pruneUnused(10);
    expect(await store.clients.find('idle')).toBeUndefined();
    expect(await store.clients.find('c1')).toMatchObject({ clientName: 'used' });
    await store.consents.put({ subject: 'u1', clientId: 'c1', scopes: ['read'], resource: grant.resource, grantedAt: 1 });
    await store.consents.put({ subject: 'u1', clientId: 'c1', scopes: ['run'], resource: grant.resource, grantedAt: 2 });
    expect(await store.consents.find('u1', 'c1')).toMatchObject({ scopes: ['run'] });
    expect(await store.consents.find('u1', 'c2')).toBeUndefined();
  });

  it('creates the admin once, refuses a taken name, and checks passwords', async () => {
    const store = open();
    expect(await ensureAdminUser(store, { password: 'a long admin password' })).toBe(true);
    expect(await ensureAdminUser(store, { password: 'another long password' })).toBe(false);
    expect(await authenticateUser(store, 'admin', 'a long admin password')).toMatchObject({ username: 'admin', admin: true });
    expect(await authenticateUser(store, 'admin', 'another long password')).toBeUndefined();
    expect(await authenticateUser(store, 'nobody', 'a long admin password')).toBeUndefined();
    const admin = await store.users.findByName('admin');
    await expect(store.users.add({ ...admin!, userId: 'other' })).rejects.toMatchObject({ code: 'OAUTH_SERVER_STORE_FAILED' });
    expect(admin!.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    await expect(ensureAdminUser(createMemoryAuthorizationStore(), { password: 'short' })).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_OPTIONS' });
  });
});

describe('the SQLite authorization store', () => {
  it('keeps everything across a reopen, in a file only its owner can read', async () => {
    const file = join(folder, 'kept', 'oauth.sqlite');
    const first = openSqliteAuthorizationStore(file);
    await first.grants.add(grant);
    await first.clients.add({ clientId: 'c1', clientName: 'Agent', redirectUris: ['http://127.0.0.1/cb'], applicationType: 'native', source: 'registered', createdAt: 1 });
    first.close();
    const again = openSqliteAuthorizationStore(file);
    expect(await again.grants.find('g1')).toMatchObject({ subject: 'u1' });
    expect(await again.clients.find('c1')).toMatchObject({ clientName: 'Agent', redirectUris: ['http://127.0.0.1/cb'] });
    expect(await again.clients.count()).toBe(1);
    again.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => openSqliteAuthorizationStore('relative.sqlite')).toThrow(/absolute path/);
  });
});

// Signing keys and RFC 9068 access tokens: every way a token must be refused, key rotation on an
// injected clock, and keys that survive a restart in the SQLite store.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { accessTokenVerifier, createMemoryKeyStore, issueAccessToken, openSqliteKeyStore, SigningKeys, type AccessTokenGrant } from '../src/index.js';

const ISSUER = 'https://mcp.example';
const RESOURCE = 'https://mcp.example/mcp';
const grant: AccessTokenGrant = { subject: 'user-1', clientId: 'https://app.example/client.json', scopes: ['read', 'run'], resource: RESOURCE };

let clock = Date.parse('2026-12-01T10:00:00Z');
const now = () => clock;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let folder: string;
beforeEach(() => {
  clock = Date.parse('2026-12-01T10:00:00Z');
  folder = mkdtempSync(join(tmpdir(), 'oauth-keys-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function setUp() {
  const keys = new SigningKeys({ store: createMemoryKeyStore(), now });
  const options = { issuer: ISSUER, keys, now };
  return { keys, options, verifier: accessTokenVerifier(options) };
}

const refusal = async (promise: Promise<unknown>) => {
  const error = (await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )) as { code?: string; message?: string } | undefined;
  expect(error?.code).toBe('OAUTH_SERVER_INVALID_TOKEN');
  return error?.message ?? '';
};

describe('access tokens', () => {
  it('are RFC 9068 JWTs: at+jwt, ES256, the resource as audience, client_id, scope and jti; and verify into AuthInfo', async () => {
    const { options, verifier } = setUp();
    const { token, expiresAt } = await issueAccessToken(options, grant);
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: expect.any(String) as string });
    const verified = await verifier.verify(token, { resource: RESOURCE });
    expect(verified).toMatchObject({ clientId: grant.clientId, scopes: ['read', 'run'], expiresAt: Math.floor(expiresAt / 1000), extra: { subject: 'user-1' } });
    expect(verified.resource.href).toBe(RESOURCE);
    expect(expiresAt - clock).toBe(HOUR);
  });

  it('refuse a token for another resource, from another issuer, expired, or of another type, saying which and never the token', async () => {
    const { options, verifier } = setUp();
    const { token } = await issueAccessToken(options, grant);
    const message = await refusal(verifier.verify(token, { resource: 'https://other.example/mcp' }));
    expect(message).toContain('"aud"');
    expect(message).not.toContain(token);
    expect(await refusal(accessTokenVerifier({ ...options, issuer: 'https://evil.example' }).verify(token, { resource: RESOURCE }))).toContain('"iss"');
    clock += HOUR + 31_000;
    expect(await refusal(verifier.verify(token, { resource: RESOURCE }))).toContain('expired');
    clock -= HOUR + 31_000;
    const { kid, privateKey } = await options.keys.current();
    const idToken = await new SignJWT({ client_id: 'c' }).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).setIssuer(ISSUER).setAudience(RESOURCE).setSubject('s').setIssuedAt().setExpirationTime('1h').setJti('j').sign(privateKey);
    expect(await refusal(verifier.verify(idToken, { resource: RESOURCE }))).toContain('"typ"');
    const noJti = await new SignJWT({ client_id: 'c' }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(RESOURCE).setSubject('s').setIssuedAt().setExpirationTime('1h').sign(privateKey);
    expect(await refusal(verifier.verify(noJti, { resource: RESOURCE }))).toContain('"jti"');
  });

  it('refuse alg none, an HS256 token keyed with the public key, an unknown key and a forged signature', async () => {
    const { options, verifier } = setUp();
    const unsecured = new UnsecuredJWT({ client_id: 'c', jti: 'j' }).setIssuer(ISSUER).setAudience(RESOURCE).setSubject('s').setIssuedAt().setExpirationTime('1h').encode();
    expect(await refusal(verifier.verify(unsecured, { resource: RESOURCE }))).toContain('algorithm');
    const { keys } = await options.keys.jwks();
    const hs256 = await new SignJWT({ client_id: 'c' })
      .setProtectedHeader({ alg: 'HS256', kid: keys[0]!.kid!, typ: 'at+jwt' })
      .setIssuer(ISSUER).setAudience(RESOURCE).setSubject('s').setIssuedAt().setExpirationTime('1h').setJti('j')
      .sign(new TextEncoder().encode(JSON.stringify(keys[0])));
    expect(await refusal(verifier.verify(hs256, { resource: RESOURCE }))).toContain('algorithm');
    const stranger = await generateKeyPair('ES256');
    const sign = (kid: string) =>
      new SignJWT({ client_id: 'c' }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(RESOURCE).setSubject('s').setIssuedAt().setExpirationTime('1h').setJti('j').sign(stranger.privateKey);
    expect(await refusal(verifier.verify(await sign('unknown-kid'), { resource: RESOURCE }))).toContain('does not publish');
    expect(await refusal(verifier.verify(await sign(keys[0]!.kid!), { resource: RESOURCE }))).toContain('signature');
    expect(await refusal(verifier.verify('not.a.jwt', { resource: RESOURCE }))).toContain('well-formed');
  });

  it('refuse bad grants, and lifetimes longer than a replaced key stays published, at issue time', async () => {
    const { options } = setUp();
    await expect(issueAccessToken(options, { ...grant, scopes: ['has space'] })).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_OPTIONS' });
    await expect(issueAccessToken({ ...options, lifetimeMs: 2 * DAY }, grant)).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_OPTIONS' });
    // keepReplacedMs is 65 minutes by default: a 2-hour token could outlive its key's publication.
    await expect(issueAccessToken({ ...options, lifetimeMs: 2 * HOUR }, grant)).rejects.toThrow(/keepReplacedMs/);
    const longKeys = new SigningKeys({ store: createMemoryKeyStore(), now, keepReplacedMs: 3 * HOUR });
    await expect(issueAccessToken({ issuer: ISSUER, keys: longKeys, now, lifetimeMs: 2 * HOUR }, grant)).resolves.toBeDefined();
  });

  it('refuse a token of ours that lives longer than any we issue, and keep its claims out of the error', async () => {
    const { options, verifier } = setUp();
    const { kid, privateKey } = await options.keys.current();
    const iat = Math.floor(clock / 1000);
    const forever = await new SignJWT({ client_id: 'c', scope: 'admin' }).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).setIssuer(ISSUER).setAudience(RESOURCE).setSubject('s').setIssuedAt(iat).setExpirationTime(iat + 10 * 365 * 86_400).setJti('j').sign(privateKey);
    const error = (await verifier.verify(forever, { resource: RESOURCE }).catch((caught: unknown) => caught)) as Error & { code: string; cause: unknown };
    expect(error.code).toBe('OAUTH_SERVER_INVALID_TOKEN');
    expect(JSON.stringify(error.cause, Object.getOwnPropertyNames(error.cause as object))).not.toContain('admin');
  });

  it('remember a verified token for a minute at most, never past its expiry nor for another resource, and ask for revocation every time', async () => {
    const keys = new SigningKeys({ store: createMemoryKeyStore(), now });
    const revoked = new Set<string>();
    const options = { issuer: ISSUER, keys, now, lifetimeMs: 90_000, isGrantRevoked: (id: string) => Promise.resolve(revoked.has(id)) };
    const verifier = accessTokenVerifier(options);
    const { token } = await issueAccessToken(options, { ...grant, grantId: 'grant-1' });
    const lookups = vi.spyOn(keys, 'jwks');
    await verifier.verify(token, { resource: RESOURCE });
    expect(lookups).toHaveBeenCalledTimes(1);
    clock += 59_000;
    expect((await verifier.verify(token, { resource: RESOURCE })).extra.grantId).toBe('grant-1');
    expect(lookups).toHaveBeenCalledTimes(1);
    // Another resource is checked on its own (and refused).
    expect(await refusal(verifier.verify(token, { resource: 'https://other.example/mcp' }))).toContain('"aud"');
    // Past the minute the signature is checked again.
    clock += 2_000;
    await verifier.verify(token, { resource: RESOURCE });
    expect(lookups).toHaveBeenCalledTimes(3);
    // A revoked grant is refused even while its token is remembered.
    revoked.add('grant-1');
    expect(await refusal(verifier.verify(token, { resource: RESOURCE }))).toContain('revoked');
    revoked.clear();
    // Remembered until its expiry at most: past it and the clock tolerance, refused.
    clock += 60_000;
    expect(await refusal(verifier.verify(token, { resource: RESOURCE }))).toContain('expired');
  });
});

describe('signing keys', () => {
  it('publish only public halves, the next key before it signs, and a replaced key until its tokens have expired', async () => {
    const keys = new SigningKeys({ store: createMemoryKeyStore(), now, rotateEveryMs: DAY, publishAheadMs: HOUR, keepReplacedMs: 2 * HOUR });
    const verifier = accessTokenVerifier({ issuer: ISSUER, keys, now });
    const first = await keys.current();
    const published = await keys.jwks();
    expect(published.keys).toHaveLength(1);
    expect(published.keys[0]).toMatchObject({ kid: first.kid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' });
    expect(published.keys[0]).not.toHaveProperty('d');
    const rotation = clock + DAY;

    clock = rotation - 30 * 60_000; // half an hour before rotation: the next key is published, the first still signs
    expect((await keys.current()).kid).toBe(first.kid);
    const ahead = (await keys.jwks()).keys.map((key) => key.kid);
    expect(ahead).toHaveLength(2);
    const next = ahead.find((kid) => kid !== first.kid);

    // The next key was created half an hour before rotation, so it signs a full hour (publishAheadMs) after that.
    clock = rotation + 25 * 60_000; // the first key signs its last tokens
    const { token } = await issueAccessToken({ issuer: ISSUER, keys, now }, grant);
    expect(decodeProtectedHeader(token).kid).toBe(first.kid);

    clock = rotation + 40 * 60_000; // rotated: the next key signs; the first is still published, its tokens verify
    expect((await keys.current()).kid).toBe(next);
    expect((await keys.jwks()).keys.map((key) => key.kid).sort()).toEqual([first.kid, next].sort());
    expect((await verifier.verify(token, { resource: RESOURCE })).clientId).toBe(grant.clientId);

    clock = rotation + 30 * 60_000 + 2 * HOUR + 1; // keepReplacedMs after the next key took over: the first is gone
    expect((await keys.jwks()).keys.map((key) => key.kid)).toEqual([next]);
  });

  it('creates one key when two callers ask at once', async () => {
    const store = createMemoryKeyStore();
    const keys = new SigningKeys({ store, now });
    const [a, b] = await Promise.all([keys.current(), keys.current()]);
    expect(a.kid).toBe(b.kid);
    expect(await store.list()).toHaveLength(1);
  });

  it('survive a store that fails once (no unhandled rejection; the next call reads it again), and share one read among callers', async () => {
    const store = createMemoryKeyStore();
    let lists = 0;
    let failNext = true;
    const flaky = { ...store, list: async () => { lists += 1; if (failNext) { failNext = false; throw new Error('SQLITE_BUSY'); } return store.list(); } };
    const keys = new SigningKeys({ store: flaky, now });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(keys.current()).rejects.toThrow('SQLITE_BUSY');
      await expect(keys.jwks()).resolves.toMatchObject({ keys: [expect.objectContaining({ alg: 'ES256' })] });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      const before = lists;
      await Promise.all(Array.from({ length: 50 }, () => keys.jwks()));
      expect(lists).toBe(before);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('keep their cache in the window before a rotation (one read, not one per call)', async () => {
    const store = createMemoryKeyStore();
    let lists = 0;
    const counting = { ...store, list: () => ((lists += 1), store.list()) };
    const keys = new SigningKeys({ store: counting, now });
    await keys.jwks();
    clock += 30 * DAY - 10 * 60_000;
    await keys.jwks();
    const before = lists;
    for (let call = 0; call < 20; call += 1) await keys.jwks();
    expect(lists).toBe(before);
  });

  it('verify a token signed with a key another process added to the store, read again on the unknown key id', async () => {
    const shared = createMemoryKeyStore();
    const here = new SigningKeys({ store: shared, now });
    const verifier = accessTokenVerifier({ issuer: ISSUER, keys: here, now });
    await here.jwks();
    const elsewhereStore = createMemoryKeyStore();
    const elsewhere = new SigningKeys({ store: elsewhereStore, now });
    const { token } = await issueAccessToken({ issuer: ISSUER, keys: elsewhere, now }, grant);
    await refusal(verifier.verify(token, { resource: RESOURCE }));
    // The other process's key reaches the shared store; this one has it cached without it.
    await shared.add((await elsewhereStore.list())[0]!);
    clock += 11_000;
    await expect(verifier.verify(token, { resource: RESOURCE })).resolves.toMatchObject({ clientId: grant.clientId });
  });

  it('keep signing with the same key after a restart, from the SQLite store (readable by its owner only)', async () => {
    const file = join(folder, 'state', 'oauth.sqlite');
    const store = openSqliteKeyStore(file);
    const before = await new SigningKeys({ store, now }).current();
    const { token } = await issueAccessToken({ issuer: ISSUER, keys: new SigningKeys({ store, now }), now }, grant);
    store.close();
    expect(statSync(file).mode & 0o077).toBe(0);
    const reopened = openSqliteKeyStore(file);
    const keys = new SigningKeys({ store: reopened, now });
    expect((await keys.current()).kid).toBe(before.kid);
    expect((await accessTokenVerifier({ issuer: ISSUER, keys, now }).verify(token, { resource: RESOURCE })).extra.subject).toBe('user-1');
    reopened.close();
  });

  it('refuse options that cannot work, and a relative store path', async () => {
    expect(() => new SigningKeys({ store: createMemoryKeyStore(), rotateEveryMs: HOUR, publishAheadMs: HOUR })).toThrow(/publishAheadMs/);
    expect(() => new SigningKeys({ store: createMemoryKeyStore(), keepReplacedMs: 1 })).toThrow(/keepReplacedMs/);
    expect(() => openSqliteKeyStore('relative/oauth.sqlite')).toThrow(/absolute path/);
    // An exported key is what the store keeps.
    expect(Object.keys(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey))).toContain('d');
  });
});

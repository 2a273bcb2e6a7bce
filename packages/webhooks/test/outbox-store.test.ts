// One contract for both outboxes: deliveries stored once, claimed under a lease, retried, dead,
// replayed, counted, pruned; one secret per endpoint whoever asks first.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createMemoryOutbox, openSqliteOutbox, type OutboxStore } from '../src/index.js';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'outbox-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const delivery = (messageId: string, endpoint = 'https://a.example/hook', createdAt = 1_000) => ({ messageId, endpoint, eventType: 'tool.completed', payload: `{"id":"${messageId}"}`, createdAt });

describe.each([
  ['memory', () => createMemoryOutbox()],
  ['sqlite', () => openSqliteOutbox(join(folder, 'webhooks.sqlite'))],
] as const)('the %s outbox', (_name, open: () => OutboxStore) => {
  it('stores a delivery once per message and endpoint, and claims what is due under a lease', async () => {
    const store = open();
    await store.add([delivery('m1'), delivery('m1'), delivery('m1', 'https://b.example/hook'), delivery('m2', undefined, 5_000)]);
    expect(await store.counts()).toEqual({ pending: 3, dead: 0, delivered: 0 });
    const claimed = await store.claimDue(2_000, 10_000, 10);
    expect(claimed.map((entry) => [entry.messageId, entry.endpoint])).toEqual([
      ['m1', 'https://a.example/hook'],
      ['m1', 'https://b.example/hook'],
    ]);
    // Leased: nobody else gets them until the lease ends.
    expect(await store.claimDue(3_000, 10_000, 10)).toEqual([]);
    expect((await store.claimDue(12_001, 10_000, 10)).map((entry) => entry.messageId)).toEqual(['m1', 'm1', 'm2']);
    await store.close();
  });

  it('records a retry (due later), a delivery and a dead letter; replays dead ones', async () => {
    const store = open();
    await store.add([delivery('m1'), delivery('m2'), delivery('m3')]);
    const claims = await store.claimDue(1_000, 100, 10);
    expect(claims.map((claim) => claim.claimedUntil)).toEqual([1_100, 1_100, 1_100]);
    const claimedUntil = 1_100;
    await store.recordAttempt('m1', 'https://a.example/hook', { claimedUntil, at: 1_000, status: 503, error: 'the receiver answered 503', nextAttemptAt: 9_000 });
    await store.recordAttempt('m2', 'https://a.example/hook', { claimedUntil, at: 1_000, status: 200 });
    await store.recordAttempt('m3', 'https://a.example/hook', { claimedUntil, at: 1_500, status: 500, error: 'the receiver answered 500' });
    expect(await store.counts()).toEqual({ pending: 1, dead: 1, delivered: 1 });
    expect(await store.claimDue(8_999, 100, 10)).toEqual([]);
    const [retried] = await store.claimDue(9_000, 100, 10);
    expect(retried).toMatchObject({ messageId: 'm1', attempts: 1, lastStatus: 503, lastError: 'the receiver answered 503', status: 'pending' });
    const [dead] = await store.deadLetters(10);
    expect(dead).toMatchObject({ messageId: 'm3', attempts: 1, status: 'dead', finishedAt: 1_500 });
    // An attempt on a delivery that already ended changes nothing.
    await store.recordAttempt('m2', 'https://a.example/hook', { claimedUntil, at: 2_000, status: 500, error: 'late' });
    expect(await store.counts()).toEqual({ pending: 1, dead: 1, delivered: 1 });
    expect(await store.replay(20_000, 'no-such-message')).toBe(0);
    expect(await store.replay(20_000)).toBe(1);
    // The retried one (due since 9 000, its lease over) and the replayed one, oldest due first.
    expect((await store.claimDue(20_000, 100, 10)).map(({ messageId, attempts, status }) => ({ messageId, attempts, status }))).toEqual([
      { messageId: 'm1', attempts: 1, status: 'pending' },
      { messageId: 'm3', attempts: 0, status: 'pending' },
    ]);
    expect(await store.prune(1_001, 0)).toBe(1);
    expect(await store.counts()).toEqual({ pending: 2, dead: 0, delivered: 0 });
    await store.close();
  });

  it('ignores an attempt made under a claim that ran out and was taken by another: that one records', async () => {
    const store = open();
    await store.add([delivery('m1')]);
    const [first] = await store.claimDue(1_000, 100, 10);
    // The first claim ran out (a slow attempt); another process claims it again.
    const [second] = await store.claimDue(1_200, 100, 10);
    expect(second?.claimedUntil).toBe(1_300);
    await store.recordAttempt('m1', 'https://a.example/hook', { claimedUntil: first!.claimedUntil!, at: 1_250, status: 200 });
    expect(await store.counts()).toEqual({ pending: 1, dead: 0, delivered: 0 });
    await store.recordAttempt('m1', 'https://a.example/hook', { claimedUntil: second!.claimedUntil!, at: 1_260, status: 200 });
    expect(await store.counts()).toEqual({ pending: 0, dead: 0, delivered: 1 });
    await store.close();
  });

  it('claims and tells the next due time only for the endpoints named', async () => {
    const store = open();
    await store.add([delivery('m1', 'https://a.example/hook', 1_000), delivery('m2', 'https://b.example/hook', 2_000)]);
    expect(await store.nextDueAt(['https://b.example/hook'])).toBe(2_000);
    expect(await store.nextDueAt()).toBe(1_000);
    expect(await store.nextDueAt(['https://nowhere.example/hook'])).toBeUndefined();
    expect(await store.counts(['https://b.example/hook'])).toEqual({ pending: 1, dead: 0, delivered: 0 });
    expect((await store.claimDue(5_000, 100, 10, ['https://b.example/hook'])).map((entry) => entry.messageId)).toEqual(['m2']);
    // Claimed: due again only when its lease ends.
    expect(await store.nextDueAt(['https://b.example/hook'])).toBe(5_100);
    await store.close();
  });

  it('keeps one secret per endpoint: the first one stored', async () => {
    const store = open();
    expect(await store.secretFor('https://a.example/hook', () => 'whsec_first', 1)).toEqual({ secret: 'whsec_first', created: true });
    expect(await store.secretFor('https://a.example/hook', () => 'whsec_second', 2)).toEqual({ secret: 'whsec_first', created: false });
    await store.close();
  });
});

describe('openSqliteOutbox', () => {
  it('keeps what it holds across a reopen, in a file only its owner reads', async () => {
    const file = join(folder, 'webhooks.sqlite');
    const first = openSqliteOutbox(file);
    await first.add([delivery('m1')]);
    await first.secretFor('https://a.example/hook', () => 'whsec_kept', 1);
    await first.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = openSqliteOutbox(file);
    expect((await again.claimDue(1_000, 100, 10)).map((entry) => entry.messageId)).toEqual(['m1']);
    expect((await again.secretFor('https://a.example/hook', () => 'whsec_new', 2)).secret).toBe('whsec_kept');
    await again.close();
    await expect(again.counts()).rejects.toMatchObject({ code: 'WEBHOOK_STORE_FAILED' });
  });

  it('refuses a relative path', () => {
    expect(() => openSqliteOutbox('webhooks.sqlite')).toThrow(expect.objectContaining({ code: 'WEBHOOK_INVALID_OPTIONS' }) as Error);
  });
});

// Delivery to a real receiver on loopback, checked with the Standard Webhooks reference library
// (`standardwebhooks`): retries until it answers, each message once per id; delivery resumed by
// another dispatcher on the same outbox file; dead letters and their replay; Retry-After honoured;
// private and reserved receivers refused unless (for private ones) allowed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createMemoryOutbox, createWebhookDispatcher, generateWebhookSecret, openSqliteOutbox, type DeliveryAttempt, type WebhookDispatcher } from '../src/index.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

let folder: string;
const servers: Server[] = [];
const dispatchers: WebhookDispatcher[] = [];
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'dispatcher-'));
});
afterEach(async () => {
  for (const dispatcher of dispatchers.splice(0)) await dispatcher.close();
  for (const server of servers.splice(0)) server.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A receiver on 127.0.0.1: `answer` decides each request's status (and headers). */
async function receiver(answer: (count: number) => { status: number; headers?: Record<string, string> }): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const { status, headers } = answer(received.length);
      response.writeHead(status, headers).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`, received };
}

const fast = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 100 };
const until = async (done: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
const verified = (secret: string, { headers, body }: Received) =>
  new Webhook(secret).verify(body, { 'webhook-id': String(headers['webhook-id']), 'webhook-timestamp': String(headers['webhook-timestamp']), 'webhook-signature': String(headers['webhook-signature']) }) as { type: string; data: Record<string, unknown> };

describe('createWebhookDispatcher', () => {
  it('retries a failing receiver until it answers; the receiver verifies each attempt and sees one id per event', async () => {
    const { url, received } = await receiver((count) => ({ status: count <= 2 ? 503 : 204 }));
    const secret = generateWebhookSecret();
    const attempts: DeliveryAttempt[] = [];
    const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url, secret }], retry: fast, allowPrivateAddresses: true, onAttempt: (attempt) => attempts.push(attempt) });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    const id = await dispatcher.emit('tool.completed', { tool: 'claude_ask', sessionId: 's-1' });
    await until(() => attempts.some((attempt) => attempt.result === 'delivered'), 'the delivery');
    expect(attempts.map((attempt) => attempt.result)).toEqual(['retry', 'retry', 'delivered']);
    expect(new Set(received.map(({ headers }) => headers['webhook-id']))).toEqual(new Set([id]));
    for (const request of received) expect(verified(secret, request)).toEqual({ type: 'tool.completed', timestamp: expect.any(String) as string, data: { tool: 'claude_ask', sessionId: 's-1' } });
    expect(received[0]?.headers['content-type']).toBe('application/json');
    expect(dispatcher.counts()).toEqual({ pending: 0, dead: 0 });
  });

  it('leaves out the events its filter does not name', async () => {
    const { url, received } = await receiver(() => ({ status: 200 }));
    const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url, secret: generateWebhookSecret() }], events: ['background_task.*', 'server.started'], allowPrivateAddresses: true });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    expect(await dispatcher.emit('tool.called', {})).toBeUndefined();
    await dispatcher.emit('server.started', {});
    await dispatcher.emit('background_task.failed', { taskId: 't' });
    await until(() => received.length === 2, 'two deliveries');
    expect(received.map(({ body }) => (JSON.parse(body) as { type: string }).type).sort()).toEqual(['background_task.failed', 'server.started']);
    expect(() => createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url }], events: ['tool.**'] })).toThrow(expect.objectContaining({ code: 'WEBHOOK_INVALID_OPTIONS' }) as Error);
  });

  it('resumes after a restart: what one dispatcher left pending, the next one on the same outbox delivers, with the same id and the stored secret', async () => {
    const file = join(folder, 'webhooks.sqlite');
    // Nothing listens there at first: the connection is refused and a retry is planned a minute on.
    const gone = await receiver(() => ({ status: 200 }));
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const port = Number(new URL(gone.url).port);
    const attempts: DeliveryAttempt[] = [];
    const firstStore = openSqliteOutbox(file);
    const first = createWebhookDispatcher({ store: firstStore, endpoints: [{ url: gone.url }], retry: { maxAttempts: 10, baseDelayMs: 60_000, maxDelayMs: 60_000 }, allowPrivateAddresses: true, onAttempt: (attempt) => attempts.push(attempt) });
    await first.start();
    const id = await first.emit('session.started', { sessionId: 's-2' });
    await until(() => attempts.length === 1, 'the refused attempt');
    expect(attempts[0]).toMatchObject({ result: 'retry', status: null });
    await first.close();
    await firstStore.close();

    // The receiver is back on its port; the next dispatcher (a minute later) delivers.
    const received: Received[] = [];
    const back = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200).end();
      });
    });
    servers.push(back);
    await new Promise<void>((resolve) => back.listen(port, '127.0.0.1', resolve));
    const store = openSqliteOutbox(file);
    const second = createWebhookDispatcher({ store, endpoints: [{ url: gone.url }], allowPrivateAddresses: true, now: () => Date.now() + 120_000, onAttempt: (attempt) => attempts.push(attempt) });
    dispatchers.push(second);
    await second.start();
    await until(() => attempts.some((attempt) => attempt.result === 'delivered'), 'the resumed delivery');
    expect(received.map(({ headers }) => headers['webhook-id'])).toEqual([id]);
    const { secret } = await store.secretFor(gone.url, () => 'unused', 0);
    expect(verified(secret, received[0]!).type).toBe('session.started');
    await second.close();
    await store.close();
  });

  it('ends in dead letters after the last attempt; a replay delivers them', async () => {
    let healthy = false;
    const { url, received } = await receiver(() => ({ status: healthy ? 200 : 500 }));
    const attempts: DeliveryAttempt[] = [];
    const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url, secret: generateWebhookSecret() }], retry: { ...fast, maxAttempts: 3 }, allowPrivateAddresses: true, onAttempt: (attempt) => attempts.push(attempt) });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    const id = await dispatcher.emit('background_task.failed', { taskId: 't-1' });
    await until(() => attempts.some((attempt) => attempt.result === 'dead'), 'the dead letter');
    expect(attempts.map((attempt) => attempt.result)).toEqual(['retry', 'retry', 'dead']);
    const [dead] = await dispatcher.deadLetters();
    expect(dead).toMatchObject({ messageId: id, attempts: 3, lastStatus: 500, lastError: 'the receiver answered 500', status: 'dead' });
    expect(dispatcher.counts()).toEqual({ pending: 0, dead: 1 });
    healthy = true;
    expect(await dispatcher.replay(id)).toBe(1);
    await until(() => attempts.at(-1)?.result === 'delivered', 'the replayed delivery');
    expect(received.at(-1)?.headers['webhook-id']).toBe(id);
    expect(dispatcher.counts()).toEqual({ pending: 0, dead: 0 });
  });

  it('waits at least as long as Retry-After says', async () => {
    const { url } = await receiver(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    const store = createMemoryOutbox();
    const start = Date.now();
    const attempts: DeliveryAttempt[] = [];
    const dispatcher = createWebhookDispatcher({ store, endpoints: [{ url, secret: generateWebhookSecret() }], retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 3_600_000 }, allowPrivateAddresses: true, now: () => start, onAttempt: (attempt) => attempts.push(attempt) });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    await dispatcher.emit('rate_limit.exceeded', {});
    await until(() => attempts.length === 1, 'the first attempt');
    await dispatcher.close();
    expect(await store.claimDue(start + 29_999, 1, 10)).toEqual([]);
    expect(await store.claimDue(start + 30_000, 1, 10)).toHaveLength(1);
  });

  it('refuses a loopback receiver unless private addresses are allowed, and a reserved one always (no request is made)', async () => {
    const { url, received } = await receiver(() => ({ status: 200 }));
    for (const [target, allowPrivateAddresses] of [[url, false], ['http://169.254.169.254/latest', true]] as const) {
      const attempts: DeliveryAttempt[] = [];
      const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url: target, secret: generateWebhookSecret() }], retry: { ...fast, maxAttempts: 1 }, allowPrivateAddresses, onAttempt: (attempt) => attempts.push(attempt) });
      dispatchers.push(dispatcher);
      await dispatcher.start();
      await dispatcher.emit('server.started', {});
      await until(() => attempts.length === 1, 'the attempt');
      expect(attempts[0]).toMatchObject({ result: 'dead', status: null });
      expect(attempts[0]?.error).toMatch(/has the (loopback or private|reserved) address/);
    }
    expect(received).toEqual([]);
  });

  it('sends each message once when two dispatchers share one outbox and the receiver is slow', async () => {
    const file = join(folder, 'webhooks.sqlite');
    const { url, received } = await receiver(() => ({ status: 200 }));
    const slow = servers.at(-1)!;
    slow.removeAllListeners('request');
    slow.on('request', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => setTimeout(() => {
        received.push({ headers: request.headers, body });
        response.writeHead(200).end();
      }, 300));
    });
    const secret = generateWebhookSecret();
    const stores = [openSqliteOutbox(file), openSqliteOutbox(file)];
    const [first, second] = stores.map((store) => createWebhookDispatcher({ store, endpoints: [{ url, secret }], allowPrivateAddresses: true, concurrency: 1, timeoutMs: 2_000 }));
    dispatchers.push(first!, second!);
    await first!.start();
    await second!.start();
    const ids = await Promise.all(Array.from({ length: 6 }, (_, index) => (index % 2 === 0 ? first! : second!).emit('tool.called', { index })));
    await until(() => received.length >= 6, 'six deliveries');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(received.map(({ headers }) => headers['webhook-id']).sort()).toEqual([...ids].sort());
    for (const store of stores) await store.close().catch(() => undefined);
  });

  it('leaves the deliveries of endpoints it does not have to the process that has them', async () => {
    const store = createMemoryOutbox();
    const { url, received } = await receiver(() => ({ status: 200 }));
    await store.add([{ messageId: 'msg_other', endpoint: 'https://elsewhere.example/hook', eventType: 'tool.called', payload: '{}', createdAt: 0 }]);
    const dispatcher = createWebhookDispatcher({ store, endpoints: [{ url, secret: generateWebhookSecret() }], allowPrivateAddresses: true });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    await dispatcher.emit('tool.called', {});
    await until(() => received.length === 1, 'its own delivery');
    expect(await store.counts()).toEqual({ pending: 1, dead: 0, delivered: 1 });
  });

  it('gives up a receiver that hangs when the flush runs out of time, leaving the delivery pending', async () => {
    const hung = createServer(() => undefined);
    servers.push(hung);
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(hung.address() as { port: number }).port}/hooks`;
    const store = createMemoryOutbox();
    const dispatcher = createWebhookDispatcher({ store, endpoints: [{ url, secret: generateWebhookSecret() }], allowPrivateAddresses: true, timeoutMs: 60_000, pollIntervalMs: 60_000 });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    await dispatcher.emit('server.shutdown', {});
    const started = Date.now();
    expect(await dispatcher.flush(AbortSignal.timeout(500))).toBe(false);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await store.counts()).toEqual({ pending: 1, dead: 0, delivered: 0 });
    // Its claim outlives the attempt (timeout + 10 s): the next round or process takes it after that.
    const [left] = await store.claimDue(Date.now() + 120_000, 1, 10);
    expect(left?.attempts).toBe(0);
  });

  it('flushes a retry that falls due before the deadline it is given', async () => {
    const { url, received } = await receiver((count) => (count === 1 ? { status: 503, headers: { 'retry-after': '1' } } : { status: 200 }));
    const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url, secret: generateWebhookSecret() }], retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2_000 }, allowPrivateAddresses: true, pollIntervalMs: 60_000 });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    await dispatcher.emit('server.shutdown', {});
    expect(await dispatcher.flush(AbortSignal.timeout(5_000), Date.now() + 5_000)).toBe(true);
    expect(received.map(() => 'attempt')).toHaveLength(2);
  });

  it('sends plain http only to private addresses', async () => {
    const attempts: DeliveryAttempt[] = [];
    const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url: 'http://hooks.example.com/claude', secret: generateWebhookSecret() }], retry: { ...fast, maxAttempts: 1 }, lookup: () => Promise.resolve([{ address: '93.184.216.34' }]), onAttempt: (attempt) => attempts.push(attempt) });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    await dispatcher.emit('server.started', {});
    await until(() => attempts.length === 1, 'the attempt');
    expect(attempts[0]?.error).toMatch(/plain http goes only to private addresses/);
  });

  it('flushes what is due within a deadline, and says when it could not', async () => {
    const { url, received } = await receiver(() => ({ status: 200 }));
    const dispatcher = createWebhookDispatcher({ store: createMemoryOutbox(), endpoints: [{ url, secret: generateWebhookSecret() }], allowPrivateAddresses: true, pollIntervalMs: 60_000 });
    dispatchers.push(dispatcher);
    await dispatcher.start();
    await dispatcher.emit('server.shutdown', {});
    await dispatcher.emit('server.shutdown', {});
    expect(await dispatcher.flush(AbortSignal.timeout(5_000))).toBe(true);
    expect(received).toHaveLength(2);
    expect(await dispatcher.flush(AbortSignal.abort())).toBe(false);
  });
});

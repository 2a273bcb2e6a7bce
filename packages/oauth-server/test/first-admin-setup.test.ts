// The first administrator from a one-time link, for a server started without a password: the
// link works once, for the right token only; after it, the administrator signs in.
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

import { authenticateUser, createMemoryAuthorizationStore, registerAuthorizationServer } from '../src/index.js';
import { freePort, SCOPES } from './as-fixture.js';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(withUser: boolean) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const store = createMemoryAuthorizationStore();
  if (withUser) await store.users.add({ userId: 'u', username: 'someone', passwordHash: 'x', admin: true, createdAt: 1 });
  const app = Fastify();
  apps.push(app);
  const server = await registerAuthorizationServer(app, { issuer: origin, resource: `${origin}/mcp`, store, scopes: SCOPES, requestsPerMinute: false, firstAdminSetup: true });
  await app.listen({ host: '127.0.0.1', port });
  return { origin, store, server };
}

const post = (origin: string, fields: Record<string, string>) =>
  fetch(`${origin}/oauth/setup`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

describe('the first administrator from a one-time link', () => {
  it('shows the form for the right token only, creates the administrator once, and is gone after', async () => {
    const { origin, store, server } = await start(false);
    expect(server.setupUrl).toMatch(new RegExp(`^${origin}/oauth/setup\\?token=[\\w-]{43}$`));
    const token = new URL(server.setupUrl!).searchParams.get('token')!;
    expect((await fetch(`${origin}/oauth/setup?token=wrong`)).status).toBe(404);
    const form = await fetch(server.setupUrl!);
    expect(form.status).toBe(200);
    expect(form.headers.get('x-frame-options')).toBe('DENY');
    expect(await form.text()).toContain('Create the administrator');
    expect((await post(origin, { token, username: 'root', password: 'a long password here', again: 'another one entirely' })).status).toBe(400);
    expect((await post(origin, { token, username: 'root', password: 'short', again: 'short' })).status).toBe(400);
    expect((await post(origin, { token: 'wrong', username: 'root', password: 'a long password here', again: 'a long password here' })).status).toBe(404);
    expect(await store.users.count()).toBe(0);
    const created = await post(origin, { token, username: 'root', password: 'a long password here', again: 'a long password here' });
    expect(created.status).toBe(200);
    expect(await authenticateUser(store, 'root', 'a long password here')).toMatchObject({ admin: true });
    expect((await post(origin, { token, username: 'evil', password: 'a long password here', again: 'a long password here' })).status).toBe(404);
    expect((await fetch(server.setupUrl!)).status).toBe(404);
    expect(await store.users.count()).toBe(1);
  });

  it('makes no link when someone can already sign in', async () => {
    const { origin, server } = await start(true);
    expect(server.setupUrl).toBeUndefined();
    expect((await fetch(`${origin}/oauth/setup?token=x`)).status).toBe(404);
  });
});

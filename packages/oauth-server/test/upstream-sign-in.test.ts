// Sign-in delegated to an upstream OpenID provider, in a real browser: panva's oidc-provider on
// 127.0.0.1 is the company's identity provider. Our page offers "Sign in with …"; the browser goes
// there, signs in, consents, comes back, and lands on the client with our code — whose tokens are
// ours, for our resource. Administrators are the ones listed; nobody else gets the admin scope.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { startIdentityProvider, type IdentityProvider } from '@claude-code-mcp/test-harness';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { freePort, startServer, type RunningServer } from './as-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const IDP_SECRET = 'the secret of our client at the provider';
let running: RunningServer;
let idp: IdentityProvider;
let idpIssuer: string;
let client: Server;
let redirectUri: string;
let clientId: string;
let browser: Browser;
const callbacks: URL[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium; scripts/run-tests.mjs installs it when run as root).`);
  const [ourPort, idpPort] = [await freePort(), await freePort()];
  idp = await startIdentityProvider({ port: idpPort, clients: [{ clientId: 'claude-code-mcp', clientSecret: IDP_SECRET, redirectUris: [`http://127.0.0.1:${ourPort}/oauth/upstream/callback`] }] });
  idpIssuer = idp.issuer;
  running = await startServer({ upstream: { issuer: idpIssuer, clientId: 'claude-code-mcp', clientSecret: IDP_SECRET, name: 'Example Corp', allowed: ['alice@example.com'], admins: ['BOSS@example.com'] }, adminScopes: ['admin'] }, ourPort);
  client = createServer((request, response) => {
    const url = new URL(request.url ?? '/', redirectUri);
    if (url.pathname === '/callback') callbacks.push(url);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('done');
  });
  await new Promise<void>((resolve) => client.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${(client.address() as AddressInfo).port}/callback`;
  const registered = await fetch(`${running.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [redirectUri], client_name: 'Upstream Test Agent' }) });
  clientId = ((await registered.json()) as { client_id: string }).client_id;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await idp?.close();
  if (client?.listening) await new Promise((resolve) => client.close(resolve));
});

/** Through our page and the provider's, as `login`: the tokens the client gets for the code. */
async function signInUpstream(login: string): Promise<{ scope: string; accessToken: string; error: string | null }> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const url = new URL(`${running.origin}/oauth/authorize`);
  for (const [name, value] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state, resource: running.resource, scope: 'read run admin' })) url.searchParams.set(name, value);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url.href);
    await page.getByRole('button', { name: 'Sign in with Example Corp and allow' }).click();
    await page.waitForURL((current) => current.href.startsWith(idpIssuer));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((current) => current.href.startsWith(redirectUri));
  } finally {
    await context.close();
  }
  const back = callbacks.at(-1)!;
  expect(back.searchParams.get('state')).toBe(state);
  expect(back.searchParams.get('iss')).toBe(running.origin);
  if (back.searchParams.has('error')) return { scope: '', accessToken: '', error: back.searchParams.get('error') };
  const token = await fetch(`${running.origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: back.searchParams.get('code')!, code_verifier: verifier, redirect_uri: redirectUri, resource: running.resource }) });
  const body = (await token.json()) as { scope: string; access_token: string };
  return { scope: body.scope, accessToken: body.access_token, error: null };
}

describe('sign-in through an upstream OpenID provider', () => {
  it('signs a person in at the provider and gives the client our own token; the admin scope only to a listed administrator', async () => {
    const alice = await signInUpstream('alice');
    expect(alice.scope).toBe('read run');
    const verified = await running.server.verify(alice.accessToken);
    expect(verified).toMatchObject({ clientId, scopes: ['read', 'run'] });
    // The user is ours, named after the provider's subject, and has no password.
    const user = await running.store.users.findByName(`oidc:${createHash('sha256').update(idpIssuer).digest('hex').slice(0, 16)}:alice`);
    expect(user).toMatchObject({ admin: false, passwordHash: 'upstream' });
    expect(verified.extra.subject).toBe(user!.userId);
    const boss = await signInUpstream('boss');
    expect(boss.scope).toBe('read run admin');
    // Signing in again is the same user.
    await signInUpstream('alice');
    expect(await running.store.users.count()).toBe(3); // admin, alice, boss
    // Someone the provider knows but this server does not let in goes back with access_denied.
    expect(await signInUpstream('carol')).toMatchObject({ error: 'access_denied' });
    expect(await running.store.users.count()).toBe(3);
  }, 60_000);

  it('refuses a sign-in finished in another browser than the one that started it, and a state never issued', async () => {
    const url = new URL(`${running.origin}/oauth/authorize`);
    for (const [name, value] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: createHash('sha256').update('v'.repeat(43)).digest('base64url'), code_challenge_method: 'S256', state: 's', resource: running.resource })) url.searchParams.set(name, value);
    const victim = await browser.newContext();
    const attacker = await browser.newContext();
    try {
      const started = await victim.newPage();
      await started.goto(url.href);
      const sent = started.waitForRequest((request) => request.url().startsWith(`${idpIssuer}/auth?`));
      await started.getByRole('button', { name: 'Sign in with Example Corp and allow' }).click();
      // The authorization request we sent the provider, finished in another browser (login CSRF).
      const elsewhere = await attacker.newPage();
      await elsewhere.goto((await sent).url());
      await elsewhere.locator('input[name="login"]').fill('mallory');
      await elsewhere.locator('input[name="password"]').fill('anything');
      await elsewhere.getByRole('button', { name: 'Sign-in' }).click();
      const answer = elsewhere.waitForResponse((response) => response.url().startsWith(`${running.origin}/oauth/upstream/callback`));
      await elsewhere.getByRole('button', { name: 'Continue' }).click();
      expect((await answer).status()).toBe(403);
      expect(await elsewhere.getByText('This sign-in was not started in this browser.').count()).toBe(1);
    } finally {
      await victim.close();
      await attacker.close();
    }
    const forged = await fetch(`${running.origin}/oauth/upstream/callback?code=x&state=never-issued&iss=${encodeURIComponent(idpIssuer)}`);
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('expired or was already used');
  }, 60_000);
});

// The sign-in and consent page in a real browser (Debian's Chromium through playwright-core): a
// person reads it, signs in, gets it wrong, denies; another site frames it; JavaScript is off.
// The client is a tiny HTTP server on 127.0.0.1 that records where the browser lands.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN_PASSWORD, startServer, type RunningServer } from './as-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const TEST_TIMEOUT = 30_000;

let running: RunningServer;
let client: Server;
let clientOrigin: string;
let redirectUri: string;
let clientId: string;
let browser: Browser;
let context: BrowserContext | undefined;
/** Every request the client's callback got, as full URLs. */
let callbacks: URL[] = [];
/** What the client's `/frame` page frames. */
let framed = '';

beforeAll(async () => {
  // Not a skip: a suite that cannot run must not pass. scripts/run-tests.mjs installs it in CI.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium; scripts/run-tests.mjs installs it when run as root).`);
  client = createServer((request, response) => {
    const url = new URL(request.url ?? '/', clientOrigin);
    if (url.pathname === '/callback') {
      callbacks.push(url);
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('done');
    } else if (url.pathname === '/frame') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Another site</title><h1>Another site</h1><iframe name="authorize" src="${framed.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}"></iframe><iframe name="control" src="/framable"></iframe>`);
    } else if (url.pathname === '/framable') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><p>framable page</p>');
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => client.listen(0, '127.0.0.1', resolve));
  clientOrigin = `http://127.0.0.1:${(client.address() as AddressInfo).port}`;
  redirectUri = `${clientOrigin}/callback`;
  running = await startServer();
  const registered = await fetch(`${running.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [redirectUri], client_name: 'Browser Test Agent', application_type: 'native', token_endpoint_auth_method: 'none' }) });
  expect(registered.status).toBe(201);
  clientId = ((await registered.json()) as { client_id: string }).client_id;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
}, 60_000);

afterEach(async () => {
  await context?.close();
  context = undefined;
  callbacks = [];
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  if (client?.listening) await new Promise((resolve) => client.close(resolve));
});

async function newPage(options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  context = await browser.newContext(options);
  return context.newPage();
}

/** A fresh authorization request: its URL and the PKCE verifier that goes with it. */
function authorizeRequest(state = randomBytes(8).toString('hex')) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${running.origin}/oauth/authorize`);
  for (const [name, value] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state, resource: running.resource, scope: 'read run' })) {
    url.searchParams.set(name, value);
  }
  return { url: url.href, verifier, state };
}

const atCallback = (url: URL) => url.origin === clientOrigin && url.pathname === '/callback';

/** Signs in on the open page and waits until the browser is back at the client. */
async function signIn(page: Page, password = ADMIN_PASSWORD): Promise<URL> {
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in and allow' }).click();
  await page.waitForURL(atCallback);
  return new URL(page.url());
}

/** Checks the callback the browser landed on and trades its code for an access token. */
async function exchange(back: URL, request: { verifier: string; state: string }) {
  expect(back.searchParams.get('state')).toBe(request.state);
  expect(back.searchParams.get('iss')).toBe(running.origin);
  expect(back.searchParams.has('error')).toBe(false);
  const code = back.searchParams.get('code');
  expect(code).toEqual(expect.any(String));
  // The client got exactly this request, and answered it.
  expect(callbacks.map((url) => url.href)).toEqual([back.href]);
  const response = await fetch(`${running.origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: code!, code_verifier: request.verifier, redirect_uri: redirectUri, resource: running.resource }) });
  const tokens = (await response.json()) as { access_token?: string; token_type?: string; scope?: string };
  expect(response.status, JSON.stringify(tokens)).toBe(200);
  expect(tokens.token_type?.toLowerCase()).toBe('bearer');
  expect(tokens.scope).toBe('read run');
  expect(await running.server.verify(tokens.access_token ?? '')).toMatchObject({ clientId, scopes: ['read', 'run'] });
}

describe('the sign-in and consent page in Chromium', () => {
  it('shows who asks for what, signs in, and the code it sends back buys a token', async () => {
    const page = await newPage();
    const request = authorizeRequest();
    const opened = await page.goto(request.url);
    expect(opened?.status()).toBe(200);
    expect(await page.title()).toBe(`Sign in to ${new URL(running.origin).host}`);
    expect(await page.getByRole('heading', { name: `Browser Test Agent wants to use ${new URL(running.origin).host}` }).isVisible()).toBe(true);
    expect(await page.getByText(clientId, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText(new URL(clientOrigin).host, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText(running.resource, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('See sessions, tasks and logs').isVisible()).toBe(true);
    expect(await page.getByText('Run Claude Code').isVisible()).toBe(true);
    expect(await page.getByText('Install plugins').count()).toBe(0);
    expect(await page.getByText(/receives the answer on this computer/).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign in and allow' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Deny' }).isVisible()).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);

    const back = await signIn(page);
    expect(await page.textContent('body')).toBe('done');
    await exchange(back, request);
  }, TEST_TIMEOUT);

  it('a wrong password brings the page back with the error and the user name; then the right one works', async () => {
    const page = await newPage();
    const request = authorizeRequest();
    await page.goto(request.url);
    await page.getByLabel('User name').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    const answer = page.waitForResponse((response) => response.request().method() === 'POST' && response.url() === `${running.origin}/oauth/authorize`);
    await page.getByRole('button', { name: 'Sign in and allow' }).click();
    expect((await answer).status()).toBe(400);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('Wrong user name or password.');
    expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
    expect(callbacks).toEqual([]);
    expect(await page.getByLabel('User name').inputValue()).toBe('admin');
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    // The same request is still on the page.
    expect(await page.getByText(running.resource, { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('Run Claude Code').isVisible()).toBe(true);

    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in and allow' }).click();
    await page.waitForURL(atCallback);
    await exchange(new URL(page.url()), request);
  }, TEST_TIMEOUT);

  it('Deny needs no password and sends the person back with access_denied and no code', async () => {
    const page = await newPage();
    const request = authorizeRequest();
    await page.goto(request.url);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(atCallback);
    const back = new URL(page.url());
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'access_denied', state: request.state, iss: running.origin });
    expect(back.searchParams.has('code')).toBe(false);
    expect(callbacks.map((url) => url.href)).toEqual([back.href]);
  }, TEST_TIMEOUT);

  it('another site cannot frame it: the server answers, Chromium shows no form', async () => {
    const page = await newPage();
    framed = authorizeRequest().url;
    const answered = page.waitForResponse((response) => response.url() === framed);
    const refusal = page.waitForEvent('console', { predicate: (message) => message.text().includes("frame-ancestors 'none'") });
    // localhost is a different site from 127.0.0.1, not only a different origin.
    const frameOrigin = clientOrigin.replace('127.0.0.1', 'localhost');
    await page.goto(`${frameOrigin}/frame`);
    const response = await answered;
    expect(response.status()).toBe(200);
    expect(response.headers()['x-frame-options']).toBe('DENY');
    expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await refusal).text()).toMatch(/violates .*"frame-ancestors 'none'".* blocked/);

    // The control frame renders: frames work on this page, only the sign-in page refuses.
    const control = page.frame({ name: 'control' })!;
    await control.getByText('framable page').waitFor();
    const authorize = page.frame({ name: 'authorize' })!;
    expect(authorize).toBeTruthy();
    expect(authorize.url()).not.toBe(framed);
    expect(authorize.url()).toMatch(/^chrome-error:/);
    expect(await page.frameLocator('iframe[name="authorize"]').getByRole('button', { name: 'Sign in and allow' }).count()).toBe(0);
    expect(await page.frameLocator('iframe[name="authorize"]').getByLabel('Password').count()).toBe(0);
    expect(callbacks).toEqual([]);
  }, TEST_TIMEOUT);

  it('works with JavaScript turned off', async () => {
    const page = await newPage({ javaScriptEnabled: false });
    const request = authorizeRequest();
    await page.goto(request.url);
    expect(await page.getByText(running.resource, { exact: true }).isVisible()).toBe(true);
    await exchange(await signIn(page), request);
  }, TEST_TIMEOUT);
});

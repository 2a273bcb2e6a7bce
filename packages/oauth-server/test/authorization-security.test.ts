// The authorization server under attack and bad input: the cases 16–29 of the checklist in
// shared/docs/oauth.md §5 (authorize endpoint, token endpoint, registration), each refused with
// the status and error the specifications name.
import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { approve, openAuthorize, startServer, type RunningServer } from './as-fixture.js';

const REDIRECT = 'http://127.0.0.1:43117/callback';
let running: RunningServer;
let clock: number;

beforeEach(async () => {
  clock = Date.now();
  running = await startServer({ now: () => clock });
});
afterEach(async () => {
  await running.close();
});

async function register(metadata: Record<string, unknown> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${running.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT], client_name: 'Agent', ...metadata }) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const clientId = async (metadata: Record<string, unknown> = {}) => String((await register(metadata)).body['client_id']);

async function authorizeParams(id: string, verifier: string, extra: Record<string, string | null> = {}): Promise<URL> {
  const url = new URL(`${running.origin}/oauth/authorize`);
  const params: Record<string, string | null> = { response_type: 'code', client_id: id, redirect_uri: REDIRECT, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 'xyz', resource: running.resource, scope: 'read', ...extra };
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url;
}

async function token(form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${running.origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

/** A code for `id`, approved by the admin. */
async function codeFor(id: string, verifier: string, extra: Record<string, string | null> = {}): Promise<string> {
  const redirect = await approve(running.origin, await authorizeParams(id, verifier, extra));
  expect(redirect.status).toBe(303);
  return new URL(redirect.location!).searchParams.get('code')!;
}

const redeem = (id: string, code: string, verifier: string, extra: Record<string, string> = {}) =>
  token({ grant_type: 'authorization_code', client_id: id, code, code_verifier: verifier, redirect_uri: REDIRECT, resource: running.resource, ...extra });

describe('the authorize endpoint (checklist 16–22)', () => {
  it('16: refuses a request without S256 PKCE, back to the client with state and iss', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    for (const extra of [{ code_challenge: null, code_challenge_method: null }, { code_challenge_method: 'plain' }, { code_challenge_method: null }, { code_challenge_method: 'S512' }, { code_challenge: 'short' }] as Record<string, string | null>[]) {
      const page = await openAuthorize(await authorizeParams(id, verifier, extra));
      expect(page.status, JSON.stringify(extra)).toBe(303);
      const back = new URL(page.location!);
      expect(back.searchParams.get('error')).toBe('invalid_request');
      expect(back.searchParams.getAll('state')).toEqual(['xyz']);
      expect(back.searchParams.getAll('iss')).toEqual([running.origin]);
    }
  });

  it('17–18: an unknown client or a redirect URI not registered gets a page, never a redirect', async () => {
    const id = await clientId({ redirect_uris: [REDIRECT, 'https://app.example/cb'] });
    const verifier = oauth.generateRandomCodeVerifier();
    const variants = [
      'http://127.0.0.1:43117/callback/extra',
      'http://127.0.0.1:43117/callback?x=1',
      'http://127.0.0.1:43117/callback#frag',
      'http://localhost:43117/callback',
      'http://127.0.0.1:43117/Callback',
      'http://127.0.0.1:43117/%63allback',
      'http://app.example/cb',
      'https://app.example/cb/',
      'https://app.example@evil.example/cb',
      'https://evil.example/cb',
      'javascript:alert(1)',
      'data:text/html,hi',
    ];
    for (const redirect of variants) {
      const page = await openAuthorize(await authorizeParams(id, verifier, { redirect_uri: redirect }));
      expect({ redirect, status: page.status, location: page.location }).toEqual({ redirect, status: 400, location: null });
      expect(page.html).toContain('not one the application registered');
    }
    const unknown = await openAuthorize(await authorizeParams('no-such-client', verifier));
    expect(unknown).toMatchObject({ status: 400, location: null });
    expect(unknown.html).toContain('not known to this server');
    const none = await openAuthorize(`${running.origin}/oauth/authorize?response_type=code`);
    expect(none).toMatchObject({ status: 400, location: null });
    // A web client's loopback URI matches exactly; a native app picks its port (RFC 8252 §7.3).
    expect((await openAuthorize(await authorizeParams(id, verifier, { redirect_uri: 'http://127.0.0.1:50001/callback' }))).status).toBe(400);
    const native = await clientId();
    expect((await openAuthorize(await authorizeParams(native, verifier, { redirect_uri: 'http://127.0.0.1:50001/callback' }))).status).toBe(200);
  });

  it('19: a resource that is missing, relative, has a fragment or is another server gets invalid_target', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    for (const resource of [null, '/mcp', `${running.resource}#x`, 'https://other.example/mcp', `${running.resource}-other`, `${running.resource}/`]) {
      const page = await openAuthorize(await authorizeParams(id, verifier, { resource }));
      const back = new URL(page.location!);
      expect({ resource, error: back.searchParams.get('error'), state: back.searchParams.get('state'), iss: back.searchParams.getAll('iss') }).toEqual({ resource, error: 'invalid_target', state: 'xyz', iss: [running.origin] });
    }
    // The same resource written with an upper-case scheme and host is the same resource.
    const shouted = await openAuthorize(await authorizeParams(id, verifier, { resource: running.resource.replace('http://127.0.0.1', 'HTTP://127.0.0.1') }));
    expect(shouted.status).toBe(200);
  });

  it('20: response types other than code, unknown scopes and repeated parameters are refused; unknown parameters ignored', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const errorOf = async (extra: Record<string, string | null>) => new URL((await openAuthorize(await authorizeParams(id, verifier, extra))).location!).searchParams.get('error');
    expect(await errorOf({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await errorOf({ response_type: 'id_token' })).toBe('unsupported_response_type');
    expect(await errorOf({ response_type: null })).toBe('invalid_request');
    expect(await errorOf({ scope: 'read everything' })).toBe('invalid_scope');
    expect(await errorOf({ prompt: 'none' })).toBe('login_required');
    const repeated = await authorizeParams(id, verifier);
    repeated.searchParams.append('scope', 'run');
    expect(new URL((await openAuthorize(repeated)).location!).searchParams.get('error')).toBe('invalid_request');
    expect((await openAuthorize(await authorizeParams(id, verifier, { unknown_parameter: 'ignored', nonce: 'n' }))).status).toBe(200);
  });

  it('21–22: iss exactly once on success; consent is kept per client', async () => {
    const id = await clientId();
    const other = await clientId();
    const redirect = await approve(running.origin, await authorizeParams(id, oauth.generateRandomCodeVerifier()));
    const back = new URL(redirect.location!);
    expect(back.searchParams.getAll('iss')).toEqual([running.origin]);
    expect(back.searchParams.getAll('state')).toEqual(['xyz']);
    expect(redirect.headers.get('referrer-policy')).toBe('no-referrer');
    const admin = await running.store.users.findByName('admin');
    expect(await running.store.consents.find(admin!.userId, id)).toMatchObject({ clientId: id, scopes: ['read'] });
    expect(await running.store.consents.find(admin!.userId, other)).toBeUndefined();
  });
});

describe('the token endpoint (checklist 23–28)', () => {
  it('23: a code works once; its second use revokes what the first one gave', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const code = await codeFor(id, verifier, { scope: 'read offline_access' });
    const first = await redeem(id, code, verifier);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const second = await redeem(id, code, verifier);
    expect(second).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    await expect(running.server.verify(String(first.body['access_token']))).rejects.toThrow(/revoked/);
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: String(first.body['refresh_token']) })).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('24–25: a wrong verifier, redirect URI or client, a missing verifier, or an expired code fail — and a failure does not spend a good code', async () => {
    const id = await clientId();
    const other = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const code = await codeFor(id, verifier);
    expect((await redeem(id, code, oauth.generateRandomCodeVerifier())).body).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem(id, code, verifier, { redirect_uri: 'http://127.0.0.1:43117/other' })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await redeem(other, code, verifier)).body).toMatchObject({ error: 'invalid_grant' });
    expect((await token({ grant_type: 'authorization_code', client_id: id, code, redirect_uri: REDIRECT })).body).toMatchObject({ error: 'invalid_request' });
    expect((await redeem(id, code, verifier, { resource: 'https://other.example/mcp' })).body).toMatchObject({ error: 'invalid_target' });
    expect((await redeem(id, code, verifier, { scope: 'read run' })).body).toMatchObject({ error: 'invalid_scope' });
    expect((await redeem(id, code, verifier)).status).toBe(200);
    const late = await codeFor(id, verifier);
    clock += 61_000;
    expect((await redeem(id, late, verifier)).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('expired') as unknown });
  });

  it('26: a refresh with a wrong resource or a wider scope is refused and leaves the refresh token usable', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const tokens = (await redeem(id, await codeFor(id, verifier, { scope: 'read run offline_access' }), verifier)).body;
    const refreshToken = String(tokens['refresh_token']);
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: refreshToken, resource: 'https://other.example/mcp' })).body).toMatchObject({ error: 'invalid_target' });
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: refreshToken, resource: `${running.resource}/` })).body).toMatchObject({ error: 'invalid_target' });
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: refreshToken, scope: 'read admin' })).body).toMatchObject({ error: 'invalid_scope' });
    const good = await token({ grant_type: 'refresh_token', client_id: id, refresh_token: refreshToken, resource: running.resource, scope: 'run' });
    expect(good).toMatchObject({ status: 200, body: { scope: 'run' } });
  });

  it('27: refresh tokens rotate; a spent one works once more within the grace, then its reuse revokes the grant; another client cannot use it', async () => {
    const id = await clientId();
    const other = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const first = String((await redeem(id, await codeFor(id, verifier, { scope: 'read offline_access' }), verifier)).body['refresh_token']);
    expect((await token({ grant_type: 'refresh_token', client_id: other, refresh_token: first })).body).toMatchObject({ error: 'invalid_grant' });
    const second = await token({ grant_type: 'refresh_token', client_id: id, refresh_token: first });
    expect(second.status).toBe(200);
    // The response was lost: the spent token works once more while its successor is unused.
    const retry = await token({ grant_type: 'refresh_token', client_id: id, refresh_token: first });
    expect(retry.status).toBe(200);
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: String(second.body['refresh_token']) })).body).toMatchObject({ error: 'invalid_grant' });
    // A third use of the first token is a replay: the whole grant goes.
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: first })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: String(retry.body['refresh_token']) })).body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringContaining('revoked') as unknown });
    await expect(running.server.verify(String(retry.body['access_token']))).rejects.toThrow(/revoked/);
  });

  it('27: a spent refresh token used after the grace revokes the grant', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const first = String((await redeem(id, await codeFor(id, verifier, { scope: 'read offline_access' }), verifier)).body['refresh_token']);
    const second = await token({ grant_type: 'refresh_token', client_id: id, refresh_token: first });
    clock += 61_000;
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: first })).body).toMatchObject({ error: 'invalid_grant' });
    expect((await token({ grant_type: 'refresh_token', client_id: id, refresh_token: String(second.body['refresh_token']) })).body).toMatchObject({ error: 'invalid_grant' });
  });

  it('a grant without offline_access gets no refresh token; redirect_uri may be left out at the token endpoint only if it was at the authorize one', async () => {
    const id = await clientId();
    const verifier = oauth.generateRandomCodeVerifier();
    const plain = await redeem(id, await codeFor(id, verifier, { scope: 'read' }), verifier);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toHaveProperty('refresh_token');
    const named = await codeFor(id, verifier);
    expect((await token({ grant_type: 'authorization_code', client_id: id, code: named, code_verifier: verifier, resource: running.resource })).body).toMatchObject({ error: 'invalid_grant' });
    const unnamed = await codeFor(id, verifier, { redirect_uri: null });
    expect((await token({ grant_type: 'authorization_code', client_id: id, code: unnamed, code_verifier: verifier, resource: running.resource })).status).toBe(200);
  });

  it('28: a public client cannot use client_credentials; unknown grants are refused', async () => {
    const id = await clientId();
    expect((await token({ grant_type: 'client_credentials', client_id: id, resource: running.resource })).body).toMatchObject({ error: 'unauthorized_client' });
    expect((await token({ grant_type: 'password', client_id: id, username: 'admin', password: 'x' })).body).toMatchObject({ error: 'unsupported_grant_type' });
    expect((await token({ grant_type: 'authorization_code', code: 'x' })).status).toBe(401);
  });
});

describe('registration (checklist 29)', () => {
  it('refuses dangerous or unsupported metadata', async () => {
    const refused: [Record<string, unknown>, string][] = [
      [{ redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['https://app.example/cb#x'] }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['javascript:alert(1)'], application_type: 'native' }, 'invalid_redirect_uri'],
      [{ redirect_uris: ['cursor://callback'], application_type: 'web' }, 'invalid_redirect_uri'],
      [{ redirect_uris: [] }, 'invalid_redirect_uri'],
      [{ token_endpoint_auth_method: 'client_secret_basic' }, 'invalid_client_metadata'],
      [{ grant_types: ['implicit'] }, 'invalid_client_metadata'],
      [{ grant_types: ['refresh_token'] }, 'invalid_client_metadata'],
      [{ response_types: ['token'] }, 'invalid_client_metadata'],
      [{ application_type: 'desktop' }, 'invalid_client_metadata'],
      [{ client_name: 'Trusted \u202egpj.exe' }, 'invalid_client_metadata'],
      [{ client_name: 'two\nlines' }, 'invalid_client_metadata'],
    ];
    for (const [metadata, error] of refused) {
      const outcome = await register(metadata);
      expect({ metadata, status: outcome.status, error: outcome.body['error'] }).toEqual({ metadata, status: 400, error });
    }
    const notJson = await fetch(`${running.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(notJson.status).toBe(400);
    // Cursor's own scheme beside a loopback one: a native client.
    expect(await register({ redirect_uris: ['cursor://anysphere.cursor-mcp/oauth/callback', 'http://127.0.0.1/callback'] })).toMatchObject({ status: 201, body: { application_type: 'native' } });
  });

  it('is rate-limited per client address (429 with Retry-After)', async () => {
    await running.close();
    running = await startServer({ registrationsPerHour: 2 });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    const response = await fetch(`${running.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [REDIRECT] }) });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

// The authorization code flow end to end over real HTTP, with oauth4webapi as the client: discovery,
// dynamic registration, the sign-in and consent page driven as a person would, the code for tokens,
// refresh with rotation, and revocation. Then what a person sees when they get it wrong.
import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { approve, openAuthorize, startServer, submit, type RunningServer } from './as-fixture.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'http://127.0.0.1:43117/callback';
let running: RunningServer;

beforeEach(async () => {
  running = await startServer();
});
afterEach(async () => {
  await running.close();
});

async function discover(): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(running.origin);
  return oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
}

async function register(as: oauth.AuthorizationServer, metadata: Partial<oauth.OmitSymbolProperties<oauth.Client>> = {}): Promise<oauth.Client> {
  const response = await oauth.dynamicClientRegistrationRequest(as, { redirect_uris: [REDIRECT], client_name: 'Test Agent', application_type: 'native', token_endpoint_auth_method: 'none', ...metadata }, insecure);
  return oauth.processDynamicClientRegistrationResponse(response);
}

function authorizeUrl(as: oauth.AuthorizationServer, client: oauth.Client, challenge: string, extra: Record<string, string> = {}): URL {
  const url = new URL(as.authorization_endpoint!);
  for (const [name, value] of Object.entries({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'state-1', resource: running.resource, scope: 'read run offline_access', ...extra })) {
    url.searchParams.set(name, value);
  }
  return url;
}

async function tokensFor(as: oauth.AuthorizationServer, client: oauth.Client) {
  const verifier = oauth.generateRandomCodeVerifier();
  const redirect = await approve(running.origin, authorizeUrl(as, client, await oauth.calculatePKCECodeChallenge(verifier)));
  expect(redirect.status).toBe(303);
  const callback = oauth.validateAuthResponse(as, client, new URL(redirect.location!), 'state-1');
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT, verifier, { additionalParameters: { resource: running.resource }, ...insecure });
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

describe('the authorization code flow with oauth4webapi', () => {
  it('discovers, registers, signs in, gets tokens, refreshes with rotation and revokes', async () => {
    const as = await discover();
    expect(as).toMatchObject({ code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true, client_id_metadata_document_supported: true, registration_endpoint: `${running.origin}/oauth/register`, token_endpoint_auth_methods_supported: ['none'] });
    const client = await register(as);
    const tokens = await tokensFor(as, client);
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read run offline_access', expires_in: 3600 });
    expect(tokens.refresh_token).toEqual(expect.any(String));
    const claims = await oauth.validateJwtAccessToken(as, new Request(running.resource, { headers: { authorization: `Bearer ${tokens.access_token}` } }), running.resource, insecure);
    expect(claims).toMatchObject({ iss: running.origin, aud: running.resource, client_id: client.client_id, scope: 'read run offline_access' });
    expect(await running.server.verify(tokens.access_token)).toMatchObject({ clientId: client.client_id, scopes: ['read', 'run', 'offline_access'] });

    // Refresh: a new refresh token each time, narrowing allowed, the resource accepted.
    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { additionalParameters: { resource: running.resource, scope: 'read' }, ...insecure }));
    expect(refreshed.scope).toBe('read');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const again = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), refreshed.refresh_token!, insecure));
    expect(again.scope).toBe('read run offline_access');

    // Revocation of the refresh token ends the grant: its refresh tokens and access tokens stop.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), again.refresh_token!, insecure));
    await expect(oauth.refreshTokenGrantRequest(as, client, oauth.None(), again.refresh_token!, insecure).then((response) => oauth.processRefreshTokenResponse(as, client, response))).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(running.server.verify(again.access_token)).rejects.toThrow(/revoked/);
    await expect(running.server.verify(tokens.access_token)).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
  });

  it('revokes by access token too, and leaves another client’s tokens alone', async () => {
    const as = await discover();
    const client = await register(as);
    const other = await register(as);
    const tokens = await tokensFor(as, client);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, other, oauth.None(), tokens.access_token, insecure));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, other, oauth.None(), tokens.refresh_token!, insecure));
    await expect(running.server.verify(tokens.access_token)).resolves.toMatchObject({ clientId: client.client_id });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), tokens.access_token, insecure));
    await expect(running.server.verify(tokens.access_token)).rejects.toMatchObject({ code: 'OAUTH_SERVER_INVALID_TOKEN' });
    await expect(oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, insecure).then((response) => oauth.processRefreshTokenResponse(as, client, response))).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('the sign-in and consent page, as a person meets it', () => {
  it('shows the client, where it sends you, the scopes and the resource; is never framed or cached', async () => {
    const as = await discover();
    const client = await register(as, { client_name: 'Agent <b>&"quoted"' });
    const page = await openAuthorize(authorizeUrl(as, client, await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier())));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Agent &lt;b&gt;&amp;&quot;quoted&quot;');
    expect(page.html).not.toContain('<b>&');
    expect(page.html).toContain('127.0.0.1:43117');
    expect(page.html).toContain(running.resource);
    expect(page.html).toContain('Run Claude Code');
    expect(page.html).toContain('this computer');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.cookie).toMatch(/^oauth-browser=/);
    expect(page.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Lax/);
  });

  it('a wrong password shows the form again with an error, keeps the request, and then the right one works', async () => {
    const as = await discover();
    const client = await register(as);
    const page = await openAuthorize(authorizeUrl(as, client, await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier())));
    const wrong = await submit(running.origin, page.cookie, { ...page.form, username: 'admin', password: 'not it', decision: 'approve' });
    expect(wrong.status).toBe(400);
    expect(wrong.location).toBeNull();
    expect(wrong.html).toContain('Wrong user name or password');
    expect(wrong.html).toContain('value="admin"');
    const right = await submit(running.origin, page.cookie, { ...page.form, username: 'admin', password: 'correct horse battery staple', decision: 'approve' });
    expect(right.status).toBe(303);
    expect(new URL(right.location!).searchParams.get('code')).toEqual(expect.any(String));
    // The page works once.
    const replay = await submit(running.origin, page.cookie, { ...page.form, username: 'admin', password: 'correct horse battery staple', decision: 'approve' });
    expect(replay).toMatchObject({ status: 400, location: null });
  });

  it('denying sends the person back with access_denied, state and iss, and no code', async () => {
    const as = await discover();
    const client = await register(as);
    const page = await openAuthorize(authorizeUrl(as, client, await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier())));
    const denied = await submit(running.origin, page.cookie, { ...page.form, decision: 'deny' });
    expect(denied.status).toBe(303);
    const back = new URL(denied.location!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: 'access_denied', state: 'state-1', iss: running.origin });
    expect(back.searchParams.has('code')).toBe(false);
    expect(() => oauth.validateAuthResponse(as, client, back, 'state-1')).toThrow();
  });

  it('refuses a form without the page’s CSRF token or from another browser', async () => {
    const as = await discover();
    const client = await register(as);
    const page = await openAuthorize(authorizeUrl(as, client, await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier())));
    const noToken = await submit(running.origin, page.cookie, { interaction: page.form.interaction, username: 'admin', password: 'correct horse battery staple', decision: 'approve' });
    expect(noToken).toMatchObject({ status: 403, location: null });
    const otherBrowser = await submit(running.origin, 'oauth-browser=someone-else', { ...page.form, username: 'admin', password: 'correct horse battery staple', decision: 'approve' });
    expect(otherBrowser).toMatchObject({ status: 403, location: null });
    const noCookie = await submit(running.origin, null, { ...page.form, username: 'admin', password: 'correct horse battery staple', decision: 'approve' });
    expect(noCookie).toMatchObject({ status: 403, location: null });
  });

  it('stops guessing: after five wrong passwords for a name, even the right one waits (429)', async () => {
    const as = await discover();
    const client = await register(as);
    const page = await openAuthorize(authorizeUrl(as, client, await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier())));
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect((await submit(running.origin, page.cookie, { ...page.form, username: 'admin', password: `guess-${attempt}`, decision: 'approve' })).status).toBe(400);
    }
    const blocked = await submit(running.origin, page.cookie, { ...page.form, username: 'admin', password: 'correct horse battery staple', decision: 'approve' });
    expect(blocked.status).toBe(429);
    expect(blocked.html).toContain('Too many failed sign-ins');
  });
});

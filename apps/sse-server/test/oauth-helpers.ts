// OAuth for the integration tests: a server started with OAuth on a port known in advance (the
// issuer is its URL), and a person signing in at its page over HTTP.
import { freePort } from '@claude-code-mcp/test-harness';

import { startServer, type RunningServer, type ServerFixture } from './helpers.js';

export const ADMIN_PASSWORD = 'an admin password for the tests';
export const MACHINE = { clientId: 'machine-client', clientSecret: 'a machine secret of some length' };

// The issuer URL must be known before the server starts.
export { freePort };

/** The built server with OAuth on, its own authorization server at its origin. */
export async function startOAuthServer(fixture: ServerFixture, extra: Record<string, string> = {}): Promise<RunningServer & { resource: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = await startServer(fixture, {
    PORT: String(port),
    BASE_URL: origin,
    OAUTH_ENABLED: 'true',
    ADMIN_PASSWORD,
    OAUTH_CLIENT_ID: MACHINE.clientId,
    OAUTH_CLIENT_SECRET: MACHINE.clientSecret,
    ...extra,
  });
  return Object.assign(server, { resource: `${origin}/mcp` });
}

/** Opens the authorize URL as a browser would, signs in and allows (or denies): the Location the server sent back. */
export async function signIn(authorizeUrl: string | URL, options: { password?: string; decision?: 'approve' | 'deny' } = {}): Promise<URL> {
  const page = await fetch(authorizeUrl, { redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200) throw new Error(`the authorize page answered ${page.status}: ${html.slice(0, 300)}`);
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const cookie = page.headers.get('set-cookie')?.split(';')[0] ?? '';
  const form = new URLSearchParams({ interaction: field('interaction'), csrf: field('csrf'), username: 'admin', password: options.password ?? ADMIN_PASSWORD, decision: options.decision ?? 'approve' });
  const answer = await fetch(new URL('/oauth/authorize', authorizeUrl), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: form });
  const location = answer.headers.get('location');
  if (answer.status !== 303 || location === null) throw new Error(`signing in answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
  return new URL(location);
}

/** A client_credentials token for the machine client. */
export async function machineToken(origin: string, scope: string): Promise<string> {
  const response = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${MACHINE.clientId}:${MACHINE.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: `${origin}/mcp`, scope }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

/** A person's access token: a client registered (RFC 7591), the admin signs in and allows, the code exchanged. */
export async function userToken(origin: string, scope = 'read run'): Promise<{ accessToken: string; clientId: string }> {
  const redirect = 'http://127.0.0.1:43199/callback';
  const registered = await fetch(`${origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [redirect], client_name: 'a person’s app' }) });
  const { client_id: clientId } = (await registered.json()) as { client_id: string };
  const { createHash, randomBytes } = await import('node:crypto');
  const verifier = base64url(randomBytes(32));
  const authorize = new URL(`${origin}/oauth/authorize`);
  const params = { response_type: 'code', client_id: clientId, redirect_uri: redirect, code_challenge: base64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256', resource: `${origin}/mcp`, scope };
  for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
  const code = (await signIn(authorize)).searchParams.get('code')!;
  const response = await fetch(`${origin}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: redirect, resource: `${origin}/mcp` }) });
  const body = (await response.json()) as { access_token: string };
  return { accessToken: body.access_token, clientId };
}

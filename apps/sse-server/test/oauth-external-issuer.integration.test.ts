// Resource-server mode (OAUTH_ISSUER): the built server accepts the access tokens of an external
// authorization server — panva's oidc-provider on 127.0.0.1 — and serves no authorization server
// of its own. Its tokens for this resource work over MCP; for another audience they are refused;
// an issuer that cannot be reached refuses every token (503), never accepts one.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import Provider from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, runToExit, startServer, type RunningServer, type ServerFixture } from './helpers.js';
import { freePort } from './oauth-helpers.js';

const SECRET = 'a secret of the external machine client';
let fixture: ServerFixture;
let server: RunningServer | undefined;
let idp: { server: Server; issuer: string } | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  if (idp) await new Promise((resolve) => idp!.server.close(resolve));
  idp = undefined;
  await fixture.dispose();
});

/** oidc-provider issuing RFC 9068 access tokens by client_credentials, for any resource asked for. */
async function startIdentityProvider(): Promise<{ server: Server; issuer: string }> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const issuer = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'ci-robot', client_secret: SECRET, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], scope: 'read run admin', id_token_signed_response_alg: 'ES256' }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'idp-key', alg: 'ES256', use: 'sig' }] },
    scopes: ['read', 'run', 'admin'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_context: unknown, indicator: string) => ({ scope: 'read run admin', audience: indicator, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  });
  const handle = provider.callback();
  http.on('request', (request, response) => void handle(request, response));
  return { server: http, issuer };
}

async function idpToken(issuer: string, resource: string, scope: string): Promise<string> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`ci-robot:${SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function startResourceServer(issuer: string): Promise<RunningServer & { resource: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const started = await startServer(fixture, { PORT: String(port), BASE_URL: origin, OAUTH_ENABLED: 'true', OAUTH_ISSUER: issuer });
  return Object.assign(started, { resource: `${origin}/mcp` });
}

describe('resource-server mode (OAUTH_ISSUER) against oidc-provider', () => {
  it('accepts the issuer’s tokens for this resource over MCP, with their scopes; refuses another audience; serves no authorization server', async () => {
    idp = await startIdentityProvider();
    const ours = await startResourceServer(idp.issuer);
    server = ours;
    const metadata = (await (await fetch(`${server.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: ours.resource, authorization_servers: [idp.issuer] });
    expect((await fetch(`${server.origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
    expect((await fetch(`${server.origin}/oauth/token`, { method: 'POST' })).status).toBe(404);

    const client = new Client({ name: 'external-issuer-test', version: '1' });
    const token = await idpToken(idp.issuer, ours.resource, 'read');
    await client.connect(new StreamableHTTPClientTransport(new URL(ours.resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect((await client.listTools()).tools).toHaveLength(9);
    expect((await client.callTool({ name: 'claude_subagent_list', arguments: {} })).isError).toBeFalsy();
    // read only: claude_ask needs run.
    await expect(client.callTool({ name: 'claude_ask', arguments: { query: 'hi' } })).rejects.toThrow(/insufficient_scope|403|scope/i);
    await client.close();

    const elsewhere = await idpToken(idp.issuer, 'https://other.example/api', 'read run');
    const refused = await fetch(ours.resource, { method: 'POST', headers: { authorization: `Bearer ${elsewhere}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(server.stderr()).not.toContain(token);
  });

  it('refuses every token with 503 when the issuer cannot be reached', async () => {
    idp = await startIdentityProvider();
    const token = await idpToken(idp.issuer, 'http://127.0.0.1:1/mcp', 'read');
    server = await startResourceServer(`http://127.0.0.1:${await freePort()}`);
    const answer = await fetch(`${server.origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('10');
  });

  it('stops at start when the built-in authorization server’s settings come with OAUTH_ISSUER', async () => {
    const { code, stderr } = await runToExit(fixture, { OAUTH_ENABLED: 'true', BASE_URL: 'http://127.0.0.1:1', OAUTH_ISSUER: 'http://127.0.0.1:2', ADMIN_PASSWORD: 'a long admin password' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('ADMIN_PASSWORD: is for the built-in authorization server; unset it when OAUTH_ISSUER names an external one');
  });
});

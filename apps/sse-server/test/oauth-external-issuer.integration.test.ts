// Resource-server mode (OAUTH_ISSUER): the built server accepts the access tokens of an external
// authorization server — panva's oidc-provider on 127.0.0.1 — and serves no authorization server
// of its own. Its tokens for this resource work over MCP; for another audience they are refused;
// an issuer that cannot be reached refuses every token (503), never accepts one.
import { startIdentityProvider, type IdentityProvider } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, runToExit, startServer, type RunningServer, type ServerFixture } from './helpers.js';
import { freePort } from './oauth-helpers.js';

const SECRET = 'a secret of the external machine client';
let fixture: ServerFixture;
let server: RunningServer | undefined;
let idp: IdentityProvider | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await idp?.close();
  idp = undefined;
  await fixture.dispose();
});

const robot = { clientId: 'ci-robot', clientSecret: SECRET };
const idpToken = (provider: IdentityProvider, resource: string, scope: string) => provider.machineToken(robot, resource, scope);

async function startResourceServer(issuer: string): Promise<RunningServer & { resource: string }> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const started = await startServer(fixture, { PORT: String(port), BASE_URL: origin, OAUTH_ENABLED: 'true', OAUTH_ISSUER: issuer });
  return Object.assign(started, { resource: `${origin}/mcp` });
}

describe('resource-server mode (OAUTH_ISSUER) against oidc-provider', () => {
  it('accepts the issuer’s tokens for this resource over MCP, with their scopes; refuses another audience; serves no authorization server', async () => {
    idp = await startIdentityProvider({ clients: [robot] });
    const ours = await startResourceServer(idp.issuer);
    server = ours;
    const metadata = (await (await fetch(`${server.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: ours.resource, authorization_servers: [idp.issuer] });
    expect((await fetch(`${server.origin}/.well-known/oauth-authorization-server`)).status).toBe(404);
    expect((await fetch(`${server.origin}/oauth/token`, { method: 'POST' })).status).toBe(404);

    const client = new Client({ name: 'external-issuer-test', version: '1' });
    const token = await idpToken(idp, ours.resource, 'read');
    await client.connect(new StreamableHTTPClientTransport(new URL(ours.resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    expect((await client.listTools()).tools).toHaveLength(9);
    expect((await client.callTool({ name: 'claude_subagent_list', arguments: {} })).isError).toBeFalsy();
    // read only: claude_ask needs run.
    await expect(client.callTool({ name: 'claude_ask', arguments: { query: 'hi' } })).rejects.toThrow(/insufficient_scope|403|scope/i);
    await client.close();

    const elsewhere = await idpToken(idp, 'https://other.example/api', 'read run');
    const refused = await fetch(ours.resource, { method: 'POST', headers: { authorization: `Bearer ${elsewhere}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(server.stderr()).not.toContain(token);
  });

  it('refuses every token with 503 when the issuer cannot be reached', async () => {
    idp = await startIdentityProvider({ clients: [robot] });
    const token = await idpToken(idp, 'http://127.0.0.1:1/mcp', 'read');
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

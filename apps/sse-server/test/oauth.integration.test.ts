// OAUTH_ENABLED=true end to end, with the built server, the real Claude Code CLI against the mock
// API, and real clients: oauth4webapi from the 401 to revocation, the SDK v2 client's own OAuth
// provider (with step-up), a machine client's client_credentials token over legacy HTTP+SSE.
import { text } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport, UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as LegacySSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import * as oauth from 'oauth4webapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';
import { ADMIN_PASSWORD, freePort, machineToken, signIn, startOAuthServer, userToken } from './oauth-helpers.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;
const REDIRECT = 'http://127.0.0.1:43123/callback';
const info = { name: 'oauth-test', version: '1.0.0' };

let fixture: ServerFixture;
let server: (RunningServer & { resource: string }) | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture.dispose();
});

const bearer = (token: string) => ({ requestInit: { headers: { authorization: `Bearer ${token}` } } });
const textOf = (result: unknown) => ((result as { content: { type: string; text?: string }[] }).content.find((item) => item.type === 'text')?.text ?? '');

describe('OAuth with oauth4webapi as the client', () => {
  it('401 → resource metadata → AS metadata → registration → sign-in → tokens → MCP calls (both eras) → refresh → revoke', async () => {
    server = await startOAuthServer(fixture);
    const { origin, resource } = server;
    const refused = await fetch(`${origin}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(refused.status).toBe(401);
    const challenge = refused.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain(`resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`);
    expect(challenge).toContain('scope="read run"');

    const prm = await oauth.processResourceDiscoveryResponse(new URL(resource), await oauth.resourceDiscoveryRequest(new URL(resource), insecure));
    expect(prm).toMatchObject({ resource, authorization_servers: [origin], scopes_supported: ['read', 'run', 'admin'], bearer_methods_supported: ['header'] });
    const issuer = new URL(prm.authorization_servers![0]!);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    expect(as).toMatchObject({ client_id_metadata_document_supported: true, grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'] });
    const client = await oauth.processDynamicClientRegistrationResponse(await oauth.dynamicClientRegistrationRequest(as, { redirect_uris: [REDIRECT], client_name: 'oauth4webapi', application_type: 'native', token_endpoint_auth_method: 'none' }, insecure));

    const verifier = oauth.generateRandomCodeVerifier();
    const authorize = new URL(as.authorization_endpoint!);
    for (const [name, value] of Object.entries({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state: 's1', resource, scope: 'read run offline_access' })) authorize.searchParams.set(name, value);
    const callback = oauth.validateAuthResponse(as, client, await signIn(authorize), 's1');
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, REDIRECT, verifier, { additionalParameters: { resource }, ...insecure }));

    fixture.mock.script(text('hello through OAuth'));
    const mcp = new Client(info);
    await mcp.connect(new StreamableHTTPClientTransport(new URL(resource), bearer(tokens.access_token)));
    expect((await mcp.listTools()).tools).toHaveLength(9);
    expect(textOf(await mcp.callTool({ name: 'claude_ask', arguments: { query: 'say hello' } }))).toContain('hello through OAuth');
    await mcp.close();
    // The token never reaches Claude Code: not in its requests to the API, nor in its environment.
    for (const request of fixture.mock.requests) expect(JSON.stringify([request.headers, request.rawBody])).not.toContain(tokens.access_token);

    const modern = new Client(info, { versionNegotiation: { mode: 'auto' } });
    await modern.connect(new StreamableHTTPClientTransport(new URL(resource), bearer(tokens.access_token)));
    expect((await modern.listTools()).tools.map((tool) => tool.name)).toContain('claude_subagent_list');
    await modern.close();

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { additionalParameters: { resource }, ...insecure }));
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), refreshed.refresh_token!, insecure));
    const revoked = await fetch(`${origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${refreshed.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: info } }) });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="[^"]*revoked/);
    expect(server.stderr()).not.toContain(tokens.access_token);
    expect(server.stderr()).not.toContain(ADMIN_PASSWORD);
  });
});

/** The SDK's OAuth client provider, driven headless: registration, the page, the code. */
function headlessProvider(): OAuthClientProvider & { lastScope(): string | null } {
  const saved: Record<string, unknown> = {};
  let callback: URL | undefined;
  let scope: string | null = null;
  return {
    redirectUrl: REDIRECT,
    clientMetadata: { client_name: 'SDK v2 client', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' },
    clientInformation: () => saved['client'] as never,
    saveClientInformation: (client) => void (saved['client'] = client),
    tokens: () => saved['tokens'] as never,
    saveTokens: (tokens) => void (saved['tokens'] = tokens),
    saveCodeVerifier: (verifier) => void (saved['verifier'] = verifier),
    codeVerifier: () => saved['verifier'] as string,
    saveDiscoveryState: (state) => void (saved['discovery'] = state),
    discoveryState: () => saved['discovery'] as never,
    async redirectToAuthorization(url) {
      scope = url.searchParams.get('scope');
      callback = await signIn(url);
      saved['callback'] = callback;
    },
    lastScope: () => scope,
    get callback() {
      return callback;
    },
  } as OAuthClientProvider & { lastScope(): string | null };
}

describe('OAuth with the SDK v2 client’s own provider', () => {
  it('registers, signs in, calls tools, and steps up to admin when a tool needs it', async () => {
    server = await startOAuthServer(fixture);
    const provider = headlessProvider();
    const url = new URL(server.resource);
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider });
    await expect(new Client(info).connect(first)).rejects.toBeInstanceOf(UnauthorizedError);
    // The challenge's baseline, plus offline_access, which the SDK adds when the server offers it.
    expect(provider.lastScope()?.split(' ')).toEqual(['read', 'run', 'offline_access']);
    await first.finishAuth(new URL((provider as unknown as { callback: URL }).callback).searchParams);

    const transport = new StreamableHTTPClientTransport(url, { authProvider: provider });
    const client = new Client(info);
    await client.connect(transport);
    expect(textOf(await client.callTool({ name: 'claude_subagent_list', arguments: {} }))).not.toContain('Error');
    // claude_plugin_install needs admin: 403 insufficient_scope, the SDK authorizes again for it.
    await expect(client.callTool({ name: 'claude_plugin_install', arguments: { plugin: 'x@nowhere' } })).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.lastScope()?.split(' ')).toEqual(expect.arrayContaining(['admin', 'read', 'run']));
    await transport.finishAuth(new URL((provider as unknown as { callback: URL }).callback).searchParams);
    const installed = await client.callTool({ name: 'claude_plugin_install', arguments: { plugin: 'x@nowhere' } });
    expect(textOf(installed)).not.toContain('INSUFFICIENT_SCOPE');
    await client.close();
  });
});

describe('OAuth for machine clients and legacy HTTP+SSE', () => {
  it('a client_credentials token works over legacy SSE; a read-only token gets a tool error there and a 403 step-up on Streamable HTTP', async () => {
    server = await startOAuthServer(fixture);
    const runToken = await machineToken(server.origin, 'read run');
    const legacy = new LegacyClient(info);
    await legacy.connect(new LegacySSEClientTransport(new URL(`${server.origin}/mcp/sse`), bearer(runToken)));
    expect((await legacy.listTools()).tools).toHaveLength(9);
    fixture.mock.script(text('over legacy SSE'));
    expect(textOf(await legacy.callTool({ name: 'claude_ask', arguments: { query: 'hi' } }))).toContain('over legacy SSE');
    await legacy.close();

    const readToken = await machineToken(server.origin, 'read');
    const reader = new LegacyClient(info);
    await reader.connect(new LegacySSEClientTransport(new URL(`${server.origin}/mcp/sse`), bearer(readToken)));
    const denied = await reader.callTool({ name: 'claude_ask', arguments: { query: 'hi' } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toContain('MCP_TOOLS_INSUFFICIENT_SCOPE');
    await reader.close();

    const streamable = new Client(info);
    await streamable.connect(new StreamableHTTPClientTransport(new URL(server.resource), bearer(readToken)));
    await expect(streamable.callTool({ name: 'claude_ask', arguments: { query: 'hi' } })).rejects.toThrow(/insufficient_scope|403|scope/i);
    await streamable.close();
  });

  it('started without a password, prints a one-time link that creates the administrator, who then signs in', async () => {
    const port = await freePort();
    server = Object.assign(await startServer(fixture, { PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, OAUTH_ENABLED: 'true' }), { resource: `http://127.0.0.1:${port}/mcp` });
    const link = /"setupUrl":"([^"]+)"/.exec(server.stderr())?.[1];
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/oauth/setup\\?token=`));
    const token = new URL(link!).searchParams.get('token')!;
    expect((await fetch(link!)).status).toBe(200);
    const created = await fetch(`http://127.0.0.1:${port}/oauth/setup`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, username: 'admin', password: ADMIN_PASSWORD, again: ADMIN_PASSWORD }) });
    expect(created.status).toBe(200);
    expect((await fetch(link!)).status).toBe(404);
    expect((await userToken(server.origin)).accessToken).toEqual(expect.any(String));
  });
});

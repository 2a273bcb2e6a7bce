// The MCP routes as an OAuth protected resource, tried with bad and hostile requests: the cases
// 1–3, 10, 12 and 15 of the checklist in shared/docs/oauth.md §5, sessions that belong to who
// opened them, and budgets keyed by the verified principal.
import { text } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, type RunningServer, type ServerFixture } from './helpers.js';
import { machineToken, startOAuthServer, userToken } from './oauth-helpers.js';

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

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } };

function post(body: unknown, headers: Record<string, string> = {}, path = '/mcp'): Promise<Response> {
  return fetch(new URL(path, server!.origin), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, body: JSON.stringify(body) });
}

/** A 2025-era session opened with `token`: its id. */
async function openSession(token: string): Promise<string> {
  const response = await post(initialize, { authorization: `Bearer ${token}` });
  expect(response.status).toBe(200);
  await response.text();
  const sessionId = response.headers.get('mcp-session-id')!;
  await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' })).text();
  return sessionId;
}

describe('the MCP routes behind OAuth (checklist 1–3, 10, 12, 15)', () => {
  it('1–3: a missing, malformed or misplaced token is refused with the right status and challenge; lowercase bearer is fine', async () => {
    server = await startOAuthServer(fixture);
    const token = await machineToken(server.origin, 'read run');
    const metadataUrl = `${server.origin}/.well-known/oauth-protected-resource/mcp`;

    const none = await post(initialize);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}", scope="read run"`);
    expect(await none.json()).not.toHaveProperty('error');
    const basic = await post(initialize, { authorization: 'Basic bWFjaGluZTpzZWNyZXQ=' });
    expect(basic.status).toBe(401);
    for (const header of ['Bearer', 'Bearer a b', `Bearer ${token},x`, 'Bearer "quoted"']) {
      const response = await post(initialize, { authorization: header });
      expect({ header: header.slice(0, 20), status: response.status, challenge: response.headers.get('www-authenticate') }).toMatchObject({ status: 400, challenge: expect.stringContaining('error="invalid_request"') as unknown });
    }
    const garbage = await post(initialize, { authorization: 'Bearer not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.headers.get('www-authenticate')).toContain('error="invalid_token"');
    // A tampered payload (a scope added) breaks the signature.
    const [head, payload, signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), scope: 'read run admin' })).toString('base64url');
    expect((await post(initialize, { authorization: `Bearer ${head}.${widened}.${signature}` })).status).toBe(401);

    // RFC 6750 §2.3 is not accepted: a token in the URL is refused even beside a good header.
    expect((await post(initialize, {}, `/mcp?access_token=${token}`)).status).toBe(400);
    expect((await post(initialize, { authorization: `Bearer ${token}` }, `/mcp?access_token=${token}`)).status).toBe(400);
    expect((await fetch(`${server.origin}/mcp/sse?access_token=${token}`)).status).toBe(400);

    expect((await post(initialize, { authorization: `bearer ${token}` })).status).toBe(200);
    expect(server.stderr()).not.toContain(token);
    expect(server.stderr()).not.toContain(widened);
  });

  it('12: a call beyond the token’s scopes gets 403 insufficient_scope naming the scope; a broader scope covers a narrower one', async () => {
    server = await startOAuthServer(fixture);
    const readToken = await machineToken(server.origin, 'read');
    const sessionId = await openSession(readToken);
    const headers = { authorization: `Bearer ${readToken}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    const denied = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'claude_ask', arguments: { query: 'hi' } } }, headers);
    expect(denied.status).toBe(403);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", error_description="[^"]*", scope="run", resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource\/mcp"$/);
    const listed = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'claude_checkpoint', arguments: { action: 'list' } } }, headers);
    expect(listed.status).toBe(200);
    const restore = await post({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'claude_checkpoint', arguments: { action: 'restore', checkpointId: 'ckpt_0123456789abcdef0123' } } }, headers);
    expect(restore.status).toBe(403);

    const adminToken = await machineToken(server.origin, 'admin');
    const adminSession = await openSession(adminToken);
    const read = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'claude_subagent_list', arguments: {} } }, { authorization: `Bearer ${adminToken}`, 'mcp-session-id': adminSession, 'mcp-protocol-version': '2025-11-25' });
    expect(read.status).toBe(200);
  });

  it('15: the resource metadata is canonical, at the root and path-inserted URLs, without offline_access, and GET only', async () => {
    server = await startOAuthServer(fixture);
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource/mcp/sse']) {
      const response = await fetch(`${server.origin}${path}`);
      expect(await response.json()).toEqual({ resource: server.resource, authorization_servers: [server.origin], bearer_methods_supported: ['header'], scopes_supported: ['read', 'run', 'admin'], resource_name: 'Claude Code MCP' });
      expect((await fetch(`${server.origin}${path}`, { method: 'POST' })).status).toBe(405);
    }
  });
});

describe('who owns what, and whose budget it is', () => {
  it('a session (Streamable HTTP or legacy SSE) answers only the principal that opened it', async () => {
    server = await startOAuthServer(fixture);
    const machine = await machineToken(server.origin, 'read run');
    const person = await userToken(server.origin);
    const sessionId = await openSession(machine);
    const ping = (token: string) => post({ jsonrpc: '2.0', id: 9, method: 'ping' }, { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' });
    expect((await ping(person.accessToken)).status).toBe(404);
    // Another token of the same client is the same principal.
    expect((await ping(await machineToken(server.origin, 'read'))).status).toBe(200);

    const stream = await fetch(`${server.origin}/mcp/sse`, { headers: { authorization: `Bearer ${machine}`, accept: 'text/event-stream' } });
    const reader = stream.body!.getReader();
    let announced = '';
    while (!announced.includes('sessionId=')) announced += new TextDecoder().decode((await reader.read()).value as Uint8Array | undefined);
    const endpoint = /data: (\S+)/.exec(announced)![1]!;
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { authorization: `Bearer ${person.accessToken}` }, endpoint)).status).toBe(404);
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { authorization: `Bearer ${machine}` }, endpoint)).status).toBe(202);
    await reader.cancel();
  });

  it('another principal’s session, background task and checkpoint are not found; an admin sees them; the owner keeps them', async () => {
    server = await startOAuthServer(fixture);
    const connect = async (token: string) => {
      const client = new Client({ name: 'owner-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server!.resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      return client;
    };
    const call = async (client: Client, name: string, args: Record<string, unknown>) => {
      const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, unknown> };
      return { ...result, text: result.content.map((item) => item.text ?? '').join('\n') };
    };
    const owner = await connect(await machineToken(server.origin, 'read run'));
    fixture.mock.script(text('first answer'), text('background answer'), text('owner resumed'));
    const asked = await call(owner, 'claude_ask', { query: 'hello' });
    const sessionId = String(asked.structuredContent?.['sessionId']);
    const checkpointId = String(((await call(owner, 'claude_checkpoint', { action: 'create' })).structuredContent?.['checkpoint'] as { id: string }).id);
    const taskId = String((await call(owner, 'claude_ask', { query: 'in the background', backgroundTask: true })).structuredContent?.['taskId']);

    const stranger = await connect((await userToken(server.origin)).accessToken);
    const refusals: [string, Record<string, unknown>, string][] = [
      ['claude_resume', { sessionId, query: 'let me in' }, 'MCP_TOOLS_SESSION_NOT_FOUND'],
      ['claude_abort', { sessionId }, 'MCP_TOOLS_SESSION_NOT_FOUND'],
      ['claude_background_tasks', { action: 'get', taskId }, 'MCP_TOOLS_TASK_NOT_FOUND'],
      ['claude_background_tasks', { action: 'logs', taskId }, 'MCP_TOOLS_TASK_NOT_FOUND'],
      ['claude_background_tasks', { action: 'stop', taskId }, 'MCP_TOOLS_TASK_NOT_FOUND'],
      ['claude_checkpoint', { action: 'compare', checkpointId }, 'MCP_TOOLS_CHECKPOINT_NOT_FOUND'],
      ['claude_checkpoint', { action: 'restore', checkpointId }, 'MCP_TOOLS_CHECKPOINT_NOT_FOUND'],
      ['claude_checkpoint', { action: 'create', sessionId }, 'MCP_TOOLS_SESSION_NOT_FOUND'],
    ];
    for (const [name, args, code] of refusals) {
      const result = await call(stranger, name, args);
      expect({ name, action: args['action'], isError: result.isError, text: result.text.slice(0, 40) }).toMatchObject({ isError: true, text: expect.stringContaining(code) as unknown });
    }
    expect((await call(stranger, 'claude_background_tasks', { action: 'list' })).structuredContent?.['tasks']).toEqual([]);
    expect((await call(stranger, 'claude_checkpoint', { action: 'list' })).structuredContent?.['checkpoints']).toEqual([]);
    await expect(stranger.readResource({ uri: `claude-transcript://${sessionId}` })).rejects.toThrow(/SESSION_NOT_FOUND|No session/);
    expect(JSON.stringify(fixture.mock.requests.map((request) => request.rawBody))).not.toContain('let me in');

    const admin = await connect((await userToken(server.origin, 'read run admin')).accessToken);
    expect(((await call(admin, 'claude_background_tasks', { action: 'list' })).structuredContent?.['tasks'] as { id: string }[]).map((task) => task.id)).toContain(taskId);
    expect(((await call(admin, 'claude_checkpoint', { action: 'list' })).structuredContent?.['checkpoints'] as { id: string }[]).map((item) => item.id)).toEqual([checkpointId]);

    // An admin resuming the owner's background session does not take it from the owner.
    let taskSession: string | undefined;
    for (let attempt = 0; attempt < 100 && taskSession === undefined; attempt += 1) {
      const task = (await call(admin, 'claude_background_tasks', { action: 'get', taskId })).structuredContent?.['task'] as { sessionId?: string | null; status: string };
      if (task.sessionId && task.status !== 'running' && task.status !== 'queued') taskSession = task.sessionId;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    fixture.mock.script(text('admin looked'), text('owner looked'));
    expect((await call(admin, 'claude_resume', { sessionId: taskSession, query: 'admin here' })).isError).toBeUndefined();
    expect((await call(owner, 'claude_resume', { sessionId: taskSession, query: 'mine still' })).isError).toBeUndefined();
    expect((await call(stranger, 'claude_resume', { sessionId: taskSession, query: 'let me in' })).text).toContain('MCP_TOOLS_SESSION_NOT_FOUND');

    expect((await call(owner, 'claude_background_tasks', { action: 'get', taskId })).isError).toBeUndefined();
    expect((await call(owner, 'claude_checkpoint', { action: 'list' })).structuredContent?.['checkpoints']).toHaveLength(1);
    const resumed = await call(owner, 'claude_resume', { sessionId, query: 'and again' });
    expect(resumed.isError).toBeUndefined();
    await Promise.all([owner.close(), stranger.close(), admin.close()]);
  });

  it('caps sessions per verified principal, not per address: another principal from the same address still gets one', async () => {
    server = await startOAuthServer(fixture, { RATE_LIMIT_ENABLED: 'false' });
    const machine = await machineToken(server.origin, 'read run');
    let refused: Response | undefined;
    let opened = 0;
    for (let index = 0; index < 101 && !refused; index += 1) {
      const response = await post(initialize, { authorization: `Bearer ${machine}` });
      if (response.status === 503) refused = response;
      else opened += 1;
      await response.body?.cancel();
    }
    expect(opened).toBe(100);
    expect(refused?.headers.get('retry-after')).toBe('10');
    const person = await userToken(server.origin);
    const other = await post(initialize, { authorization: `Bearer ${person.accessToken}` });
    expect(other.status).toBe(200);
    await other.body?.cancel();
  }, 60_000);

  it('each verified principal has its own budget; requests without a valid token count against their address', async () => {
    server = await startOAuthServer(fixture, { RATE_LIMIT_REQUESTS: '4', RATE_LIMIT_WINDOW_MS: '60000' });
    const machine = await machineToken(server.origin, 'read run');
    const person = await userToken(server.origin);
    const statuses = async (headers: Record<string, string>, count: number) => {
      const seen: number[] = [];
      for (let index = 0; index < count; index += 1) seen.push((await post({ jsonrpc: '2.0', id: index, method: 'ping' }, headers)).status);
      return seen;
    };
    expect(await statuses({ authorization: `Bearer ${machine}` }, 5)).toEqual([400, 400, 400, 400, 429]);
    expect(await statuses({ authorization: `Bearer ${person.accessToken}` }, 1)).toEqual([400]);
    expect(await statuses({}, 5)).toEqual([401, 401, 401, 401, 429]);
    // The authorization server's own endpoints have a budget of their own.
    expect((await fetch(`${server.origin}/.well-known/oauth-authorization-server`)).status).toBe(200);
  });
});

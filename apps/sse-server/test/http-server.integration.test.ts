// The built HTTP server on 127.0.0.1 with the real Claude Code CLI and the mock API, driven by real
// MCP clients: the SDK v2 client on the 2026-07-28 protocol and on the 2025 handshake (a session of
// its own), the SDK 1.x client over Streamable HTTP and over the deprecated HTTP+SSE transport.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { commandLine, descendantPids, getToolResults, isProcessAlive, text, toolUse, turn, waitForDescendant } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createTaskSessionFromClient, resultFromTaskOutcome, toolDeclarationFromMcpTool } from '@modelcontextprotocol/ext-tasks/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as LegacySSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport as LegacyStreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, runToExit, startServer, type RunningServer, type ServerFixture } from './helpers.js';

// A data folder whose database is not one: the server must say so in one line, not a stack trace.
const CORRUPT_DATA_DIR = mkdtempSync(join(tmpdir(), 'http-corrupt-data-'));
writeFileSync(join(CORRUPT_DATA_DIR, 'state.sqlite'), 'not a database\n');
afterAll(() => rmSync(CORRUPT_DATA_DIR, { recursive: true, force: true }));

interface RunOutput {
  status: string;
  sessionId: string | null;
  result: string;
  taskId?: string;
}

const TOOL_NAMES = [
  'claude_abort',
  'claude_ask',
  'claude_background_tasks',
  'claude_checkpoint',
  'claude_plan',
  'claude_plugin_install',
  'claude_plugin_list',
  'claude_resume',
  'claude_subagent_list',
];

let fixture: ServerFixture;
let server: RunningServer | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture.dispose();
});

const LONG_BASH = 'for i in $(seq 1 120); do sleep 1; done';

async function expectAllGone(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + 8_000;
  while (Date.now() < deadline && pids.some(isProcessAlive)) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of pids) expect(isProcessAlive(pid), `pid ${pid}`).toBe(false);
}

const output = (result: unknown) => (result as { structuredContent: RunOutput }).structuredContent;

describe('Streamable HTTP, 2026-07-28 (SDK v2 client negotiating)', () => {
  it('lists the tools, runs claude_ask that writes a file, and resumes the session', async () => {
    const target = join(fixture.sandbox.cwd, 'hello.txt');
    fixture.mock.script(
      turn(toolUse('Write', { file_path: target, content: 'written over http\n' }), { match: { userText: 'write hello' } }),
      // Slow enough for progress (sent at a bounded rate) to report the tool in use.
      turn(text('wrote hello.txt'), { match: { toolResult: true }, delayMs: 1500 }),
      turn(text('still here'), { match: { userText: 'and now?' } }),
    );
    server = await startServer(fixture);
    const client = new Client({ name: 'http-modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES);

    const progress: string[] = [];
    const asked = output(
      await client.callTool(
        { name: 'claude_ask', arguments: { query: 'write hello', allowedTools: ['Write'] } },
        { onprogress: (update) => progress.push(update.message ?? '') },
      ),
    );
    expect(asked).toMatchObject({ status: 'completed', result: 'wrote hello.txt' });
    expect(readFileSync(target, 'utf8')).toBe('written over http\n');
    expect(progress.some((message) => message.includes('Write')), JSON.stringify(progress)).toBe(true);

    // Each 2026 request gets a fresh server instance; the session lives in the shared runtime.
    const resumed = output(await client.callTool({ name: 'claude_resume', arguments: { sessionId: asked.sessionId, query: 'and now?' } }));
    expect(resumed).toMatchObject({ status: 'completed', sessionId: asked.sessionId, result: 'still here' });
    await client.close();
  });
});

describe('cancellation over HTTP', () => {
  it.each([
    ['2026-07-28 (the response stream closes)', { versionNegotiation: { mode: 'auto' as const } }],
    ['2025 handshake (notifications/cancelled on the session)', {}],
  ])('a cancelled claude_ask stops its run and leaves no process: %s', async (_era, clientOptions) => {
    fixture.mock.script(toolUse('Bash', { command: LONG_BASH, description: 'wait' }));
    server = await startServer(fixture);
    const client = new Client({ name: 'http-cancel', version: '1.0.0' }, clientOptions);
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    const controller = new AbortController();
    const call = client.callTool({ name: 'claude_ask', arguments: { query: 'run', allowedTools: ['Bash'] } }, { signal: controller.signal });
    const tree = await waitForDescendant(server.child.pid ?? -1, /^sleep 1$/);
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    await expectAllGone(tree);
    // Nothing else either: no warm process kept for a cancelled run.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && descendantPids(server.child.pid ?? -1).length > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(descendantPids(server.child.pid ?? -1).map(commandLine)).toEqual([]);
    await client.close();
  });

  it('claude_abort from a second client stops a run the first one started', async () => {
    fixture.mock.script(text('ready'), turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' }), { match: { userText: 'long job' } }));
    server = await startServer(fixture);
    const first = new Client({ name: 'http-first', version: '1.0.0' });
    await first.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    const ready = output(await first.callTool({ name: 'claude_ask', arguments: { query: 'hello', allowedTools: ['Bash'] } }));
    const running = first.callTool({ name: 'claude_resume', arguments: { sessionId: ready.sessionId, query: 'long job', allowedTools: ['Bash'] } });
    const tree = await waitForDescendant(server.child.pid ?? -1, /^sleep 1$/);
    const second = new Client({ name: 'http-second', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await second.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    const aborted = await second.callTool({ name: 'claude_abort', arguments: { sessionId: ready.sessionId } });
    expect(aborted.structuredContent).toEqual({ sessionId: ready.sessionId, aborted: true });
    expect(output(await running)).toMatchObject({ status: 'cancelled', sessionId: ready.sessionId });
    await expectAllGone(tree);
    await first.close();
    await second.close();
  });

  it('stops the run of a 2026-07-28 call whose client goes away (the request closes before the answer)', async () => {
    fixture.mock.script(turn(toolUse('Bash', { command: LONG_BASH, description: 'wait' })));
    server = await startServer(fixture);
    const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'leaves', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const controller = new AbortController();
    const call = fetch(new URL('/mcp', server.origin), {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'claude_ask' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'claude_ask', arguments: { query: 'long job', allowedTools: ['Bash'], backgroundTask: false }, _meta: envelope } }),
    }).then((response) => response.text());
    const tree = await waitForDescendant(server.child.pid ?? -1, /^sleep 1$/);
    controller.abort();
    await expect(call).rejects.toThrow();
    await expectAllGone(tree);
    await expect.poll(async () => ((await (await fetch(new URL('/health', server!.origin))).json()) as { openRequests: number }).openRequests, { timeout: 5_000 }).toBe(0);
  });
});

describe('Streamable HTTP, 2025 handshake (a session per client)', () => {
  it('keeps a session: elicitation reaches the client that called, and a checkpoint round trip works', async () => {
    const target = join(fixture.sandbox.cwd, 'approved.txt');
    fixture.mock.script(
      turn(toolUse('Write', { file_path: target, content: 'approved\n' }), { match: { userText: 'write it' } }),
      turn(text('written after approval'), { match: { toolResult: true } }),
      turn(toolUse('Bash', { command: 'printf "changed\\n" > approved.txt', description: 'change' }), { match: { userText: 'change it' } }),
      turn(text('changed'), { match: { toolResult: true } }),
    );
    server = await startServer(fixture);
    const client = new Client({ name: 'http-legacy', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    const questions: string[] = [];
    client.setRequestHandler('elicitation/create', (request) => {
      questions.push(request.params.message);
      return { action: 'accept', content: { decision: 'allow' } };
    });
    const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.origin));
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);

    // Write is not allowed up front: the CLI asks, the server asks this client, the client approves.
    const asked = output(await client.callTool({ name: 'claude_ask', arguments: { query: 'write it' } }));
    expect(asked).toMatchObject({ status: 'completed', result: 'written after approval' });
    expect(questions).toHaveLength(1);
    expect(questions[0]).toContain('Write');
    expect(readFileSync(target, 'utf8')).toBe('approved\n');

    const created = (await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'create', sessionId: asked.sessionId, label: 'approved' } }))
      .structuredContent as { checkpoint: { id: string } };
    await client.callTool({ name: 'claude_resume', arguments: { sessionId: asked.sessionId, query: 'change it', allowedTools: ['Bash'] } });
    expect(readFileSync(target, 'utf8')).toBe('changed\n');
    const restored = (await client.callTool({ name: 'claude_checkpoint', arguments: { action: 'restore', checkpointId: created.checkpoint.id } }))
      .structuredContent as { changed: { restored: string[] } };
    expect(restored.changed.restored).toEqual(['approved.txt']);
    expect(readFileSync(target, 'utf8')).toBe('approved\n');

    const health = (await (await fetch(new URL('/health', server.origin))).json()) as { status: string; streamableSessions: number };
    expect(health).toMatchObject({ status: 'ok', streamableSessions: 1 });
    await transport.terminateSession();
    const after = (await (await fetch(new URL('/health', server.origin))).json()) as { streamableSessions: number };
    expect(after.streamableSessions).toBe(0);
    await client.close();
  });

  it('runs claude_ask as an MCP task (2025-11-25) for the MCP Tasks client library', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'echo task over http', description: 'echo' }), { match: { userText: 'http task' } }),
      turn(text('task settled over http'), { match: { toolResult: true } }),
    );
    server = await startServer(fixture, { RATE_LIMIT_REQUESTS: '1000' });
    const client = new Client({ name: 'http-tasks', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    expect(client.getServerCapabilities()?.['tasks']).toEqual({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    const { tools } = await client.listTools();
    const declarations = new Map(tools.map((tool) => [tool.name, toolDeclarationFromMcpTool(tool)]));
    const session = createTaskSessionFromClient(client, { endpointId: 'http-test', tools: { currentTool: (name) => declarations.get(name) } });
    const execution = await session.callTool('claude_ask', { query: 'http task', allowedTools: ['Bash'] }, { task: { preference: 'require' } });
    expect(execution.kind).toBe('task');
    const { outcome } = await execution.settle();
    expect(output(resultFromTaskOutcome(outcome))).toMatchObject({ status: 'completed', result: 'task settled over http' });
    await session.close();
    await client.close();
  });

  it('answers an unknown session with 404 and a request without initialize with 400', async () => {
    server = await startServer(fixture);
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const unknown = await fetch(new URL('/mcp', server.origin), { method: 'POST', headers: { ...headers, 'mcp-session-id': 'no-such-session' }, body });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/initialize a new session/);
    const noSession = await fetch(new URL('/mcp', server.origin), { method: 'POST', headers, body });
    expect(noSession.status).toBe(400);
    expect(((await noSession.json()) as { error: { message: string } }).error.message).toMatch(/send initialize first/);
  });
});

describe('SDK 1.x client', () => {
  it('runs a background task over Streamable HTTP and fetches its result', async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'echo from the background', description: 'echo' }), { match: { userText: 'background job' } }),
      turn(text('background done'), { match: { toolResult: true } }),
    );
    // Every poll is a POST; the default budget (100 a minute) is for a client polling about once a second.
    server = await startServer(fixture, { RATE_LIMIT_REQUESTS: '1000' });
    const client = new LegacyClient({ name: 'legacy-http', version: '1.0.0' });
    await client.connect(new LegacyStreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    const started = (await client.callTool({ name: 'claude_ask', arguments: { query: 'background job', allowedTools: ['Bash'], backgroundTask: true } }))
      .structuredContent as RunOutput;
    expect(started.status).toBe('started');
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline && status !== 'completed') {
      const got = (await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId: started.taskId } })).structuredContent as {
        task: { status: string };
      };
      status = got.task.status;
      if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe('completed');
    const result = await client.callTool({ name: 'claude_background_tasks', arguments: { action: 'result', taskId: started.taskId } });
    expect(result.content).toEqual([{ type: 'text', text: 'background done' }]);
    await client.close();
  });

  it('lists and calls the tools over the deprecated HTTP+SSE transport', async () => {
    fixture.mock.script(text('hello over sse'));
    server = await startServer(fixture);
    const client = new LegacyClient({ name: 'legacy-sse', version: '1.0.0' });
    await client.connect(new LegacySSEClientTransport(new URL('/mcp/sse', server.origin)));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES);
    const asked = (await client.callTool({ name: 'claude_ask', arguments: { query: 'hi' } })).structuredContent as RunOutput;
    expect(asked).toMatchObject({ status: 'completed', result: 'hello over sse' });
    const health = (await (await fetch(new URL('/health', server.origin))).json()) as { sseStreams: number };
    expect(health.sseStreams).toBe(1);
    await client.close();
  });
});

describe('the HTTP server', () => {
  it('refuses a Host it does not serve (DNS rebinding) and a foreign Origin; /health answers probes anyway', async () => {
    server = await startServer(fixture);
    const { request } = await import('node:http');
    const statusOf = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(path, server?.origin);
        const outgoing = request({ host: url.hostname, port: url.port, path: url.pathname, headers }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
    expect(await statusOf('/mcp', { host: 'attacker.example' })).toBe(403);
    expect(await statusOf('/mcp/sse', { origin: 'http://attacker.example' })).toBe(403);
    // Same-host requests get through the checks (and then fail for want of a session: 400).
    expect(await statusOf('/mcp', { origin: server.origin })).toBe(400);
    expect(await statusOf('/health', { host: '10.1.2.3:8080' })).toBe(200);
  });

  it('keeps a 2025 session while a call runs longer than SESSION_TIMEOUT_MS, and sweeps it once the client is gone', async () => {
    fixture.mock.script(turn(text('slow but complete'), { delayMs: 3_000 }));
    server = await startServer(fixture, { SESSION_TIMEOUT_MS: '1000' });
    const sessionsNow = async () => ((await (await fetch(new URL('/health', server?.origin))).json()) as { streamableSessions: number }).streamableSessions;
    // Raw requests, no standing GET stream: only the call itself keeps the session busy.
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };
    const post = (body: object, sessionId?: string) =>
      fetch(new URL('/mcp', server?.origin), { method: 'POST', headers: { ...headers, ...(sessionId ? { 'mcp-session-id': sessionId } : {}) }, body: JSON.stringify(body) });
    const initialized = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const sessionId = initialized.headers.get('mcp-session-id') ?? '';
    await initialized.text();
    await (await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).text();
    const called = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'claude_ask', arguments: { query: 'take your time' } } }, sessionId);
    const body = await called.text();
    expect(body).toContain('slow but complete');
    expect(body).toContain('"status":"completed"');
    // Nothing open any more and nobody calling: swept within a few sweeps.
    const deadline = Date.now() + 8_000;
    while (Date.now() < deadline && (await sessionsNow()) !== 0) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await sessionsNow()).toBe(0);
    expect((await post({ jsonrpc: '2.0', id: 3, method: 'tools/list' }, sessionId)).status).toBe(404);
  });

  it('limits requests per client with RATE_LIMIT_REQUESTS and leaves /health alone', async () => {
    server = await startServer(fixture, { RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_MS: '60000' });
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await fetch(new URL('/mcp', server.origin), { method: 'GET' });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 2)).not.toContain(429);
    expect(statuses[2]).toBe(429);
    expect((await fetch(new URL('/health', server.origin))).status).toBe(200);
  });

  it('serves only the transports TRANSPORT names', async () => {
    server = await startServer(fixture, { TRANSPORT: 'http' });
    expect((await fetch(new URL('/mcp/sse', server.origin))).status).toBe(404);
    await server.stop();
    server = await startServer(fixture, { TRANSPORT: 'sse' });
    expect((await fetch(new URL('/mcp', server.origin), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404);
  });

  it("keeps the server's own secrets out of the environment Claude Code and its Bash tool inherit", async () => {
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'echo "secret=[$OAUTH_CLIENT_SECRET] hook=[$WEBHOOK_URL] path=[${PATH:+set}]"', description: 'env' }), { match: { userText: 'show env' } }),
      turn(text('shown'), { match: { toolResult: true } }),
    );
    server = await startServer(fixture, { OAUTH_CLIENT_SECRET: 'very-secret-value', WEBHOOK_URL: 'https://hooks.example.com/x?token=abc' });
    const client = new Client({ name: 'http-env', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', server.origin)));
    expect(output(await client.callTool({ name: 'claude_ask', arguments: { query: 'show env', allowedTools: ['Bash'] } })).status).toBe('completed');
    const echoed = JSON.stringify(getToolResults(fixture.mock.mainRequests().at(-1)?.body));
    expect(echoed).toContain('secret=[] hook=[] path=[set]');
    await client.close();
  });

  it('exits 0 on SIGTERM after closing the store', async () => {
    server = await startServer(fixture);
    const code = await server.stop();
    expect(code, server.stderr()).toBe(0);
    // A cleanly closed WAL database leaves no -wal file behind.
    expect(existsSync(join(fixture.dataDir, 'state.sqlite'))).toBe(true);
    expect(existsSync(join(fixture.dataDir, 'state.sqlite-wal'))).toBe(false);
    server = undefined;
  });

  it.each([
    [{ PORT: 'http' }, /^claude-code-mcp-http: invalid configuration: PORT: must be a whole number from 0 to 65535/],
    [{ OAUTH_ENABLED: 'true', OAUTH_CLIENT_ID: 'id', OAUTH_CLIENT_SECRET: 'secret', BASE_URL: 'http://localhost:1' }, /^claude-code-mcp-http: invalid configuration: OAUTH_CLIENT_SECRET: must be at least 16 characters long/],
    [{ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: 'http://hooks.example.com/claude' }, /^claude-code-mcp-http: invalid configuration: WEBHOOK_URL: must use https/],
    [{ METRICS_ENABLED: 'true', METRICS_PORT: '3000', PORT: '3000' }, /^claude-code-mcp-http: invalid configuration: METRICS_PORT: is the same port as PORT \(3000\)/],
    [{ DATA_DIR: CORRUPT_DATA_DIR }, /^claude-code-mcp-http: invalid configuration: DATA_DIR: Could not configure the state database .*file is not a database; /],
    [{ DEFAULT_WORKING_DIRECTORY: '/nonexistent/claude-code-mcp-test' }, /^claude-code-mcp-http: invalid configuration: DEFAULT_WORKING_DIRECTORY: "\/nonexistent\/claude-code-mcp-test" does not exist; /],
  ])('stops at start with one readable line and exit 1 for %j', async (env, line) => {
    const { code, stderr } = await runToExit(fixture, env);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(line);
  });
});

// Real MCP clients with OAuth access tokens against the built HTTP server (OAUTH_ENABLED=true):
// the Claude Code CLI (an `http` MCP server with an Authorization header) and the MCP Inspector
// CLI (`--header`). The tokens come from the client_credentials grant of the machine client.
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createMockAnthropicServer, getToolResults, text, toolUse, turn, type MockAnthropicServer } from '@claude-code-mcp/test-harness';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, type RunningServer, type ServerFixture } from './helpers.js';
import { machineToken, startOAuthServer } from './oauth-helpers.js';

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

/** `METHOD path status` of every request the server logged, in order. */
function requestLog(): string[] {
  return server!
    .stderr()
    .split('\n')
    .filter((line) => line.includes('"msg":"request"'))
    .map((line) => JSON.parse(line) as { method: string; url: string; status: number })
    .map((entry) => `${entry.method} ${entry.url} ${entry.status}`);
}

// A client that waits for someone to sign in would hang the run: every client is bounded.
const CLIENT_LIMIT_MS = 30_000;

describe('Claude Code as the MCP client with an access token', () => {
  let outer: MockAnthropicServer;
  beforeEach(async () => {
    outer = await createMockAnthropicServer();
  });
  afterEach(async () => {
    await outer.close();
  });

  interface OuterRun {
    readonly code: number | null;
    readonly killed: boolean;
    readonly stdout: string;
    readonly stderr: string;
  }

  /** The outer `claude -p`, with our server as an `http` MCP server sending `Authorization: Bearer <token>` (none without a token). */
  function outerRun(token: string | undefined): Promise<OuterRun> {
    const mcpConfig = join(fixture.sandbox.root, 'mcp.json');
    const headers = token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } };
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { 'claude-code': { type: 'http', url: server!.resource, ...headers } } }));
    const args = ['-p', '--output-format=stream-json', '--verbose', `--mcp-config=${mcpConfig}`, '--strict-mcp-config', '--allowedTools=mcp__claude-code__claude_ask'];
    return new Promise((resolve) => {
      const child = spawn(fixture.sandbox.claudePath, args, { env: { ...fixture.sandbox.env, ANTHROPIC_BASE_URL: outer.url }, cwd: fixture.sandbox.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, CLIENT_LIMIT_MS);
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, killed, stdout, stderr });
      });
      child.stdin.end('please delegate');
    });
  }

  /** The `system/init` message of the stream: the tools and the MCP servers' status as the outer run saw them. */
  function initOf(run: OuterRun): { tools: string[]; mcp_servers: { name: string; status: string }[] } {
    const line = run.stdout.split('\n').find((entry) => entry.includes('"subtype":"init"'));
    expect(line, run.stdout.slice(0, 2000)).toBeDefined();
    return JSON.parse(line!) as { tools: string[]; mcp_servers: { name: string; status: string }[] };
  }

  function scriptDelegation(): void {
    fixture.mock.script(text('inner answer: 4711'));
    outer.script(toolUse('mcp__claude-code__claude_ask', { query: 'compute the inner answer' }), turn(text('the outer run is done'), { match: { toolResult: true } }));
  }

  /** The tool_result the outer mock got for the claude_ask call. */
  const toolResult = () => getToolResults(outer.mainRequests()[1]?.body)[0];

  it('with a `read run` token, claude_ask runs the inner Claude Code and its answer reaches the outer run; the token is never logged', async () => {
    scriptDelegation();
    server = await startOAuthServer(fixture);
    const token = await machineToken(server.origin, 'read run');
    const run = await outerRun(token);
    expect(run.killed).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    const init = initOf(run);
    expect(init.mcp_servers).toEqual([expect.objectContaining({ name: 'claude-code', status: 'connected' })]);
    expect(init.tools.filter((tool) => tool.startsWith('mcp__claude-code__'))).toHaveLength(9);
    expect(toolResult()).toMatchObject({ isError: false, text: expect.stringContaining('inner answer: 4711') as unknown });
    expect(fixture.mock.mainRequests()).toHaveLength(1);
    // Stateless 2026-07-28, as without OAuth.
    expect(server.stderr()).not.toContain('MCP session opened');
    // The header was enough: no discovery, no 401 on the way.
    expect(requestLog().filter((entry) => entry !== 'POST /oauth/token 200' && !/^(?:POST|GET|DELETE) \/mcp 20[02]$/.test(entry))).toEqual([]);
    expect(server.stderr()).not.toContain(token);
    expect(server.stderr()).not.toContain(token.split('.')[2]!);
  });

  it('with a `read` token, the claude_ask call fails as insufficient scope `run` (403) and nothing runs inside', async () => {
    scriptDelegation();
    server = await startOAuthServer(fixture);
    const token = await machineToken(server.origin, 'read');
    const run = await outerRun(token);
    expect(run.killed).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    // Connected and listing all nine tools: the list is `read`; the call is where the scope counts.
    expect(initOf(run).mcp_servers).toEqual([expect.objectContaining({ name: 'claude-code', status: 'connected' })]);
    // What Claude Code makes of the 403 and its challenge (`scope="run"`): an error result for the model.
    expect(toolResult()).toEqual({ toolUseId: expect.any(String) as unknown, isError: true, text: 'Insufficient scope: required "run"' });
    expect(fixture.mock.mainRequests()).toHaveLength(0);
    expect(requestLog()).toContain('POST /mcp 403');
    expect(server.stderr()).not.toContain(token);
  });

  it('without a token, Claude Code discovers the authorization server, marks the server needs-auth and goes on without its tools (no hang)', async () => {
    scriptDelegation();
    server = await startOAuthServer(fixture);
    const started = Date.now();
    const run = await outerRun(undefined);
    expect(run.killed).toBe(false);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.code, run.stderr).toBe(0);
    const init = initOf(run);
    expect(init.mcp_servers).toEqual([expect.objectContaining({ name: 'claude-code', status: 'needs-auth' })]);
    expect(init.tools.filter((tool) => tool.startsWith('mcp__'))).toEqual([]);
    expect(toolResult()).toMatchObject({ isError: true, text: expect.stringContaining('No such tool available: mcp__claude-code__claude_ask') as unknown });
    expect(fixture.mock.mainRequests()).toHaveLength(0);
    // It followed the challenge (RFC 9728 → RFC 8414) and stopped there: headless, no registration, no browser, no token.
    const log = requestLog();
    expect(log).toEqual(expect.arrayContaining(['POST /mcp 401', 'GET /.well-known/oauth-protected-resource/mcp 200', 'GET /.well-known/oauth-authorization-server 200']));
    expect(log.filter((entry) => entry.includes('/oauth/'))).toEqual([]);
  });
});

describe('the MCP Inspector CLI with an Authorization header', () => {
  // The Inspector is a devDependency of this package.
  const inspectorBin = (() => {
    const require = createRequire(fileURLToPath(new URL('../package.json', import.meta.url)));
    const manifestPath = require.resolve('@modelcontextprotocol/inspector/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
    return join(manifestPath, '..', manifest.bin['mcp-inspector'] ?? '');
  })();

  const inspect = (args: string[]) =>
    new Promise<{ code: number | string; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [inspectorBin, '--cli', '--transport', 'http', '--server-url', server!.resource, ...args, '--format', 'json'],
        { env: { PATH: process.env['PATH'] ?? '', HOME: fixture.sandbox.home }, timeout: CLIENT_LIMIT_MS },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number | string }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it.each(['legacy', 'modern'])('(%s era) lists the nine tools and calls claude_subagent_list with a `read run` token; a `read` token may not call claude_ask', async (era) => {
    server = await startOAuthServer(fixture);
    const token = await machineToken(server.origin, 'read run');
    const bearer = ['--protocol-era', era, '--header', `Authorization: Bearer ${token}`];

    const listed = await inspect([...bearer, '--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    const names = (JSON.parse(listed.stdout) as { result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name);
    expect(names.sort()).toEqual(['claude_abort', 'claude_ask', 'claude_background_tasks', 'claude_checkpoint', 'claude_plan', 'claude_plugin_install', 'claude_plugin_list', 'claude_resume', 'claude_subagent_list']);

    const called = await inspect([...bearer, '--method', 'tools/call', '--tool-name', 'claude_subagent_list']);
    expect(called.code, called.stderr).toBe(0);
    const result = (JSON.parse(called.stdout) as { result: { isError?: boolean; content: { type: string; text: string }[] } }).result;
    expect(result.isError ?? false).toBe(false);
    expect(result.content[0]?.text).toContain('general-purpose (built-in)');

    const readToken = await machineToken(server.origin, 'read');
    const denied = await inspect(['--protocol-era', era, '--header', `Authorization: Bearer ${readToken}`, '--method', 'tools/call', '--tool-name', 'claude_ask', '--tool-arg', 'query=hi']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('Insufficient scope: required \\"run\\"');
    expect(fixture.mock.mainRequests()).toHaveLength(0);

    expect(requestLog()).toContain('POST /mcp 403');
    // legacy: a 2025-era session per run; modern: stateless 2026-07-28.
    expect(server.stderr().includes('MCP session opened')).toBe(era === 'legacy');
    expect(server.stderr()).not.toContain(token);
    expect(server.stderr()).not.toContain(readToken);
  });

  it('without the header it fails with auth_required, interactively (no TTY) and with --stored-auth-only', async () => {
    server = await startOAuthServer(fixture);
    const plain = await inspect(['--method', 'tools/list']);
    expect(plain.code).toBe(3);
    expect(plain.stdout).toBe('');
    expect(JSON.parse(plain.stderr)).toMatchObject({ error: { code: 'auth_required' } });

    const stored = await inspect(['--stored-auth-only', '--method', 'tools/list']);
    expect(stored.code).toBe(3);
    expect(stored.stdout).toBe('');
    expect(JSON.parse(stored.stderr)).toMatchObject({ error: { code: 'auth_required', message: expect.stringContaining('access token') as unknown } });
    expect(requestLog()).toEqual(['POST /mcp 401', 'POST /mcp 401']);
  });
});

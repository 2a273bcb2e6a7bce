// Other clients and raw stdio against the built server: the raw protocol stream, a bad
// configuration, the legacy SDK 1.x client, the MCP Inspector CLI and Claude Code itself as the
// MCP client.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createMockAnthropicServer, getToolResults, text, toolUse, turn, type MockAnthropicServer } from '@claude-code-mcp/test-harness';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, SERVER_ENTRY, type ServerFixture } from './helpers.js';

// A data folder whose database is not one: the server must say so in one line, not a stack trace.
const CORRUPT_DATA_DIR = mkdtempSync(join(tmpdir(), 'stdio-corrupt-data-'));
writeFileSync(join(CORRUPT_DATA_DIR, 'state.sqlite'), 'not a database\n');
afterAll(() => rmSync(CORRUPT_DATA_DIR, { recursive: true, force: true }));

let fixture: ServerFixture;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await fixture.dispose();
});

interface JsonRpcLine {
  jsonrpc: string;
  id?: number;
  method?: string;
  result?: Record<string, unknown>;
  error?: unknown;
}

describe('raw stdio', () => {
  it('writes only JSON-RPC to stdout through a whole session, logs on stderr, and exits when stdin closes', async () => {
    fixture.mock.script(toolUse('Bash', { command: 'echo visible-output', description: 'echo' }), turn(text('all done'), { match: { toolResult: true } }));
    const child = spawn(process.execPath, [SERVER_ENTRY], { env: fixture.env, cwd: fixture.sandbox.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    const waitFor = async (id: number) => {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const line = stdout.split('\n').find((candidate) => candidate.includes(`"id":${id}`));
        if (line) return JSON.parse(line) as JsonRpcLine;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no reply to ${id}; stderr: ${stderr}`);
    };
    send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
    const initialized = await waitFor(1);
    expect(initialized.result?.['serverInfo']).toMatchObject({ name: 'claude-code-mcp' });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    await waitFor(2);
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'claude_ask', arguments: { query: 'echo something', allowedTools: ['Bash'] }, _meta: { progressToken: 'p1' } },
    });
    const called = await waitFor(3);
    expect((called.result?.['structuredContent'] as { result: string }).result).toBe('all done');
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);

    const lines = stdout.split('\n').filter((line) => line.length > 0);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect((JSON.parse(line) as JsonRpcLine).jsonrpc, line).toBe('2.0');
    // The Bash tool's output went to the model, not to our stdout; the logs went to stderr.
    expect(lines.some((line) => line.startsWith('visible-output'))).toBe(false);
    expect(lines.some((line) => line.includes('notifications/progress'))).toBe(true);
    expect(stderr).toContain('claude-code-mcp stdio server ready');
  });

  it.each([
    [{ MAX_CONCURRENT_SESSIONS: 'lots', LOG_LEVEL: 'loud' }, ['MAX_CONCURRENT_SESSIONS', 'LOG_LEVEL']],
    [{ DEFAULT_WORKING_DIRECTORY: '/nonexistent/claude-code-mcp-test' }, ['DEFAULT_WORKING_DIRECTORY: "/nonexistent/claude-code-mcp-test" does not exist']],
    [{ DATA_DIR: CORRUPT_DATA_DIR }, ['DATA_DIR: Could not configure the state database', 'file is not a database; move that file away']],
  ])('stops at start with one readable line on stderr and exit 1 on bad configuration %j', async (env, expected) => {
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [SERVER_ENTRY],
        { env: { ...fixture.env, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^claude-code-mcp: invalid configuration: /);
    for (const part of expected) expect(lines[0]).toContain(part);
  });
});

describe('legacy SDK 1.x client', () => {
  it('initializes on the legacy protocol, lists and calls the tools', async () => {
    fixture.mock.script(text('hello, legacy client'));
    const transport = new LegacyStdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env: fixture.env, stderr: 'pipe' });
    const client = new LegacyClient({ name: 'legacy', version: '1.0.0' });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe('claude-code-mcp');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('claude_ask');
    const result = await client.callTool({ name: 'claude_ask', arguments: { query: 'hi' } });
    expect((result.structuredContent as { result: string }).result).toBe('hello, legacy client');
    await client.close();
  });
});

describe('MCP Inspector CLI', () => {
  const inspectorBin = (() => {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('@modelcontextprotocol/inspector/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
    const bin = manifest.bin['mcp-inspector'] ?? Object.values(manifest.bin)[0] ?? '';
    return join(manifestPath, '..', bin);
  })();

  const inspect = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const envArgs = Object.entries(fixture.env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
      execFile(
        process.execPath,
        [inspectorBin, '--cli', ...envArgs, process.execPath, SERVER_ENTRY, ...args, '--format', 'json'],
        { env: { PATH: process.env['PATH'] ?? '', HOME: fixture.sandbox.home }, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  it('lists the tools and calls claude_ask', async () => {
    const listed = await inspect(['--method', 'tools/list']);
    expect(listed.code, listed.stderr).toBe(0);
    const names = (JSON.parse(listed.stdout) as { result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name);
    expect(names.sort()).toEqual(['claude_abort', 'claude_ask', 'claude_background_tasks', 'claude_checkpoint', 'claude_plan', 'claude_plugin_install', 'claude_plugin_list', 'claude_resume', 'claude_subagent_list']);

    fixture.mock.script(text('inspected'));
    const called = await inspect(['--method', 'tools/call', '--tool-name', 'claude_ask', '--tool-arg', 'query=hello from the inspector']);
    expect(called.code, called.stderr).toBe(0);
    const result = (JSON.parse(called.stdout) as { result: { structuredContent: { result: string } } }).result;
    expect(result.structuredContent.result).toBe('inspected');
  });
});

describe('Claude Code as the MCP client', () => {
  let outer: MockAnthropicServer;
  beforeEach(async () => {
    outer = await createMockAnthropicServer();
  });
  afterEach(async () => {
    await outer.close();
  });

  it('a claude -p run calls mcp__claude-code__claude_ask, which runs a second Claude Code', async () => {
    // The inner Claude Code (run by our server) answers from the fixture's mock; the outer one,
    // which is the MCP client, talks to its own mock and calls our tool.
    fixture.mock.script(text('inner answer: 1234'));
    outer.script(
      toolUse('mcp__claude-code__claude_ask', { query: 'compute the inner answer' }),
      turn(text('the outer run is done'), { match: { toolResult: true } }),
    );
    const mcpConfig = join(fixture.sandbox.root, 'mcp.json');
    writeFileSync(mcpConfig, JSON.stringify({ mcpServers: { 'claude-code': { command: process.execPath, args: [SERVER_ENTRY], env: fixture.env } } }));
    const outerEnv = { ...fixture.sandbox.env, ANTHROPIC_BASE_URL: outer.url };
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(
        fixture.sandbox.claudePath,
        ['-p', '--output-format=stream-json', '--verbose', `--mcp-config=${mcpConfig}`, '--strict-mcp-config', '--allowedTools=mcp__claude-code__claude_ask'],
        { env: outerEnv, cwd: fixture.sandbox.cwd, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end('please delegate');
    });
    expect(run.code, run.stderr).toBe(0);
    const result = run.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; result?: string })
      .find((message) => message.type === 'result');
    expect(result?.result).toBe('the outer run is done');
    // The outer model got our tool's answer, which came from the inner Claude Code.
    const toolResult = getToolResults(outer.mainRequests()[1]?.body)[0];
    expect(toolResult?.text).toContain('inner answer: 1234');
    expect(getToolResults(outer.mainRequests()[1]?.body)[0]?.isError).toBe(false);
    expect(fixture.mock.mainRequests()).toHaveLength(1);
  });
});

// The events a server's tools emit for metrics: each MCP request timed (any transport), each tool
// call's outcome, each run's cost and tokens; a listener that throws never fails a call.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type JSONRPCMessage, type McpServer, type Transport } from '@modelcontextprotocol/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ClaudeRuntime } from '../src/claude-runtime.js';
import type { ToolsEvent } from '../src/events.js';
import { observeOperations } from '../src/observe-operations.js';
import { createClaudeToolsServer } from '../src/register-claude-tools.js';
import { createMemoryStore, type ClaudeToolsStore } from '../src/store/index.js';
import { fakeSessions } from './fake-session.js';

let scratch: string;
let cwd: string;
let store: ClaudeToolsStore;
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'events-'));
  cwd = path.join(scratch, 'project');
  mkdirSync(cwd);
  store = createMemoryStore();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await store.close();
  rmSync(scratch, { recursive: true, force: true });
});

const runs0SessionId = (events: ToolsEvent[]) => events.find((event) => event.type === 'run.finished')?.sessionId;

async function connect(onEvent: (event: ToolsEvent) => void, onSessionEnded?: (sessionId: string) => void): Promise<Client & { runtime?: ClaudeRuntime }> {
  const runtime = new ClaudeRuntime({ store, claudeExecutable: '/nonexistent/claude', createSession: fakeSessions(() => ({ text: 'done', costUsd: 0.004 })).factory, ...(onSessionEnded ? { onSessionEnded } : {}) });
  closers.push(() => runtime.close());
  const server = createClaudeToolsServer({ version: '1.0.0', runtime, roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir: path.join(scratch, 'config'), commandPrompts: false, onEvent });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'events-test', version: '1.0.0' });
  await client.connect(clientSide);
  closers.push(() => client.close());
  return Object.assign(client, { runtime });
}

describe('tools events', () => {
  it('time every request, say how each tool call ended, and report a run’s own cost and tokens', async () => {
    const events: ToolsEvent[] = [];
    const client = await connect((event) => events.push(event));
    await client.listTools();
    await client.callTool({ name: 'claude_ask', arguments: { query: 'hello' } });
    await client.callTool({ name: 'claude_ask', arguments: { query: 'elsewhere', workingDirectory: '/etc' } });

    const operations = events.filter((event) => event.type === 'mcp.operation');
    expect(operations.map((event) => [event.method, event.tool, event.errorType])).toEqual([
      ['initialize', undefined, undefined],
      ['tools/list', undefined, undefined],
      ['tools/call', 'claude_ask', undefined],
      ['tools/call', 'claude_ask', 'tool_error'],
    ]);
    for (const event of operations) expect(event.seconds).toBeGreaterThanOrEqual(0);
    expect(operations[1]?.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // The first call made a session.
    const sessions = events.filter((event) => event.type === 'session.started');
    expect(sessions).toEqual([expect.objectContaining({ sessionId: runs0SessionId(events), caller: {} })]);

    const calls = events.filter((event) => event.type.startsWith('tool.'));
    expect(calls.map((event) => [event.type, 'status' in event ? event.status : undefined])).toEqual([
      ['tool.called', undefined],
      ['tool.completed', 'success'],
      ['tool.called', undefined],
      ['tool.error', 'error'],
    ]);
    const runs = events.filter((event) => event.type === 'run.finished');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', model: 'default', costUsd: 0.004, background: false, caller: {} });
    expect(Object.values(runs[0]?.usage ?? {}).map((count) => typeof count)).toEqual(['number', 'number', 'number', 'number']);
    // Nothing the caller sent or got back rides along.
    expect(JSON.stringify(events)).not.toContain('hello');
    expect(JSON.stringify(events)).not.toContain('done');
  });

  it('tell when the Claude Code process that served a session ends', async () => {
    const events: ToolsEvent[] = [];
    const ended: string[] = [];
    const client = await connect((event) => events.push(event), (sessionId) => ended.push(sessionId));
    await client.callTool({ name: 'claude_ask', arguments: { query: 'hello' } });
    const sessionId = runs0SessionId(events);
    expect(ended).toEqual([]);
    await client.runtime!.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(ended).toEqual([sessionId]);
  });

  it('keep a listener’s failure away from the call', async () => {
    const client = await connect(() => {
      throw new Error('the observer broke');
    });
    const result = await client.callTool({ name: 'claude_ask', arguments: { query: 'hello' } });
    expect(result.isError).not.toBe(true);
  });
});

describe('observeOperations', () => {
  // A server whose connect only keeps the transport, and a transport that records what is sent.
  async function watched(events: ToolsEvent[]) {
    let transport: Transport | undefined;
    const server = { server: { connect: (given: Transport) => void (transport = given), getNegotiatedProtocolVersion: () => '2025-11-25' } } as unknown as McpServer;
    observeOperations(server, (event) => events.push(event));
    const fake = { start: () => Promise.resolve(), close: () => Promise.resolve(), send: (_message: JSONRPCMessage) => Promise.resolve() } as unknown as Transport;
    await server.server.connect(fake);
    const receive = (message: Record<string, unknown>) => transport!.onmessage?.({ jsonrpc: '2.0', ...message } as JSONRPCMessage);
    const answer = (id: number) => transport!.send({ jsonrpc: '2.0', id, result: {} });
    return { receive, answer };
  }

  it('forgets a request the client cancelled (no answer comes), and its late answer is not timed', async () => {
    const events: ToolsEvent[] = [];
    const { receive, answer } = await watched(events);
    receive({ id: 1, method: 'tools/call', params: { name: 'claude_ask' } });
    receive({ method: 'notifications/cancelled', params: { requestId: 1 } });
    await answer(1);
    expect(events).toEqual([]);
  });

  it('keeps timing new requests when a thousand were never answered', async () => {
    const events: ToolsEvent[] = [];
    const { receive, answer } = await watched(events);
    for (let id = 0; id < 1_000; id += 1) receive({ id, method: 'tools/call', params: { name: 'claude_ask' } });
    receive({ id: 5_000, method: 'tools/list' });
    await answer(5_000);
    expect(events.map((event) => (event.type === 'mcp.operation' ? event.method : event.type))).toEqual(['tools/list']);
  });
});

// SIGTERM on the built HTTP server with real Claude Code runs against the mock: a run that ends
// within SHUTDOWN_TIMEOUT_MS finishes and its caller gets the answer, nothing new is taken
// meanwhile (and /ready says so); a run that does not is interrupted at the deadline and leaves no
// process; the server exits 0 either way.
import { descendantPids, isProcessAlive, text, toolUse, turn, waitFor as waitUntil, waitForDescendant } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';

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

async function connect(origin: string): Promise<Client> {
  const client = new Client({ name: 'shutdown-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', origin)));
  return client;
}

const waitFor = (done: () => boolean, what: string) => waitUntil(done, what, { timeoutMs: 15_000 });

describe('SIGTERM', () => {
  it('lets a run in flight finish and answer, refuses new work meanwhile, then exits 0', async () => {
    fixture.mock.script(turn(text('finished in time'), { delayMs: 3_000 }));
    server = await startServer(fixture, { SHUTDOWN_TIMEOUT_MS: '15000' });
    const running = server;
    const client = await connect(running.origin);
    const call = client.callTool({ name: 'claude_ask', arguments: { query: 'take your time' } });
    await waitFor(() => fixture.mock.requests.some((request) => JSON.stringify(request.body).includes('take your time')), 'the run to reach the API');
    const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    await waitFor(() => running.stderr().includes('shutting down'), 'the server to begin its stop');

    const refused = await fetch(new URL('/mcp', running.origin), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }) });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('10');
    const ready = await fetch(new URL('/ready', running.origin));
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks['shutdown']).toBe('failed: shutting down');

    const result = (await call) as { structuredContent: { status: string; result: string } };
    expect(result.structuredContent).toMatchObject({ status: 'completed', result: 'finished in time' });
    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(descendantPids(running.child.pid ?? -1)).toEqual([]);
    server = undefined;
  }, 40_000);

  it('interrupts a run still going at SHUTDOWN_TIMEOUT_MS and leaves no process', async () => {
    fixture.mock.script(turn(toolUse('Bash', { command: 'for i in $(seq 1 120); do sleep 1; done', description: 'wait' })));
    server = await startServer(fixture, { SHUTDOWN_TIMEOUT_MS: '1500' });
    const running = server;
    const client = await connect(running.origin);
    const call = client.callTool({ name: 'claude_ask', arguments: { query: 'run long', allowedTools: ['Bash'] } }).catch((error: unknown) => error);
    const tree = await waitForDescendant(running.child.pid ?? -1, /^sleep 1$/);
    const exited = new Promise<number | null>((resolve) => running.child.once('exit', (code) => resolve(code)));
    const signalledAt = Date.now();
    running.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const took = Date.now() - signalledAt;
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(10_000);
    expect(running.stderr()).toContain('runs still in flight at the deadline are interrupted');
    await waitFor(() => !tree.some(isProcessAlive), 'the run’s processes to end');
    await call;
    server = undefined;
  }, 40_000);
});

// The operations both servers wire, with the real parts: prom-client's registry, the SQLite outbox
// in a temporary data folder, and a receiver on loopback that verifies with `standardwebhooks`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { noopLogger } from '@claude-code-mcp/observability';
import { parsePrometheusText, startWebhookReceiver, waitFor, type WebhookReceiver } from '@claude-code-mcp/test-harness';
import { generateWebhookSecret } from '@claude-code-mcp/webhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { OUTBOX_FILE, openServerOperations, webhooksCommand } from '../src/operations.js';

const SECRET = generateWebhookSecret();
const off = { metrics: { enabled: false }, webhooks: { enabled: false } } as const;
let dataDir: string;
let hook: WebhookReceiver | undefined;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'operations-'));
});
afterEach(async () => {
  await hook?.close();
  hook = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

const options = (config: object) => ({ config: { ...off, ...config, dataDir }, logger: noopLogger, service: 'stdio-server', transport: 'pipe' as const, tools: ['claude_ask'] });

describe('openServerOperations', () => {
  it('with neither on: no metrics, no outbox, no listener, and emit and close do nothing', async () => {
    const operations = await openServerOperations(options({}));
    expect([operations.metrics, operations.webhooks, operations.onEvent]).toEqual([undefined, undefined, undefined]);
    await operations.emit('server.started', {});
    await operations.close(AbortSignal.timeout(0));
  });

  it('with metrics: the tools events are counted with the transport, and the gauges read the state given', async () => {
    const operations = await openServerOperations(options({ metrics: { enabled: true, port: 9464, host: '127.0.0.1' } }));
    operations.onEvent?.({ type: 'mcp.operation', method: 'tools/call', tool: 'claude_ask', seconds: 2, at: 0 });
    operations.onEvent?.({ type: 'tool.completed', tool: 'claude_ask', status: 'success', seconds: 2, caller: {}, at: 0 });
    operations.readState(() => ({ sessions: { stdio: 1 }, warmProcesses: 2, queuedRuns: 0, backgroundTasks: { running: 1 } }));
    const families = parsePrometheusText(await operations.metrics!.registry.metrics());
    const samples = (name: string) => families.find((family) => family.name === name)?.metrics ?? [];
    expect(samples('mcp_server_operation_duration_seconds')[0]?.labels).toMatchObject({ network_transport: 'pipe', gen_ai_tool_name: 'claude_ask', service: 'stdio-server' });
    expect(samples('mcp_tool_calls_total')[0]).toMatchObject({ labels: { tool: 'claude_ask', status: 'success' }, value: '1' });
    expect(samples('claude_code_mcp_warm_cli_processes')[0]?.value).toBe('2');
    // Webhooks off: no webhook metrics.
    expect(samples('claude_code_mcp_webhook_outbox_depth')).toEqual([]);
  });

  it('with webhooks: the tools, task and server events reach the receiver, signed, through the outbox in the data folder', async () => {
    hook = await startWebhookReceiver({ secret: SECRET, answer: () => 204 });
    const webhooks = { enabled: true, endpoints: [{ url: hook.url, secret: SECRET }], events: [], allowPrivateAddresses: true, maxAttempts: 3 };
    const operations = await openServerOperations(options({ webhooks, metrics: { enabled: true, port: undefined, host: '127.0.0.1' } }));
    await operations.emit('server.started', { version: '1.0.0', transport: 'stdio' });
    operations.onEvent?.({ type: 'tool.called', tool: 'claude_ask', caller: { clientId: 'machine' }, at: 0 });
    // Request timings are metrics, not webhooks.
    operations.onEvent?.({ type: 'mcp.operation', method: 'tools/list', seconds: 0.01, at: 0 });
    operations.taskEvent({ type: 'background_task.completed', at: 0, task: { id: 'task_1', status: 'completed', sessionId: 'session-1', costUsd: 0.5, numTurns: 2 } as never });
    await waitFor(() => hook!.delivered().length === 3, 'three deliveries', { timeoutMs: 10_000 });
    expect(hook.delivered().map((delivery) => [delivery.type, delivery.data])).toEqual(
      expect.arrayContaining([
        ['server.started', { version: '1.0.0', transport: 'stdio' }],
        ['tool.called', { tool: 'claude_ask', clientId: 'machine' }],
        ['background_task.completed', { taskId: 'task_1', status: 'completed', sessionId: 'session-1', costUsd: 0.5, numTurns: 2 }],
      ]),
    );
    const families = parsePrometheusText(await operations.metrics!.registry.metrics());
    const attempts = families.find((family) => family.name === 'claude_code_mcp_webhook_deliveries_total')?.metrics ?? [];
    expect(attempts.map((sample) => [sample.labels['result'], sample.value])).toEqual([['delivered', '3']]);
    await operations.emit('server.shutdown', { reason: 'test' });
    await operations.close(AbortSignal.timeout(5_000), Date.now() + 5_000);
    expect(hook.delivered().map((delivery) => delivery.type)).toContain('server.shutdown');
    // Closed: a later event is lost (logged), never thrown.
    await expect(operations.emit('server.started', {})).resolves.toBeUndefined();
    const out: string[] = [];
    expect(await webhooksCommand(['dead-letters'], { dataDir, out: { write: (line: string) => out.push(line) }, program: 'claude-code-mcp' })).toBe(0);
    expect(out).toEqual([]);
    expect(OUTBOX_FILE).toBe('webhooks.sqlite');
  });
});

describe('webhooksCommand', () => {
  it('prints its usage, naming the program, for bad arguments', async () => {
    for (const args of [[], ['nonsense'], ['replay'], ['replay', 'not an id']]) {
      const out: string[] = [];
      expect(await webhooksCommand(args, { dataDir, out: { write: (line: string) => out.push(line) }, program: 'claude-code-mcp' })).toBe(2);
      expect(out.join('')).toBe('usage: claude-code-mcp webhooks dead-letters | claude-code-mcp webhooks replay <message id> | claude-code-mcp webhooks replay --all\n');
    }
  });
});

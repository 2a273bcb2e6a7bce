// Metrics and webhooks of the built stdio server under the SDK v2 client, after real tool calls
// (the real Claude Code CLI against the mock API): /metrics on METRICS_PORT read as Prometheus
// reads it, webhooks received on loopback (allowed by configuration) and verified with the
// Standard Webhooks reference library, server.shutdown when the client closes stdin, a second
// server on a taken METRICS_PORT, and the `webhooks` command of this bin.
import { spawn } from 'node:child_process';
import { request } from 'node:http';

import { freePort, getToolResults, lintPrometheusText, parsePrometheusText, startWebhookReceiver, text, toolUse, turn, waitFor, type PrometheusFamily, type WebhookReceiver } from '@claude-code-mcp/test-harness';
import { generateWebhookSecret } from '@claude-code-mcp/webhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { connect, createServerFixture, isRunning, SERVER_ENTRY, type ServerFixture } from './helpers.js';

let fixture: ServerFixture;
let hook: WebhookReceiver | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await hook?.close();
  hook = undefined;
  await fixture.dispose();
});

const SECRET = generateWebhookSecret();
const webhookEnv = (url: string, extra: Record<string, string> = {}) => ({ WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: url, WEBHOOK_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', ...extra });

const family = (families: readonly PrometheusFamily[], name: string) => {
  const found = families.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no ${name} in the exposition`);
  return found;
};
// prom-client's own nodejs_active_*_total gauges are the only names promtool objects to.
const ourProblems = (exposition: string) => lintPrometheusText(exposition).filter((problem) => !/^nodejs_active_\w+_total: non-counter/.test(problem));

/** GET with a Host header of our choosing (fetch does not let a caller set it). */
function scrape(port: number, host = `127.0.0.1:${port}`): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics', headers: { host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('metrics and webhooks of the stdio server', () => {
  it('serves /metrics on METRICS_PORT and sends the events of a real claude_ask, once per id, and server.shutdown when stdin closes', async () => {
    // Claude's Bash tool prints its environment: the receiver's URL and secret must not be in it.
    fixture.mock.script(
      turn(toolUse('Bash', { command: 'env', description: 'print the environment' }), { match: { userText: 'show env' } }),
      turn(text('counted'), { match: { toolResult: true } }),
      turn(text('done meanwhile'), { match: { userText: 'in the background' } }),
    );
    // Each first attempt is refused until the client goes away: then the last flush must deliver
    // server.shutdown at its first attempt (the first retry could come later than the flush waits).
    let closing = false;
    hook = await startWebhookReceiver({ secret: SECRET, answer: (_id, attempt) => (attempt === 1 && !closing ? 503 : 204) });
    const metricsPort = await freePort();
    const connected = await connect(fixture, { env: webhookEnv(hook.url, { METRICS_ENABLED: 'true', METRICS_PORT: String(metricsPort) }) });
    const result = await connected.client.callTool({ name: 'claude_ask', arguments: { query: 'show env', allowedTools: ['Bash'] } });
    const { sessionId, status } = result.structuredContent as { sessionId: string; status: string };
    expect(status).toBe('completed');
    const printed = fixture.mock.mainRequests().flatMap((recorded) => getToolResults(recorded.body)).map((toolResult) => toolResult.text).join('\n');
    expect(printed).toContain('PATH=');
    expect(printed).not.toContain('token=abc');
    expect(printed).not.toContain(SECRET);
    expect(printed).not.toMatch(/WEBHOOK_(URL|SECRET)=/);

    // A background task's run is counted with the model it asked for (read back from its request).
    const started = await connected.client.callTool({ name: 'claude_ask', arguments: { query: 'in the background', model: 'sonnet', backgroundTask: true } });
    const { taskId } = started.structuredContent as { taskId: string };
    const taskStatus = async () => ((await connected.client.callTool({ name: 'claude_background_tasks', arguments: { action: 'get', taskId } })).structuredContent as { task?: { status: string } }).task?.status;
    for (let tries = 0; (await taskStatus()) !== 'completed'; tries += 1) {
      if (tries > 200) throw new Error('the background task did not complete');
      await new Promise((resolve) => setTimeout(resolve, 150));
    }

    const scraped = await scrape(metricsPort);
    expect(scraped.status).toBe(200);
    expect(ourProblems(scraped.body)).toEqual([]);
    const families = parsePrometheusText(scraped.body);
    // Two claude_ask calls (one started the background task), answered.
    expect(family(families, 'mcp_tool_calls_total').metrics).toContainEqual(expect.objectContaining({ labels: { service: 'stdio-server', tool: 'claude_ask', status: 'success' }, value: '2' }));
    const call = family(families, 'mcp_server_operation_duration_seconds').metrics.find((sample) => sample.labels['mcp_method_name'] === 'tools/call' && sample.labels['gen_ai_tool_name'] === 'claude_ask');
    expect(call?.labels).toMatchObject({ network_transport: 'pipe' });
    expect(Number(call?.count)).toBe(2);
    expect(Number(call?.buckets?.['+Inf'])).toBe(2);
    expect(family(families, 'claude_code_mcp_active_sessions').metrics).toEqual([expect.objectContaining({ labels: { service: 'stdio-server', kind: 'stdio' }, value: '1' })]);
    const runs = family(families, 'gen_ai_client_operation_duration_seconds').metrics.map((sample) => [sample.labels['gen_ai_request_model'], Number(sample.count)]);
    expect(runs.sort()).toEqual([['default', 1], ['sonnet', 1]]);
    // A name that merely resolves here (DNS rebinding from a page in the operator's browser) is refused.
    expect((await scrape(metricsPort, `attacker.example:${metricsPort}`)).status).toBe(403);

    await waitFor(() => ['server.started', 'tool.called', 'session.started', 'tool.completed', 'background_task.started', 'background_task.completed'].every((type) => hook!.delivered().some((delivery) => delivery.type === type)), 'the events of the call');
    const pid = connected.transport.pid ?? -1;
    const beforeClose = new Set(hook.delivered().map((delivery) => delivery.id));
    closing = true;
    await connected.close();
    await waitFor(() => !isRunning(pid), 'the server to exit', { timeoutMs: 10_000 });
    expect(hook.forged).toBe(0);
    const delivered = hook.delivered();
    // Each message of the call was refused once, then delivered once (those of the stop, such as
    // session.ended for the warm process it ends, were accepted at their first attempt).
    expect(new Set(delivered.map((delivery) => delivery.id)).size).toBe(delivered.length);
    for (const delivery of delivered.filter((other) => beforeClose.has(other.id))) {
      expect(hook.deliveries.filter((other) => other.id === delivery.id).map((other) => other.status)).toEqual([503, 204]);
    }
    const byType = Object.fromEntries(delivered.map((delivery) => [delivery.type, delivery.data]));
    expect(byType['server.started']).toMatchObject({ transport: 'stdio' });
    expect(delivered.filter((delivery) => delivery.type === 'tool.completed').map((delivery) => delivery.data)).toContainEqual(expect.objectContaining({ tool: 'claude_ask', status: 'success', sessionId }));
    expect(delivered.filter((delivery) => delivery.type === 'session.started').map((delivery) => delivery.data)).toContainEqual({ sessionId });
    expect(byType['background_task.completed']).toMatchObject({ taskId, status: 'completed' });
    // The last flush delivered it before the exit.
    expect(byType['server.shutdown']).toEqual({ reason: 'stdin closed' });
    expect(delivered.map((delivery) => delivery.type)).toEqual(expect.arrayContaining(['server.started', 'tool.called', 'session.started', 'tool.completed', 'server.shutdown']));
    expect(JSON.stringify(hook.deliveries)).not.toMatch(/show env|counted/);
  }, 90_000);

  it('a second server on a taken METRICS_PORT says so and serves its tools without metrics', async () => {
    const metricsPort = await freePort();
    const env = { METRICS_ENABLED: 'true', METRICS_PORT: String(metricsPort) };
    const first = await connect(fixture, { env });
    const second = await connect(fixture, { env });
    try {
      expect((await second.client.listTools()).tools.length).toBe(9);
      await waitFor(() => second.stderr().includes('METRICS_PORT is in use'), 'the warning');
      expect(first.stderr()).toContain('metrics listening at /metrics');
      expect((await scrape(metricsPort)).status).toBe(200);
    } finally {
      await second.close();
      await first.close();
    }
  }, 60_000);

  it('stops at start with one line when metrics have no port', async () => {
    const child = spawn(process.execPath, [SERVER_ENTRY], { env: { ...fixture.env, METRICS_ENABLED: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'claude-code-mcp: invalid configuration: METRICS_PORT: is required when METRICS_ENABLED=true (not set); the stdio server serves /metrics only on a port of its own, e.g. METRICS_PORT=9464',
    ]);
  });

  it('ends in dead letters after WEBHOOK_MAX_ATTEMPTS; `claude-code-mcp webhooks` lists and replays them', async () => {
    let healthy = false;
    hook = await startWebhookReceiver({ secret: SECRET, answer: () => (healthy ? 200 : 500) });
    const env = webhookEnv(hook.url, { WEBHOOK_MAX_ATTEMPTS: '1', WEBHOOK_EVENTS: 'server.started' });
    const connected = await connect(fixture, { env });
    const command = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [SERVER_ENTRY, 'webhooks', ...args], { env: { ...fixture.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.once('exit', (code) => resolve({ code, stdout }));
      });
    try {
      await waitFor(() => hook!.deliveries.length === 1, 'the one attempt');
      let listed: { messageId: string; eventType: string; lastStatus: number }[] = [];
      for (let tries = 0; tries < 50 && listed.length === 0; tries += 1) {
        const { stdout } = await command(['dead-letters']);
        listed = stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as (typeof listed)[number]);
        if (listed.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(listed).toEqual([expect.objectContaining({ eventType: 'server.started', lastStatus: 500 })]);
      expect(JSON.stringify(listed)).not.toContain('token=abc');
      healthy = true;
      expect(await command(['replay', listed[0]!.messageId])).toEqual({ code: 0, stdout: '{"replayed":1}\n' });
      await waitFor(() => hook!.delivered().some((delivery) => delivery.id === listed[0]!.messageId), 'the replayed delivery');
      const usage = await command(['nonsense']);
      expect(usage.code).toBe(2);
      expect(usage.stdout).toMatch(/^usage: claude-code-mcp webhooks dead-letters/);
    } finally {
      await connected.close();
    }
  }, 60_000);
});

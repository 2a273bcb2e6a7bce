// /metrics and /health of the built HTTP server after real tool calls (the real Claude Code CLI
// against the mock API): the counters and histogram buckets the calls must have moved, text that
// Prometheus reads and promtool's lint rules accept, on the main port behind the `metrics` scope
// or on METRICS_PORT, and the 429s of a burst counted.
import { lintPrometheusText, parsePrometheusText, text, type PrometheusFamily } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';
import { freePort, machineToken, startOAuthServer } from './oauth-helpers.js';

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

// prom-client's own process gauges nodejs_active_{handles,requests,resources}_total are the only
// names promtool objects to; they are prom-client's.
const ourProblems = (exposition: string) => lintPrometheusText(exposition).filter((problem) => !/^nodejs_active_\w+_total: non-counter/.test(problem));

function family(families: PrometheusFamily[], name: string): PrometheusFamily {
  const found = families.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`/metrics has no ${name}`);
  return found;
}

async function askOnce(origin: string, headers: Record<string, string> = {}): Promise<void> {
  const client = new Client({ name: 'metrics-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', origin), { requestInit: { headers } }));
  await client.listTools();
  const result = await client.callTool({ name: 'claude_ask', arguments: { query: 'count me' } });
  expect(result.isError).not.toBe(true);
  await client.close();
}

describe('metrics (METRICS_ENABLED=true)', () => {
  it('counts real tool calls and runs, with hour-long buckets, in text Prometheus reads; /health summarizes the requests', async () => {
    fixture.mock.script(text('counted'));
    server = await startServer(fixture, { METRICS_ENABLED: 'true' });
    await askOnce(server.origin);
    const response = await fetch(new URL('/metrics', server.origin));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const exposition = await response.text();
    expect(ourProblems(exposition)).toEqual([]);
    const families = parsePrometheusText(exposition);

    expect(family(families, 'mcp_tool_calls_total').metrics).toEqual([{ labels: { service: 'sse-server', tool: 'claude_ask', status: 'success' }, value: '1' }]);
    const operations = family(families, 'mcp_server_operation_duration_seconds').metrics;
    const call = operations.find((sample) => sample.labels['mcp_method_name'] === 'tools/call');
    expect(call?.labels).toMatchObject({ gen_ai_tool_name: 'claude_ask', error_type: '', mcp_protocol_version: '2026-07-28', network_transport: 'tcp' });
    expect(call?.count).toBe('1');
    expect(call?.buckets?.['3600']).toBe('1');
    expect(operations.some((sample) => sample.labels['mcp_method_name'] === 'tools/list')).toBe(true);
    const runs = family(families, 'gen_ai_client_operation_duration_seconds').metrics;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ labels: { gen_ai_request_model: 'default', error_type: '' }, count: '1' });
    const tokens = family(families, 'gen_ai_client_token_usage').metrics;
    expect(Number(tokens.find((sample) => sample.labels['gen_ai_token_type'] === 'input')?.sum)).toBeGreaterThan(0);
    const cost = family(families, 'claude_code_mcp_cost_usd_total').metrics;
    expect(cost[0]?.labels).toMatchObject({ model: 'default', oauth_client: 'none' });
    expect(Number(cost[0]?.value)).toBeGreaterThan(0);
    expect(family(families, 'claude_code_mcp_warm_cli_processes').metrics[0]?.value).toBe('1');
    expect(family(families, 'claude_code_mcp_run_queue_depth').metrics[0]?.value).toBe('0');
    const http = family(families, 'http_server_request_duration_seconds').metrics;
    expect(http.find((sample) => sample.labels['http_route'] === '/mcp' && sample.labels['http_request_method'] === 'POST')?.labels['http_response_status_class']).toBe('2xx');
    expect(families.map((candidate) => candidate.name)).toContain('process_resident_memory_bytes');
    // Never a session id (or any other id) as a label value.
    expect(exposition).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);

    const health = (await (await fetch(new URL('/health', server.origin))).json()) as { requests: { total: number; successful: number; failed: number; averageResponseMs: number }; activeSessions: number };
    expect(health.requests.total).toBeGreaterThanOrEqual(3);
    expect(health.requests.successful + health.requests.failed).toBe(health.requests.total);
    expect(health.requests.averageResponseMs).toBeGreaterThan(0);
    expect(health.activeSessions).toBe(0);
  });

  it('on METRICS_PORT: served there (loopback, no token) and not on the main port; counts rate-limit rejections', async () => {
    const metricsPort = await freePort();
    server = await startServer(fixture, { METRICS_ENABLED: 'true', METRICS_PORT: String(metricsPort), RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_MS: '60000' });
    const statuses: number[] = [];
    for (let index = 0; index < 6; index += 1) {
      const response = await fetch(new URL('/mcp', server.origin), { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: index, method: 'ping' }) });
      statuses.push(response.status);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('ratelimit-limit')).toBe('3');
      }
      await response.body?.cancel();
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    // Not served on the main port (which is over its budget here anyway): 404 or 429, never metrics.
    expect([404, 429]).toContain((await fetch(new URL('/metrics', server.origin))).status);
    const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(ourProblems(exposition)).toEqual([]);
    expect(Number(family(parsePrometheusText(exposition), 'claude_code_mcp_rate_limit_rejections_total').metrics[0]?.value)).toBeGreaterThanOrEqual(3);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404);
    // A name that merely resolves here (DNS rebinding from a page in the operator's browser) is refused.
    const { request } = await import('node:http');
    const rebound = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: metricsPort, path: '/metrics', headers: { host: `attacker.example:${metricsPort}` } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(rebound).toBe(403);
  });
});

describe('metrics with OAuth on (the main port)', () => {
  it('need a token with the metrics scope; cost is counted per OAuth client; refused tokens are counted', async () => {
    fixture.mock.script(text('counted'));
    const started = await startOAuthServer(fixture, { METRICS_ENABLED: 'true', RATE_LIMIT_ENABLED: 'false' });
    server = started;
    const metricsUrl = new URL('/metrics', started.origin);
    const noToken = await fetch(metricsUrl);
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toContain('resource_metadata=');
    expect(noToken.headers.get('www-authenticate')).toContain('scope="metrics"');
    const runner = await machineToken(started.origin, 'read run');
    const narrow = await fetch(metricsUrl, { headers: { authorization: `Bearer ${runner}` } });
    expect(narrow.status).toBe(403);
    expect(narrow.headers.get('www-authenticate')).toContain('scope="metrics"');
    expect((await fetch(new URL('/mcp', started.origin), { method: 'POST', headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);

    await askOnce(started.origin, { authorization: `Bearer ${runner}` });
    const scraper = await machineToken(started.origin, 'metrics');
    const scraped = await fetch(metricsUrl, { headers: { authorization: `Bearer ${scraper}` } });
    expect(scraped.status).toBe(200);
    const exposition = await scraped.text();
    expect(ourProblems(exposition)).toEqual([]);
    const families = parsePrometheusText(exposition);
    expect(family(families, 'claude_code_mcp_cost_usd_total').metrics[0]?.labels['oauth_client']).toBe('machine-client');
    const refused = Object.fromEntries(family(families, 'claude_code_mcp_oauth_tokens_refused_total').metrics.map((sample): [string, string] => [sample.labels['reason'] ?? '', sample.value ?? '']));
    expect(refused).toMatchObject({ missing: '1', insufficient_scope: '1', invalid: '1' });
    expect(family(families, 'claude_code_mcp_oauth_tokens_issued_total').metrics).toEqual([{ labels: { service: 'sse-server', grant_type: 'client_credentials' }, value: '2' }]);
    // A token, or any part of one, never appears.
    expect(exposition).not.toContain(runner.slice(-20));
  });
});

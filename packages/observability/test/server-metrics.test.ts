// The server's metric set: what each observation adds, bounded labels, gauges read at scrape time,
// and text that Prometheus parses and promtool's lint rules accept.
import { lintPrometheusText, parsePrometheusText, type PrometheusFamily } from '@claude-code-mcp/test-harness';
import { describe, expect, it } from 'vitest';

import { boundedLabel, createServerMetrics, type ServerState } from '../src/index.js';

const idle: ServerState = { sessions: {}, warmProcesses: 0, queuedRuns: 0, backgroundTasks: {} };
const family = (families: PrometheusFamily[], name: string) => {
  const found = families.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no ${name} in ${families.map((candidate) => candidate.name).join(', ')}`);
  return found;
};

describe('createServerMetrics', () => {
  it('exposes operations, tool calls, runs, tokens and cost with the conventions’ names, lint-clean', async () => {
    const metrics = createServerMetrics({ service: 'test', state: () => idle, tools: ['claude_ask'] });
    metrics.operation({ method: 'tools/call', tool: 'claude_ask', transport: 'tcp', protocolVersion: '2026-07-28', seconds: 75 });
    metrics.operation({ method: 'tools/list', transport: 'pipe', seconds: 0.002 });
    metrics.operation({ method: 'tools/call', tool: 'claude_ask', transport: 'tcp', errorType: 'tool_error', seconds: 1 });
    metrics.toolCall({ tool: 'claude_ask', status: 'success' });
    metrics.run({ model: 'default', seconds: 1900, costUsd: 0.25, clientId: 'machine', usage: { input: 1000, output: 200 } });
    metrics.run({ model: 'claude-sonnet-4-5-20250929', seconds: 2, costUsd: 0.01 });
    metrics.run({ model: 'default', seconds: 3, costUsd: 0.05, clientId: 'machine', errorType: 'cancelled' });
    metrics.httpRequest({ method: 'POST', route: '/mcp', status: 200, seconds: 0.01 });
    const text = await metrics.registry.metrics();
    // prom-client's own process gauges nodejs_active_{handles,requests,resources}_total are the only
    // names promtool objects to: they are prom-client's, not ours.
    expect(lintPrometheusText(text).filter((problem) => !/^nodejs_active_\w+_total: non-counter/.test(problem))).toEqual([]);
    const families = parsePrometheusText(text);

    const operations = family(families, 'mcp_server_operation_duration_seconds');
    expect(operations.type).toBe('HISTOGRAM');
    const call = operations.metrics.find((sample) => sample.labels?.['gen_ai_tool_name'] === 'claude_ask' && sample.labels['error_type'] === '');
    expect(call?.labels).toMatchObject({ mcp_method_name: 'tools/call', mcp_protocol_version: '2026-07-28', network_transport: 'tcp', service: 'test' });
    // 75 s lands between the 60 and 120 s buckets; the buckets go on to an hour.
    expect(call?.buckets?.['60']).toBe('0');
    expect(call?.buckets?.['120']).toBe('1');
    expect(Object.keys(call?.buckets ?? {})).toContain('3600');
    expect(family(families, 'mcp_requests_total').metrics.map((sample) => [sample.labels?.['method'], sample.labels?.['status'], sample.value])).toEqual(
      expect.arrayContaining([['tools/call', 'ok', '1'], ['tools/call', 'error', '1'], ['tools/list', 'ok', '1']]),
    );
    expect(family(families, 'mcp_tool_calls_total').metrics[0]).toMatchObject({ labels: { tool: 'claude_ask', status: 'success' }, value: '1' });
    const runs = family(families, 'gen_ai_client_operation_duration_seconds').metrics;
    expect(runs.find((sample) => sample.labels?.['error_type'] === 'cancelled')?.count).toBe('1');
    expect(runs.find((sample) => sample.labels?.['error_type'] === '')?.buckets?.['1800']).toBe('0');
    const tokens = family(families, 'gen_ai_client_token_usage').metrics;
    expect(tokens.find((sample) => sample.labels?.['gen_ai_token_type'] === 'input')?.sum).toBe('1000');
    expect(tokens.find((sample) => sample.labels?.['gen_ai_token_type'] === 'output')?.sum).toBe('200');
    const costs = Object.fromEntries(family(families, 'claude_code_mcp_cost_usd_total').metrics.map((sample) => [`${sample.labels['model']}/${sample.labels['oauth_client']}`, Number(sample.value)]));
    expect(costs['default/machine']).toBeCloseTo(0.3);
    // A model id is labelled by its family, a call without a client by none.
    expect(costs['sonnet/none']).toBeCloseTo(0.01);
    expect(family(families, 'http_server_request_duration_seconds').metrics[0]?.labels).toMatchObject({ http_route: '/mcp', http_response_status_class: '2xx' });
    // prom-client's process metrics come along.
    expect(families.map((candidate) => candidate.name)).toContain('process_resident_memory_bytes');
  });

  it('reads the gauges at each scrape, dropping label sets that are gone', async () => {
    let state: ServerState = { sessions: { streamable: 2, sse: 1 }, warmProcesses: 3, queuedRuns: 1, backgroundTasks: { running: 2, queued: 1 } };
    const metrics = createServerMetrics({ service: 'test', state: () => state, tools: ['claude_ask'] });
    const read = async () => parsePrometheusText(await metrics.registry.metrics());
    let families = await read();
    expect(family(families, 'claude_code_mcp_active_sessions').metrics.map((sample) => [sample.labels?.['kind'], sample.value])).toEqual([['streamable', '2'], ['sse', '1']]);
    expect(family(families, 'claude_code_mcp_warm_cli_processes').metrics[0]?.value).toBe('3');
    expect(family(families, 'claude_code_mcp_run_queue_depth').metrics[0]?.value).toBe('1');
    state = { ...state, backgroundTasks: { completed: 3 } };
    families = await read();
    expect(family(families, 'claude_code_mcp_background_tasks').metrics.map((sample) => [sample.labels?.['status'], sample.value])).toEqual([['completed', '3']]);
  });

  it('keeps labels a client chooses bounded: unknown methods, tools and models are _OTHER, clients past the cap are other', async () => {
    const metrics = createServerMetrics({ service: 'test', state: () => idle, tools: ['claude_ask'] });
    for (let index = 0; index < 500; index += 1) {
      metrics.operation({ method: `made/up/${index}`, transport: 'tcp', seconds: 0.001, errorType: '-32601' });
      metrics.run({ model: 'default', seconds: 1, costUsd: 0.01, clientId: `https://client-${index}.example/client.json` });
      metrics.toolCall({ tool: `made_up_${index}`, status: 'error' });
      metrics.run({ model: `my-model-${index}`, seconds: 1, costUsd: 0 });
    }
    metrics.toolCall({ tool: 'claude_ask', status: 'success' });
    const families = parsePrometheusText(await metrics.registry.metrics());
    expect(family(families, 'mcp_requests_total').metrics.map((sample) => sample.labels?.['method'])).toEqual(['_OTHER']);
    const clients = family(families, 'claude_code_mcp_cost_usd_total').metrics.map((sample) => sample.labels?.['oauth_client']);
    expect(clients).toHaveLength(101);
    expect(clients).toContain('other');
    // The real tool keeps its name however many others were tried.
    expect(family(families, 'mcp_tool_calls_total').metrics.map((sample) => sample.labels['tool'])).toEqual(['_OTHER', 'claude_ask']);
    expect(new Set(family(families, 'gen_ai_client_operation_duration_seconds').metrics.map((sample) => sample.labels['gen_ai_request_model']))).toEqual(new Set(['default', '_OTHER']));
  });
});

describe('boundedLabel', () => {
  it('passes the first values through, then answers other; a missing value is none', () => {
    const label = boundedLabel(2);
    expect([label('a'), label('b'), label('c'), label('a'), label(undefined)]).toEqual(['a', 'b', 'other', 'a', 'none']);
  });
});

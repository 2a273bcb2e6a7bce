import { describe, expect, it } from 'vitest';

import { ObservabilityError, createMetricsRegistry } from '../src/index.js';

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('createMetricsRegistry', () => {
  it('exposes a registered counter in the Prometheus text', async () => {
    const metrics = createMetricsRegistry({ prefix: 'claude_code_mcp_' });
    const toolCalls = metrics.counter({
      name: 'tool_calls_total',
      help: 'Tool calls by tool.',
      labelNames: ['tool'],
    });
    toolCalls.inc({ tool: 'claude_run' });
    toolCalls.inc({ tool: 'claude_run' }, 2);

    const text = await metrics.metrics();
    expect(text).toContain('# HELP claude_code_mcp_tool_calls_total Tool calls by tool.');
    expect(text).toContain('# TYPE claude_code_mcp_tool_calls_total counter');
    expect(text).toContain('claude_code_mcp_tool_calls_total{tool="claude_run"} 3');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.prefix).toBe('claude_code_mcp_');
  });

  it('exposes gauges and histograms', async () => {
    const metrics = createMetricsRegistry();
    const active = metrics.gauge({ name: 'sessions_active', help: 'Open sessions.' });
    active.inc();
    active.inc();
    active.dec();
    const seconds = metrics.histogram({ name: 'run_seconds', help: 'Run time.', buckets: [1, 10] });
    seconds.observe(0.5);
    seconds.observe(5);

    const text = await metrics.metrics();
    expect(text).toContain('sessions_active 1');
    expect(text).toContain('run_seconds_bucket{le="1"} 1');
    expect(text).toContain('run_seconds_bucket{le="10"} 2');
    expect(text).toContain('run_seconds_count 2');
  });

  it('keeps registries isolated from each other', async () => {
    const first = createMetricsRegistry();
    const second = createMetricsRegistry();
    first.counter({ name: 'only_in_first_total', help: 'x' }).inc();
    second.counter({ name: 'only_in_first_total', help: 'x' });
    expect(await first.metrics()).toContain('only_in_first_total 1');
    expect(await second.metrics()).toContain('only_in_first_total 0');
  });

  it('collects default process metrics only when asked, with the prefix', async () => {
    const without = await createMetricsRegistry({ prefix: 'app_' }).metrics();
    expect(without).not.toContain('process_cpu_user_seconds_total');

    const withDefaults = await createMetricsRegistry({
      prefix: 'app_',
      collectDefaultMetrics: true,
    }).metrics();
    expect(withDefaults).toContain('app_process_cpu_user_seconds_total');
    expect(withDefaults).toContain('app_nodejs_heap_size_used_bytes');
  });

  it('adds default labels to every sample', async () => {
    const metrics = createMetricsRegistry({ defaultLabels: { service: 'sse-server' } });
    metrics.counter({ name: 'requests_total', help: 'Requests.' }).inc();
    expect(await metrics.metrics()).toContain('requests_total{service="sse-server"} 1');
  });

  it('refuses to register the same name twice', () => {
    const metrics = createMetricsRegistry({ prefix: 'p_' });
    metrics.counter({ name: 'dup_total', help: 'x' });
    const error = catchError(() => metrics.gauge({ name: 'dup_total', help: 'x' }));
    expect(ObservabilityError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OBSERVABILITY_METRIC_ALREADY_REGISTERED' });
    expect((error as Error).message).toContain('"p_dup_total"');
  });

  it.each([
    ['a prefix with a dash', () => createMetricsRegistry({ prefix: 'claude-code' })],
    ['a prefix starting with a digit', () => createMetricsRegistry({ prefix: '1_' })],
    ['a default label with a bad name', () => createMetricsRegistry({ defaultLabels: { 'a-b': 'x' } })],
    ['a metric name with a space', () => createMetricsRegistry().counter({ name: 'a b', help: 'x' })],
    ['an empty help text', () => createMetricsRegistry().counter({ name: 'a_total', help: ' ' })],
    [
      'a reserved label name',
      () => createMetricsRegistry().counter({ name: 'a_total', help: 'x', labelNames: ['__name'] }),
    ],
    [
      'duplicate label names',
      () => createMetricsRegistry().counter({ name: 'a_total', help: 'x', labelNames: ['a', 'a'] }),
    ],
    [
      'decreasing buckets',
      () => createMetricsRegistry().histogram({ name: 'h', help: 'x', buckets: [5, 1] }),
    ],
  ])('rejects %s with OBSERVABILITY_INVALID_OPTIONS', (_case, run) => {
    const error = catchError(run);
    expect(ObservabilityError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OBSERVABILITY_INVALID_OPTIONS' });
  });
});

// The exposition reader and promtool's lint rules: they must catch what Prometheus would refuse
// or promtool would flag, or the /metrics tests that use them prove nothing.
import { describe, expect, it } from 'vitest';

import { lintPrometheusText, parsePrometheusText } from '../src/index.js';

const histogram = (name: string, lines: string[]) => [`# HELP ${name} Durations.`, `# TYPE ${name} histogram`, ...lines].join('\n');

describe('parsePrometheusText', () => {
  it('groups a histogram per label set, unescapes label values, and reads NaN as prom-client writes it', () => {
    const families = parsePrometheusText(
      [
        histogram('op_seconds', [
          'op_seconds_bucket{le="1",tool="a"} 1',
          'op_seconds_bucket{le="+Inf",tool="a"} 2',
          'op_seconds_sum{tool="a"} 3.5',
          'op_seconds_count{tool="a"} 2',
          'op_seconds_bucket{le="1",tool="b"} 0',
          'op_seconds_bucket{le="+Inf",tool="b"} 1',
          'op_seconds_sum{tool="b"} 9',
          'op_seconds_count{tool="b"} 1',
        ]),
        '# HELP lag_seconds Lag.',
        '# TYPE lag_seconds gauge',
        'lag_seconds{path="C:\\\\x",why="say \\"hi\\"\\n"} Nan',
      ].join('\n'),
    );
    expect(families[0]?.metrics).toEqual([
      { labels: { tool: 'a' }, buckets: { '1': '1', '+Inf': '2' }, sum: '3.5', count: '2' },
      { labels: { tool: 'b' }, buckets: { '1': '0', '+Inf': '1' }, sum: '9', count: '1' },
    ]);
    expect(families[1]?.metrics[0]).toEqual({ labels: { path: 'C:\\x', why: 'say "hi"\n' }, value: 'Nan' });
    // Label names that are also Object's own are plain names.
    expect(parsePrometheusText('odd{constructor="a",toString="b"} 1')[0]?.metrics[0]?.labels).toEqual({ constructor: 'a', toString: 'b' });
  });

  it('refuses what Prometheus would not read', () => {
    for (const text of ['9lives 1', 'ok{a="1" 1', 'ok{a="1",a="2"} 1', 'ok one', '# TYPE ok counter\nok_total 1\n# TYPE ok gauge', 'ok 1\nok 2', '# HELP ok One.\n# HELP ok Two.\nok 1']) {
      expect(() => parsePrometheusText(text), text).toThrow();
    }
  });
});

describe('lintPrometheusText', () => {
  it('flags what promtool check metrics flags, and inconsistent histograms', () => {
    const text = [
      '# TYPE requests counter',
      'requests 1',
      '# HELP depth_total Depth.',
      '# TYPE depth_total gauge',
      'depth_total 1',
      '# HELP took_milliseconds Took.',
      '# TYPE took_milliseconds gauge',
      'took_milliseconds 3',
      '# HELP fooBar_total Foo.',
      '# TYPE fooBar_total counter',
      'fooBar_total 1',
      histogram('bad_seconds', ['bad_seconds_bucket{le="1"} 2', 'bad_seconds_bucket{le="2"} 1', 'bad_seconds_sum 1', 'bad_seconds_count 5']),
    ].join('\n');
    expect(lintPrometheusText(text)).toEqual([
      'requests: no help text',
      'requests: counter metrics should have "_total" suffix',
      'depth_total: non-counter metrics should not have "_total" suffix',
      'took_milliseconds: use base unit instead of "milliseconds"',
      'fooBar_total: metric names should be written in snake_case, not camelCase',
      'bad_seconds: a histogram without a "+Inf" bucket',
      'bad_seconds: bucket counts decrease at le=2',
      'bad_seconds: _count differs from the "+Inf" bucket',
    ]);
  });

  it('has nothing to say of clean text', () => {
    expect(lintPrometheusText(histogram('good_seconds', ['good_seconds_bucket{le="1"} 1', 'good_seconds_bucket{le="+Inf"} 1', 'good_seconds_sum 0.5', 'good_seconds_count 1']))).toEqual([]);
  });
});

// The Prometheus text exposition (format 0.0.4), read strictly as Prometheus reads it, into
// prom2json's shape (a histogram's buckets, count and sum grouped per label set), and checked as
// `promtool check metrics` checks names (its promlint rules), for tests that scrape /metrics.
// Hand-written: the one npm parser (parse-prometheus-text-format 1.1.1) merges the label sets of
// a histogram into one.

/**
 * One sample of a family: a value, or a histogram's buckets, count and sum (prom2json's shape).
 *
 * @example
 * ```ts
 * const sample: PrometheusSample = { labels: { tool: 'claude_ask' }, value: '2' };
 * ```
 */
export interface PrometheusSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value?: string;
  readonly buckets?: Readonly<Record<string, string>>;
  readonly count?: string;
  readonly sum?: string;
}

/**
 * A metric family: its name, help, type and samples.
 *
 * @example
 * ```ts
 * const family = parsePrometheusText(text).find((metric) => metric.name === 'mcp_tool_calls_total');
 * ```
 */
export interface PrometheusFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: readonly PrometheusSample[];
}

interface MutableFamily {
  name: string;
  help: string;
  type: PrometheusFamily['type'];
  samples: Map<string, { labels: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL_PAIR = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
// Go's ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes `Nan`).
const VALUE = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?|nan)$/i;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < text.length) {
    const match = LABEL_PAIR.exec(text);
    if (match === null) throw new Error(`not a valid label set: ${line}`);
    if (Object.hasOwn(labels, match[1]!)) throw new Error(`label "${match[1]!}" given twice: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_escape, char: string) => (char === 'n' ? '\n' : char));
  }
  return labels;
}

/**
 * Parses the text exposition format; throws on a line Prometheus could not read (a bad name,
 * label set or value, a sample of a family whose TYPE came after it, a repeated TYPE).
 *
 * @example
 * ```ts
 * const families = parsePrometheusText(await (await fetch(`${origin}/metrics`)).text());
 * ```
 */
export function parsePrometheusText(text: string): PrometheusFamily[] {
  const families = new Map<string, MutableFamily>();
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (family === undefined) families.set(name, (family = { name, help: '', type: 'UNTYPED', samples: new Map() }));
    return family;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) ?(.*)$/.exec(line);
    if (meta) {
      const family = familyOf(meta[2]!);
      if (meta[1] === 'HELP' && family.help !== '') throw new Error(`HELP given twice: ${line}`);
      if (meta[1] === 'HELP') family.help = meta[3]!.replace(/\\(.)/g, (_escape, char: string) => (char === 'n' ? '\n' : char));
      else {
        const type = meta[3]!.toUpperCase();
        if (!['COUNTER', 'GAUGE', 'HISTOGRAM', 'SUMMARY', 'UNTYPED'].includes(type)) throw new Error(`unknown type: ${line}`);
        if (family.type !== 'UNTYPED' || family.samples.size > 0) throw new Error(`TYPE given twice or after samples: ${line}`);
        family.type = type as PrometheusFamily['type'];
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = SAMPLE.exec(line);
    if (!sample || !VALUE.test(sample[3]!)) throw new Error(`not a valid sample line: ${line}`);
    addSample(families, familyOf, sample[1]!, parseLabels(sample[2] ?? '', line), sample[3]!);
  }
  return [...families.values()].map(({ name, help, type, samples }) => ({ name, help, type, metrics: [...samples.values()] }));
}

// A histogram's _bucket, _sum and _count lines join one sample per label set (less `le`).
function addSample(families: ReadonlyMap<string, MutableFamily>, familyOf: (name: string) => MutableFamily, name: string, labels: Record<string, string>, value: string): void {
  const suffix = /_(bucket|sum|count)$/.exec(name);
  const base = suffix ? families.get(name.slice(0, -suffix[0].length)) : undefined;
  if (base && (base.type === 'HISTOGRAM' || base.type === 'SUMMARY')) {
    const { le, ...rest } = labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let sample = base.samples.get(key);
    if (sample === undefined) base.samples.set(key, (sample = { labels: rest }));
    if (suffix![1] === 'bucket') {
      if (le === undefined) throw new Error(`a bucket without "le" in ${name}`);
      (sample.buckets ??= {})[le] = value;
    } else if (suffix![1] === 'sum') sample.sum = value;
    else sample.count = value;
    return;
  }
  const family = familyOf(name);
  const key = JSON.stringify(Object.entries(labels).sort());
  if (family.samples.has(key)) throw new Error(`a sample repeated: ${name} ${key}`);
  family.samples.set(key, { labels, value });
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// promlint: units must be base units (seconds, bytes), not these.
const NON_BASE_UNITS = ['milliseconds', 'microseconds', 'nanoseconds', 'minutes', 'hours', 'days', 'kilobytes', 'megabytes', 'gigabytes', 'kib', 'mib', 'gib', 'percent'];

/**
 * What `promtool check metrics` would say of the text (its lint rules on names, help, counters,
 * units and reserved suffixes), plus histogram consistency: an empty list when all is well.
 *
 * @example
 * ```ts
 * expect(lintPrometheusText(text)).toEqual([]);
 * ```
 */
export function lintPrometheusText(text: string): string[] {
  const problems: string[] = [];
  for (const family of parsePrometheusText(text)) {
    const { name } = family;
    const say = (problem: string) => problems.push(`${name}: ${problem}`);
    if (!NAME.test(name)) say('not a valid metric name');
    if (/[A-Z]/.test(name)) say('metric names should be written in snake_case, not camelCase');
    if (family.help.trim() === '') say('no help text');
    if (family.type === 'COUNTER' && !name.endsWith('_total')) say('counter metrics should have "_total" suffix');
    if (family.type !== 'COUNTER' && name.endsWith('_total')) say('non-counter metrics should not have "_total" suffix');
    if (family.type !== 'HISTOGRAM' && family.type !== 'SUMMARY' && /_(count|sum|bucket)$/.test(name)) say('non-histogram and non-summary metrics should not have "_count", "_sum" or "_bucket" suffixes');
    for (const unit of NON_BASE_UNITS) if (name.split('_').includes(unit)) say(`use base unit instead of "${unit}"`);
    for (const sample of family.metrics) {
      for (const label of Object.keys(sample.labels)) {
        if (!LABEL.test(label) || label.startsWith('__')) say(`invalid label name "${label}"`);
        if (label === 'le' || label === 'quantile') say(`label "${label}" is reserved`);
      }
      if (family.type === 'HISTOGRAM') problems.push(...histogramProblems(name, sample));
    }
  }
  return problems;
}

function histogramProblems(name: string, sample: PrometheusSample): string[] {
  const buckets = Object.entries(sample.buckets ?? {}).map(([bound, count]) => [bound === '+Inf' ? Infinity : Number(bound), Number(count)] as const);
  buckets.sort((a, b) => a[0] - b[0]);
  const problems: string[] = [];
  if (buckets.at(-1)?.[0] !== Infinity) problems.push(`${name}: a histogram without a "+Inf" bucket`);
  for (let index = 1; index < buckets.length; index += 1) {
    if (buckets[index]![1] < buckets[index - 1]![1]) problems.push(`${name}: bucket counts decrease at le=${buckets[index]![0]}`);
  }
  if (buckets.length > 0 && Number(sample.count) !== buckets.at(-1)![1]) problems.push(`${name}: _count differs from the "+Inf" bucket`);
  return problems;
}

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { ObservabilityError } from './errors.js';

/**
 * Label values for one observation, keyed by the label names declared on the metric.
 *
 * @example
 * ```ts
 * const labels: MetricLabels = { tool: 'claude_run', outcome: 'success' };
 * ```
 */
export type MetricLabels = Readonly<Record<string, string | number>>;

/**
 * Options for {@link createMetricsRegistry}.
 *
 * @example
 * ```ts
 * const options: MetricsRegistryOptions = { prefix: 'claude_code_mcp_', collectDefaultMetrics: true };
 * ```
 */
export interface MetricsRegistryOptions {
  /**
   * Prepended to every metric name registered through this registry, including the default
   * process metrics. Letters, digits, `_` and `:`, not starting with a digit. Defaults to `''`.
   */
  prefix?: string;
  /**
   * Also collect prom-client's default Node.js process metrics (CPU, memory, event loop lag, GC).
   * Defaults to `false`.
   */
  collectDefaultMetrics?: boolean;
  /** Labels added to every sample this registry exposes, such as `{ service: 'sse-server' }`. */
  defaultLabels?: Readonly<Record<string, string>>;
}

/**
 * Options for {@link MetricsRegistry.counter} and {@link MetricsRegistry.gauge}.
 *
 * @example
 * ```ts
 * const options: CounterOptions = { name: 'tool_calls_total', help: 'Tool calls.', labelNames: ['tool'] };
 * ```
 */
export interface CounterOptions {
  /** Metric name without the registry prefix; letters, digits, `_` and `:`. */
  name: string;
  /** One sentence shown as `# HELP` in the exposition text. */
  help: string;
  /** The label names observations may carry. Defaults to none. */
  labelNames?: readonly string[];
}

/**
 * A gauge's value read at scrape time: one number, or one per label set (label sets missing from
 * a reading are dropped from the exposition).
 *
 * @example
 * ```ts
 * const sample: GaugeSample = [{ labels: { status: 'running' }, value: 2 }];
 * ```
 */
export type GaugeSample = number | ReadonlyArray<{ readonly labels: MetricLabels; readonly value: number }>;

/**
 * Options for {@link MetricsRegistry.gauge}: those of {@link CounterOptions}, and optionally a
 * `collect` function read at every scrape instead of `set()` calls.
 *
 * @example
 * ```ts
 * const options: GaugeOptions = { name: 'sessions_active', help: 'Open Claude sessions.', collect: () => sessions.size };
 * ```
 */
export interface GaugeOptions extends CounterOptions {
  readonly collect?: () => GaugeSample;
}

/**
 * Options for {@link MetricsRegistry.histogram}.
 *
 * @example
 * ```ts
 * const options: HistogramOptions = { name: 'run_seconds', help: 'Run duration.', buckets: [1, 5, 30, 120] };
 * ```
 */
export interface HistogramOptions extends CounterOptions {
  /** Strictly increasing upper bounds. Defaults to prom-client's `[0.005 … 10]` seconds buckets. */
  buckets?: readonly number[];
}

/**
 * A monotonically increasing count.
 *
 * @example
 * ```ts
 * toolCalls.inc({ tool: 'claude_run' });
 * ```
 */
export interface CounterMetric {
  inc(value?: number): void;
  inc(labels: MetricLabels, value?: number): void;
}

/**
 * A value that goes up and down.
 *
 * @example
 * ```ts
 * activeSessions.inc();
 * activeSessions.dec();
 * ```
 */
export interface GaugeMetric {
  set(value: number): void;
  set(labels: MetricLabels, value: number): void;
  inc(value?: number): void;
  inc(labels: MetricLabels, value?: number): void;
  dec(value?: number): void;
  dec(labels: MetricLabels, value?: number): void;
}

/**
 * A distribution of observed values, such as durations in seconds.
 *
 * @example
 * ```ts
 * runSeconds.observe({ model: 'sonnet' }, 12.5);
 * ```
 */
export interface HistogramMetric {
  observe(value: number): void;
  observe(labels: MetricLabels, value: number): void;
}

/**
 * A Prometheus registry: create metrics on it, then serve {@link MetricsRegistry.metrics} with
 * {@link MetricsRegistry.contentType} from a `/metrics` route.
 *
 * @example
 * ```ts
 * reply.header('content-type', metrics.contentType).send(await metrics.metrics());
 * ```
 */
export interface MetricsRegistry {
  /** The `Content-Type` header value for {@link MetricsRegistry.metrics}' text. */
  readonly contentType: string;
  /** The prefix applied to every metric name (`''` when none). */
  readonly prefix: string;
  /** The underlying prom-client registry, for custom collectors. */
  readonly registry: Registry;
  /** The Prometheus text exposition of every metric in this registry. */
  metrics(): Promise<string>;
  /** Creates and registers a counter named `prefix + name`. */
  counter(options: CounterOptions): CounterMetric;
  /** Creates and registers a gauge named `prefix + name`. */
  gauge(options: GaugeOptions): GaugeMetric;
  /** Creates and registers a histogram named `prefix + name`. */
  histogram(options: HistogramOptions): HistogramMetric;
}

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function invalid(message: string): ObservabilityError {
  return new ObservabilityError('OBSERVABILITY_INVALID_OPTIONS', message);
}

function checkLabelName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !labelNamePattern.test(name) || name.startsWith('__')) {
    throw invalid(
      `Invalid label name ${JSON.stringify(name)} in ${where}; use letters, digits and "_", not starting with a digit or "__".`,
    );
  }
  return name;
}

interface CheckedMetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

function checkMetricOptions(
  kind: string,
  prefix: string,
  options: CounterOptions,
): CheckedMetricOptions {
  if (typeof options !== 'object' || options == null) {
    throw invalid(`${kind}() needs an options object with name and help.`);
  }
  const { name, help, labelNames = [] } = options;
  if (typeof name !== 'string' || !metricNamePattern.test(`${prefix}${name}`)) {
    throw invalid(
      `Invalid ${kind} name ${JSON.stringify(name)}; use letters, digits, "_" and ":", not starting with a digit.`,
    );
  }
  if (typeof help !== 'string' || help.trim() === '') {
    throw invalid(`The ${kind} "${name}" needs a non-empty help text.`);
  }
  if (!Array.isArray(labelNames)) {
    throw invalid(`labelNames of the ${kind} "${name}" must be an array of strings.`);
  }
  const checked = labelNames.map((label: unknown) => checkLabelName(label, `the ${kind} "${name}"`));
  if (new Set(checked).size !== checked.length) {
    throw invalid(`labelNames of the ${kind} "${name}" contain a duplicate.`);
  }
  return { name: `${prefix}${name}`, help, labelNames: Object.freeze(checked) };
}

function checkBuckets(name: string, buckets: unknown): number[] | undefined {
  if (buckets === undefined) return undefined;
  if (
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    !buckets.every((bucket: unknown, index) => {
      if (typeof bucket !== 'number' || !Number.isFinite(bucket)) return false;
      const previous: unknown = buckets[index - 1];
      return index === 0 || (typeof previous === 'number' && bucket > previous);
    })
  ) {
    throw invalid(
      `buckets of the histogram "${name}" must be a non-empty array of strictly increasing finite numbers.`,
    );
  }
  return [...(buckets as number[])];
}

function checkRegistryOptions(options: MetricsRegistryOptions): Required<MetricsRegistryOptions> {
  if (typeof options !== 'object' || options == null) {
    throw invalid('createMetricsRegistry() options must be an object.');
  }
  const { prefix = '', collectDefaultMetrics: collectDefaults = false, defaultLabels = {} } = options;
  if (typeof prefix !== 'string' || (prefix !== '' && !metricNamePattern.test(prefix))) {
    throw invalid(
      `Invalid metrics prefix ${JSON.stringify(prefix)}; use letters, digits, "_" and ":", not starting with a digit (for example "claude_code_mcp_").`,
    );
  }
  if (typeof collectDefaults !== 'boolean') {
    throw invalid('collectDefaultMetrics must be a boolean.');
  }
  if (typeof defaultLabels !== 'object' || defaultLabels == null || Array.isArray(defaultLabels)) {
    throw invalid('defaultLabels must be an object of label name to string value.');
  }
  for (const [label, value] of Object.entries(defaultLabels)) {
    checkLabelName(label, 'defaultLabels');
    if (typeof value !== 'string') {
      throw invalid(`The default label "${label}" must have a string value.`);
    }
  }
  return Object.freeze({
    prefix,
    collectDefaultMetrics: collectDefaults,
    defaultLabels: Object.freeze({ ...defaultLabels }),
  });
}

/**
 * Creates an isolated Prometheus registry (never prom-client's global one), so two servers in one
 * process, or tests, never share metrics.
 *
 * @throws {@link ObservabilityError} `OBSERVABILITY_INVALID_OPTIONS` for a bad prefix, metric name,
 * label name, help text or bucket list; `OBSERVABILITY_METRIC_ALREADY_REGISTERED` when a metric
 * name is registered twice.
 *
 * @example
 * ```ts
 * const metrics = createMetricsRegistry({ prefix: 'claude_code_mcp_', collectDefaultMetrics: true });
 * const toolCalls = metrics.counter({ name: 'tool_calls_total', help: 'Tool calls.', labelNames: ['tool'] });
 * toolCalls.inc({ tool: 'claude_run' });
 * const text = await metrics.metrics(); // "# HELP claude_code_mcp_tool_calls_total Tool calls.\n…"
 * ```
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const settings = checkRegistryOptions(options);
  const registry = new Registry();
  if (Object.keys(settings.defaultLabels).length > 0) {
    registry.setDefaultLabels({ ...settings.defaultLabels });
  }
  if (settings.collectDefaultMetrics) {
    collectDefaultMetrics({ register: registry, prefix: settings.prefix });
  }

  const claim = (kind: string, options: CounterOptions): CheckedMetricOptions => {
    const checked = checkMetricOptions(kind, settings.prefix, options);
    if (registry.getSingleMetric(checked.name) !== undefined) {
      throw new ObservabilityError(
        'OBSERVABILITY_METRIC_ALREADY_REGISTERED',
        `A metric named "${checked.name}" is already registered; create each metric once and share it.`,
      );
    }
    return checked;
  };

  return Object.freeze({
    contentType: registry.contentType,
    prefix: settings.prefix,
    registry,
    metrics: (): Promise<string> => registry.metrics(),
    counter(counterOptions: CounterOptions): CounterMetric {
      const { name, help, labelNames } = claim('counter', counterOptions);
      return new Counter({ name, help, labelNames, registers: [registry] });
    },
    gauge(gaugeOptions: GaugeOptions): GaugeMetric {
      const { name, help, labelNames } = claim('gauge', gaugeOptions);
      const sample = gaugeOptions.collect;
      if (sample !== undefined && typeof sample !== 'function') throw invalid(`collect of the gauge "${name}" must be a function.`);
      return new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(sample === undefined
          ? {}
          : {
              collect(this: Gauge) {
                const reading = sample();
                this.reset();
                if (typeof reading === 'number') this.set(reading);
                else for (const { labels, value } of reading) this.set({ ...labels }, value);
              },
            }),
      });
    },
    histogram(histogramOptions: HistogramOptions): HistogramMetric {
      const { name, help, labelNames } = claim('histogram', histogramOptions);
      const buckets = checkBuckets(name, histogramOptions.buckets);
      return new Histogram({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(buckets === undefined ? {} : { buckets }),
      });
    },
  });
}

export { ObservabilityError } from './errors.js';
export type { ObservabilityErrorCode } from './errors.js';
export { LOG_LEVELS, createLogger, noopLogger } from './logger.js';
export type { CreateLoggerOptions, LogDestination, LogFn, LogLevel, Logger } from './logger.js';
export { createMetricsRegistry } from './metrics-registry.js';
export type {
  CounterMetric,
  CounterOptions,
  GaugeMetric,
  GaugeOptions,
  GaugeSample,
  HistogramMetric,
  HistogramOptions,
  MetricLabels,
  MetricsRegistry,
  MetricsRegistryOptions,
} from './metrics-registry.js';
export { boundedLabel, createServerMetrics } from './server-metrics.js';
export type { OperationObservation, RunObservation, ServerMetrics, ServerMetricsOptions, ServerState } from './server-metrics.js';
export { serveMetrics } from './metrics-listener.js';
export type { MetricsListener, MetricsListenerOptions, MetricsSource } from './metrics-listener.js';

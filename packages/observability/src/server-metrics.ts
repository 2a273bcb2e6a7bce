// The metrics the servers expose, in one place: the OpenTelemetry MCP and GenAI semantic
// conventions in Prometheus form, the seed's two counters, and the project's own. Every label is
// bounded: methods, tools and models are few; OAuth clients are capped (see `boundedLabel`).
import { createMetricsRegistry, type GaugeSample, type MetricsRegistry } from './metrics-registry.js';

// Seconds: Claude runs and long tool calls take up to an hour (the default buckets stop at 10 s).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
// Tokens per run, as the GenAI conventions advise (powers of 4).
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const MAX_CLIENT_LABELS = 100;
// The methods of the MCP revisions served; any other name a client sends is `_OTHER`.
const MCP_METHODS = new Set([
  'initialize', 'ping', 'server/discover', 'subscriptions/listen', 'logging/setLevel', 'completion/complete',
  'tools/list', 'tools/call', 'prompts/list', 'prompts/get',
  'resources/list', 'resources/read', 'resources/templates/list', 'resources/subscribe', 'resources/unsubscribe',
  'tasks/get', 'tasks/result', 'tasks/list', 'tasks/cancel', 'tasks/update',
]);

/**
 * One answered MCP request.
 *
 * @example
 * ```ts
 * metrics.operation({ method: 'tools/call', tool: 'claude_ask', seconds: 12.4, transport: 'tcp', protocolVersion: '2026-07-28' });
 * ```
 */
export interface OperationObservation {
  /** The JSON-RPC method (`tools/call`, `tools/list`, …). */
  readonly method: string;
  /** For `tools/call`: the tool's name. */
  readonly tool?: string | undefined;
  /** The JSON-RPC error code, or `tool_error` for a tool result with `isError`; absent on success. */
  readonly errorType?: string | undefined;
  readonly protocolVersion?: string | undefined;
  /** `tcp` (HTTP) or `pipe` (stdio), as OpenTelemetry's `network.transport`. */
  readonly transport: 'tcp' | 'pipe';
  readonly seconds: number;
}

/**
 * One finished Claude Code run (a foreground call or a background task).
 *
 * @example
 * ```ts
 * metrics.run({ model: 'claude-sonnet-4-5', seconds: 42, costUsd: 0.031, clientId: 'https://app.example/client.json', usage: { input: 1200, output: 300 } });
 * ```
 */
export interface RunObservation {
  /** The model asked for (`default` when the call named none). */
  readonly model: string;
  readonly seconds: number;
  /** `cancelled`, `failed` or an error code; absent when it completed. */
  readonly errorType?: string | undefined;
  readonly costUsd: number;
  /** The OAuth client that started it (absent without OAuth). */
  readonly clientId?: string | undefined;
  readonly usage?: { readonly input?: number; readonly output?: number; readonly cacheRead?: number; readonly cacheCreation?: number } | undefined;
}

/**
 * What the gauges read at each scrape.
 *
 * @example
 * ```ts
 * const state: ServerState = { sessions: { streamable: 2, sse: 0, stdio: 0 }, warmProcesses: 1, queuedRuns: 0, backgroundTasks: { running: 1 } };
 * ```
 */
export interface ServerState {
  /** Open MCP sessions and streams, by kind. */
  readonly sessions: Readonly<Record<string, number>>;
  /** Claude Code processes kept warm between turns. */
  readonly warmProcesses: number;
  /** Runs waiting for a slot (MAX_CONCURRENT_SESSIONS). */
  readonly queuedRuns: number;
  /** Background tasks by status (queued, running, …). */
  readonly backgroundTasks: Readonly<Record<string, number>>;
}

/**
 * Options of {@link createServerMetrics}.
 *
 * @example
 * ```ts
 * const metrics = createServerMetrics({ service: 'sse-server', state: () => service.state(), tools: TOOL_NAMES });
 * ```
 */
export interface ServerMetricsOptions {
  /** The `service` label on every sample (`sse-server`, `stdio-server`). */
  readonly service: string;
  /** Read at each scrape for the gauges. */
  readonly state: () => ServerState;
  /** The tools the server has: any other name a client sends is `_OTHER`. */
  readonly tools: readonly string[];
  /** With webhooks: the outbox as last counted (the webhook metrics exist only then). */
  readonly webhookOutbox?: () => { readonly pending: number; readonly dead: number };
}

/**
 * The project's metrics on a registry of their own, updated through methods that keep the labels
 * bounded. Every metric is listed in this package's README.
 *
 * @example
 * ```ts
 * const metrics = createServerMetrics({ service: 'sse-server', state, tools: TOOL_NAMES });
 * metrics.toolCall({ tool: 'claude_ask', status: 'success' });
 * reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
 * ```
 */
export interface ServerMetrics {
  readonly registry: MetricsRegistry;
  /** `mcp_server_operation_duration_seconds` and `mcp_requests_total`. */
  operation(observation: OperationObservation): void;
  /** `mcp_tool_calls_total`: `status` is `success`, `error`, `cancelled` or `input_required`. */
  toolCall(call: { readonly tool: string; readonly status: string }): void;
  /** `gen_ai_client_operation_duration_seconds`, `gen_ai_client_token_usage`, `claude_code_mcp_cost_usd_total`. */
  run(observation: RunObservation): void;
  /** `claude_code_mcp_rate_limit_rejections_total`. */
  rateLimited(): void;
  /** `claude_code_mcp_oauth_tokens_issued_total` by grant type. */
  tokenIssued(grantType: string): void;
  /** `claude_code_mcp_oauth_tokens_refused_total` by reason (`missing`, `invalid`, `insufficient_scope`, `unavailable`). */
  tokenRefused(reason: string): void;
  /** `claude_code_mcp_webhook_deliveries_total` by result (`delivered`, `retry`, `dead`); only with `webhookOutbox`. */
  webhookAttempt(result: 'delivered' | 'retry' | 'dead'): void;
  /** `http_server_request_duration_seconds` by method, route and status class. */
  httpRequest(request: { readonly method: string; readonly route: string; readonly status: number; readonly seconds: number }): void;
}

/**
 * A label whose values come from outside (OAuth client ids): the first `max` distinct values are
 * kept, later ones become `other`, so a flood of registrations cannot grow the exposition.
 *
 * @example
 * ```ts
 * const clientLabel = boundedLabel(100);
 * clientLabel('https://app.example/client.json'); // the value itself, until 100 are known
 * ```
 */
export function boundedLabel(max: number): (value: string | undefined) => string {
  const known = new Set<string>();
  return (value) => {
    if (value === undefined || value === '') return 'none';
    if (known.has(value)) return value;
    if (known.size >= max) return 'other';
    known.add(value);
    return value;
  };
}

// The model a call asked for, as its family: model ids are free text.
const MODEL_FAMILIES = ['opus', 'sonnet', 'haiku'] as const;
const modelLabel = (model: string) => (model === 'default' || model === 'unrecorded' ? model : (MODEL_FAMILIES.find((family) => model.toLowerCase().includes(family)) ?? '_OTHER'));

const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;
const sampleOf = (values: Readonly<Record<string, number>>, label: string): GaugeSample =>
  Object.entries(values).map(([value, count]) => ({ labels: { [label]: value }, value: count }));

/**
 * Creates the server's metrics: prom-client's default process metrics plus those of
 * {@link ServerMetrics}, on an isolated registry.
 *
 * @example
 * ```ts
 * const metrics = createServerMetrics({ service: 'sse-server', tools: ['claude_ask'], state: () => ({ sessions: {}, warmProcesses: 0, queuedRuns: 0, backgroundTasks: {} }) });
 * metrics.operation({ method: 'tools/list', transport: 'tcp', seconds: 0.002 });
 * ```
 */
export function createServerMetrics(options: ServerMetricsOptions): ServerMetrics {
  const registry = createMetricsRegistry({ collectDefaultMetrics: true, defaultLabels: { service: options.service } });
  const operations = registry.histogram({
    name: 'mcp_server_operation_duration_seconds',
    help: 'MCP requests answered by this server, by method, tool and error, in seconds.',
    labelNames: ['mcp_method_name', 'gen_ai_tool_name', 'error_type', 'mcp_protocol_version', 'network_transport'],
    buckets: DURATION_BUCKETS,
  });
  const requests = registry.counter({ name: 'mcp_requests_total', help: 'MCP requests answered, by method and status (ok or error).', labelNames: ['method', 'status'] });
  const toolCalls = registry.counter({ name: 'mcp_tool_calls_total', help: 'Tool calls, by tool and status.', labelNames: ['tool', 'status'] });
  const runs = registry.histogram({
    name: 'gen_ai_client_operation_duration_seconds',
    help: 'Claude Code runs (a turn of a session), by model and error, in seconds.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'error_type'],
    buckets: DURATION_BUCKETS,
  });
  const tokens = registry.histogram({
    name: 'gen_ai_client_token_usage',
    help: 'Tokens per Claude Code run, by token type (input, output, cache_read, cache_creation) and model.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type'],
    buckets: TOKEN_BUCKETS,
  });
  const cost = registry.counter({ name: 'claude_code_mcp_cost_usd_total', help: 'What Claude Code runs cost, in US dollars, by model and OAuth client.', labelNames: ['model', 'oauth_client'] });
  const rateLimited = registry.counter({ name: 'claude_code_mcp_rate_limit_rejections_total', help: 'Requests refused with 429 by the rate limit.' });
  const issued = registry.counter({ name: 'claude_code_mcp_oauth_tokens_issued_total', help: 'Access tokens issued by the authorization server, by grant type.', labelNames: ['grant_type'] });
  const refused = registry.counter({ name: 'claude_code_mcp_oauth_tokens_refused_total', help: 'MCP requests refused for their bearer token, by reason.', labelNames: ['reason'] });
  const http = registry.histogram({
    name: 'http_server_request_duration_seconds',
    help: 'HTTP requests, by method, route and status class, in seconds.',
    labelNames: ['http_request_method', 'http_route', 'http_response_status_class'],
    buckets: DURATION_BUCKETS,
  });
  registry.gauge({ name: 'claude_code_mcp_active_sessions', help: 'Open MCP sessions and streams, by kind.', labelNames: ['kind'], collect: () => sampleOf(options.state().sessions, 'kind') });
  registry.gauge({ name: 'claude_code_mcp_warm_cli_processes', help: 'Claude Code processes kept warm between turns.', collect: () => options.state().warmProcesses });
  registry.gauge({ name: 'claude_code_mcp_run_queue_depth', help: 'Runs waiting for a free slot.', collect: () => options.state().queuedRuns });
  registry.gauge({ name: 'claude_code_mcp_background_tasks', help: 'Background tasks, by status.', labelNames: ['status'], collect: () => sampleOf(options.state().backgroundTasks, 'status') });
  const outbox = options.webhookOutbox;
  const webhookAttempts = outbox && registry.counter({ name: 'claude_code_mcp_webhook_deliveries_total', help: 'Webhook delivery attempts, by result (delivered, retry: failed and tried again later, dead: failed for the last time).', labelNames: ['result'] });
  if (outbox) {
    registry.gauge({ name: 'claude_code_mcp_webhook_outbox_depth', help: 'Webhook deliveries waiting in the outbox.', collect: () => outbox().pending });
    registry.gauge({ name: 'claude_code_mcp_webhook_dead_letters', help: 'Webhook deliveries that failed for the last time (replay them).', collect: () => outbox().dead });
  }
  // Values a client chooses (its id, a tool or model name, a protocol version) stay bounded; names
  // it could use to crowd the real ones out are checked against what exists instead.
  const clientLabel = boundedLabel(MAX_CLIENT_LABELS);
  const tools = new Set(options.tools);
  const toolLabel = (tool: string) => (tools.has(tool) ? tool : '_OTHER');
  const versionLabel = boundedLabel(10);
  const methodLabel = (method: string) => (MCP_METHODS.has(method) ? method : '_OTHER');

  return Object.freeze({
    registry,
    operation(observation: OperationObservation) {
      const method = methodLabel(observation.method);
      operations.observe(
        {
          mcp_method_name: method,
          gen_ai_tool_name: observation.tool === undefined ? '' : toolLabel(observation.tool),
          error_type: observation.errorType ?? '',
          mcp_protocol_version: observation.protocolVersion === undefined ? '' : versionLabel(observation.protocolVersion),
          network_transport: observation.transport,
        },
        observation.seconds,
      );
      requests.inc({ method, status: observation.errorType === undefined ? 'ok' : 'error' });
    },
    toolCall: ({ tool, status }: { readonly tool: string; readonly status: string }) => toolCalls.inc({ tool: toolLabel(tool), status }),
    run(observation: RunObservation) {
      const model = modelLabel(observation.model);
      runs.observe({ gen_ai_operation_name: 'invoke_agent', gen_ai_request_model: model, error_type: observation.errorType ?? '' }, observation.seconds);
      const usage = observation.usage ?? {};
      for (const [type, count] of [['input', usage.input], ['output', usage.output], ['cache_read', usage.cacheRead], ['cache_creation', usage.cacheCreation]] as const) {
        if (count !== undefined) tokens.observe({ gen_ai_operation_name: 'invoke_agent', gen_ai_request_model: model, gen_ai_token_type: type }, count);
      }
      if (observation.costUsd > 0) cost.inc({ model, oauth_client: clientLabel(observation.clientId) }, observation.costUsd);
    },
    rateLimited: () => rateLimited.inc(),
    webhookAttempt: (result: 'delivered' | 'retry' | 'dead') => webhookAttempts?.inc({ result }),
    tokenIssued: (grantType: string) => issued.inc({ grant_type: grantType }),
    tokenRefused: (reason: string) => refused.inc({ reason }),
    httpRequest(request: { readonly method: string; readonly route: string; readonly status: number; readonly seconds: number }) {
      http.observe({ http_request_method: request.method, http_route: request.route, http_response_status_class: statusClass(request.status) }, request.seconds);
    },
  });
}

/**
 * A scriptable mock of the Anthropic Messages API, good enough to drive the real `claude` CLI.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyRequest, MAIN_LOOP_KINDS, type RequestKind } from './request-inspect.js';
import {
  matchesRequest,
  randomId,
  text,
  toScriptedTurn,
  turn,
  type ErrorTurn,
  type MessageTurn,
  type MockUsage,
  type RecordedRequest,
  type ScriptedTurn,
  type ScriptInput,
  type SentContentBlock,
  type StopReason,
} from './mock-turns.js';

/**
 * Text of the answer to a main-loop request that no scripted turn accepted.
 *
 * @example
 * expect(run.result?.['result']).not.toBe(DEFAULT_FALLBACK_TEXT);
 */
export const DEFAULT_FALLBACK_TEXT = '[mock] no scripted turn matched';
/**
 * Text of the default answer to an auxiliary side query.
 *
 * @example
 * const server = await createMockAnthropicServer({ auxiliary: () => text(DEFAULT_AUXILIARY_TEXT) });
 */
export const DEFAULT_AUXILIARY_TEXT = '[mock] auxiliary response';

/**
 * What a custom classifier sees.
 *
 * @example
 * const server = await createMockAnthropicServer({
 *   classify: (input: ClassifyInput) => (input.path === '/v1/messages' ? 'main' : undefined),
 * });
 */
export interface ClassifyInput {
  method: string;
  path: string;
  headers: Readonly<IncomingHttpHeaders>;
  body: unknown;
}

/**
 * Options of {@link createMockAnthropicServer}.
 *
 * @example
 * const server = await createMockAnthropicServer({ fallbackText: 'unscripted!' });
 *
 * @example
 * const server: MockAnthropicServer = await createMockAnthropicServer();
 * server.script(text('hi'));
 * await server.waitForMainRequests(1, 10_000);
 * await server.close();
 */
export interface MockAnthropicServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default `0` (a free port). */
  port?: number;
  /** Text answered to an unmatched main-loop request (default {@link DEFAULT_FALLBACK_TEXT}). */
  fallbackText?: string;
  /** Full control over the answer to an unmatched main-loop request. */
  fallback?: (request: RecordedRequest) => ScriptInput;
  /**
   * Answer to an auxiliary `POST /v1/messages` (title, compact, suggestion, side query);
   * return `undefined` for the built-in answer.
   */
  auxiliary?: (request: RecordedRequest) => ScriptInput | undefined;
  /** Override the classification; return `undefined` to use {@link classifyRequest}. */
  classify?: (input: ClassifyInput) => RequestKind | undefined;
  /** Usage defaults for every message (default 10 input tokens, output ≈ characters / 4). */
  defaultUsage?: Partial<MockUsage>;
}

/** A running mock. */
export interface MockAnthropicServer {
  /** `http://127.0.0.1:<port>` — use as `ANTHROPIC_BASE_URL`. */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order (live array). */
  readonly requests: readonly RecordedRequest[];
  /** Append scripted turns to the queue. */
  script(...turns: ScriptInput[]): this;
  /** Turns not used up yet, in queue order (repeating turns stay here). */
  pendingTurns(): ScriptedTurn[];
  /** Main-loop requests (`main` and `subagent`). */
  mainRequests(): RecordedRequest[];
  /** Everything else (title, compact, suggestion, side queries, count_tokens, probes, unknown paths). */
  auxiliaryRequests(): RecordedRequest[];
  /** Main-loop requests that got the fallback answer. */
  unmatchedRequests(): RecordedRequest[];
  /**
   * Resolve once at least `count` requests (passing `filter`) have arrived; reject after
   * `timeoutMs` (default 5000) or on `close()`.
   */
  waitForRequests(count: number, timeoutMs?: number, filter?: (request: RecordedRequest) => boolean): Promise<RecordedRequest[]>;
  /** {@link MockAnthropicServer.waitForRequests} for main-loop requests only. */
  waitForMainRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Forget all scripted turns and recorded requests. */
  reset(): void;
  /** Stop listening and destroy every socket (keep-alive and in-flight streams). */
  close(): Promise<void>;
}

interface QueueEntry {
  readonly index: number;
  readonly turn: ScriptedTurn;
  remaining: number;
}

interface Waiter {
  readonly count: number;
  readonly filter: ((request: RecordedRequest) => boolean) | undefined;
  readonly resolve: (requests: RecordedRequest[]) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Split a string into pieces of at most `size` code points (whole string without size). */
function split(value: string, size: number | undefined): string[] {
  if (size === undefined || size <= 0) return [value];
  const chars = Array.from(value);
  if (chars.length === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/** A minimal value that satisfies a JSON schema (for structured-output side queries). */
function sampleFromSchema(schema: unknown, key = ''): unknown {
  if (!isRecord(schema)) return null;
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0] as unknown;
  const type = Array.isArray(schema['type']) ? (schema['type'] as unknown[])[0] : schema['type'];
  switch (type) {
    case 'string':
      return key === 'title' ? 'Mock session' : 'mock';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isRecord(schema['properties']) ? schema['properties'] : {};
      const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : Object.keys(properties);
      for (const name of required) {
        if (typeof name === 'string') out[name] = sampleFromSchema(properties[name], name);
      }
      return out;
    }
    default:
      return null;
  }
}

function defaultAuxiliaryTurn(request: RecordedRequest): ScriptedTurn {
  if (request.kind === 'compact') {
    return turn(text('<analysis>[mock] analysis</analysis>\n\n<summary>[mock] Summary of the conversation so far.</summary>'));
  }
  const body = isRecord(request.body) ? request.body : {};
  const outputConfig = isRecord(body['output_config']) ? body['output_config'] : {};
  const format = isRecord(outputConfig['format']) ? outputConfig['format'] : undefined;
  if (format && format['type'] === 'json_schema') return turn(text(JSON.stringify(sampleFromSchema(format['schema']))));
  return turn(text(DEFAULT_AUXILIARY_TEXT));
}

function errorBody(errorType: string, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type: errorType, message }, request_id: requestId });
}

class MockAnthropicServerImpl implements MockAnthropicServer {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[] = [];

  readonly #server: ReturnType<typeof createServer>;
  readonly #options: MockAnthropicServerOptions;
  readonly #sockets = new Set<Socket>();
  readonly #closing = new AbortController();
  #queue: QueueEntry[] = [];
  #nextTurnIndex = 0;
  #waiters: Waiter[] = [];
  #closePromise: Promise<void> | undefined;

  constructor(server: ReturnType<typeof createServer>, options: MockAnthropicServerOptions, host: string) {
    this.#server = server;
    this.#options = options;
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      res.on('error', () => undefined);
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          const requestId = randomId('req_011C', 20);
          res.writeHead(500, { 'content-type': 'application/json', 'request-id': requestId });
          res.end(errorBody('api_error', `mock server error: ${String(error)}`, requestId));
        } else {
          res.destroy();
        }
      });
    });
  }

  script(...turns: ScriptInput[]): this {
    for (const input of turns) {
      const scripted = toScriptedTurn(input);
      const { times, repeat } = scripted.options;
      if (times !== undefined && !(Number.isInteger(times) && times >= 1) && times !== Infinity) {
        throw new RangeError(`script: times must be a positive integer, got ${times}`);
      }
      const remaining = repeat === true ? Infinity : (times ?? 1);
      this.#queue.push({ index: this.#nextTurnIndex++, turn: scripted, remaining });
    }
    return this;
  }

  pendingTurns(): ScriptedTurn[] {
    return this.#queue.filter((e) => e.remaining > 0).map((e) => e.turn);
  }

  mainRequests(): RecordedRequest[] {
    return this.requests.filter((r) => !r.auxiliary);
  }

  auxiliaryRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.auxiliary);
  }

  unmatchedRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.unmatched);
  }

  waitForRequests(count: number, timeoutMs = 5000, filter?: (request: RecordedRequest) => boolean): Promise<RecordedRequest[]> {
    const current = filter ? this.requests.filter(filter) : [...this.requests];
    if (current.length >= count) return Promise.resolve(current);
    if (this.#closing.signal.aborted) return Promise.reject(new Error('mock Anthropic server is closed'));
    return new Promise<RecordedRequest[]>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        filter,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter);
          const seen = this.requests.map((r) => `${r.method} ${r.path} (${r.kind})`).join(', ') || 'none';
          const matching = filter ? this.requests.filter(filter).length : this.requests.length;
          reject(new Error(`waitForRequests: ${matching}/${count} requests after ${timeoutMs} ms; received: ${seen}`));
        }, timeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  waitForMainRequests(count: number, timeoutMs = 5000): Promise<RecordedRequest[]> {
    return this.waitForRequests(count, timeoutMs, (r) => !r.auxiliary);
  }

  reset(): void {
    this.#queue = [];
    this.#nextTurnIndex = 0;
    this.requests.length = 0;
  }

  close(): Promise<void> {
    if (this.#closePromise) return this.#closePromise;
    this.#closing.abort();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('mock Anthropic server closed while waiting for requests'));
    }
    this.#waiters = [];
    this.#closePromise = new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
      this.#server.closeAllConnections();
    });
    return this.#closePromise;
  }

  #notifyWaiters(): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((waiter) => {
      const matching = waiter.filter ? this.requests.filter(waiter.filter) : [...this.requests];
      if (matching.length < waiter.count) return true;
      clearTimeout(waiter.timer);
      waiter.resolve(matching);
      return false;
    });
  }

  #takeTurn(request: RecordedRequest): QueueEntry | undefined {
    for (const entry of this.#queue) {
      if (entry.remaining <= 0) continue;
      if (!matchesRequest(entry.turn.options.match, request)) continue;
      entry.remaining -= 1;
      return entry;
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    if (rawBody.length > 0) {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        body = undefined;
      }
    }
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const kind =
      this.#options.classify?.({ method, path, headers: req.headers, body }) ?? classifyRequest(method, path, body);
    const record: RecordedRequest = {
      index: this.requests.length,
      method,
      path,
      url,
      headers: req.headers,
      rawBody,
      body,
      receivedAt: Date.now(),
      kind,
      auxiliary: !MAIN_LOOP_KINDS.has(kind),
      model: isRecord(body) && typeof body['model'] === 'string' ? body['model'] : undefined,
      stream: isRecord(body) && body['stream'] === true,
      unmatched: false,
      turnIndex: undefined,
      turnLabel: undefined,
      status: undefined,
      response: undefined,
      aborted: false,
      completedAt: undefined,
    };
    this.requests.push(record);

    const responseAbort = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) record.aborted = true;
      record.completedAt ??= Date.now();
      responseAbort.abort();
    });
    const signal = AbortSignal.any([responseAbort.signal, this.#closing.signal]);

    // Pick the answer synchronously, before anything is awaited, so concurrent requests never
    // take the same turn.
    let answer: ScriptedTurn | undefined;
    if (kind === 'main' || kind === 'subagent') {
      if (!isRecord(body)) {
        record.unmatched = true;
      } else {
        const entry = this.#takeTurn(record);
        if (entry) {
          answer = entry.turn;
          record.turnIndex = entry.index;
          record.turnLabel = entry.turn.options.label;
        } else {
          record.unmatched = true;
          answer = this.#options.fallback
            ? toScriptedTurn(this.#options.fallback(record))
            : turn(text(this.#options.fallbackText ?? DEFAULT_FALLBACK_TEXT));
        }
      }
    } else if (kind === 'title' || kind === 'compact' || kind === 'suggestion' || kind === 'side_query') {
      const custom = this.#options.auxiliary?.(record);
      answer = custom === undefined ? defaultAuxiliaryTurn(record) : toScriptedTurn(custom);
    }
    this.#notifyWaiters();

    const requestId = randomId('req_011C', 20);
    switch (kind) {
      case 'preconnect':
        this.#send(record, res, 200, { 'request-id': requestId }, method === 'HEAD' ? '' : '{}');
        return;
      case 'count_tokens':
        this.#send(
          record,
          res,
          200,
          { 'content-type': 'application/json', 'request-id': requestId },
          JSON.stringify({ input_tokens: Math.max(1, Math.ceil(rawBody.length / 4)) }),
        );
        return;
      case 'unknown':
        this.#send(
          record,
          res,
          404,
          { 'content-type': 'application/json', 'request-id': requestId },
          errorBody('not_found_error', `mock: no route for ${method} ${path}`, requestId),
        );
        return;
      default:
        break;
    }
    if (answer === undefined) {
      this.#send(
        record,
        res,
        400,
        { 'content-type': 'application/json', 'request-id': requestId },
        errorBody('invalid_request_error', 'mock: the request body is not a JSON object', requestId),
      );
      return;
    }

    const delayMs = answer.options.delayMs ?? 0;
    if (delayMs > 0 && !(await this.#sleep(delayMs, signal))) return;
    if (answer.kind === 'error') await this.#sendError(record, res, answer, requestId, signal);
    else await this.#sendMessage(record, res, answer, requestId, signal);
  }

  #send(record: RecordedRequest, res: ServerResponse, status: number, headers: Record<string, string>, payload: string): void {
    if (res.destroyed) return;
    record.status = status;
    res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
    res.end(payload);
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  async #sendError(
    record: RecordedRequest,
    res: ServerResponse,
    answer: ErrorTurn,
    requestId: string,
    signal: AbortSignal,
  ): Promise<void> {
    const headers: Record<string, string> = { 'request-id': requestId, ...answer.options.headers };
    if (answer.options.retryAfterSeconds !== undefined) headers['retry-after'] = String(answer.options.retryAfterSeconds);
    if (answer.options.inStream === true && record.stream) {
      const messageId = randomId('msg_01');
      const events: SseEvent[] = [
        {
          event: 'message_start',
          data: { type: 'message_start', message: this.#messageShell(record, messageId, undefined, 10) },
        },
        { event: 'ping', data: { type: 'ping' } },
        {
          event: 'error',
          data: { type: 'error', error: { type: answer.errorType, message: answer.message }, request_id: requestId },
        },
      ];
      await this.#writeSse(record, res, headers, events, 0, signal);
      return;
    }
    this.#send(
      record,
      res,
      answer.status,
      { 'content-type': 'application/json', ...headers },
      errorBody(answer.errorType, answer.message, requestId),
    );
  }

  #messageShell(record: RecordedRequest, messageId: string, model: string | undefined, inputTokens: number): Record<string, unknown> {
    const usage = this.#options.defaultUsage ?? {};
    return {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model: model ?? record.model ?? 'claude-mock',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: inputTokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        output_tokens: 1,
        service_tier: 'standard',
      },
    };
  }

  async #sendMessage(
    record: RecordedRequest,
    res: ServerResponse,
    answer: MessageTurn,
    requestId: string,
    signal: AbortSignal,
  ): Promise<void> {
    const options = answer.options;
    const content: SentContentBlock[] = answer.content.map((block) =>
      block.type === 'tool_use' ? { ...block, id: block.id ?? randomId('toolu_01') } : { ...block },
    );
    const stopReason: StopReason =
      options.stopReason ?? (content.some((b) => b.type === 'tool_use') ? 'tool_use' : 'end_turn');
    const stopSequence = options.stopSequence ?? null;
    const messageId = randomId('msg_01');
    record.response = { messageId, content, stopReason };

    const defaults = this.#options.defaultUsage ?? {};
    let outputChars = 0;
    for (const block of content) {
      if (block.type === 'text') outputChars += block.text.length;
      else if (block.type === 'thinking') outputChars += block.thinking.length;
      else if (block.type === 'tool_use') outputChars += JSON.stringify(block.input).length;
    }
    const usage: MockUsage = {
      input_tokens: options.usage?.input_tokens ?? defaults.input_tokens ?? 10,
      output_tokens: options.usage?.output_tokens ?? defaults.output_tokens ?? Math.max(1, Math.ceil(outputChars / 4)),
      cache_creation_input_tokens:
        options.usage?.cache_creation_input_tokens ?? defaults.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: options.usage?.cache_read_input_tokens ?? defaults.cache_read_input_tokens ?? 0,
    };
    const headers: Record<string, string> = { 'request-id': requestId, ...options.headers };

    if (!record.stream) {
      const message = {
        ...this.#messageShell(record, messageId, options.model, usage.input_tokens),
        content,
        stop_reason: stopReason,
        stop_sequence: stopSequence,
        usage: {
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: usage.output_tokens,
          service_tier: 'standard',
        },
      };
      this.#send(record, res, 200, { 'content-type': 'application/json', ...headers }, JSON.stringify(message));
      return;
    }

    const shell = this.#messageShell(record, messageId, options.model, usage.input_tokens);
    (shell['usage'] as Record<string, unknown>)['cache_creation_input_tokens'] = usage.cache_creation_input_tokens;
    (shell['usage'] as Record<string, unknown>)['cache_read_input_tokens'] = usage.cache_read_input_tokens;
    const events: SseEvent[] = [
      { event: 'message_start', data: { type: 'message_start', message: shell } },
      { event: 'ping', data: { type: 'ping' } },
    ];
    const delta = (index: number, payload: Record<string, unknown>): SseEvent => ({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index, delta: payload },
    });
    content.forEach((block, index) => {
      const start = (contentBlock: Record<string, unknown>): void => {
        events.push({
          event: 'content_block_start',
          data: { type: 'content_block_start', index, content_block: contentBlock },
        });
      };
      switch (block.type) {
        case 'text':
          start({ type: 'text', text: '' });
          for (const piece of split(block.text, options.chunkSize)) events.push(delta(index, { type: 'text_delta', text: piece }));
          break;
        case 'thinking':
          start({ type: 'thinking', thinking: '', signature: '' });
          for (const piece of split(block.thinking, options.chunkSize)) {
            events.push(delta(index, { type: 'thinking_delta', thinking: piece }));
          }
          events.push(delta(index, { type: 'signature_delta', signature: block.signature }));
          break;
        case 'redacted_thinking':
          start({ type: 'redacted_thinking', data: block.data });
          break;
        case 'tool_use':
          start({ type: 'tool_use', id: block.id, name: block.name, input: {} });
          for (const piece of split(JSON.stringify(block.input), options.chunkSize)) {
            events.push(delta(index, { type: 'input_json_delta', partial_json: piece }));
          }
          break;
      }
      events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
    });
    events.push({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: stopSequence },
        usage: {
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          output_tokens: usage.output_tokens,
        },
      },
    });
    events.push({ event: 'message_stop', data: { type: 'message_stop' } });
    await this.#writeSse(record, res, headers, events, options.chunkDelayMs ?? 0, signal);
  }

  async #writeSse(
    record: RecordedRequest,
    res: ServerResponse,
    headers: Record<string, string>,
    events: readonly SseEvent[],
    chunkDelayMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    if (res.destroyed || signal.aborted) return;
    record.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      ...headers,
    });
    res.flushHeaders();
    for (let i = 0; i < events.length; i++) {
      if (i > 0 && chunkDelayMs > 0 && !(await this.#sleep(chunkDelayMs, signal))) return;
      if (res.destroyed || signal.aborted) return;
      const { event, data } = events[i] as SseEvent;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }
    res.end();
  }
}

/**
 * Start a mock of the Anthropic Messages API on 127.0.0.1 (a free port by default).
 *
 * @example
 * const server = await createMockAnthropicServer();
 * server.script(text('Hello!'));
 * // … run the CLI with ANTHROPIC_BASE_URL=server.url …
 * expect(server.mainRequests()).toHaveLength(1);
 * await server.close();
 */
export async function createMockAnthropicServer(options: MockAnthropicServerOptions = {}): Promise<MockAnthropicServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer({ keepAliveTimeout: 5000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new MockAnthropicServerImpl(server, options, host);
}

/**
 * Scripted turns for the mock Messages API: content-block builders, turn builders, matchers and
 * the record kept for every request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import { getLastUserTexts, getToolResults, type RequestKind } from './request-inspect.js';

/**
 * A text block the mock streams back.
 *
 * @example
 * const block: MockTextBlock = text('hi');
 */
export interface MockTextBlock {
  type: 'text';
  text: string;
}

/**
 * A thinking block (streamed as `thinking_delta`s followed by one `signature_delta`).
 *
 * @example
 * const block: MockThinkingBlock = thinking('Let me think', { signature: 'sig' });
 */
export interface MockThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/**
 * A redacted thinking block.
 *
 * @example
 * const block: MockRedactedThinkingBlock = redactedThinking();
 */
export interface MockRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

/**
 * A tool call. Without `id`, a fresh `toolu_…` id is generated for every response.
 *
 * @example
 * const block: MockToolUseBlock = toolUse('Bash', { command: 'ls' }, { id: 'toolu_ls' });
 */
export interface MockToolUseBlock {
  type: 'tool_use';
  id?: string;
  name: string;
  input: Record<string, unknown>;
}

/**
 * Any content block the mock can answer with.
 *
 * @example
 * const blocks: MockContentBlock[] = [thinking('…'), text('Running ls'), toolUse('Bash', { command: 'ls' })];
 */
export type MockContentBlock = MockTextBlock | MockThinkingBlock | MockRedactedThinkingBlock | MockToolUseBlock;

/**
 * A content block as it was sent (tool-use ids resolved).
 *
 * @example
 * const sent: SentContentBlock[] | undefined = request.response?.content; // tool_use ids filled in
 */
export type SentContentBlock =
  | MockTextBlock
  | MockThinkingBlock
  | MockRedactedThinkingBlock
  | (MockToolUseBlock & { id: string });

/**
 * Stop reasons of the Messages API (any other string is passed through).
 *
 * @example
 * server.script(turn(text('cut off'), { stopReason: 'max_tokens' satisfies StopReason }));
 */
export type StopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | (string & Record<never, never>);

/**
 * Token usage reported in `message_start` / `message_delta` / the non-streaming message.
 *
 * @example
 * server.script(turn(text('hi'), { usage: { input_tokens: 1200, cache_read_input_tokens: 1000 } }));
 */
export interface MockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * Everything the mock recorded about one HTTP request.
 *
 * @example
 * const [first] = server.mainRequests();
 * expect(first?.kind).toBe('main');
 * expect(first?.turnIndex).toBe(0);
 */
export interface RecordedRequest {
  /** Arrival order, from 0. */
  readonly index: number;
  readonly method: string;
  /** Path without the query string, e.g. `/v1/messages`. */
  readonly path: string;
  /** Path with the query string, e.g. `/v1/messages?beta=true`. */
  readonly url: string;
  readonly headers: Readonly<IncomingHttpHeaders>;
  readonly rawBody: string;
  /** Parsed JSON body, or `undefined` if there was none or it was not JSON. */
  readonly body: unknown;
  /** `Date.now()` when the body had been read. */
  readonly receivedAt: number;
  readonly kind: RequestKind;
  /** True for everything that is not a main-loop (`main`/`subagent`) request. */
  readonly auxiliary: boolean;
  /** `body.model`, if any. */
  readonly model: string | undefined;
  /** `body.stream === true`. */
  readonly stream: boolean;
  /** A main-loop request no scripted turn accepted; it got the fallback answer. */
  unmatched: boolean;
  /** Position (0-based, in `script()` order) of the scripted turn that answered it. */
  turnIndex: number | undefined;
  /** `label` of the scripted turn that answered it. */
  turnLabel: string | undefined;
  /** HTTP status sent (set when the response starts). */
  status: number | undefined;
  /** What the mock answered for a message response (tool-use ids resolved). */
  response: { messageId: string; content: SentContentBlock[]; stopReason: StopReason } | undefined;
  /** The client went away before the response was complete (e.g. an interrupt). */
  aborted: boolean;
  /** `Date.now()` when the response was complete or aborted. */
  completedAt: number | undefined;
}

/**
 * How a turn selects the request it answers. All given fields must accept the request.
 * - `toolResult: true` — the last user message carries at least one `tool_result`
 *   (`false`: none); a string — one for that `tool_use_id`; an object — one that fits it.
 * - `userText` — a text block of the last user message contains the string / matches the RegExp.
 * - `model` — `body.model` equals the string / matches the RegExp.
 * - `subagent` — the request is (or is not) a subagent's main-loop request.
 * - `predicate` — any custom test.
 *
 * @example
 * server.script(turn(text('done'), { match: { toolResult: { toolUseId: 'toolu_1', contains: 'hello' } } }));
 */
export interface TurnMatchSpec {
  toolResult?: boolean | string | { toolUseId?: string; contains?: string | RegExp; isError?: boolean };
  userText?: string | RegExp;
  model?: string | RegExp;
  subagent?: boolean;
  predicate?: (request: RecordedRequest) => boolean;
}

/**
 * A match spec, or a predicate over the recorded request.
 *
 * @example
 * const matcher: TurnMatcher = (request) => request.model?.includes('haiku') ?? false;
 */
export type TurnMatcher = TurnMatchSpec | ((request: RecordedRequest) => boolean);

/**
 * Options shared by every scripted turn.
 *
 * @example
 * server.script(turn(text('again'), { repeat: true, label: 'loop', delayMs: 50 }));
 */
export interface BaseTurnOptions {
  /** Which request this turn answers; without it the turn accepts any main-loop request. */
  match?: TurnMatcher;
  /** How many requests this turn answers before it is used up (default 1). */
  times?: number;
  /** Never used up (same as `times: Infinity`). */
  repeat?: boolean;
  /** Wait this long before sending the status line. */
  delayMs?: number;
  /** A name that shows in `RecordedRequest.turnLabel`. */
  label?: string;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/**
 * Options of a message turn.
 *
 * @example
 * server.script(turn(text('a slow answer'), { chunkSize: 4, chunkDelayMs: 50 }));
 */
export interface TurnOptions extends BaseTurnOptions {
  /** Wait this long between two SSE events (streaming only). */
  chunkDelayMs?: number;
  /** Split text, thinking and tool-input JSON into deltas of at most this many characters. */
  chunkSize?: number;
  /** Default: `tool_use` when the turn has a tool_use block, else `end_turn`. */
  stopReason?: StopReason;
  stopSequence?: string | null;
  /** Default: 10 input tokens, output tokens ≈ characters / 4, zero cache tokens. */
  usage?: Partial<MockUsage>;
  /** Model to report; default: the request's `model`. */
  model?: string;
}

/**
 * Options of an error turn.
 *
 * @example
 * server.script(apiError(429, { retryAfterSeconds: 1, message: 'slow down' }));
 */
export interface ApiErrorOptions extends BaseTurnOptions {
  /** Anthropic error type; default from the status (529 → `overloaded_error`, …). */
  type?: string;
  /** Error message; default from the status (529 → `Overloaded`, …). */
  message?: string;
  /** Sets the `retry-after` header. */
  retryAfterSeconds?: number;
  /**
   * For streaming requests: answer 200, send `message_start` and `ping`, then an SSE `error`
   * event — an error in the middle of a stream.
   */
  inStream?: boolean;
}

/**
 * A turn that answers with an assistant message.
 *
 * @example
 * const t: MessageTurn = turn([text('a'), text('b')]);
 */
export interface MessageTurn {
  readonly kind: 'message';
  readonly content: readonly MockContentBlock[];
  readonly options: TurnOptions;
}

/**
 * A turn that answers with an HTTP error (or an in-stream error).
 *
 * @example
 * const t: ErrorTurn = apiError(500);
 */
export interface ErrorTurn {
  readonly kind: 'error';
  readonly status: number;
  readonly errorType: string;
  readonly message: string;
  readonly options: ApiErrorOptions;
}

/**
 * A scripted turn.
 *
 * @example
 * const turns: ScriptedTurn[] = [turn(text('hi')), apiError(529)];
 */
export type ScriptedTurn = MessageTurn | ErrorTurn;

/**
 * What `script()` accepts: a turn, one block (a one-block turn) or an array of blocks.
 *
 * @example
 * server.script(text('one block'), [text('two'), text('blocks')], turn(text('with options'), { times: 2 }));
 */
export type ScriptInput = ScriptedTurn | MockContentBlock | readonly MockContentBlock[];

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A random id in the style of the real API (`msg_01…`, `toolu_01…`, `req_011C…`).
 *
 * @example
 * randomId('toolu_01'); // 'toolu_01Xk3…'
 */
export function randomId(prefix: string, length = 22): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const byte of bytes) out += ID_ALPHABET[byte % ID_ALPHABET.length];
  return out;
}

/**
 * A text block.
 *
 * @example
 * server.script(text('Hello from the mock'));
 */
export function text(value: string): MockTextBlock {
  return { type: 'text', text: value };
}

/**
 * A thinking block; the signature defaults to a fixed fake value.
 *
 * @example
 * server.script([thinking('Let me think…'), text('42')]);
 */
export function thinking(value: string, options: { signature?: string } = {}): MockThinkingBlock {
  return {
    type: 'thinking',
    thinking: value,
    signature: options.signature ?? Buffer.from(`mock-signature:${value.length}`).toString('base64'),
  };
}

/**
 * A redacted thinking block.
 *
 * @example
 * server.script([redactedThinking(), text('done')]);
 */
export function redactedThinking(data = 'bW9jay1yZWRhY3RlZA=='): MockRedactedThinkingBlock {
  return { type: 'redacted_thinking', data };
}

/**
 * A tool call. Pass `id` when a later turn matches on its tool_result.
 *
 * @example
 * server.script(toolUse('Write', { file_path: `${cwd}/a.txt`, content: 'hi\n' }, { id: 'toolu_write' }));
 */
export function toolUse(name: string, input: Record<string, unknown>, options: { id?: string } = {}): MockToolUseBlock {
  const block: MockToolUseBlock = { type: 'tool_use', name, input };
  if (options.id !== undefined) block.id = options.id;
  return block;
}

/**
 * A message turn made of one or more blocks, with options.
 *
 * @example
 * server.script(
 *   turn(toolUse('Bash', { command: 'echo hi' }, { id: 'toolu_b' })),
 *   turn(text('done'), { match: { toolResult: 'toolu_b' } }),
 * );
 */
export function turn(content: MockContentBlock | readonly MockContentBlock[], options: TurnOptions = {}): MessageTurn {
  const blocks: readonly MockContentBlock[] = isBlockArray(content) ? [...content] : [content];
  return { kind: 'message', content: blocks, options: { ...options } };
}

/**
 * Default Anthropic error types by HTTP status.
 *
 * @example
 * ERROR_TYPES[529]; // 'overloaded_error'
 */
export const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const ERROR_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  401: 'invalid x-api-key',
  403: 'Your API key does not have permission to use the specified resource.',
  404: 'Not found',
  413: 'Request exceeds the maximum allowed number of bytes.',
  429: 'Number of request tokens has exceeded your per-minute rate limit',
  500: 'Internal server error',
  529: 'Overloaded',
};

/**
 * An HTTP error with an Anthropic error body. Note the CLI retries 401/429/5xx/529
 * (`CLAUDE_CODE_MAX_RETRIES`, 1 in the sandbox → 2 requests), so use `times`/`repeat`.
 *
 * @example
 * server.script(apiError(529, { times: 2 })); // both attempts fail
 */
export function apiError(status: number, options: ApiErrorOptions = {}): ErrorTurn {
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`apiError: status must be an HTTP error status (400-599), got ${status}`);
  }
  const errorType = options.type ?? ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  const message = options.message ?? ERROR_MESSAGES[status] ?? `Error ${status}`;
  return { kind: 'error', status, errorType, message, options: { ...options } };
}

function isBlockArray(value: unknown): value is readonly MockContentBlock[] {
  return Array.isArray(value);
}

/**
 * Turn any `script()` argument into a scripted turn.
 *
 * @example
 * toScriptedTurn(text('hi')); // { kind: 'message', content: [{ type: 'text', text: 'hi' }], options: {} }
 */
export function toScriptedTurn(input: ScriptInput): ScriptedTurn {
  if (isBlockArray(input)) return turn(input);
  if ('kind' in input && (input.kind === 'message' || input.kind === 'error')) return input;
  return turn(input);
}

function testText(value: string, pattern: string | RegExp): boolean {
  if (typeof pattern === 'string') return value.includes(pattern);
  pattern.lastIndex = 0;
  return pattern.test(value);
}

/**
 * Whether a matcher accepts a recorded request (no matcher accepts everything).
 *
 * @example
 * matchesRequest({ toolResult: 'toolu_1' }, request);
 */
export function matchesRequest(matcher: TurnMatcher | undefined, request: RecordedRequest): boolean {
  if (matcher === undefined) return true;
  if (typeof matcher === 'function') return matcher(request);
  if (matcher.model !== undefined) {
    const model = request.model ?? '';
    const ok = typeof matcher.model === 'string' ? model === matcher.model : testText(model, matcher.model);
    if (!ok) return false;
  }
  if (matcher.subagent !== undefined && (request.kind === 'subagent') !== matcher.subagent) return false;
  if (matcher.userText !== undefined) {
    const pattern = matcher.userText;
    if (!getLastUserTexts(request.body).some((t) => testText(t, pattern))) return false;
  }
  if (matcher.toolResult !== undefined) {
    const results = getToolResults(request.body);
    const spec = matcher.toolResult;
    let ok: boolean;
    if (spec === true) ok = results.length > 0;
    else if (spec === false) ok = results.length === 0;
    else if (typeof spec === 'string') ok = results.some((r) => r.toolUseId === spec);
    else {
      ok = results.some(
        (r) =>
          (spec.toolUseId === undefined || r.toolUseId === spec.toolUseId) &&
          (spec.contains === undefined || testText(r.text, spec.contains)) &&
          (spec.isError === undefined || r.isError === spec.isError),
      );
    }
    if (!ok) return false;
  }
  if (matcher.predicate !== undefined && !matcher.predicate(request)) return false;
  return true;
}

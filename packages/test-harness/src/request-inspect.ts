/**
 * Helpers that read Messages API request bodies the way the Claude Code CLI sends them, and the
 * classification of a request as main-loop or auxiliary.
 *
 * Everything here is derived from what `claude` 2.1.332 really sent to the mock; see the README.
 */

/**
 * What kind of request the mock received. `main` and `subagent` are main-loop requests.
 *
 * @example
 * const titles = server.requests.filter((r) => r.kind === 'title');
 */
export type RequestKind =
  /** A main-loop `POST /v1/messages` request: it consumes scripted turns. */
  | 'main'
  /** A main-loop request of a subagent (Agent tool): it consumes scripted turns too. */
  | 'subagent'
  /** Session-title side query (SDK entrypoint, nonessential traffic on). */
  | 'title'
  /** Conversation compaction fork (`/compact` or auto-compact). */
  | 'compact'
  /** Prompt-suggestion fork (`--prompt-suggestions`). */
  | 'suggestion'
  /** Any other tool-free side query (no `thinking`, no tools). */
  | 'side_query'
  /** `POST /v1/messages/count_tokens`. */
  | 'count_tokens'
  /** `HEAD /api/hello` connection warm-up (sent unless nonessential traffic is disabled). */
  | 'preconnect'
  /** Any other method or path: answered 404. */
  | 'unknown';

/**
 * Kinds that consume scripted turns.
 *
 * @example
 * MAIN_LOOP_KINDS.has(request.kind); // true for 'main' and 'subagent'
 */
export const MAIN_LOOP_KINDS: ReadonlySet<RequestKind> = new Set<RequestKind>(['main', 'subagent']);

/**
 * A content block of a request message, loosely typed (only the fields the harness reads).
 *
 * @example
 * const block: RequestContentBlock = { type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' };
 */
export interface RequestContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
  [key: string]: unknown;
}

/**
 * A message of a request body, with string content normalised to one text block.
 *
 * @example
 * const first: RequestMessage | undefined = getMessages(request.body)[0];
 */
export interface RequestMessage {
  role: string;
  content: RequestContentBlock[];
}

/**
 * A `tool_result` block found in a request.
 *
 * @example
 * const results: ToolResultInfo[] = getToolResults(request.body); // [{ toolUseId, text, isError }]
 */
export interface ToolResultInfo {
  toolUseId: string;
  /** The result content flattened to text (text blocks joined with newlines). */
  text: string;
  isError: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normaliseContent(content: unknown): RequestContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const blocks: RequestContentBlock[] = [];
  for (const block of content as unknown[]) {
    if (isRecord(block) && typeof block['type'] === 'string') blocks.push(block as RequestContentBlock);
  }
  return blocks;
}

/**
 * The messages of a request body, with string contents turned into a single text block.
 *
 * @example
 * getMessages({ messages: [{ role: 'user', content: 'hi' }] }); // [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]
 */
export function getMessages(body: unknown): RequestMessage[] {
  if (!isRecord(body) || !Array.isArray(body['messages'])) return [];
  const out: RequestMessage[] = [];
  for (const message of body['messages'] as unknown[]) {
    if (!isRecord(message) || typeof message['role'] !== 'string') continue;
    out.push({ role: message['role'], content: normaliseContent(message['content']) });
  }
  return out;
}

/**
 * The last message with `role: "user"`. The CLI also sends `role: "system"` messages inside
 * `messages`, so this is not always the last message.
 *
 * @example
 * const last = getLastUserMessage(request.body);
 */
export function getLastUserMessage(body: unknown): RequestMessage | undefined {
  const messages = getMessages(body);
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'user') return message;
  }
  return undefined;
}

/**
 * The text blocks of the last user message (tool results excluded).
 *
 * @example
 * getLastUserTexts(request.body).some((t) => t.includes('say hi'));
 */
export function getLastUserTexts(body: unknown): string[] {
  const last = getLastUserMessage(body);
  if (!last) return [];
  return last.content.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text as string);
}

function flattenToolResultContent(content: unknown): string {
  if (typeof content === 'string') return content;
  return normaliseContent(content)
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n');
}

/**
 * The `tool_result` blocks of the last user message.
 *
 * @example
 * const [result] = getToolResults(server.mainRequests()[1]!.body);
 * expect(result?.text).toContain('hello');
 */
export function getToolResults(body: unknown): ToolResultInfo[] {
  const last = getLastUserMessage(body);
  if (!last) return [];
  return last.content
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      toolUseId: typeof b.tool_use_id === 'string' ? b.tool_use_id : '',
      text: flattenToolResultContent(b.content),
      isError: b.is_error === true,
    }));
}

/**
 * The text of every block of the `system` field, in order.
 *
 * @example
 * getSystemTexts(request.body)[0]; // 'x-anthropic-billing-header: cc_version=…'
 */
export function getSystemTexts(body: unknown): string[] {
  if (!isRecord(body)) return [];
  const system = body['system'];
  if (typeof system === 'string') return [system];
  return normaliseContent(system)
    .filter((b) => typeof b.text === 'string')
    .map((b) => b.text as string);
}

/**
 * Marker the CLI puts first in `system` on every Messages request it makes.
 *
 * @example
 * getSystemTexts(request.body)[0]?.startsWith(BILLING_HEADER_PREFIX); // true for CLI requests
 */
export const BILLING_HEADER_PREFIX = 'x-anthropic-billing-header:';

/**
 * Text the CLI appends to the last user message of the prompt-suggestion fork.
 *
 * @example
 * getLastUserTexts(request.body).some((t) => t.includes(SUGGESTION_MARKER));
 */
export const SUGGESTION_MARKER = '[SUGGESTION MODE:';
/**
 * Text the CLI appends to the last user message of the compaction fork.
 *
 * @example
 * getLastUserTexts(request.body).some((t) => t.includes(COMPACT_MARKER));
 */
export const COMPACT_MARKER = 'Your task is to create a detailed summary of the conversation so far';
/**
 * Text of the session-title side query's system prompt.
 *
 * @example
 * getSystemTexts(request.body).some((t) => t.includes(TITLE_MARKER));
 */
export const TITLE_MARKER = 'You are naming a coding session';

/**
 * Classify a request the way the mock does. Only requests that carry the CLI's billing header in
 * `system` can be auxiliary, so plain `fetch` clients always count as main-loop.
 *
 * @example
 * classifyRequest('POST', '/v1/messages', body); // 'main' | 'subagent' | 'title' | …
 */
export function classifyRequest(method: string, path: string, body: unknown): RequestKind {
  const p = path.replace(/\/+$/, '');
  if (p === '/api/hello' && (method === 'HEAD' || method === 'GET')) return 'preconnect';
  if (p === '/v1/messages/count_tokens' && method === 'POST') return 'count_tokens';
  if (p !== '/v1/messages' || method !== 'POST') return 'unknown';

  const system = getSystemTexts(body);
  const billing = system.find((t) => t.startsWith(BILLING_HEADER_PREFIX));
  if (billing === undefined) return 'main';

  if (system.some((t) => t.includes(TITLE_MARKER))) return 'title';
  const lastTexts = getLastUserTexts(body);
  if (lastTexts.some((t) => t.includes(SUGGESTION_MARKER))) return 'suggestion';
  if (lastTexts.some((t) => t.includes(COMPACT_MARKER))) return 'compact';

  // Side queries ("tool-free helpers") disable thinking and send `tools: []`. Every main-loop
  // request on a current model carries `thinking`; old models without thinking still carry tools.
  const record = isRecord(body) ? body : {};
  const thinking = record['thinking'];
  const thinkingOff = !isRecord(thinking) || thinking['type'] === 'disabled';
  const tools = record['tools'];
  const noTools = !Array.isArray(tools) || tools.length === 0;
  if (thinkingOff && noTools) return 'side_query';

  if (billing.includes('cc_is_subagent=true')) return 'subagent';
  return 'main';
}

/** Test helpers: a tiny SSE parser over fetch. */

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

export function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const chunk of body.split('\n\n')) {
    if (chunk.trim() === '') continue;
    let event = 'message';
    const data: string[] = [];
    for (const line of chunk.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    events.push({ event, data: JSON.parse(data.join('\n')) as Record<string, unknown> });
  }
  return events;
}

/** A request body shaped like a main-loop request of the CLI. */
export function cliMainBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-opus-5-5',
    system: [
      { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332.0b8; cc_entrypoint=sdk-cli;' },
      { type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." },
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'say hi' }] },
      { role: 'system', content: [{ type: 'text', text: '# Environment' }] },
    ],
    tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
    thinking: { type: 'adaptive', display: 'updates' },
    context_management: { edits: [] },
    max_tokens: 128000,
    stream: true,
    ...overrides,
  };
}

export async function postMessages(
  url: string,
  body: unknown,
  init: { signal?: AbortSignal; path?: string } = {},
): Promise<Response> {
  return fetch(`${url}${init.path ?? '/v1/messages?beta=true'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test-dummy', 'anthropic-version': '2023-06-01' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

/** A plain (non-CLI) request body. */
export function plainBody(text: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'claude-test-1',
    max_tokens: 1024,
    messages: [{ role: 'user', content: text }],
    stream: true,
    ...overrides,
  };
}

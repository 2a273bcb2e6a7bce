import { request as httpRequest, Agent } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  apiError,
  createMockAnthropicServer,
  DEFAULT_AUXILIARY_TEXT,
  DEFAULT_FALLBACK_TEXT,
  ERROR_TYPES,
  text,
  thinking,
  toolUse,
  turn,
  type MockAnthropicServer,
} from '../src/index.js';
import { cliMainBody, parseSse, plainBody, postMessages } from './helpers.js';

let server: MockAnthropicServer;

beforeEach(async () => {
  server = await createMockAnthropicServer();
});

afterEach(async () => {
  await server.close();
});

function toolResultBody(toolUseId: string, content: string, isError = false): Record<string, unknown> {
  return plainBody('', {
    messages: [
      { role: 'user', content: 'run it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: toolUseId, name: 'Bash', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content, is_error: isError }] },
    ],
  });
}

async function replyText(res: Response): Promise<string> {
  const raw = await res.text();
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    return parseSse(raw)
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => {
        const delta = e.data['delta'] as Record<string, unknown>;
        return typeof delta['text'] === 'string' ? delta['text'] : '';
      })
      .join('');
  }
  const message = JSON.parse(raw) as { content?: { type: string; text?: string }[] };
  return (message.content ?? []).map((b) => b.text ?? '').join('');
}

describe('streaming', () => {
  it('streams a text turn with the real event sequence and message shape', async () => {
    server.script(text('Hello from the mock'));
    const res = await postMessages(server.url, plainBody('hi', { model: 'claude-sonnet-x' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const e of events) expect(e.data['type']).toBe(e.event);
    const message = events[0]?.data['message'] as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-x',
      content: [],
      stop_reason: null,
      stop_sequence: null,
    });
    expect(message['id']).toMatch(/^msg_01[A-Za-z0-9]{22}$/);
    expect(message['usage']).toMatchObject({
      input_tokens: 10,
      output_tokens: 1,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(events[2]?.data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(events[3]?.data).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hello from the mock' },
    });
    expect(events[5]?.data).toMatchObject({
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    });
  });

  it('streams thinking (with signature) and several tool_use blocks; stop_reason tool_use', async () => {
    server.script([
      thinking('Let me think', { signature: 'sig-123' }),
      text('Working'),
      toolUse('Write', { file_path: '/tmp/x', content: 'a "quoted" value' }, { id: 'toolu_fixed' }),
      toolUse('Bash', { command: 'echo hi' }),
    ]);
    const events = parseSse(await (await postMessages(server.url, plainBody('go'))).text());
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data['content_block']);
    expect(starts).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'toolu_fixed', name: 'Write', input: {} },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_01[A-Za-z0-9]{22}$/) as unknown, name: 'Bash', input: {} },
    ]);
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => e.data);
    expect(deltas.filter((d) => d['index'] === 0).map((d) => d['delta'])).toEqual([
      { type: 'thinking_delta', thinking: 'Let me think' },
      { type: 'signature_delta', signature: 'sig-123' },
    ]);
    const json = deltas
      .filter((d) => d['index'] === 2)
      .map((d) => (d['delta'] as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ file_path: '/tmp/x', content: 'a "quoted" value' });
    expect(events.filter((e) => e.event === 'content_block_stop').map((e) => e.data['index'])).toEqual([0, 1, 2, 3]);
    expect(events.find((e) => e.event === 'message_delta')?.data['delta']).toEqual({
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
    const [record] = server.requests;
    expect(record?.response?.stopReason).toBe('tool_use');
    expect(record?.response?.content.map((b) => b.type)).toEqual(['thinking', 'text', 'tool_use', 'tool_use']);
  });

  it('splits text into chunkSize deltas and waits chunkDelayMs between events', async () => {
    server.script(turn(text('abcdefghij'), { chunkSize: 3, chunkDelayMs: 20 }));
    const started = Date.now();
    const events = parseSse(await (await postMessages(server.url, plainBody('go'))).text());
    const elapsed = Date.now() - started;
    const pieces = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data['delta'] as { text: string }).text);
    expect(pieces).toEqual(['abc', 'def', 'ghi', 'j']);
    // 10 events → 9 gaps of 20 ms.
    expect(elapsed).toBeGreaterThanOrEqual(170);
  });

  it('delivers events incrementally on a slow stream', async () => {
    server.script(turn(text('one two three'), { chunkSize: 4, chunkDelayMs: 60 }));
    const res = await postMessages(server.url, plainBody('go'));
    const reader = res.body!.getReader();
    const first = await reader.read();
    const chunk = new TextDecoder().decode(first.value as Uint8Array | undefined);
    expect(chunk).toContain('message_start');
    expect(chunk).not.toContain('message_stop');
    await reader.cancel();
  });

  it('honours stopReason, usage and model overrides', async () => {
    server.script(
      turn(text('cut'), { stopReason: 'max_tokens', usage: { input_tokens: 123, output_tokens: 7 }, model: 'other' }),
    );
    const events = parseSse(await (await postMessages(server.url, plainBody('go'))).text());
    const start = events[0]?.data['message'] as { model: string; usage: { input_tokens: number } };
    expect(start.model).toBe('other');
    expect(start.usage.input_tokens).toBe(123);
    expect(events.find((e) => e.event === 'message_delta')?.data).toMatchObject({
      delta: { stop_reason: 'max_tokens' },
      usage: { output_tokens: 7, input_tokens: 123 },
    });
  });

  it('waits delayMs before answering', async () => {
    server.script(turn(text('late'), { delayMs: 150 }));
    const started = Date.now();
    const res = await postMessages(server.url, plainBody('go'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await replyText(res)).toBe('late');
  });
});

describe('non-streaming', () => {
  it('answers one JSON message in the real shape', async () => {
    server.script([thinking('hmm'), text('Hi'), toolUse('Read', { file_path: '/a' }, { id: 'toolu_r' })]);
    const res = await postMessages(server.url, plainBody('hi', { stream: false, model: 'claude-haiku-x' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    const message = (await res.json()) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-x',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [
        { type: 'thinking', thinking: 'hmm', signature: expect.any(String) as unknown },
        { type: 'text', text: 'Hi' },
        { type: 'tool_use', id: 'toolu_r', name: 'Read', input: { file_path: '/a' } },
      ],
      usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(message['id']).toMatch(/^msg_/);
    expect((message['usage'] as { output_tokens: number }).output_tokens).toBeGreaterThan(0);
  });
});

describe('errors', () => {
  it.each(Object.entries(ERROR_TYPES).map(([status, type]) => [Number(status), type] as const))(
    'HTTP %i → %s with an Anthropic error body and request-id',
    async (status, type) => {
      server.script(apiError(status));
      const res = await postMessages(server.url, plainBody('go'));
      expect(res.status).toBe(status);
      const requestId = res.headers.get('request-id');
      expect(requestId).toMatch(/^req_/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({
        type: 'error',
        error: { type, message: expect.any(String) as unknown },
        request_id: requestId,
      });
      expect(server.requests[0]?.status).toBe(status);
    },
  );

  it('uses the documented 529 body and supports a custom type, message and retry-after', async () => {
    server.script(apiError(529), apiError(503, { type: 'api_error', message: 'down', retryAfterSeconds: 3 }));
    const first = (await (await postMessages(server.url, plainBody('a'))).json()) as Record<string, unknown>;
    expect(first['error']).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    const second = await postMessages(server.url, plainBody('b'));
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('3');
    expect(((await second.json()) as { error: unknown }).error).toEqual({ type: 'api_error', message: 'down' });
  });

  it('sends an SSE error event mid-stream with inStream', async () => {
    server.script(apiError(529, { inStream: true }));
    const res = await postMessages(server.url, plainBody('go'));
    expect(res.status).toBe(200);
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['message_start', 'ping', 'error']);
    expect(events[2]?.data).toMatchObject({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('rejects a status that is not an error', () => {
    expect(() => apiError(200)).toThrow(RangeError);
  });

  it('answers unknown paths with a 404 error body and records them', async () => {
    const res = await fetch(`${server.url}/v1/models`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', kind: 'unknown', auxiliary: true });
  });

  it('answers a non-JSON messages body with 400 invalid_request_error', async () => {
    server.script(text('never'));
    const res = await postMessages(server.url, '{not json');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
    expect(server.requests[0]?.unmatched).toBe(true);
    expect(server.pendingTurns()).toHaveLength(1);
  });
});

describe('matching', () => {
  it('consumes the first queued turn whose matcher accepts the request', async () => {
    server.script(
      turn(text('after tool'), { match: { toolResult: 'toolu_a' }, label: 'tool' }),
      turn(text('greeting'), { match: { userText: 'hello' }, label: 'hello' }),
      turn(text('anything'), { label: 'any' }),
    );
    expect(await replyText(await postMessages(server.url, plainBody('hello there')))).toBe('greeting');
    expect(await replyText(await postMessages(server.url, toolResultBody('toolu_a', 'ok')))).toBe('after tool');
    expect(await replyText(await postMessages(server.url, plainBody('whatever')))).toBe('anything');
    expect(server.requests.map((r) => [r.turnIndex, r.turnLabel])).toEqual([
      [1, 'hello'],
      [0, 'tool'],
      [2, 'any'],
    ]);
    expect(server.pendingTurns()).toHaveLength(0);
  });

  it('matches tool results by presence, id, content and error flag', async () => {
    server.script(
      turn(text('err'), { match: { toolResult: { isError: true } } }),
      turn(text('contains'), { match: { toolResult: { contains: /wor+ld/ } } }),
      turn(text('none'), { match: { toolResult: false } }),
      turn(text('some'), { match: { toolResult: true } }),
    );
    expect(await replyText(await postMessages(server.url, toolResultBody('t1', 'hello world')))).toBe('contains');
    expect(await replyText(await postMessages(server.url, toolResultBody('t2', 'boom', true)))).toBe('err');
    expect(await replyText(await postMessages(server.url, toolResultBody('t3', 'x')))).toBe('some');
    expect(await replyText(await postMessages(server.url, plainBody('plain')))).toBe('none');
  });

  it('matches on model (string or RegExp) and on a predicate', async () => {
    server.script(
      turn(text('haiku'), { match: { model: /haiku/ } }),
      turn(text('exact'), { match: { model: 'claude-exact' } }),
      turn(text('pred'), { match: (r) => r.headers['x-custom'] === 'yes' }),
    );
    expect(await replyText(await postMessages(server.url, plainBody('a', { model: 'claude-exact' })))).toBe('exact');
    expect(await replyText(await postMessages(server.url, plainBody('a', { model: 'claude-haiku-5-5' })))).toBe('haiku');
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'yes' },
      body: JSON.stringify(plainBody('a')),
    });
    expect(await replyText(res)).toBe('pred');
  });

  it('reuses turns with times and repeat', async () => {
    server.script(turn(text('twice'), { times: 2 }), turn(text('forever'), { repeat: true }));
    const answers: string[] = [];
    for (let i = 0; i < 5; i++) answers.push(await replyText(await postMessages(server.url, plainBody(`q${i}`))));
    expect(answers).toEqual(['twice', 'twice', 'forever', 'forever', 'forever']);
    expect(server.pendingTurns()).toHaveLength(1);
    expect(() => server.script(turn(text('x'), { times: 0 }))).toThrow(RangeError);
  });

  it('answers a fallback text and marks the request unmatched when nothing matches', async () => {
    server.script(turn(text('never'), { match: { userText: 'magic' } }));
    const res = await postMessages(server.url, plainBody('plain'));
    expect(await replyText(res)).toBe(DEFAULT_FALLBACK_TEXT);
    expect(server.requests[0]).toMatchObject({ unmatched: true, turnIndex: undefined });
    expect(server.unmatchedRequests()).toHaveLength(1);
    expect(server.pendingTurns()).toHaveLength(1);
  });

  it('lets the fallback text and the fallback turn be configured', async () => {
    const custom = await createMockAnthropicServer({ fallbackText: 'nothing scripted' });
    const full = await createMockAnthropicServer({ fallback: () => apiError(500) });
    try {
      expect(await replyText(await postMessages(custom.url, plainBody('x')))).toBe('nothing scripted');
      expect((await postMessages(full.url, plainBody('x'))).status).toBe(500);
      expect(full.requests[0]?.unmatched).toBe(true);
    } finally {
      await custom.close();
      await full.close();
    }
  });
});

describe('auxiliary requests', () => {
  it('answers CLI side queries without consuming scripted turns', async () => {
    server.script(text('main answer'));
    const sideQuery = cliMainBody({ thinking: undefined, context_management: undefined, tools: [] });
    expect(await replyText(await postMessages(server.url, sideQuery))).toBe(DEFAULT_AUXILIARY_TEXT);

    const title = cliMainBody({
      thinking: undefined,
      tools: [],
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332.74e; cc_entrypoint=sdk-ts;' },
        { type: 'text', text: 'You are naming a coding session so the user can pick it out…' },
      ],
      output_config: {
        format: {
          type: 'json_schema',
          schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] },
        },
      },
    });
    expect(JSON.parse(await replyText(await postMessages(server.url, title)))).toEqual({ title: 'Mock session' });

    const compact = cliMainBody({
      messages: [{ role: 'user', content: 'CRITICAL: … Your task is to create a detailed summary of the conversation so far, …' }],
    });
    expect(await replyText(await postMessages(server.url, compact))).toContain('<summary>');

    const suggestion = cliMainBody({
      messages: [{ role: 'user', content: [{ type: 'text', text: '[SUGGESTION MODE: Suggest what the user might type]' }] }],
    });
    expect(await replyText(await postMessages(server.url, suggestion))).toBe(DEFAULT_AUXILIARY_TEXT);

    const countRes = await postMessages(server.url, cliMainBody(), { path: '/v1/messages/count_tokens?beta=true' });
    expect(((await countRes.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);

    const hello = await fetch(`${server.url}/api/hello`, { method: 'HEAD' });
    expect(hello.status).toBe(200);

    expect(server.requests.map((r) => r.kind)).toEqual([
      'side_query',
      'title',
      'compact',
      'suggestion',
      'count_tokens',
      'preconnect',
    ]);
    expect(server.requests.every((r) => r.auxiliary && !r.unmatched && r.turnIndex === undefined)).toBe(true);
    expect(server.pendingTurns()).toHaveLength(1);

    expect(await replyText(await postMessages(server.url, cliMainBody()))).toBe('main answer');
    expect(server.mainRequests().map((r) => r.kind)).toEqual(['main']);
    expect(server.auxiliaryRequests()).toHaveLength(6);
  });

  it('treats subagent requests as main-loop and can match them', async () => {
    server.script(turn(text('sub'), { match: { subagent: true } }), text('parent'));
    const sub = cliMainBody({
      system: [{ type: 'text', text: 'x-anthropic-billing-header: cc_version=1; cc_entrypoint=sdk-cli; cc_is_subagent=true;' }],
    });
    expect(await replyText(await postMessages(server.url, cliMainBody()))).toBe('parent');
    expect(await replyText(await postMessages(server.url, sub))).toBe('sub');
    expect(server.mainRequests().map((r) => r.kind)).toEqual(['main', 'subagent']);
  });

  it('lets a test answer auxiliary requests and override the classification', async () => {
    const custom = await createMockAnthropicServer({
      auxiliary: (r) => (r.kind === 'side_query' ? text('custom aux') : undefined),
      classify: ({ headers }) => (headers['x-aux'] === '1' ? 'side_query' : undefined),
    });
    try {
      custom.script(text('main'));
      const res = await fetch(`${custom.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aux': '1' },
        body: JSON.stringify(plainBody('a')),
      });
      expect(await replyText(res)).toBe('custom aux');
      expect(await replyText(await postMessages(custom.url, plainBody('b')))).toBe('main');
    } finally {
      await custom.close();
    }
  });
});

describe('recording', () => {
  it('records method, path, headers, body, time and the answering turn', async () => {
    server.script(turn(text('ok'), { label: 'first' }));
    const before = Date.now();
    await (await postMessages(server.url, plainBody('record me', { model: 'claude-m' }))).text();
    const [r] = server.requests;
    expect(r).toMatchObject({
      index: 0,
      method: 'POST',
      path: '/v1/messages',
      url: '/v1/messages?beta=true',
      kind: 'main',
      auxiliary: false,
      unmatched: false,
      model: 'claude-m',
      stream: true,
      turnIndex: 0,
      turnLabel: 'first',
      status: 200,
      aborted: false,
    });
    expect(r?.headers['x-api-key']).toBe('sk-ant-test-dummy');
    expect(r?.body).toMatchObject({ messages: [{ role: 'user', content: 'record me' }] });
    expect(JSON.parse(r?.rawBody ?? '')).toEqual(r?.body);
    expect(r?.receivedAt).toBeGreaterThanOrEqual(before);
    expect(r?.completedAt).toBeGreaterThanOrEqual(r?.receivedAt ?? 0);
  });

  it('waits for requests that arrive later, and times out with a clear error', async () => {
    server.script(turn(text('a'), { repeat: true }));
    const waiting = server.waitForMainRequests(2, 2000);
    await (await postMessages(server.url, plainBody('1'))).text();
    await (await postMessages(server.url, plainBody('2'))).text();
    const got = await waiting;
    expect(got.map((r) => r.index)).toEqual([0, 1]);
    await expect(server.waitForRequests(5, 50)).rejects.toThrow(/waitForRequests: 2\/5 requests after 50 ms/);
    expect(await server.waitForRequests(1, 10)).toHaveLength(2);
  });

  it('marks a request aborted when the client goes away mid-stream', async () => {
    server.script(turn(text('a long answer that streams slowly'), { chunkSize: 2, chunkDelayMs: 50 }));
    const controller = new AbortController();
    const res = await postMessages(server.url, plainBody('go'), { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toThrow();
    await expect.poll(() => server.requests[0]?.aborted, { timeout: 2000 }).toBe(true);
  });

  it('reset() forgets turns and requests', async () => {
    server.script(text('a'), text('b'));
    await (await postMessages(server.url, plainBody('1'))).text();
    server.reset();
    expect(server.requests).toHaveLength(0);
    expect(server.pendingTurns()).toHaveLength(0);
  });
});

describe('close', () => {
  it('closes promptly with a keep-alive socket and an in-flight slow stream', async () => {
    const local = await createMockAnthropicServer();
    local.script(turn(text('x'.repeat(100)), { chunkSize: 1, chunkDelayMs: 200 }));
    const agent = new Agent({ keepAlive: true });
    try {
      // An idle keep-alive connection.
      await new Promise<void>((resolve, reject) => {
        const req = httpRequest(`${local.url}/api/hello`, { method: 'GET', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
      // An in-flight stream.
      const res = await postMessages(local.url, plainBody('go'));
      const reader = res.body!.getReader();
      await reader.read();
      const waiting = local.waitForRequests(10, 10_000).then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      const started = Date.now();
      await local.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(reader.read()).rejects.toThrow();
      expect(await waiting).toMatch(/closed/);
      await expect(fetch(`${local.url}/api/hello`)).rejects.toThrow();
      // close() is idempotent.
      await local.close();
    } finally {
      agent.destroy();
    }
  });
});

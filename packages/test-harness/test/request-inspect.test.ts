import { describe, expect, it } from 'vitest';
import { classifyRequest, getLastUserMessage, getLastUserTexts, getMessages, getToolResults } from '../src/index.js';
import { cliMainBody } from './helpers.js';

describe('classifyRequest (shapes seen from claude 2.1.332)', () => {
  it('routes by method and path', () => {
    expect(classifyRequest('HEAD', '/api/hello', undefined)).toBe('preconnect');
    expect(classifyRequest('POST', '/v1/messages/count_tokens', {})).toBe('count_tokens');
    expect(classifyRequest('GET', '/v1/messages', undefined)).toBe('unknown');
    expect(classifyRequest('POST', '/v1/complete', {})).toBe('unknown');
  });

  it('treats any request without the CLI billing header as main-loop', () => {
    expect(classifyRequest('POST', '/v1/messages', { model: 'm', messages: [] })).toBe('main');
  });

  it('keeps CLI main-loop variants main-loop', () => {
    expect(classifyRequest('POST', '/v1/messages', cliMainBody())).toBe('main');
    // `--tools ""`: thinking on, tools: [].
    expect(classifyRequest('POST', '/v1/messages', cliMainBody({ tools: [] }))).toBe('main');
    // An old model (e.g. claude-3-haiku): no thinking, no context_management, but tools.
    expect(
      classifyRequest('POST', '/v1/messages', cliMainBody({ thinking: undefined, context_management: undefined })),
    ).toBe('main');
  });

  it('recognises side queries and forks', () => {
    expect(classifyRequest('POST', '/v1/messages', cliMainBody({ thinking: undefined, tools: [] }))).toBe('side_query');
    expect(classifyRequest('POST', '/v1/messages', cliMainBody({ thinking: { type: 'disabled' }, tools: undefined }))).toBe(
      'side_query',
    );
  });
});

describe('message helpers', () => {
  const body = {
    messages: [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'failed', is_error: true },
          { type: 'text', text: 'note' },
        ],
      },
      { role: 'system', content: '# Environment' },
    ],
  };

  it('normalises string content and skips the trailing system-role message', () => {
    expect(getMessages(body)[0]).toEqual({ role: 'user', content: [{ type: 'text', text: 'first' }] });
    expect(getLastUserMessage(body)?.content).toHaveLength(3);
    expect(getLastUserTexts(body)).toEqual(['note']);
  });

  it('extracts tool results with flattened text and the error flag', () => {
    expect(getToolResults(body)).toEqual([
      { toolUseId: 'toolu_1', text: 'a\nb', isError: false },
      { toolUseId: 'toolu_2', text: 'failed', isError: true },
    ]);
  });

  it('tolerates bodies that are not message requests', () => {
    expect(getMessages(undefined)).toEqual([]);
    expect(getLastUserMessage('x')).toBeUndefined();
    expect(getToolResults({ messages: 'nope' })).toEqual([]);
  });
});

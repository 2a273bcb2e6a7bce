import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { LineSplitter, parseStreamLine } from '../src/index.js';

const recorded = readFileSync(new URL('./fixtures/recorded-turn.jsonl', import.meta.url), 'utf8');

function texts(lines: ReturnType<LineSplitter['push']>): string[] {
  return lines.map((line) => (line.kind === 'line' ? line.text : `<oversized ${line.bytes}>`));
}

describe('LineSplitter', () => {
  it('gives the same lines whatever the chunk size, down to one byte', () => {
    const expected = recorded.trimEnd().split('\n');
    for (const size of [1, 2, 7, 64, 1000, recorded.length]) {
      const splitter = new LineSplitter(1024 * 1024);
      const bytes = Buffer.from(recorded);
      const lines: string[] = [];
      for (let offset = 0; offset < bytes.length; offset += size) lines.push(...texts(splitter.push(bytes.subarray(offset, offset + size))));
      lines.push(...texts(splitter.end()));
      expect(lines).toEqual(expected);
    }
  });

  it('keeps a multi-byte character that is cut between two chunks', () => {
    const splitter = new LineSplitter(1024);
    const bytes = Buffer.from('{"t":"é😀"}\n');
    const cut = bytes.indexOf(0xf0) + 2;
    const lines = [...splitter.push(bytes.subarray(0, cut)), ...splitter.push(bytes.subarray(cut))];
    expect(texts(lines)).toEqual(['{"t":"é😀"}']);
  });

  it('returns a last line that has no newline at the end, and tolerates CRLF and blank lines', () => {
    const splitter = new LineSplitter(1024);
    expect(texts(splitter.push('a\r\n\n\nb'))).toEqual(['a']);
    expect(texts(splitter.end())).toEqual(['b']);
  });

  it('drops a line over the cap with a preview, then carries on with the next line', () => {
    const splitter = new LineSplitter(1024);
    const huge = `{"type":"assistant","pad":"${'x'.repeat(5000)}"}`;
    const lines = [...splitter.push(huge.slice(0, 3000)), ...splitter.push(`${huge.slice(3000)}\n{"type":"ok"}\n`)];
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ kind: 'oversized', bytes: huge.length });
    expect(lines[0]?.kind === 'oversized' && lines[0].preview.startsWith('{"type":"assistant"')).toBe(true);
    expect(lines[1]).toEqual({ kind: 'line', text: '{"type":"ok"}' });
  });

  it('accepts a huge line under the cap in many chunks', () => {
    const splitter = new LineSplitter(64 * 1024 * 1024);
    const payload = 'y'.repeat(8 * 1024 * 1024);
    const line = JSON.stringify({ type: 'user', message: { content: payload } });
    const out: ReturnType<LineSplitter['push']> = [];
    for (let offset = 0; offset < line.length; offset += 65536) out.push(...splitter.push(line.slice(offset, offset + 65536)));
    out.push(...splitter.push('\n'));
    expect(out).toHaveLength(1);
    const parsed = parseStreamLine(out[0]?.kind === 'line' ? out[0].text : '');
    expect(parsed.kind).toBe('message');
  });
});

describe('parseStreamLine', () => {
  it('parses every recorded line and dispatches on type, not position', () => {
    const parsed = recorded.trimEnd().split('\n').map(parseStreamLine);
    expect(parsed.map((line) => line.kind)).toEqual(['message', 'message', 'message', 'message', 'message', 'message', 'message']);
    const types = parsed.map((line) => (line.kind === 'message' ? line.message.type : line.kind));
    expect(types).toEqual(['system', 'system', 'assistant', 'user', 'rate_limit_event', 'assistant', 'result']);
  });

  it('passes an unknown type through untouched', () => {
    const raw = '{"type":"brand_new_kind","nested":{"a":[1,2]},"x":true}';
    const parsed = parseStreamLine(raw);
    expect(parsed).toEqual({ kind: 'message', message: JSON.parse(raw) as unknown });
  });

  it('keeps fields it does not know on known types', () => {
    const parsed = parseStreamLine('{"type":"result","subtype":"success","is_error":false,"session_id":"s","future_field":42}');
    expect(parsed.kind === 'message' && parsed.message['future_field']).toBe(42);
  });

  it('reports garbage with the raw line and a reason', () => {
    for (const raw of ['not json', '[1,2]', '"text"', '{"no_type":1}', '{"type":"result","subtype":"success"}']) {
      const parsed = parseStreamLine(raw);
      expect(parsed.kind).toBe('malformed');
      expect(parsed.kind === 'malformed' && parsed.raw).toBe(raw);
      expect(parsed.kind === 'malformed' && parsed.reason.length).toBeGreaterThan(0);
    }
  });

  it('separates control messages from messages', () => {
    const request = parseStreamLine('{"type":"control_request","request_id":"r1","request":{"subtype":"can_use_tool","tool_name":"Bash"}}');
    const response = parseStreamLine('{"type":"control_response","response":{"subtype":"success","request_id":"r1","response":{}}}');
    expect(request.kind).toBe('control');
    expect(response.kind).toBe('control');
  });
});

import { describe, expect, it } from 'vitest';

import { LineReader, TopLevelFields } from '../src/line-reader.js';

function collect(max: number) {
  const events: string[] = [];
  const reader = new LineReader(max, {
    line: (text) => events.push(`line ${text}`),
    oversized: (fields, bytes) => events.push(`oversized ${bytes} id ${String(fields.id)}`),
  });
  return { reader, events };
}

describe('LineReader', () => {
  it('splits lines across chunk boundaries, trims \\r and skips blank lines', () => {
    const { reader, events } = collect(100);
    reader.push(Buffer.from('{"a":1}\n{"b"'));
    reader.push(Buffer.from(':2}\r\n\n  \n{"c":3}'));
    expect(events).toEqual(['line {"a":1}', 'line {"b":2}']);
    reader.push(Buffer.from('\n'));
    expect(events).toEqual(['line {"a":1}', 'line {"b":2}', 'line {"c":3}']);
  });

  it('skips a line over the limit as it streams in, reports its length and head, and reads the next line', () => {
    const { reader, events } = collect(10);
    reader.push(Buffer.from('{"id":7,"x":"'));
    reader.push(Buffer.from('y'.repeat(50)));
    reader.push(Buffer.from('"}\n{"ok":1}\n'));
    expect(events).toEqual(['oversized 65 id 7', 'line {"ok":1}']);
  });

  it('counts a line of exactly the limit as fine', () => {
    const { reader, events } = collect(7);
    reader.push(Buffer.from('{"a":1}\n'));
    expect(events).toEqual(['line {"a":1}']);
  });
});

describe('TopLevelFields', () => {
  const read = (...chunks: string[]) => {
    const fields = new TopLevelFields();
    for (const chunk of chunks) fields.push(Buffer.from(chunk));
    fields.end();
    return fields;
  };

  it.each([
    ['{"jsonrpc":"2.0","id":4,"method":"x"}', 4],
    ['{"jsonrpc":"2.0","id":"a\\"b","method":"x"}', 'a"b'],
    ['{"params":{"id":9,"s":"\\"id\\":3"},"id":5}', 5],
    ['{"method":"x","params":{"arguments":{"query":"aaaa', null],
    ['{"id": -2 ,"method":"x"}', -2],
    ['{"id":1e3}', 1000],
    ['{"id":{"nested":1}}', null],
    ['not json at all', null],
  ])('reads the id of %s as %j', (line, id) => {
    expect(read(line).id).toBe(id);
  });

  it('finds an id that comes after megabytes of params, split across chunks anywhere', () => {
    const line = `{"method":"tools/call","params":{"arguments":{"query":"${'x'.repeat(3 * 1024 * 1024)}","id":"inner"}},"jsonrpc":"2.0","id":42}`;
    const chunks = [line.slice(0, 7), line.slice(7, 1_000_003), line.slice(1_000_003, line.length - 3), line.slice(line.length - 3)];
    const fields = read(...chunks);
    expect(fields.id).toBe(42);
    expect(fields.hasMethod).toBe(true);
  });

  it('tells a response (result or error, no method) from a request', () => {
    expect(read('{"jsonrpc":"2.0","id":0,"result":{}}')).toMatchObject({ hasOutcome: true, hasMethod: false });
    expect(read('{"jsonrpc":"2.0","id":0,"method":"x","params":{"result":1}}')).toMatchObject({ hasOutcome: false, hasMethod: true });
  });
});

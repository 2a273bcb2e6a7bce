import { describe, expect, it } from 'vitest';

import { LineReader, topLevelId } from '../src/line-reader.js';

function collect(max: number) {
  const events: string[] = [];
  const reader = new LineReader(max, {
    line: (text) => events.push(`line ${text}`),
    oversized: (head, bytes) => events.push(`oversized ${bytes} ${head.toString().slice(0, 12)}`),
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
    expect(events).toEqual(['oversized 65 {"id":7,"x":', 'line {"ok":1}']);
  });

  it('counts a line of exactly the limit as fine', () => {
    const { reader, events } = collect(7);
    reader.push(Buffer.from('{"a":1}\n'));
    expect(events).toEqual(['line {"a":1}']);
  });
});

describe('topLevelId', () => {
  it.each([
    ['{"jsonrpc":"2.0","id":4,"method":"x"', 4],
    ['{"jsonrpc":"2.0","id":"abc","method":"x"', 'abc'],
    ['{"params":{"id":9,"s":"\\"id\\":3"},"id":5,', 5],
    ['{"method":"x","params":{"arguments":{"query":"aaaa', null],
    ['{"id": -2 ,"method":"x"}', -2],
    ['not json at all', null],
  ])('reads %s as %j', (head, id) => {
    expect(topLevelId(Buffer.from(head))).toBe(id);
  });
});

import { noopLogger, type Logger } from '@claude-code-mcp/claude-cli-driver';
import { describe, expect, it } from 'vitest';

import { OrderedWrites } from '../src/ordered-writes.js';

function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = { ...noopLogger, error: (_fields: unknown, message?: string) => void lines.push(`error ${message}`), warn: (_fields: unknown, message?: string) => void lines.push(`warn ${message}`), child: () => logger };
  return { logger, lines };
}

describe('OrderedWrites', () => {
  it('applies writes one after the other in the order given, even when an earlier one is slower', async () => {
    const writes = new OrderedWrites(noopLogger);
    const done: string[] = [];
    writes.push('first', {}, () => new Promise((resolve) => setTimeout(() => resolve(done.push('first')), 30)));
    writes.push('second', {}, () => Promise.resolve(done.push('second')));
    await writes.drain();
    expect(done).toEqual(['first', 'second']);
  });

  it('logs a failed write and goes on with the next one', async () => {
    const { logger, lines } = recordingLogger();
    const writes = new OrderedWrites(logger);
    const done: string[] = [];
    writes.push('mark the session running', {}, () => Promise.reject(new Error('database is locked')));
    writes.push('record the turn', {}, () => Promise.resolve(done.push('turn')));
    await writes.drain();
    expect(lines).toEqual(['error could not mark the session running']);
    expect(done).toEqual(['turn']);
  });

  it('stops waiting for a write that never settles, and says so', async () => {
    const { logger, lines } = recordingLogger();
    const writes = new OrderedWrites(logger);
    writes.push('hang', {}, () => new Promise(() => undefined));
    await writes.drain(50);
    expect(lines).toEqual(['warn store writes still pending; going on without them']);
  });
});

import { EventEmitter } from 'node:events';

import { describe, expect, it } from 'vitest';

import { handleShutdownSignals, type ShutdownSignal } from '../src/index.js';

function setUp() {
  const target = new EventEmitter();
  let clock = 1_000;
  const stops: ShutdownSignal[] = [];
  const exits: number[] = [];
  const remove = handleShutdownSignals((signal) => stops.push(signal), {
    now: () => clock,
    exit: (code) => exits.push(code),
    target: target as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
  });
  return { target, stops, exits, remove, advance: (ms: number) => (clock += ms) };
}

describe('handleShutdownSignals', () => {
  it('stops once for a burst of signals (terminal, npm and launcher each pass on one Ctrl-C)', () => {
    const { target, stops, exits } = setUp();
    target.emit('SIGINT');
    target.emit('SIGINT');
    target.emit('SIGTERM');
    expect(stops).toEqual(['SIGINT']);
    expect(exits).toEqual([]);
  });

  it('exits at once with 128 + the signal on a signal after the first second', () => {
    const { target, stops, exits, advance } = setUp();
    target.emit('SIGTERM');
    advance(1_001);
    target.emit('SIGINT');
    expect(stops).toEqual(['SIGTERM']);
    expect(exits).toEqual([130]);
  });

  it('removes its handlers', () => {
    const { target, remove } = setUp();
    remove();
    expect(target.listenerCount('SIGINT') + target.listenerCount('SIGTERM')).toBe(0);
  });
});

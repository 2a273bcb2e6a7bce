import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createProgressReporter } from '../src/progress-reporter.js';

describe('createProgressReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at most one notification per interval, the newest message winning, with increasing progress', () => {
    const sent: [number, string][] = [];
    const reporter = createProgressReporter({ send: (progress, message) => void sent.push([progress, message]), minIntervalMs: 1000, heartbeatMs: 60_000 });
    reporter.update('a');
    reporter.update('b');
    reporter.update('c');
    expect(sent).toEqual([[1, 'a']]);
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([
      [1, 'a'],
      [2, 'c'],
    ]);
    reporter.finish();
  });

  it('sends a heartbeat while nothing happens', () => {
    const sent: string[] = [];
    const reporter = createProgressReporter({ send: (_progress, message) => void sent.push(message), heartbeatMs: 10_000 });
    reporter.update('Using Bash: make');
    vi.advanceTimersByTime(25_000);
    expect(sent[0]).toBe('Using Bash: make');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(sent.at(-1)).toMatch(/^Using Bash: make \(still working, \d+ s\)$/);
    reporter.finish();
  });

  it('sends nothing after finish, even what was pending', () => {
    const sent: string[] = [];
    const reporter = createProgressReporter({ send: (_progress, message) => void sent.push(message), minIntervalMs: 1000, heartbeatMs: 2000 });
    reporter.update('first');
    reporter.update('pending');
    reporter.finish();
    reporter.update('late');
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual(['first']);
  });

  it('survives a failing send', async () => {
    const reporter = createProgressReporter({ send: () => Promise.reject(new Error('client gone')), heartbeatMs: 60_000 });
    reporter.update('x');
    await Promise.resolve();
    reporter.finish();
  });
});

import { describe, expect, it } from 'vitest';

import { McpToolsError } from '../src/index.js';
import { RunLimiter } from '../src/run-limiter.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('RunLimiter', () => {
  it('lets runs through up to its capacity, then queues by priority, first come first served within one', async () => {
    const limiter = new RunLimiter(1);
    const order: string[] = [];
    const first = await limiter.acquire();
    const waiting = (['low-1', 'normal-1', 'high-1', 'normal-2', 'high-2'] as const).map((name) => {
      const priority = name.split('-')[0] as 'low' | 'normal' | 'high';
      return limiter.acquire({ priority }).then((release) => {
        order.push(name);
        release();
      });
    });
    expect(limiter.running).toBe(1);
    expect(limiter.queued).toBe(5);
    first();
    await Promise.all(waiting);
    expect(order).toEqual(['high-1', 'high-2', 'normal-1', 'normal-2', 'low-1']);
    expect(limiter.running).toBe(0);
  });

  it('reports each waiter its queue position as it changes', async () => {
    const limiter = new RunLimiter(1);
    const release = await limiter.acquire();
    const positions: number[][] = [[], []];
    const a = limiter.acquire({ onQueued: (position) => positions[0]?.push(position) });
    const b = limiter.acquire({ priority: 'high', onQueued: (position) => positions[1]?.push(position) });
    await tick();
    expect(positions).toEqual([[1, 2], [1]]);
    release();
    (await b)();
    (await a)();
    expect(positions[0]).toEqual([1, 2, 1]);
  });

  it('takes an aborted waiter out of the queue with MCP_TOOLS_QUEUE_ABORTED', async () => {
    const limiter = new RunLimiter(1);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'MCP_TOOLS_QUEUE_ABORTED' });
    expect(limiter.queued).toBe(0);
    release();
    expect(limiter.running).toBe(0);
  });

  it('ignores a second release and refuses a capacity below 1', async () => {
    const limiter = new RunLimiter(2);
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.running).toBe(0);
    expect(() => new RunLimiter(0)).toThrow(McpToolsError);
  });
});

// Small waits for integration tests: a condition polled until it holds, and a free port.
import { createServer } from 'node:net';

/**
 * Polls `done` until it holds; throws `timed out waiting for <what>` after `timeoutMs`.
 *
 * @example
 * ```ts
 * await waitFor(() => hook.delivered().length > 0, 'the first delivery');
 * ```
 */
export async function waitFor(done: () => boolean, what: string, options: { readonly timeoutMs?: number; readonly intervalMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

/**
 * A TCP port nothing listens on at the moment (127.0.0.1), for a server whose URL must be known
 * before it starts.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

// A free TCP port on 127.0.0.1, for a server a benchmark starts (its URL must be known first).
import { createServer } from 'node:net';

/** A port nothing listens on at the moment (127.0.0.1). */
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

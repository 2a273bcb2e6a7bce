// How logs and listings name a receiver: its origin and a short digest of its origin and path, never
// the path or query themselves (where a token may be) — two receivers on one host are still told
// apart; the query (the usual place of a token) is left out of the digest too.
import { createHash } from 'node:crypto';

/**
 * `https://hooks.example.com (#1a2b3c4d)` for `https://hooks.example.com/claude?token=…`.
 *
 * @example
 * ```ts
 * logger.warn({ receiver: receiverLabel(url) }, 'webhook delivery failed');
 * ```
 */
export function receiverLabel(url: string): string {
  let origin: string;
  let path = '';
  try {
    ({ origin, pathname: path } = new URL(url));
  } catch {
    origin = 'an unparsable URL';
  }
  return `${origin} (#${createHash('sha256').update(`${origin}${path}`).digest('hex').slice(0, 8)})`;
}

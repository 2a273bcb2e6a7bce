// How logs and listings name a receiver: its origin and a short digest of its whole URL, never its
// path or query (where a token may be) — two receivers on one host are still told apart.
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
  try {
    origin = new URL(url).origin;
  } catch {
    origin = 'an unparsable URL';
  }
  return `${origin} (#${createHash('sha256').update(url).digest('hex').slice(0, 8)})`;
}

// Which event types an endpoint hears: names (`tool.completed`), families (`tool.*`) or all (`*`).
import { WebhookError } from '../errors.js';

const PATTERN = /^(?:\*|[a-z][a-z_]*(?:\.(?:\*|[a-z][a-z_]*))?)$/;

/**
 * A predicate for event types from a list of patterns; no list (or an empty one) lets all through.
 *
 * @throws {@link WebhookError} `WEBHOOK_INVALID_OPTIONS` for a pattern that is not a name, `family.*` or `*`.
 *
 * @example
 * ```ts
 * const wanted = eventFilter(['tool.*', 'server.started']);
 * wanted('tool.error'); // true
 * wanted('session.started'); // false
 * ```
 */
export function eventFilter(patterns: readonly string[] | undefined): (type: string) => boolean {
  if (patterns === undefined || patterns.length === 0) return () => true;
  for (const pattern of patterns) {
    if (!PATTERN.test(pattern)) throw new WebhookError('WEBHOOK_INVALID_OPTIONS', `The event filter ${JSON.stringify(pattern)} is not an event name, a family such as "tool.*", or "*".`);
  }
  if (patterns.includes('*')) return () => true;
  const names = new Set(patterns.filter((pattern) => !pattern.endsWith('.*')));
  const families = patterns.filter((pattern) => pattern.endsWith('.*')).map((pattern) => pattern.slice(0, -1));
  return (type) => names.has(type) || families.some((family) => type.startsWith(family));
}

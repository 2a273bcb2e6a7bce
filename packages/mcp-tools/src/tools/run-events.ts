// A run's outcome as a `run.finished` event: status, the model asked for, its own cost and tokens.
import type { RunOutcome, RunRequest } from '../claude-runtime.js';
import type { EventCaller, RunEvent } from '../events.js';

/**
 * The event of a foreground run that ended after `seconds`.
 *
 * @example
 * ```ts
 * emitTo(onEvent, runEventOf(outcome, request, 12.5, { clientId: 'machine-client' }));
 * ```
 */
export function runEventOf(outcome: RunOutcome, request: RunRequest, seconds: number, caller: EventCaller): RunEvent {
  const base = { type: 'run.finished', model: request.model ?? 'default', seconds, background: false, caller, at: Date.now() } as const;
  const sessionId = outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId };
  if (outcome.status !== 'completed') return { ...base, ...sessionId, status: outcome.status, errorCode: outcome.error.code, costUsd: 0 };
  const usage = outcome.result.usage;
  return {
    ...base,
    ...sessionId,
    status: 'completed',
    costUsd: outcome.turnCostUsd,
    usage: { input: usage.input_tokens ?? 0, output: usage.output_tokens ?? 0, cacheRead: usage.cache_read_input_tokens ?? 0, cacheCreation: usage.cache_creation_input_tokens ?? 0 },
  };
}

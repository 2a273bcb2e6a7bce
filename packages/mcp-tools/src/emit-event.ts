// Emitting the tools' events: a listener's failure never reaches the call.
import type { AuthInfo } from '@modelcontextprotocol/server';

import type { EventCaller, ToolsEvent, ToolsEventListener } from './events.js';

/** Calls `listener` with `event`, keeping whatever it throws away from the call. */
export function emitTo(listener: ToolsEventListener | undefined, event: ToolsEvent): void {
  if (listener === undefined) return;
  try {
    listener(event);
  } catch {
    // An observer's failure is its own.
  }
}

/** The client and subject of a token, for an event. */
export function eventCallerOf(authInfo: AuthInfo | undefined): EventCaller {
  if (authInfo === undefined) return {};
  const subject = (authInfo.extra as { subject?: unknown } | undefined)?.subject;
  return { clientId: authInfo.clientId, ...(typeof subject === 'string' ? { subject } : {}) };
}

/** The client and subject of an owner record (the JSON pair [clientId, subject]); nobody for anything else. */
export function eventCallerOfOwner(owner: string | undefined): EventCaller {
  try {
    const parsed: unknown = owner === undefined ? undefined : JSON.parse(owner);
    if (!Array.isArray(parsed) || typeof parsed[0] !== 'string') return {};
    return { clientId: parsed[0], ...(typeof parsed[1] === 'string' ? { subject: parsed[1] } : {}) };
  } catch {
    return {};
  }
}

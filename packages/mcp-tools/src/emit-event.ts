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

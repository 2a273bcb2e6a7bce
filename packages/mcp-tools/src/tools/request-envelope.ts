// The reserved `_meta` keys a 2026-07-28 request carries (protocol version, client capabilities,
// log level), which the SDK lifts into `ctx.mcpReq.envelope` but types as opaque.
import { PROTOCOL_VERSION_META_KEY, type ServerContext } from '@modelcontextprotocol/server';

/** One reserved `_meta` key of the request, or `undefined`. */
export function envelopeValue(context: ServerContext, key: string): unknown {
  return (context.mcpReq.envelope as Record<string, unknown> | undefined)?.[key];
}

/** Whether the request speaks 2026-07-28 (it carries its protocol version). */
export function isModern(context: ServerContext): boolean {
  return typeof envelopeValue(context, PROTOCOL_VERSION_META_KEY) === 'string';
}

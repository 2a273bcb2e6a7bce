// Times every MCP request a server answers, whatever the transport (stdio, a 2025 session, the
// SDK's per-request 2026-07-28 transport): the server's `connect` is wrapped so that the
// transport's incoming requests and outgoing responses are seen. The SDK calls a transport's
// existing `onmessage` before its own, and sends every response through `send`.
import type { JSONRPCMessage, McpServer, Transport } from '@modelcontextprotocol/server';

import { emitTo } from './emit-event.js';
import type { ToolsEventListener } from './events.js';

type Id = string | number;
interface Pending {
  readonly method: string;
  readonly tool: string | undefined;
  readonly started: number;
}
// One transport holds few requests at once; a client that never reads its answers cannot grow this.
const MAX_PENDING = 1_000;

/**
 * Emits an `mcp.operation` event for each request `server` answers, from the moment it arrives
 * to the moment its response is sent.
 *
 * @example
 * ```ts
 * observeOperations(server, (event) => metrics.operation(event));
 * await server.connect(transport);
 * ```
 */
export function observeOperations(server: McpServer, listener: ToolsEventListener | undefined, now: () => number = performance.now.bind(performance)): void {
  if (listener === undefined) return;
  const lowLevel = server.server;
  const connect = lowLevel.connect.bind(lowLevel);
  lowLevel.connect = (transport: Transport) => {
    watch(transport, () => lowLevel.getNegotiatedProtocolVersion(), listener, now);
    return connect(transport);
  };
}

function watch(transport: Transport, protocolVersion: () => string | undefined, listener: ToolsEventListener, now: () => number): void {
  const pending = new Map<Id, Pending>();
  const previous = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const request = message as { id?: Id; method?: unknown; params?: { name?: unknown; requestId?: unknown } };
    if (request.id !== undefined && typeof request.method === 'string') {
      // Full (answers that never came): the oldest goes, so new requests are still timed.
      if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
      pending.set(request.id, { method: request.method, tool: request.method === 'tools/call' && typeof request.params?.name === 'string' ? request.params.name : undefined, started: now() });
    } else if (request.id === undefined && request.method === 'notifications/cancelled') {
      // A cancelled request gets no answer: it is not waited for.
      const cancelled = request.params?.requestId;
      if (typeof cancelled === 'string' || typeof cancelled === 'number') pending.delete(cancelled);
    }
    previous?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = (message: JSONRPCMessage, options) => {
    const response = message as { id?: Id; method?: unknown; error?: { code?: unknown }; result?: { isError?: unknown } };
    const started = response.id !== undefined && response.method === undefined ? pending.get(response.id) : undefined;
    if (started !== undefined) {
      pending.delete(response.id!);
      const errorType = response.error !== undefined ? String(response.error.code) : response.result?.isError === true ? 'tool_error' : undefined;
      const version = protocolVersion();
      emitTo(listener, {
        type: 'mcp.operation',
        method: started.method,
        ...(started.tool === undefined ? {} : { tool: started.tool }),
        ...(errorType === undefined ? {} : { errorType }),
        ...(version === undefined ? {} : { protocolVersion: version }),
        seconds: (now() - started.started) / 1000,
        at: Date.now(),
      });
    }
    return send(message, options);
  };
  const closed = transport.onclose;
  transport.onclose = () => {
    pending.clear();
    closed?.();
  };
}

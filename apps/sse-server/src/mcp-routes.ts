// The MCP endpoints, wired from the SDK's own transports:
//   /mcp          Streamable HTTP. 2026-07-28 requests go to the SDK's per-request handler; 2025-era
//                 traffic (initialize handshake, Mcp-Session-Id) gets a session of its own, so that
//                 elicitation round trips, cancellation and the GET stream reach the same server.
//   /mcp/sse      the deprecated HTTP+SSE transport (2024-11-05 clients): the event stream…
//   /mcp/message  …and the POSTs that go with it.
import { randomUUID } from 'node:crypto';

import type { Logger } from '@claude-code-mcp/observability';
import { NodeStreamableHTTPServerTransport, toWebRequest } from '@modelcontextprotocol/node';
import { createMcpHandler, isInitializeRequest, isLegacyRequest, type AuthInfo, type McpHttpHandler, type McpServer } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Transport } from './config.js';
import { clientOf, OPEN_LIMITS, refuse, RETRY_AFTER_SECONDS, type OpenLimits } from './http-limits.js';
import { abortOnClose, writeWebResponse } from './web-response.js';

/** Options of {@link registerMcpRoutes}. */
export interface McpRoutesOptions {
  /** A new MCP server with the tools registered: one per session (2025 era) or request (2026). */
  readonly createServer: (context: { readonly era: 'legacy' | 'modern' }) => McpServer;
  /** Calls back when a list (tools, prompts, resources) changes, to notify 2026-07-28 listen streams; returns an unsubscribe. */
  readonly watchLists?: (listener: (list: ChangedList) => void) => () => void;
  readonly transport: Transport;
  /** Sessions unused for this long are closed (their Claude sessions stay resumable). */
  readonly sessionIdleTimeoutMs: number;
  /** Sessions and streams held open, in all and per client (default {@link OPEN_LIMITS}). */
  readonly limits?: OpenLimits;
  readonly logger: Logger;
  readonly now?: () => number;
  /**
   * With OAuth: answers a request without a valid token (and returns false), or lets it through
   * with `request.raw.auth` set for the SDK. Without: every request goes through.
   */
  readonly authorize?: (request: FastifyRequest, reply: FastifyReply) => boolean;
  /** The verified principal of a request (client and subject), when it carries a token. */
  readonly ownerOf?: (request: FastifyRequest) => string | undefined;
}

/** A list whose change 2026-07-28 clients hear of on their `subscriptions/listen` streams. */
export type ChangedList = 'tools' | 'prompts' | 'resources';

/** What the routes hold open, for `/health` and for shutdown. */
export interface McpRoutes {
  /** Open 2025-era Streamable HTTP sessions and legacy SSE streams. */
  counts(): { readonly streamableSessions: number; readonly sseStreams: number; readonly openRequests: number; readonly callsAnswering: number };
  /** Closes every session and stream. */
  close(): Promise<void>;
}

interface LegacySession {
  readonly transport: NodeStreamableHTTPServerTransport;
  readonly server: McpServer;
  /** Who opened it (see `clientOf`). */
  readonly client: string;
  /** The principal that opened it: only it may use the session. */
  readonly owner: string | undefined;
  lastUsed: number;
  /** Requests of this session still answering (a long claude_ask, the GET stream). */
  open: number;
}

const jsonRpcError = (reply: FastifyReply, status: number, code: number, message: string) => refuse(reply, status, code, message);

// Past a cap: 503, and when to try again.
const full = (reply: FastifyReply, message: string) => refuse(reply, 503, -32000, message, { 'retry-after': String(RETRY_AFTER_SECONDS) });

const countOf = (entries: Iterable<{ readonly client: string }>, client: string) => {
  let count = 0;
  for (const entry of entries) if (entry.client === client) count += 1;
  return count;
};

/**
 * Registers `/mcp` (and, with `transport` `sse` or `both`, `/mcp/sse` + `/mcp/message`).
 *
 * @example
 * ```ts
 * const routes = registerMcpRoutes(app, { createServer: (context) => service.createServer(context), transport: 'both', sessionIdleTimeoutMs: 1_800_000, logger });
 * app.addHook('onClose', () => routes.close());
 * ```
 */
export function registerMcpRoutes(app: FastifyInstance, options: McpRoutesOptions): McpRoutes {
  const { createServer, logger } = options;
  const now = options.now ?? Date.now;
  const ownerOf = options.ownerOf ?? (() => undefined);
  // The budget a request counts against: its verified principal, else its address.
  const clientKey = (request: FastifyRequest) => ownerOf(request) ?? clientOf(request);
  const route = { preHandler: async (request: FastifyRequest, reply: FastifyReply) => (options.authorize === undefined || options.authorize(request, reply) ? undefined : reply) };
  const onerror = (error: Error) => logger.warn({ err: error }, 'MCP HTTP transport error');
  const legacySessions = new Map<string, LegacySession>();
  const sseStreams = new Map<string, { transport: SSEServerTransport; server: McpServer; client: string; owner: string | undefined }>();
  const limits = options.limits ?? OPEN_LIMITS;
  // 2026-07-28 requests still answering, by client: counted until their response ends.
  const openRequests = {
    total: 0,
    byClient: new Map<string, number>(),
    open(client: string, reply: FastifyReply) {
      this.total += 1;
      this.byClient.set(client, (this.byClient.get(client) ?? 0) + 1);
      reply.raw.once('close', () => {
        this.total -= 1;
        const left = (this.byClient.get(client) ?? 1) - 1;
        if (left === 0) this.byClient.delete(client);
        else this.byClient.set(client, left);
      });
    },
  };

  // POSTs on /mcp still answering, streams of notifications aside: a graceful stop waits for them.
  let callsAnswering = 0;
  const answering = (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'POST' || (request.body as { method?: unknown } | undefined)?.method === 'subscriptions/listen') return;
    callsAnswering += 1;
    reply.raw.once('close', () => void (callsAnswering -= 1));
  };
  const closeLegacySession = async (sessionId: string, reason: string) => {
    const session = legacySessions.get(sessionId);
    if (!session) return;
    legacySessions.delete(sessionId);
    logger.debug({ sessionId, reason }, 'MCP session closed');
    await session.server.close().catch(onerror);
  };
  // Idle 2025-era sessions are swept, so that clients that vanish without DELETE leave nothing.
  const sweeper = setInterval(
    () => {
      const cutoff = now() - options.sessionIdleTimeoutMs;
      for (const [sessionId, session] of legacySessions) {
        // A session with a request still answering is not idle, however long the run takes.
        if (session.open === 0 && session.lastUsed < cutoff) void closeLegacySession(sessionId, 'idle');
      }
    },
    Math.min(60_000, options.sessionIdleTimeoutMs),
  );
  sweeper.unref();

  // After reply.hijack() fastify no longer answers for us: a failure must end the response here.
  const answerHijacked = async (reply: FastifyReply, handle: () => Promise<void>) => {
    reply.hijack();
    try {
      await handle();
    } catch (error) {
      onerror(error instanceof Error ? error : new Error(String(error)));
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
      } else {
        reply.raw.destroy();
      }
    }
    return reply;
  };
  // Counts a request as open until its response ends.
  const track = (session: LegacySession, reply: FastifyReply) => {
    session.open += 1;
    session.lastUsed = now();
    reply.raw.once('close', () => {
      session.open -= 1;
      session.lastUsed = now();
    });
  };
  let modernHandler: McpHttpHandler | undefined;
  let stopWatching: (() => void) | undefined;

  if (options.transport !== 'sse') {
    modernHandler = createMcpHandler((context) => createServer({ era: context.era }), { legacy: 'reject', onerror });
    const handler = modernHandler;
    stopWatching = options.watchLists?.((list) => {
      if (list === 'tools') handler.notify.toolsChanged();
      else if (list === 'prompts') handler.notify.promptsChanged();
      else handler.notify.resourcesChanged();
    });

    const serveLegacy = async (request: FastifyRequest, reply: FastifyReply) => {
      const sessionId = request.headers['mcp-session-id'];
      if (typeof sessionId === 'string') {
        const session = legacySessions.get(sessionId);
        // 404 tells a 2025-era client that its session is gone and it should initialize again;
        // another principal's session is not found either.
        if (!session || session.owner !== ownerOf(request)) return jsonRpcError(reply, 404, -32001, 'Session not found: it expired or the server restarted; initialize a new session');
        track(session, reply);
        return answerHijacked(reply, () => session.transport.handleRequest(request.raw, reply.raw, request.body));
      }
      if (request.method !== 'POST' || !isInitializeRequest(request.body)) {
        return jsonRpcError(reply, 400, -32000, 'Bad request: send initialize first, then the Mcp-Session-Id header it returns');
      }
      const client = clientKey(request);
      const owner = ownerOf(request);
      if (legacySessions.size >= limits.sessions) return full(reply, `Too many sessions (${limits.sessions}); end one with DELETE or try again later`);
      if (countOf(legacySessions.values(), client) >= limits.sessionsPerClient) {
        return full(reply, `Too many sessions from this client (${limits.sessionsPerClient}); end one with DELETE or try again later`);
      }
      const server = createServer({ era: 'legacy' });
      const transport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          const session: LegacySession = { transport, server, client, owner, lastUsed: now(), open: 0 };
          legacySessions.set(id, session);
          track(session, reply);
          logger.debug({ sessionId: id }, 'MCP session opened');
        },
        onsessionclosed: (id) => closeLegacySession(id, 'deleted by the client'),
      });
      transport.onerror = onerror;
      return answerHijacked(reply, async () => {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      });
    };

    const handle = async (request: FastifyRequest, reply: FastifyReply) => {
      answering(request, reply);
      // One web Request per request: classified here, then answered by the SDK's handler.
      const abort = abortOnClose(reply.raw);
      const webRequest = await toWebRequest(request.raw, request.body, { signal: abort.signal });
      if (await isLegacyRequest(webRequest, request.body)) return serveLegacy(request, reply);
      const client = clientKey(request);
      if (openRequests.total >= limits.openRequests) return full(reply, `Too many requests still answering (${limits.openRequests}); try again later`);
      if ((openRequests.byClient.get(client) ?? 0) >= limits.openRequestsPerClient) {
        return full(reply, `Too many requests still answering for this client (${limits.openRequestsPerClient}); close some (listen streams, long calls) or try again later`);
      }
      openRequests.open(client, reply);
      const authInfo = (request.raw as typeof request.raw & { auth?: AuthInfo }).auth;
      return answerHijacked(reply, async () => {
        const response = await handler.fetch(webRequest, { ...(authInfo === undefined ? {} : { authInfo }), ...(request.body === undefined ? {} : { parsedBody: request.body }) });
        await writeWebResponse(response, reply.raw, abort);
      });
    };
    app.post('/mcp', route, handle);
    app.get('/mcp', route, handle);
    app.delete('/mcp', route, handle);
  }

  if (options.transport !== 'http') {
    app.get('/mcp/sse', route, (request, reply) => {
      const client = clientKey(request);
      const owner = ownerOf(request);
      if (sseStreams.size >= limits.sseStreams) return full(reply, `Too many SSE streams (${limits.sseStreams}); close one or try again later`);
      if (countOf(sseStreams.values(), client) >= limits.sseStreamsPerClient) {
        return full(reply, `Too many SSE streams from this client (${limits.sseStreamsPerClient}); close one or try again later`);
      }
      return answerHijacked(reply, async () => {
        const transport = new SSEServerTransport('/mcp/message', reply.raw);
        const server = createServer({ era: 'legacy' });
        transport.onerror = onerror;
        transport.onclose = () => {
          sseStreams.delete(transport.sessionId);
          logger.debug({ sessionId: transport.sessionId }, 'SSE stream closed');
        };
        request.raw.once('close', () => void server.close().catch(onerror));
        await server.connect(transport);
        sseStreams.set(transport.sessionId, { transport, server, client, owner });
        logger.debug({ sessionId: transport.sessionId }, 'SSE stream opened');
      });
    });
    app.post('/mcp/message', route, async (request, reply) => {
      const sessionId = (request.query as Record<string, unknown>)['sessionId'];
      const stream = typeof sessionId === 'string' ? sseStreams.get(sessionId) : undefined;
      if (!stream || stream.owner !== ownerOf(request)) return jsonRpcError(reply, 404, -32001, 'Unknown sessionId: open /mcp/sse first and post to the endpoint it announces');
      return answerHijacked(reply, () => stream.transport.handlePostMessage(request.raw, reply.raw, request.body));
    });
  }

  return {
    counts: () => ({ streamableSessions: legacySessions.size, sseStreams: sseStreams.size, openRequests: openRequests.total, callsAnswering }),
    close: async () => {
      stopWatching?.();
      clearInterval(sweeper);
      await modernHandler?.close();
      await Promise.all([...legacySessions.keys()].map((id) => closeLegacySession(id, 'server shutting down')));
      await Promise.all([...sseStreams.values()].map(({ server }) => server.close().catch(onerror)));
      sseStreams.clear();
    },
  };
}

// Limits that keep one client (or one slow connection) from holding the server: how long a
// request may take to arrive, one Host header per request, and caps per client on the sessions
// and streams the server keeps open. A client is its peer address until OAuth gives a verified
// identity: nothing the client merely sends (a session id, a query string) chooses its budget.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a request's headers, and the whole request, may take to arrive. Responses (event streams) are not bounded. */
export const REQUEST_TIMEOUTS: Readonly<{ headersMs: number; requestMs: number; checkEveryMs: number }> = Object.freeze({ headersMs: 10_000, requestMs: 30_000, checkEveryMs: 1_000 });

/** Sessions and streams held open: in all, and per client. */
export interface OpenLimits {
  /** 2025-era Streamable HTTP sessions. */
  readonly sessions: number;
  readonly sessionsPerClient: number;
  /** Legacy HTTP+SSE streams. */
  readonly sseStreams: number;
  readonly sseStreamsPerClient: number;
  /** 2026-07-28 requests still answering (a long tool call, a `subscriptions/listen` stream). */
  readonly openRequests: number;
  readonly openRequestsPerClient: number;
}

/** The defaults of {@link OpenLimits}. */
export const OPEN_LIMITS: OpenLimits = Object.freeze({ sessions: 1000, sessionsPerClient: 100, sseStreams: 1000, sseStreamsPerClient: 100, openRequests: 1000, openRequestsPerClient: 100 });

/** Seconds a client refused for lack of room is told to wait (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 10;

/**
 * Who a request comes from, for budgets and caps: its peer address (the client's, through the
 * proxies `TRUST_PROXY` names). An IPv6 client is its /64: one host has a whole /64 to pick from.
 */
export function clientOf(request: FastifyRequest): string {
  const ip = request.ip;
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return `ip:${ip.replace(/^::ffff:/, '')}`;
  return `ip6:${ipv6Prefix64(ip)}`;
}

// The first four groups of an IPv6 address, `::` expanded.
function ipv6Prefix64(ip: string): string {
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, '')).join(':');
}

/** A JSON-RPC error as an HTTP answer, with extra headers. */
export function refuse(reply: FastifyReply, status: number, code: number, message: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers(headers).type('application/json').send({ jsonrpc: '2.0', error: { code, message }, id: null });
}

/**
 * HTTP/1.1 wants exactly one Host header (HTTP/1.0 none or one). Node keeps the first of several,
 * so a loopback name followed by a foreign one would pass a check of `request.headers.host` alone.
 */
export function checkHostHeaders(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  const raw = request.raw.rawHeaders;
  const hosts: string[] = [];
  for (let index = 0; index < raw.length; index += 2) if (raw[index]?.toLowerCase() === 'host') hosts.push(raw[index + 1] ?? '');
  const required = request.raw.httpVersion !== '1.0';
  if (hosts.length === 1 ? hosts[0]?.trim() !== '' : hosts.length === 0 && !required) return undefined;
  return refuse(reply, 400, -32600, `Bad Request: send exactly one non-empty Host header (got ${hosts.length === 0 ? 'none' : hosts.length > 1 ? hosts.length : 'an empty one'})`);
}

// The HTTP server tried as an attacker would, with OAuth off and on: budgets and caps follow the
// peer (or, with OAuth, the verified principal), not what the client sends; slow connections are
// dropped; a request carries exactly one Host.
import { connect, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';
import { machineToken, startOAuthServer } from './oauth-helpers.js';

let fixture: ServerFixture;
let server: RunningServer | undefined;
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture.dispose();
});

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } };

// With OAuth on, every MCP request carries a machine client's token (set by \`start\`).
let bearer: Record<string, string> = {};

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, server!.origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer, ...headers },
    body: JSON.stringify(body),
  });
}

/** Writes `raw` on a new socket and resolves with what came back and when the server closed it. */
function rawExchange(raw: string, options: { keepOpenMs?: number } = {}): Promise<{ response: string; closedAfterMs: number }> {
  const url = new URL(server!.origin);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let response = '';
    const socket: Socket = connect({ host: url.hostname, port: Number(url.port) }, () => socket.write(raw));
    socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ response, closedAfterMs: Date.now() - started }));
    if (options.keepOpenMs) setTimeout(() => socket.destroy(), options.keepOpenMs);
  });
}

describe.each([{ oauth: false }, { oauth: true }])('HTTP hardening (OAuth on: $oauth)', ({ oauth }) => {
  // The server, and with OAuth a token every MCP request of the test sends.
  const start = async (extra: Record<string, string> = {}) => {
    bearer = {};
    if (!oauth) return startServer(fixture, extra);
    const started = await startOAuthServer(fixture, extra);
    bearer = { authorization: `Bearer ${await machineToken(started.origin, 'read run')}` };
    return started;
  };

  it('a fresh ?sessionId= or Mcp-Session-Id per request does not buy a fresh budget; a 429 has the RateLimit fields and Retry-After', async () => {
    server = await start({ RATE_LIMIT_REQUESTS: '10', RATE_LIMIT_WINDOW_MS: '60000' });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let index = 0; index < 30; index += 1) {
      const response = await post(`/mcp/message?sessionId=${randomUUID()}`, { jsonrpc: '2.0', id: index, method: 'ping' }, { 'mcp-session-id': randomUUID() });
      statuses.push(response.status);
      if (response.status === 429) limited ??= response;
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(20);
    expect(limited?.headers.get('ratelimit-limit')).toBe('10');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited?.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('caps the 2025-era sessions and the SSE streams one client holds: 503 with Retry-After past the cap', async () => {
    server = await start({ RATE_LIMIT_ENABLED: 'false' });
    const sessions: string[] = [];
    let refused: Response | undefined;
    for (let index = 0; index < 101 && !refused; index += 1) {
      const response = await post('/mcp', initialize);
      if (response.status === 503) {
        refused = response;
      } else {
        sessions.push(response.headers.get('mcp-session-id') ?? '');
        await response.body?.cancel();
      }
    }
    expect(sessions).toHaveLength(100);
    expect(refused?.headers.get('retry-after')).toBe('10');
    expect(((await refused!.json()) as { error: { message: string } }).error.message).toContain('Too many sessions from this client (100)');
    // Ending one makes room for one.
    await fetch(new URL('/mcp', server.origin), { method: 'DELETE', headers: { ...bearer, 'mcp-session-id': sessions[0]!, 'mcp-protocol-version': '2025-11-25' } });
    const again = await post('/mcp', initialize);
    expect(again.status).toBe(200);
    await again.body?.cancel();

    const streams: AbortController[] = [];
    let streamRefused: Response | undefined;
    for (let index = 0; index < 101 && !streamRefused; index += 1) {
      const controller = new AbortController();
      const response = await fetch(new URL('/mcp/sse', server.origin), { signal: controller.signal, headers: bearer });
      if (response.status === 503) streamRefused = response;
      else streams.push(controller);
    }
    expect(streams).toHaveLength(100);
    expect(streamRefused?.headers.get('retry-after')).toBe('10');
    for (const controller of streams) controller.abort();
  }, 60_000);

  it('refuses a request with an empty Host, or two (a loopback name first, a foreign one second)', async () => {
    server = await start();
    const request = (hosts: string[]) => `GET /health HTTP/1.1\r\n${hosts.map((host) => `Host: ${host}\r\n`).join('')}Connection: close\r\n\r\n`;
    const port = new URL(server.origin).port;
    for (const hosts of [[`127.0.0.1:${port}`, 'attacker.example'], ['']]) {
      const { response } = await rawExchange(request(hosts));
      expect(response.split('\r\n')[0], hosts.join(' + ')).toMatch(/^HTTP\/1\.1 400/);
    }
    const fine = await rawExchange(request([`127.0.0.1:${port}`]));
    expect(fine.response.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers an HTTP/1.0 health probe without Host (load balancers send those)', async () => {
    server = await start();
    const { response } = await rawExchange('GET /health HTTP/1.0\r\n\r\n');
    expect(response.split('\r\n')[0]).toMatch(/^HTTP\/1\.[01] 200/);
  });

  it('with TRUST_PROXY, the client behind the proxy is the one X-Forwarded-For names; without, the header is ignored', async () => {
    // With OAuth the address only keys requests without a valid token: these carry none (401).
    const answered = oauth ? 401 : 404;
    const spend = async (forwardedFor: string) =>
      (
        await fetch(new URL('/mcp/message?sessionId=x', server!.origin), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        })
      ).status;
    server = await start({ RATE_LIMIT_REQUESTS: '2', TRUST_PROXY: 'loopback' });
    expect([await spend('203.0.113.1'), await spend('203.0.113.1'), await spend('203.0.113.1')]).toEqual([answered, answered, 429]);
    expect(await spend('203.0.113.2')).toBe(answered);
    await server.stop();
    server = await start({ RATE_LIMIT_REQUESTS: '2' });
    expect([await spend('203.0.113.1'), await spend('203.0.113.2'), await spend('203.0.113.3')]).toEqual([answered, answered, 429]);
  });

  it('caps the 2026-07-28 requests one client keeps answering (listen streams): 503 with Retry-After past the cap', async () => {
    server = await start({ RATE_LIMIT_ENABLED: 'false' });
    const envelope = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'probe', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };
    const listen = (controller: AbortController) =>
      fetch(new URL('/mcp', server!.origin), {
        method: 'POST',
        signal: controller.signal,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...bearer, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'subscriptions/listen' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'subscriptions/listen', params: { _meta: envelope, notifications: { promptsListChanged: true } } }),
      });
    const open: AbortController[] = [];
    let refused: Response | undefined;
    const answered: string[] = [];
    for (let index = 0; index < 101 && !refused; index += 1) {
      const controller = new AbortController();
      const response = await listen(controller);
      answered.push(`${response.status} ${response.headers.get('content-type') ?? ''}`);
      if (response.status === 503) refused = response;
      else open.push(controller);
    }
    // Every one held is a stream (anything else would end at once and free its place).
    expect(answered.filter((line) => !line.startsWith('200 text/event-stream') && !line.startsWith('503')), answered.join('; ')).toEqual([]);
    expect(open).toHaveLength(100);
    expect(refused?.headers.get('retry-after')).toBe('10');
    expect(((await (await fetch(new URL('/health', server.origin))).json()) as { openRequests: number }).openRequests).toBe(100);
    for (const controller of open) controller.abort();
    await expect.poll(async () => ((await (await fetch(new URL('/health', server!.origin))).json()) as { openRequests: number }).openRequests, { timeout: 5_000 }).toBe(0);
  }, 60_000);

  it('drops a connection whose headers never finish (slowloris) within the headers timeout', async () => {
    server = await start();
    const { closedAfterMs } = await rawExchange('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', { keepOpenMs: 30_000 });
    // 10 s for the headers, checked every second.
    expect(closedAfterMs).toBeGreaterThanOrEqual(9_000);
    expect(closedAfterMs).toBeLessThan(14_000);
  }, 40_000);
});

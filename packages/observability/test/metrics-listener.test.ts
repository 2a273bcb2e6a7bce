// The metrics listener over real HTTP on loopback: the exposition at /metrics and nothing else,
// the Host check on loopback binds, a failed collection, a busy port, and close.
import { request } from 'node:http';
import { connect, createServer } from 'node:net';

import { parsePrometheusText } from '@claude-code-mcp/test-harness';
import { afterEach, describe, expect, it } from 'vitest';

import { ObservabilityError, createServerMetrics, serveMetrics, type MetricsListener } from '../src/index.js';

const idle = { sessions: { stdio: 1 }, warmProcesses: 0, queuedRuns: 0, backgroundTasks: {} };

// One request with a Host header of our choosing (fetch does not let a caller set it).
function get(port: number, options: { path?: string; host?: string; method?: string } = {}): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    // An empty host means no Host header at all.
    const headers = options.host === undefined || options.host === '' ? {} : { host: options.host };
    request({ host: '127.0.0.1', port, path: options.path ?? '/metrics', method: options.method ?? 'GET', headers, setHost: options.host === undefined, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, type: response.headers['content-type'], body }));
    })
      .on('error', reject)
      .end();
  });
}

let listener: MetricsListener | undefined;
afterEach(async () => {
  await listener?.close();
  listener = undefined;
});

describe('serveMetrics', () => {
  it('serves the exposition at GET /metrics, and only there', async () => {
    const metrics = createServerMetrics({ service: 'stdio-server', state: () => idle, tools: ['claude_ask'] });
    metrics.toolCall({ tool: 'claude_ask', status: 'success' });
    listener = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
    expect(listener.port).toBeGreaterThan(0);
    const scrape = await get(listener.port, { host: `127.0.0.1:${listener.port}` });
    expect(scrape.status).toBe(200);
    expect(scrape.type).toBe(metrics.registry.contentType);
    const families = parsePrometheusText(scrape.body);
    expect(families.find((family) => family.name === 'mcp_tool_calls_total')?.metrics[0]).toMatchObject({ labels: { tool: 'claude_ask', status: 'success', service: 'stdio-server' }, value: '1' });
    expect(families.find((family) => family.name === 'claude_code_mcp_active_sessions')?.metrics[0]).toMatchObject({ labels: { kind: 'stdio' }, value: '1' });
    expect((await get(listener.port, { host: 'localhost', method: 'HEAD' })).status).toBe(200);
    expect((await get(listener.port, { host: 'localhost', path: '/health' })).status).toBe(404);
    expect((await get(listener.port, { host: 'localhost', path: '/metrics/' })).status).toBe(404);
    expect((await get(listener.port, { host: 'localhost', method: 'POST' })).status).toBe(405);
    expect((await get(listener.port, { host: 'localhost', path: '/metrics?x=1' })).status).toBe(200);
  });

  it('on loopback, answers only requests that name this machine (DNS rebinding)', async () => {
    listener = await serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('up 1\n') }, { host: '127.0.0.1', port: 0 });
    for (const host of ['localhost', `localhost:${listener.port}`, '127.0.0.1', '[::1]:9464', 'LOCALHOST']) {
      expect((await get(listener.port, { host })).status, host).toBe(200);
    }
    for (const host of ['attacker.example', `attacker.example:${listener.port}`, 'localhost.attacker.example', '127.0.0.1.nip.io', 'localhost@evil']) {
      expect((await get(listener.port, { host })).status, host).toBe(403);
    }
    // Without a Host header at all, node:http itself refuses an HTTP/1.1 request.
    expect((await get(listener.port, { host: '' })).status).toBe(400);
  });

  it('answers a request target that is not a path with 404, and goes on serving', async () => {
    listener = await serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('up 1\n') }, { host: '0.0.0.0', port: 0 });
    for (const target of ['http://[', 'http://attacker.example/metrics', '*', '//metrics']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(listener!.port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
        let raw = '';
        socket.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        socket.on('end', () => resolve(raw));
        socket.on('error', reject);
      });
      expect(answer.split('\r\n')[0], target).toMatch(/^HTTP\/1\.1 (400|404) /);
    }
    expect((await get(listener.port, { host: 'localhost' })).status).toBe(200);
  });

  it('binds localhost as 127.0.0.1', async () => {
    listener = await serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('up 1\n') }, { host: 'localhost', port: 0 });
    expect((await get(listener.port, { host: 'localhost' })).status).toBe(200);
  });

  it('beyond loopback, serves any Host (a scraper on a container network names it as it likes)', async () => {
    listener = await serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('up 1\n') }, { host: '0.0.0.0', port: 0 });
    expect((await get(listener.port, { host: 'claude-code-mcp:9464' })).status).toBe(200);
  });

  it('answers 500 and logs when collecting fails', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (object: unknown) => warnings.push(object), error: () => {}, info: () => {}, debug: () => {}, trace: () => {}, fatal: () => {}, child: () => logger } as never;
    listener = await serveMetrics({ contentType: 'text/plain', metrics: () => Promise.reject(new Error('collector broke')) }, { host: '127.0.0.1', port: 0, logger });
    const scrape = await get(listener.port, { host: 'localhost' });
    expect(scrape.status).toBe(500);
    expect(scrape.body).not.toContain('collector broke');
    expect(warnings).toHaveLength(1);
  });

  it('rejects with the listen error when the port is taken, and refuses bad options', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    await expect(serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('') }, { host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    holder.close();
    await expect(serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('') }, { host: '127.0.0.1', port: 70_000 })).rejects.toSatisfy((error: unknown) => ObservabilityError.isInstance(error) && error.code === 'OBSERVABILITY_INVALID_OPTIONS');
  });

  it('close ends open connections and can be called twice', async () => {
    listener = await serveMetrics({ contentType: 'text/plain', metrics: () => Promise.resolve('up 1\n') }, { host: '127.0.0.1', port: 0 });
    const { port } = listener;
    await get(port, { host: 'localhost' }); // leaves a kept-alive connection behind
    await Promise.all([listener.close(), listener.close()]);
    await expect(get(port, { host: 'localhost' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

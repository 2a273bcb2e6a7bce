// bench/load: the HTTP server under long use, in one run.
//  (a) A bounded soak: SOAK_CALLS mixed tool calls (claude_ask in new sessions, claude_resume,
//      claude_background_tasks, claude_checkpoint, claude_subagent_list, tools/list) from
//      CONCURRENCY 2026-07-28 clients against `node apps/sse-server/dist/cli.js` with the real
//      Claude Code CLI and the mock API on loopback, webhooks on (to a receiver on loopback) and
//      metrics on. The server's RSS (from /proc, the server process alone) after a warm-up
//      (BENCH_LOAD_WARMUP calls, 360 by default), halfway and at the end, median of a few samples
//      each: target growth < 10 %.
//  (b) Server memory per warm session, the CLI's own processes excluded: the server's RSS with
//      WARM Claude sessions kept warm, against the same server with none (medians of samples).
//  (c) Webhook deliveries per second: WEBHOOK_EVENTS events through the package's dispatcher with
//      the SQLite outbox to a receiver on loopback, against bare signed POSTs to the same receiver
//      from the same process (the baseline: the outbox's cost is the difference).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createServerFixture, freePort, text, turn, type ServerFixture } from '@claude-code-mcp/test-harness';
import { createWebhookDispatcher, generateWebhookSecret, openSqliteOutbox, signWebhook, type DeliveryAttempt } from '@claude-code-mcp/webhooks';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { median, round } from '../stats.ts';

const SOAK_CALLS = Number(process.env['BENCH_LOAD_CALLS'] ?? 240);
const CONCURRENCY = Number(process.env['BENCH_LOAD_CONCURRENCY'] ?? 4);
const WARM_UP_CALLS = Number(process.env['BENCH_LOAD_WARMUP'] ?? 360);
const WARM = 4;
const WEBHOOK_EVENTS = Number(process.env['BENCH_LOAD_WEBHOOKS'] ?? 2000);
const SERVER_ENTRY = fileURLToPath(new URL('../../apps/sse-server/dist/cli.js', import.meta.url));

/** RSS of one process in MiB, from /proc (the CLI's processes are others). */
const rssMib = (pid: number) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN) / 1024;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function sampledRss(pid: number, samples = 7, everyMs = 300): Promise<number> {
  const values: number[] = [];
  for (let index = 0; index < samples; index += 1) {
    values.push(rssMib(pid));
    await pause(everyMs);
  }
  return median(values);
}

/** A receiver on loopback that answers 204 and counts. */
async function receiver(): Promise<{ server: Server; url: string; count: () => number }> {
  let count = 0;
  const server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      count += 1;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`, count: () => count };
}

async function startHttpServer(fixture: ServerFixture, env: Record<string, string>): Promise<{ child: ChildProcess; origin: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER_ENTRY], { env: { ...fixture.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: 'false', ...env }, cwd: fixture.sandbox.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /health within 20 s: ${stderr}`);
    const ok = await fetch(new URL('/health', origin)).then((response) => response.ok, () => false);
    if (ok) return { child, origin };
    await pause(100);
  }
}

/** The server's V8 heap in use (MiB), from its own /metrics (prom-client's process metrics). */
async function heapUsedMib(origin: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', origin))).text();
  return Number(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? Number.NaN) / 1024 / 1024;
}

async function client(origin: string): Promise<Client> {
  const mcp = new Client({ name: 'bench-load', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await mcp.connect(new StreamableHTTPClientTransport(new URL('/mcp', origin)));
  return mcp;
}

// One mixed call: which one by its index.
async function mixedCall(mcp: Client, index: number, sessions: string[]): Promise<void> {
  const kind = index % 6;
  if (kind === 0 || sessions.length === 0) {
    const result = (await mcp.callTool({ name: 'claude_ask', arguments: { query: `soak ${index}` } })) as { structuredContent?: { sessionId?: string } };
    if (result.structuredContent?.sessionId) sessions.push(result.structuredContent.sessionId);
    if (sessions.length > 50) sessions.shift();
  } else if (kind === 1) {
    await mcp.callTool({ name: 'claude_resume', arguments: { sessionId: sessions[index % sessions.length]!, query: `again ${index}` } });
  } else if (kind === 2) {
    await mcp.callTool({ name: 'claude_background_tasks', arguments: { action: 'list' } });
  } else if (kind === 3) {
    await mcp.callTool({ name: 'claude_checkpoint', arguments: { action: 'list' } });
  } else if (kind === 4) {
    await mcp.callTool({ name: 'claude_subagent_list', arguments: {} });
  } else {
    await mcp.listTools();
  }
}

async function soak(origin: string, calls: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CONCURRENCY }, () => client(origin)));
  const sessions: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (mcp) => {
      for (let index = next++; index < calls; index = next++) await mixedCall(mcp, index, sessions);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((mcp) => mcp.close()));
  return seconds;
}

// Bare signed POSTs: the floor for the outbox's deliveries.
function barePost(url: string, body: string, secret: string, id: number): Promise<void> {
  const headers = { ...signWebhook({ id: `msg_bare_${id}`, timestamp: new Date(), payload: body, secret }), 'content-type': 'application/json' };
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const sent = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve());
    });
    sent.once('error', reject);
    sent.end(body);
  });
}

async function webhookRates(url: string, count: () => number): Promise<{ outbox: number; bare: number }> {
  const folder = mkdtempSync(join(tmpdir(), 'bench-load-outbox-'));
  const secret = generateWebhookSecret();
  try {
    const store = openSqliteOutbox(join(folder, 'webhooks.sqlite'));
    let delivered = 0;
    const dispatcher = createWebhookDispatcher({ store, endpoints: [{ url, secret }], allowPrivateAddresses: true, concurrency: 4, onAttempt: (attempt: DeliveryAttempt) => void (attempt.result === 'delivered' && (delivered += 1)) });
    await dispatcher.start();
    const started = performance.now();
    for (let index = 0; index < WEBHOOK_EVENTS; index += 1) await dispatcher.emit('tool.completed', { tool: 'claude_ask', index });
    while (delivered < WEBHOOK_EVENTS) await pause(5);
    const outbox = WEBHOOK_EVENTS / ((performance.now() - started) / 1000);
    await dispatcher.close();
    await store.close();
    const before = count();
    const bareStarted = performance.now();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < WEBHOOK_EVENTS) await barePost(url, JSON.stringify({ type: 'tool.completed', data: { index: sent } }), secret, sent++);
      }),
    );
    if (count() - before < WEBHOOK_EVENTS) throw new Error('bare posts went missing');
    return { outbox, bare: WEBHOOK_EVENTS / ((performance.now() - bareStarted) / 1000) };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const fixture = await createServerFixture({ LOG_LEVEL: 'warn' });
const hooks = await receiver();
let running: ChildProcess | undefined;
try {
  // Every request gets a quick answer from the mock.
  fixture.mock.script(...Array.from({ length: SOAK_CALLS * 2 + 100 }, (_, index) => turn(text(`answer ${index}`))));

  // (b) Memory per warm session: the same server, with none and with WARM.
  const lone = await startHttpServer(fixture, {});
  running = lone.child;
  const coldMcp = await client(lone.origin);
  await coldMcp.listTools();
  await pause(1_000);
  const withNone = await sampledRss(lone.child.pid!);
  for (let index = 0; index < WARM; index += 1) await coldMcp.callTool({ name: 'claude_ask', arguments: { query: `warm ${index}` } });
  await pause(1_000);
  const withWarm = await sampledRss(lone.child.pid!);
  await coldMcp.close();
  lone.child.kill('SIGTERM');
  await new Promise((resolve) => lone.child.once('exit', resolve));

  // (a) The soak, with webhooks and metrics on.
  const server = await startHttpServer(fixture, { WEBHOOKS_ENABLED: 'true', WEBHOOK_URL: hooks.url, WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true', METRICS_ENABLED: 'true' });
  running = server.child;
  // V8 and malloc grow for a while before they settle (some 300 calls here: after 120 the RSS still
  // grew 7–11 % over the next 240, after 360 it grew 1 % over the next 720), so the warm-up is at
  // least WARM_UP_CALLS; the soak is measured in two halves to tell a plateau from growth that goes on.
  const warmUp = Math.max(WARM_UP_CALLS, Math.round(SOAK_CALLS / 2));
  await soak(server.origin, warmUp);
  await pause(1_500);
  const rssStart = await sampledRss(server.child.pid!);
  const heapStart = await heapUsedMib(server.origin);
  const deliveredBefore = hooks.count();
  const firstHalf = await soak(server.origin, Math.floor(SOAK_CALLS / 2));
  await pause(1_500);
  const rssMid = await sampledRss(server.child.pid!);
  const heapMid = await heapUsedMib(server.origin);
  const seconds = firstHalf + (await soak(server.origin, SOAK_CALLS - Math.floor(SOAK_CALLS / 2)));
  await pause(1_500);
  const rssEnd = await sampledRss(server.child.pid!);
  const heapEnd = await heapUsedMib(server.origin);
  const soakDeliveries = hooks.count() - deliveredBefore;
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  running = undefined;

  // (c) Webhook deliveries per second.
  const rates = await webhookRates(hooks.url, hooks.count);

  const growth = rssEnd / rssStart - 1;
  const perSession = (withWarm - withNone) / WARM;
  process.stdout.write(
    [
      `soak: ${SOAK_CALLS} mixed tool calls (after ${warmUp} to warm up) from ${CONCURRENCY} 2026-07-28 clients in ${round(seconds, 1)} s (${round(SOAK_CALLS / seconds, 1)} calls/s), webhooks and metrics on; ${soakDeliveries} webhook deliveries meanwhile`,
      `server RSS: ${round(rssStart, 1)} MiB after the warm-up, ${round(rssMid, 1)} MiB halfway, ${round(rssEnd, 1)} MiB at the end: growth ${round(growth * 100, 1)} %`,
      `server V8 heap in use: ${round(heapStart, 1)} MiB after the warm-up, ${round(heapMid, 1)} MiB halfway, ${round(heapEnd, 1)} MiB at the end (between collections: noisy)`,
      `server RSS with no warm session ${round(withNone, 1)} MiB, with ${WARM} ${round(withWarm, 1)} MiB: ${round(perSession, 2)} MiB per warm session (the CLI's own processes not counted)`,
      `webhooks: ${round(rates.outbox, 0)} deliveries/s through the SQLite outbox (4 at once), ${round(rates.bare, 0)}/s for bare signed POSTs (4 at once) to the same receiver`,
      `load: soak_calls=${SOAK_CALLS} soak_calls_per_s=${round(SOAK_CALLS / seconds, 1)} rss_start_mib=${round(rssStart, 1)} rss_mid_mib=${round(rssMid, 1)} rss_end_mib=${round(rssEnd, 1)} heap_start_mib=${round(heapStart, 1)} heap_end_mib=${round(heapEnd, 1)} rss_growth_ratio=${round(growth, 3)} ` +
        `warm_session_mib=${round(perSession, 2)} webhook_deliveries_per_s=${round(rates.outbox, 0)} bare_posts_per_s=${round(rates.bare, 0)} webhook_ratio=${round(rates.outbox / rates.bare, 3)} ` +
        `target_rss_growth_ratio<0.1`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`bench/load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  running?.kill('SIGKILL');
  hooks.server.close();
  await fixture.dispose();
}

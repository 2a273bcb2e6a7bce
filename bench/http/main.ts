// bench/http: the HTTP server's cost per request, against a bare fastify app measured in the same run.
//  (a) authenticated `tools/list` over Streamable HTTP on `node apps/sse-server/dist/cli.js` with
//      OAuth on (a client_credentials token, `Authorization: Bearer`), driven by CONCURRENCY
//      keep-alive connections for a fixed window: requests per second, p50 and p99 latency, and
//      the server process's CPU time per request. The headline is the 2026-07-28 request: one
//      stateless POST that carries its own envelope, answered by a server built for it, which is
//      what current clients (Claude Code among them) send and what the bare route is comparable
//      to (one POST, one JSON answer, nothing held between requests). The 2025-11-25 session path
//      (initialize once per connection, then tools/list with Mcp-Session-Id) is measured beside it.
//  (b) the baseline: a bare fastify app in its own process (bare-server.ts) with one POST route
//      answering a small fixed JSON body, driven by the same loop with the same request body; and
//      the same app answering our 27 KB tools/list result, to tell payload from per-request work.
//  (c) token verifications per second with oauth-server's own verifier (memory key store, then the
//      SQLite store and grant lookup the server uses), each token new to the verifier, against bare
//      WebCrypto ES256 verification; and the rate for tokens the verifier checked in the last minute.
//  (d) the MCP SDK alone serving the same request and tools (bare-server.ts /sdk): what the SDK's
//      per-request design costs before any of ours.
// The load generator runs in this process, on the same machine: on a small machine it competes with
// the server for the CPU, so the server's CPU time per request is printed as well (from /proc).
// Rounds are interleaved so drift hits every side alike; figures are medians over rounds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { accessTokenVerifier, createMemoryKeyStore, issueAccessToken, openSqliteAuthorizationStore, SigningKeys } from '@claude-code-mcp/oauth-server';
import { createServerFixture, freePort, type ServerFixture } from '@claude-code-mcp/test-harness';

import { median, round } from '../stats.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
// At most 100: the 2025 path opens a session per connection, and one principal may hold 100.
const CONCURRENCY = Number(process.env['BENCH_HTTP_CONCURRENCY'] ?? 16);
const WINDOW_MS = Number(process.env['BENCH_HTTP_WINDOW_MS'] ?? 1500);
const WARMUP_MS = 1000;
const VERIFY_COUNT = 2000;
const VERIFY_ROUNDS = ROUNDS;
const EXPECTED_TOOLS = 9;

const SERVER_ENTRY = fileURLToPath(new URL('../../apps/sse-server/dist/cli.js', import.meta.url));
const BARE_ENTRY = fileURLToPath(new URL('./bare-server.ts', import.meta.url));
const ADMIN_PASSWORD = 'an admin password for the bench';
const MACHINE = { clientId: 'bench-machine', clientSecret: 'a bench machine secret of some length' };
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench-http', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};
const SESSION_PROTOCOL = '2025-11-25';
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

// Clock ticks per second of /proc/<pid>/stat (100 on Linux almost everywhere).
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** User plus system CPU time of process `pid` in microseconds (NaN where /proc is missing). */
function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

interface Running {
  readonly child: ChildProcess;
  readonly port: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Spawns `node args` and resolves once `ready` finds the port in its output (stdout + stderr). */
async function startProcess(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }, ready: (output: string) => number | undefined): Promise<Running> {
  const child = spawn(process.execPath, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${args[0]} did not listen within 15 s:\n${output.slice(-4000)}`)), 15_000);
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-200_000);
        const port = ready(output);
        if (port !== undefined) {
          clearTimeout(timer);
          resolve(port);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', reject);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${args[0]} exited (${child.exitCode ?? child.signalCode}) before listening:\n${output.slice(-4000)}`));
      });
    });
    return { child, port, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One POST on `agent`'s keep-alive connections to 127.0.0.1. */
function post(agent: Agent, port: number, path: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request({ agent, host: '127.0.0.1', port, path, method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.once('error', reject);
    });
    sent.once('error', reject);
    sent.end(body);
  });
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** What a load window drives: one POST, its headers per connection, and what a good answer contains. */
interface Target {
  readonly label: string;
  readonly pid: number;
  readonly port: number;
  readonly path: string;
  readonly body: Buffer;
  readonly headers: (worker: number) => Record<string, string>;
  readonly marker: Buffer;
  readonly agent: Agent;
}

interface Window {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time of the server process per request, µs. */
  readonly serverCpuUs: number;
  /** CPU time of this (load-generating) process per request, µs. */
  readonly clientCpuUs: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;

/** CONCURRENCY workers, each one request at a time, until `durationMs` is up. */
async function drive(target: Target, durationMs: number): Promise<Window> {
  const latencies: number[] = [];
  let failure: string | undefined;
  const serverBefore = cpuMicros(target.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const headers = { ...target.headers(worker), 'content-length': String(target.body.length) };
      while (failure === undefined && performance.now() < end) {
        const sent = performance.now();
        const answer = await post(target.agent, target.port, target.path, headers, target.body);
        latencies.push(performance.now() - sent);
        if (answer.status !== 200 || !answer.body.includes(target.marker)) failure = `${answer.status}: ${answer.body.toString('utf8').slice(0, 400)}`;
      }
    }),
  );
  const elapsed = performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  if (failure !== undefined) throw new Error(`${target.label}: a request failed: ${failure}`);
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return {
    requests,
    rps: requests / (elapsed / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    serverCpuUs: (cpuMicros(target.pid) - serverBefore) / requests,
    clientCpuUs: (client.user + client.system) / requests,
  };
}

/** Verifications per second: `count` calls (the call's index passed), `concurrency` in flight at a time. */
async function verificationRate(verify: (index: number) => Promise<unknown>, count: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await verify(next - 1);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

const summary = (windows: readonly Window[]) => ({
  rps: median(windows.map((window) => window.rps)),
  p50: median(windows.map((window) => window.p50)),
  p99: median(windows.map((window) => window.p99)),
  serverCpuUs: median(windows.map((window) => window.serverCpuUs)),
  clientCpuUs: median(windows.map((window) => window.clientCpuUs)),
});
const describe = (label: string, figures: ReturnType<typeof summary>) =>
  `${label}: ${round(figures.rps, 0)} req/s, p50 ${round(figures.p50, 2)} ms, p99 ${round(figures.p99, 2)} ms; server CPU ${round(figures.serverCpuUs, 0)} µs/req, load generator ${round(figures.clientCpuUs, 0)} µs/req`;

let fixture: ServerFixture | undefined;
let ours: Running | undefined;
let bare: Running | undefined;
let authorizationStore: { close(): void } | undefined;
const agents: Agent[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'bench-http-'));
const newAgent = () => {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  agents.push(agent);
  return agent;
};
try {
  const runStarted = performance.now();
  // LOG_LEVEL=info, the default (the fixture's debug would log a line per request), and no rate
  // limit (it would refuse the load, and costs a lookup per request).
  fixture = await createServerFixture({ LOG_LEVEL: 'info', RATE_LIMIT_ENABLED: 'false' });
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const resource = `${origin}/mcp`;
  ours = await startProcess(
    [SERVER_ENTRY],
    {
      env: {
        ...fixture.env,
        HOST: '127.0.0.1',
        PORT: String(port),
        BASE_URL: origin,
        OAUTH_ENABLED: 'true',
        ADMIN_PASSWORD,
        OAUTH_CLIENT_ID: MACHINE.clientId,
        OAUTH_CLIENT_SECRET: MACHINE.clientSecret,
      },
      cwd: fixture.sandbox.cwd,
    },
    (output) => (/HTTP server listening/.test(output) ? port : undefined),
  );

  const tokenResponse = await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${MACHINE.clientId}:${MACHINE.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'read run' }),
  });
  const { access_token: token } = (await tokenResponse.json()) as { access_token?: string };
  if (typeof token !== 'string') throw new Error(`no access token (${tokenResponse.status})`);
  const bearer = { authorization: `Bearer ${token}` };

  // 2026-07-28: one stateless POST with the per-request envelope.
  const modernHeaders = { ...MCP_HEADERS, ...bearer, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' };
  const modernBody = json({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: ENVELOPE } });
  const probe = await post(newAgent(), port, '/mcp', { ...modernHeaders, 'content-length': String(modernBody.length) }, modernBody);
  const listed = JSON.parse(probe.body.toString('utf8')) as { result?: { tools?: unknown[] } };
  if (probe.status !== 200 || listed.result?.tools?.length !== EXPECTED_TOOLS) {
    throw new Error(`the 2026-07-28 tools/list answered ${probe.status} with ${listed.result?.tools?.length ?? 0} tools, not ${EXPECTED_TOOLS}: ${probe.body.toString('utf8').slice(0, 400)}`);
  }

  // 2025-11-25: a session per connection (initialize, initialized), then tools/list in it.
  const sessionAgent = newAgent();
  const sessions: string[] = [];
  for (let worker = 0; worker < CONCURRENCY; worker += 1) {
    const initialize = json({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: SESSION_PROTOCOL, capabilities: {}, clientInfo: { name: 'bench-http', version: '1.0.0' } } });
    const opened = await post(sessionAgent, port, '/mcp', { ...MCP_HEADERS, ...bearer, 'content-length': String(initialize.length) }, initialize);
    const sessionId = opened.headers['mcp-session-id'];
    if (opened.status !== 200 || typeof sessionId !== 'string') throw new Error(`initialize answered ${opened.status}: ${opened.body.toString('utf8').slice(0, 400)}`);
    const initialized = json({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const acknowledged = await post(sessionAgent, port, '/mcp', { ...MCP_HEADERS, ...bearer, 'mcp-session-id': sessionId, 'mcp-protocol-version': SESSION_PROTOCOL, 'content-length': String(initialized.length) }, initialized);
    if (acknowledged.status !== 202) throw new Error(`notifications/initialized answered ${acknowledged.status}`);
    sessions.push(sessionId);
  }

  const largeFile = join(scratch, 'tools-list.json');
  writeFileSync(largeFile, probe.body);
  bare = await startProcess([BARE_ENTRY, largeFile], { env: process.env }, (output) => (/^(\d+)\n/.exec(output) ? Number(/^(\d+)\n/.exec(output)![1]) : undefined));

  const toolsMarker = Buffer.from('"tools":[');
  const targets = {
    modern: { label: 'tools/list 2026-07-28', pid: ours.child.pid!, port, path: '/mcp', body: modernBody, headers: () => modernHeaders, marker: toolsMarker, agent: newAgent() },
    session: {
      label: 'tools/list 2025-11-25 session',
      pid: ours.child.pid!,
      port,
      path: '/mcp',
      body: json({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      headers: (worker: number) => ({ ...MCP_HEADERS, ...bearer, 'mcp-session-id': sessions[worker]!, 'mcp-protocol-version': SESSION_PROTOCOL }),
      marker: toolsMarker,
      agent: sessionAgent,
    },
    // The same request as the headline (headers and body) to the bare routes.
    bare: { label: 'bare fastify, small body', pid: bare.child.pid!, port: bare.port, path: '/small', body: modernBody, headers: () => modernHeaders, marker: Buffer.from('"ok":true'), agent: newAgent() },
    bareLarge: { label: 'bare fastify, our tools/list body', pid: bare.child.pid!, port: bare.port, path: '/large', body: modernBody, headers: () => modernHeaders, marker: toolsMarker, agent: newAgent() },
    sdk: { label: 'the SDK alone', pid: bare.child.pid!, port: bare.port, path: '/sdk', body: modernBody, headers: () => modernHeaders, marker: toolsMarker, agent: newAgent() },
  } satisfies Record<string, Target>;
  const order = ['modern', 'session', 'bare', 'bareLarge', 'sdk'] as const;

  for (const name of order) await drive(targets[name], WARMUP_MS);
  const windows: Record<(typeof order)[number], Window[]> = { modern: [], session: [], bare: [], bareLarge: [], sdk: [] };
  for (let index = 0; index < ROUNDS; index += 1) for (const name of order) windows[name].push(await drive(targets[name], WINDOW_MS));
  const httpSeconds = (performance.now() - runStarted) / 1000;

  // (c) Token verification, in this process, with the HTTP load over.
  const issuer = 'http://127.0.0.1:1';
  const audience = `${issuer}/mcp`;
  const grant = { subject: 'bench', clientId: 'bench', scopes: ['read', 'run'], resource: audience };
  // Distinct tokens, each verified once by a new verifier: a verifier remembers the tokens it checked
  // (for a minute), which is measured apart (`remembered`).
  const tokensOf = (keys: SigningKeys, grantId?: string) =>
    Promise.all(Array.from({ length: VERIFY_COUNT }, async () => (await issueAccessToken({ issuer, keys }, { ...grant, ...(grantId === undefined ? {} : { grantId }) })).token));
  const memoryKeys = new SigningKeys({ store: createMemoryKeyStore() });
  const memoryTokens = await tokensOf(memoryKeys);
  const memoryVerifier = () => {
    const verifier = accessTokenVerifier({ issuer, keys: memoryKeys });
    return (index: number) => verifier.verify(memoryTokens[index]!, { resource: audience });
  };
  // As the server verifies: keys in SQLite, the token's grant looked up (revoked or not).
  const store = openSqliteAuthorizationStore(join(scratch, 'oauth.sqlite'));
  authorizationStore = store;
  const sqliteKeys = new SigningKeys({ store: store.keys });
  const isGrantRevoked = async (grantId: string) => (await store.grants.find(grantId))?.revokedAt != null;
  const sqliteTokens = await tokensOf(sqliteKeys, 'bench-grant');
  const sqliteVerifier = () => {
    const verifier = accessTokenVerifier({ issuer, keys: sqliteKeys, isGrantRevoked });
    return (index: number) => verifier.verify(sqliteTokens[index]!, { resource: audience });
  };
  // The floor: the ES256 signature alone, with WebCrypto (what jose uses on Node).
  const [signedHeader, signedPayload, signature] = memoryTokens[0]!.split('.') as [string, string, string];
  const publicJwk = (await memoryKeys.jwks()).keys[0]!;
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const signedBytes = Buffer.from(`${signedHeader}.${signedPayload}`);
  const signatureBytes = Buffer.from(signature, 'base64url');
  const verifySignature = async () => {
    if (!(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signatureBytes, signedBytes))) throw new Error('the signature did not verify');
  };
  if ((await memoryVerifier()(0)).clientId !== 'bench' || (await sqliteVerifier()(0)).extra.grantId !== 'bench-grant') throw new Error('a verified token lost its claims');
  await verifySignature();

  const rates = { memory: [] as number[], memoryConcurrent: [] as number[], remembered: [] as number[], sqlite: [] as number[], floor: [] as number[], floorConcurrent: [] as number[] };
  for (let index = 0; index < VERIFY_ROUNDS + 1; index += 1) {
    const warm = memoryVerifier();
    const memory = await verificationRate(warm, VERIFY_COUNT, 1);
    const remembered = await verificationRate(warm, VERIFY_COUNT, 1);
    const memoryConcurrent = await verificationRate(memoryVerifier(), VERIFY_COUNT, CONCURRENCY);
    const sqlite = await verificationRate(sqliteVerifier(), VERIFY_COUNT, 1);
    const floor = await verificationRate(verifySignature, VERIFY_COUNT, 1);
    const floorConcurrent = await verificationRate(verifySignature, VERIFY_COUNT, CONCURRENCY);
    if (index === 0) continue; // warm-up
    rates.memory.push(memory);
    rates.remembered.push(remembered);
    rates.memoryConcurrent.push(memoryConcurrent);
    rates.sqlite.push(sqlite);
    rates.floor.push(floor);
    rates.floorConcurrent.push(floorConcurrent);
  }

  const modern = summary(windows.modern);
  const session = summary(windows.session);
  const bareSmall = summary(windows.bare);
  const bareLarge = summary(windows.bareLarge);
  const sdkAlone = summary(windows.sdk);
  const verifications = median(rates.memory);
  const verificationsConcurrent = median(rates.memoryConcurrent);
  const verificationsSqlite = median(rates.sqlite);
  const remembered = median(rates.remembered);
  const floor = median(rates.floor);
  const floorConcurrent = median(rates.floorConcurrent);
  const httpRatio = modern.rps / bareSmall.rps;
  process.stdout.write(
    [
      `rounds=${ROUNDS} windows of ${WINDOW_MS} ms at ${CONCURRENCY} keep-alive connections (after ${WARMUP_MS} ms warm-up each), OAuth on, rate limit off, LOG_LEVEL=info; HTTP part ${round(httpSeconds, 1)} s`,
      describe('ours, tools/list 2026-07-28 (stateless POST, bearer)', modern),
      describe('ours, tools/list 2025-11-25 (one session per connection, bearer)', session),
      describe('bare fastify, small JSON body', bareSmall),
      describe(`bare fastify, our tools/list body (${probe.body.length} bytes, serialized per request)`, bareLarge),
      describe('the SDK alone (same tools and request, a server per request, no authorization)', sdkAlone),
      `http_ratio (2026-07-28 / bare small) ${round(httpRatio, 3)}; against the bare app sending the same body ${round(modern.rps / bareLarge.rps, 3)}; 2025 session path / bare small ${round(session.rps / bareSmall.rps, 3)}; ` +
        `the SDK alone / bare same body ${round(sdkAlone.rps / bareLarge.rps, 3)}, ours / the SDK alone ${round(modern.rps / sdkAlone.rps, 3)}`,
      `token verifications: ${round(verifications, 0)}/s sequential, ${round(verificationsConcurrent, 0)}/s with ${CONCURRENCY} in flight (memory key store); ` +
        `${round(verificationsSqlite, 0)}/s sequential with the SQLite store and grant lookup the server uses; ${round(remembered, 0)}/s for tokens the verifier checked in the last minute; ` +
        `bare WebCrypto ES256 verify ${round(floor, 0)}/s sequential, ${round(floorConcurrent, 0)}/s with ${CONCURRENCY} in flight`,
      `http: tools_list_rps=${round(modern.rps, 0)} tools_list_p50_ms=${round(modern.p50, 2)} tools_list_p99_ms=${round(modern.p99, 2)} tools_list_cpu_us=${round(modern.serverCpuUs, 0)} ` +
        `session_tools_list_rps=${round(session.rps, 0)} session_tools_list_p99_ms=${round(session.p99, 2)} ` +
        `bare_rps=${round(bareSmall.rps, 0)} bare_p99_ms=${round(bareSmall.p99, 2)} bare_cpu_us=${round(bareSmall.serverCpuUs, 0)} ` +
        `bare_large_rps=${round(bareLarge.rps, 0)} bare_large_p99_ms=${round(bareLarge.p99, 2)} sdk_rps=${round(sdkAlone.rps, 0)} sdk_cpu_us=${round(sdkAlone.serverCpuUs, 0)} ` +
        `http_ratio=${round(httpRatio, 3)} http_large_ratio=${round(modern.rps / bareLarge.rps, 3)} sdk_large_ratio=${round(sdkAlone.rps / bareLarge.rps, 3)} sdk_ratio=${round(modern.rps / sdkAlone.rps, 3)} session_http_ratio=${round(session.rps / bareSmall.rps, 3)} ` +
        `verifications_per_s=${round(verifications, 0)} verifications_concurrent_per_s=${round(verificationsConcurrent, 0)} verifications_sqlite_per_s=${round(verificationsSqlite, 0)} remembered_verifications_per_s=${round(remembered, 0)} ` +
        `verify_floor_per_s=${round(floor, 0)} verification_ratio=${round(verifications / floor, 3)} ` +
        `target_http_ratio>=0.4`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`bench/http failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  const output = ours?.output();
  if (output) process.stderr.write(`server output (last part):\n${output.slice(-4000)}\n`);
  process.exitCode = 1;
} finally {
  for (const agent of agents) agent.destroy();
  await ours?.stop();
  await bare?.stop();
  authorizationStore?.close();
  await fixture?.dispose();
  rmSync(scratch, { recursive: true, force: true });
}

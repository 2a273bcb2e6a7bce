// bench/stdio: the stdio MCP server's own costs, each against a baseline measured in the same run.
//  (a) start to `initialize` reply of `node apps/stdio-server/dist/cli.js`, against a bare `node -e`
//      that answers a stdin line with a line (what node startup costs anyway);
//  (b) a one-turn `claude_ask` (new session each time) through a running server over the SDK v2
//      client, against the bare `claude -p` with the same mock;
//  (c) a follow-up `claude_resume` on the warm session, against a cold `claude -p --resume`;
//  (d) spawn to the `tools/list` reply, ours against @steipete/claude-code-mcp and a bare node start.
// Everything runs against the project's mock API on 127.0.0.1, so the figures measure process and
// protocol cost, not model latency. Rounds are interleaved so drift hits both sides alike.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createCliSandbox, createMockAnthropicServer, text, turn } from '@claude-code-mcp/test-harness';
import { Client, LATEST_PROTOCOL_VERSION, type CallToolResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { build } from 'esbuild';

import { median, round } from '../stats.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const INIT_ROUNDS = ROUNDS * 2; // starts are cheap and noisier: twice the rounds
const WARMUP = 2;

const SERVER_ENTRY = fileURLToPath(new URL('../../apps/stdio-server/dist/cli.js', import.meta.url));
if (!existsSync(SERVER_ENTRY)) {
  process.stderr.write(`bench/stdio: ${SERVER_ENTRY} is missing; build first (pnpm turbo run build)\n`);
  process.exit(1);
}


const mock = await createMockAnthropicServer();
mock.script(turn(text('pong'), { repeat: true }));
const sandbox = await createCliSandbox({ mock });
const dataDir = mkdtempSync(join(tmpdir(), 'bench-stdio-data-'));
// What a real server runs with: the sandbox (HOME, CLAUDE_CONFIG_DIR, the mock's URL) plus its own settings.
const serverEnv: Record<string, string> = {
  ...sandbox.env,
  CLAUDE_CODE_PATH: sandbox.claudePath,
  DATA_DIR: dataDir,
  DEFAULT_WORKING_DIRECTORY: sandbox.cwd,
  LOG_LEVEL: 'info',
};

const INITIALIZE_LINE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'bench-stdio', version: '1.0.0' } },
})}\n`;
// The baseline: node starts, reads one line, answers one line.
const NODE_ECHO = `let b='',done=false;process.stdin.setEncoding('utf8').on('data',(c)=>{b+=c;if(!done&&b.includes('\\n')){done=true;process.stdout.write('{"jsonrpc":"2.0","id":1,"result":{}}\\n');}});`;

/** Spawn, write the initialize line at once, time to the first stdout line; then close stdin and wait for exit. */
function timeToFirstLine(args: string[], check: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let elapsed = 0;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, args, { cwd: sandbox.cwd, env: serverEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (elapsed || !stdout.includes('\n')) return;
      elapsed = performance.now() - started;
      try {
        check(stdout.slice(0, stdout.indexOf('\n')));
      } catch (error) {
        child.kill('SIGKILL');
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      child.stdin.end();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code) => {
      if (!elapsed || code !== 0) reject(new Error(`node ${args.join(' ').slice(0, 80)} failed (exit ${code}):\n${stderr}`));
      else resolve(elapsed);
    });
    child.stdin.write(INITIALIZE_LINE);
  });
}

const serverInit = () =>
  timeToFirstLine([SERVER_ENTRY], (line) => {
    const reply = JSON.parse(line) as { id?: number; result?: { serverInfo?: { name?: string } } };
    if (reply.id !== 1 || reply.result?.serverInfo?.name !== 'claude-code-mcp') throw new Error(`unexpected initialize reply: ${line}`);
  });
const nodeInit = () => timeToFirstLine(['-e', NODE_ECHO], (line) => void JSON.parse(line));
const SDK_FLOOR = fileURLToPath(new URL('./sdk-floor.mjs', import.meta.url));
const checkFloorReply = (line: string) => {
  if ((JSON.parse(line) as { id?: number }).id !== 1) throw new Error(`unexpected initialize reply: ${line}`);
};
const sdkInit = () => timeToFirstLine([SDK_FLOOR], checkFloorReply);
// The same empty server, bundled and started the way our bin starts (one file, V8 compile cache):
// the least any server built on the SDK v2 can take.
const floorDir = mkdtempSync(join(tmpdir(), 'bench-sdk-floor-'));
await build({
  entryPoints: [SDK_FLOOR],
  outfile: join(floorDir, 'floor.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
writeFileSync(join(floorDir, 'launch.mjs'), "import module from 'node:module';\nmodule.enableCompileCache?.();\nawait import('./floor.mjs');\n");
const bundledSdkInit = () => timeToFirstLine([join(floorDir, 'launch.mjs')], checkFloorReply);
// The same empty server from a V8 startup snapshot (the SDK evaluated at build time): what a
// snapshot could save at most. It needs `node --snapshot-blob` on the command line, so behind an
// npx bin it would cost a second node start on top (see the node baseline).
await build({
  stdin: {
    contents: [
      "import v8 from 'node:v8';",
      "import { McpServer } from '@modelcontextprotocol/server';",
      "import { serveStdio } from '@modelcontextprotocol/server/stdio';",
      "v8.startupSnapshot.setDeserializeMainFunction(() => { serveStdio(() => new McpServer({ name: 'sdk-floor', version: '1.0.0' }, { capabilities: { tools: {} } })); });",
    ].join('\n'),
    resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    loader: 'js',
  },
  outfile: join(floorDir, 'snapshot-entry.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  define: { 'import.meta.url': '__importMetaUrl' },
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
const snapshotBlob = join(floorDir, 'sdk-floor.blob');
const snapshotBuild = spawnSync(process.execPath, ['--snapshot-blob', snapshotBlob, '--build-snapshot', join(floorDir, 'snapshot-entry.cjs')], { encoding: 'utf8' });
if (snapshotBuild.status !== 0) throw new Error(`building the SDK snapshot failed: ${snapshotBuild.stderr}`);
const snapshotSdkInit = () => timeToFirstLine(['--snapshot-blob', snapshotBlob], checkFloorReply);

// (d) What a client waits for before it can offer the tools: spawn to the `tools/list` reply, in raw
// JSON-RPC (initialize, initialized, tools/list written at once), for ours and for the most-used
// peer, @steipete/claude-code-mcp (a bench dev dependency, pointed at the same claude binary).
const PEER_ENTRY = fileURLToPath(new URL('../node_modules/@steipete/claude-code-mcp/dist/server.js', import.meta.url));
const LIST_PROTOCOL = '2025-06-18'; // one both servers speak (the peer is on SDK 1.x)
const TOOLS_LIST_LINES = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LIST_PROTOCOL, capabilities: {}, clientInfo: { name: 'bench-stdio', version: '1.0.0' } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
]
  .map((message) => `${JSON.stringify(message)}\n`)
  .join('');

function timeToToolsList(entry: string, env: Record<string, string>, expectedTools: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let elapsed = 0;
    let stdout = '';
    const child = spawn(process.execPath, [entry], { cwd: sandbox.cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (elapsed) return;
      const line = stdout.split('\n').find((candidate) => candidate.includes('"id":2'));
      if (line === undefined) return;
      elapsed = performance.now() - started;
      const tools = (JSON.parse(line) as { result?: { tools?: unknown[] } }).result?.tools ?? [];
      if (tools.length !== expectedTools) {
        child.kill('SIGKILL');
        reject(new Error(`${entry} listed ${tools.length} tools, not ${expectedTools}: ${line.slice(0, 300)}`));
        return;
      }
      child.stdin.end();
    });
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', () => (elapsed ? resolve(elapsed) : reject(new Error(`${entry} exited before answering tools/list`))));
    child.stdin.write(TOOLS_LIST_LINES);
  });
}
const peerEnv = { ...serverEnv, CLAUDE_CLI_NAME: sandbox.claudePath };
const ourToolsList = () => timeToToolsList(SERVER_ENTRY, serverEnv, 9);
const peerToolsList = () => timeToToolsList(PEER_ENTRY, peerEnv, 1);

/** Bare `claude -p`, prompt on stdin: time to the result line, to exit, and the session id. */
function bareRun(prompt: string, resume?: string): Promise<{ toResult: number; toExit: number; sessionId: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let toResult = 0;
    let sessionId = '';
    let buffered = '';
    const args = ['-p', '--output-format=stream-json', '--verbose', ...(resume ? ['--resume', resume] : [])];
    const child = spawn(sandbox.claudePath, args, { cwd: sandbox.cwd, env: sandbox.env, stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      if (toResult) return;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line.includes('"type":"result"')) continue;
        toResult = performance.now() - started;
        sessionId = (JSON.parse(line) as { session_id?: string }).session_id ?? '';
        break;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !toResult) reject(new Error(`bare claude ${args.join(' ')} failed (exit ${code})`));
      else resolve({ toResult, toExit: performance.now() - started, sessionId });
    });
    child.stdin.end(prompt);
  });
}

type RunOutput = { status: string; sessionId: string | null; result: string };
function completed(result: CallToolResult, what: string): RunOutput {
  const output = result.structuredContent as RunOutput | undefined;
  if (result.isError || output?.status !== 'completed' || !output.sessionId) {
    throw new Error(`${what} did not complete: ${JSON.stringify(result.structuredContent ?? result.content)}`);
  }
  return output;
}

let client: Client | undefined;
let serverStderr = '';
try {
  // (a) start to initialize reply, interleaved with the bare node baseline.
  const initTimes: number[] = [];
  const nodeInitTimes: number[] = [];
  const sdkInitTimes: number[] = [];
  const bundledSdkInitTimes: number[] = [];
  const snapshotSdkInitTimes: number[] = [];
  for (let index = 0; index < WARMUP + INIT_ROUNDS; index += 1) {
    const server = await serverInit();
    const node = await nodeInit();
    const sdk = await sdkInit();
    const bundledSdk = await bundledSdkInit();
    const snapshotSdk = await snapshotSdkInit();
    if (index < WARMUP) continue;
    snapshotSdkInitTimes.push(snapshotSdk);
    initTimes.push(server);
    nodeInitTimes.push(node);
    sdkInitTimes.push(sdk);
    bundledSdkInitTimes.push(bundledSdk);
  }

  // (d) spawn to tools/list: ours, the peer and bare node, interleaved.
  const listTimes: number[] = [];
  const peerListTimes: number[] = [];
  const nodeListTimes: number[] = [];
  for (let index = 0; index < WARMUP + INIT_ROUNDS; index += 1) {
    const ours = await ourToolsList();
    const peer = await peerToolsList();
    const node = await nodeInit();
    if (index < WARMUP) continue;
    listTimes.push(ours);
    peerListTimes.push(peer);
    nodeListTimes.push(node);
  }

  // (b) and (c) through one running server, as an MCP client keeps it.
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env: serverEnv, cwd: sandbox.cwd, stderr: 'pipe' });
  transport.stderr?.on('data', (chunk: Buffer) => (serverStderr = (serverStderr + chunk.toString()).slice(-20_000)));
  client = new Client({ name: 'bench-stdio', version: '1.0.0' });
  await client.connect(transport);
  const mcp = client;

  // (b) a fresh claude_ask (no sessionId: a new session each time) against the bare CLI.
  const askTimes: number[] = [];
  const bareTimes: number[] = [];
  const bareExitTimes: number[] = [];
  let bareSessionId = '';
  for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
    const started = performance.now();
    completed(await mcp.callTool({ name: 'claude_ask', arguments: { query: 'ping' } }), 'claude_ask');
    const ask = performance.now() - started;
    const bare = await bareRun('ping');
    bareSessionId = bare.sessionId;
    if (index < WARMUP) continue;
    askTimes.push(ask);
    bareTimes.push(bare.toResult);
    bareExitTimes.push(bare.toExit);
  }
  if (!bareSessionId) throw new Error('the bare claude -p runs reported no session id');

  // (c) follow-ups: claude_resume on a warm session against a cold `claude -p --resume`, interleaved.
  const first = completed(await mcp.callTool({ name: 'claude_ask', arguments: { query: 'first' } }), 'claude_ask');
  const warmTimes: number[] = [];
  const coldTimes: number[] = [];
  for (let index = 0; index < WARMUP + ROUNDS; index += 1) {
    const started = performance.now();
    const resumed = completed(
      await mcp.callTool({ name: 'claude_resume', arguments: { sessionId: first.sessionId, query: `follow-up ${index}` } }),
      'claude_resume',
    );
    const warm = performance.now() - started;
    if (resumed.sessionId !== first.sessionId) throw new Error(`claude_resume moved to session ${resumed.sessionId}`);
    const cold = await bareRun(`resumed ${index}`, bareSessionId);
    if (index < WARMUP) continue;
    warmTimes.push(warm);
    coldTimes.push(cold.toResult);
  }

  await client.close();
  client = undefined;

  const initMedian = median(initTimes);
  const nodeInitMedian = median(nodeInitTimes);
  const sdkInitMedian = median(sdkInitTimes);
  const bundledSdkInitMedian = median(bundledSdkInitTimes);
  const snapshotSdkInitMedian = median(snapshotSdkInitTimes);
  const askMedian = median(askTimes);
  const bareMedian = median(bareTimes);
  const warmMedian = median(warmTimes);
  const coldMedian = median(coldTimes);
  const listMedian = median(listTimes);
  const peerListMedian = median(peerListTimes);
  process.stdout.write(
    [
      `rounds=${ROUNDS} (init: ${INIT_ROUNDS}; after ${WARMUP} warm-up rounds), mock API on 127.0.0.1`,
      `start to initialize reply: stdio server median ${round(initMedian)} ms, bare node -e median ${round(nodeInitMedian)} ms, overhead ${round(initMedian - nodeInitMedian)} ms`,
      `  (an empty MCP SDK v2 stdio server: median ${round(sdkInitMedian)} ms, ${round(sdkInitMedian - nodeInitMedian)} ms over bare node; ` +
        `bundled and compile-cached like ours: ${round(bundledSdkInitMedian)} ms, ${round(bundledSdkInitMedian - nodeInitMedian)} ms over bare node; ` +
        `from a V8 startup snapshot: ${round(snapshotSdkInitMedian)} ms, ${round(snapshotSdkInitMedian - nodeInitMedian)} ms over bare node, before the second node start a bin would need)`,
      `spawn to tools/list reply (raw JSON-RPC): ours median ${round(listMedian)} ms, @steipete/claude-code-mcp median ${round(peerListMedian)} ms, bare node start median ${round(median(nodeListTimes))} ms`,
      `one-turn claude_ask, call to result (new session): median ${round(askMedian)} ms; bare claude -p spawn to result median ${round(bareMedian)} ms (to exit ${round(median(bareExitTimes))} ms)`,
      `follow-up: warm claude_resume median ${round(warmMedian)} ms, cold claude -p --resume median ${round(coldMedian)} ms`,
      `stdio: init_median_ms=${round(initMedian)} node_init_median_ms=${round(nodeInitMedian)} init_overhead_ms=${round(initMedian - nodeInitMedian)} ` +
        `sdk_floor_init_median_ms=${round(sdkInitMedian)} sdk_floor_overhead_ms=${round(sdkInitMedian - nodeInitMedian)} ` +
        `sdk_bundled_floor_overhead_ms=${round(bundledSdkInitMedian - nodeInitMedian)} sdk_snapshot_floor_overhead_ms=${round(snapshotSdkInitMedian - nodeInitMedian)} ` +
        `ask_median_ms=${round(askMedian)} bare_median_ms=${round(bareMedian)} ask_ratio=${round(askMedian / bareMedian, 3)} ` +
        `warm_resume_median_ms=${round(warmMedian)} cold_resume_median_ms=${round(coldMedian)} resume_speedup=${round(coldMedian / warmMedian, 1)} ` +
        `tools_list_median_ms=${round(listMedian)} peer_tools_list_median_ms=${round(peerListMedian)} tools_list_peer_ratio=${round(listMedian / peerListMedian, 3)} ` +
        `targets: init_overhead_ms<=100 ask_ratio<=1.03 resume_speedup>=10 tools_list_peer_ratio<=1`,
      '',
    ].join('\n'),
  );
} catch (error) {
  process.stderr.write(`bench/stdio failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  if (serverStderr) process.stderr.write(`server stderr (last part):\n${serverStderr}\n`);
  process.exitCode = 1;
} finally {
  await client?.close().catch(() => undefined);
  await mock.close();
  await sandbox.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(floorDir, { recursive: true, force: true });
}

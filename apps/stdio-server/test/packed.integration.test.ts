// Launch from packed tarballs: what `npx @claude-code-mcp/stdio-server` would run after a publish.
// The app and its workspace dependencies are packed with `pnpm pack` (which rewrites `workspace:^`
// and `catalog:` to real versions), installed together with npm into an empty folder (third-party
// dependencies come from the registry, the workspace packages from the tarballs), and started with
// `npx claude-code-mcp` from there. Nothing is built here: turbo builds every dist before this test.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { text, turn } from '@claude-code-mcp/test-harness';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createServerFixture, type ServerFixture } from './helpers.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const APP_DIR = fileURLToPath(new URL('../', import.meta.url));
const APP_NAME = '@claude-code-mcp/stdio-server';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const readManifest = (folder: string) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Manifest;

/** Every workspace package folder, by package name. */
function workspaceFolders(): Map<string, string> {
  const folders = new Map<string, string>();
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(REPO_ROOT, group), { withFileTypes: true })) {
      const folder = join(REPO_ROOT, group, entry.name);
      if (entry.isDirectory() && existsSync(join(folder, 'package.json'))) folders.set(readManifest(folder).name, folder);
    }
  }
  return folders;
}

/** The app and the workspace packages it needs at run time (transitively, `dependencies` only). */
function runtimeWorkspaceClosure(): Map<string, string> {
  const folders = workspaceFolders();
  const closure = new Map<string, string>([[APP_NAME, APP_DIR]]);
  const pending = [APP_DIR];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    for (const [name, spec] of Object.entries(readManifest(folder).dependencies ?? {})) {
      if (!spec.startsWith('workspace:') || closure.has(name)) continue;
      const dependencyFolder = folders.get(name);
      if (dependencyFolder === undefined) throw new Error(`${name} (${spec}) is not a workspace package`);
      closure.set(name, dependencyFolder);
      pending.push(dependencyFolder);
    }
  }
  return closure;
}

// pnpm and npm run with the caller's environment minus what `pnpm run` injects for its own child
// (npm warns about pnpm-only settings such as verify-deps-before-run).
function toolEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_(package|lifecycle|command|execpath|node_execpath)|npm_config_(user_agent|verify_deps_before_run)$|pnpm_|PNPM_)/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): string {
  const result = spawnSync(command, args, { cwd, env: toolEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed to run: ${String(result.error)}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

const tarballsIn = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.tgz'));

interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: number;
  method?: string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** A server started with `npx claude-code-mcp`, spoken to in raw JSON-RPC lines. */
class RawStdioServer {
  readonly lines: string[] = [];
  stderr = '';
  private buffered = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (message: JsonRpcMessage) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly child: ChildProcessWithoutNullStreams;

  constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let newline = this.buffered.indexOf('\n'); newline >= 0; newline = this.buffered.indexOf('\n')) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.lines.push(line);
        let message: JsonRpcMessage;
        try {
          message = JSON.parse(line) as JsonRpcMessage;
        } catch {
          continue; // asserted on at the end: every line must be JSON
        }
        if (message.id !== undefined && message.method === undefined) this.waiting.get(message.id)?.(message);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Everything stdout carried that was not a complete line yet. */
  get partial(): string {
    return this.buffered;
  }

  request(method: string, params: Record<string, unknown>, timeoutMs = 30_000): Promise<JsonRpcMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`no reply to ${method} within ${timeoutMs} ms; stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(message);
      });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  notify(method: string, params: Record<string, unknown> = {}): void {
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method, params })}\n`);
  }
}

describe('Launch from packed tarballs', () => {
  let scratch: string;
  let installDir: string;
  let packed: Map<string, string>;
  const strayTarballs = new Map<string, string[]>();

  beforeAll(() => {
    packed = runtimeWorkspaceClosure();
    for (const [name, folder] of packed) {
      const entry = join(folder, name === APP_NAME ? (readManifest(folder).bin?.['claude-code-mcp'] ?? 'dist/cli.js') : 'dist/index.js');
      if (!existsSync(entry)) throw new Error(`${relative(REPO_ROOT, entry)} is missing: build first (pnpm turbo run build)`);
      strayTarballs.set(folder, tarballsIn(folder));
    }
    scratch = mkdtempSync(join(tmpdir(), 'stdio-packed-'));
    const tarballDir = join(scratch, 'tarballs');
    installDir = join(scratch, 'install');
    mkdirSync(tarballDir);
    mkdirSync(installDir);

    for (const folder of packed.values()) run('pnpm', ['pack', '--pack-destination', tarballDir], folder, 60_000);
    const tarballs = tarballsIn(tarballDir).map((name) => join(tarballDir, name));
    expect(tarballs).toHaveLength(packed.size);

    // A manifest of its own keeps npm from adopting an enclosing folder as the project.
    writeFileSync(join(installDir, 'package.json'), `${JSON.stringify({ name: 'packed-install', version: '1.0.0', private: true }, null, 2)}\n`);
    // A registry request that stalls is retried quickly instead of waiting out npm's 5-minute
    // default; a whole install that still fails gets one more try.
    const npmArgs = ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--prefer-offline', '--fetch-timeout=20000', '--fetch-retries=4', ...tarballs];
    try {
      run('npm', npmArgs, installDir, 110_000);
    } catch {
      rmSync(join(installDir, 'node_modules'), { recursive: true, force: true });
      run('npm', npmArgs, installDir, 110_000);
    }
  }, 240_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  });

  let fixture: ServerFixture | undefined;
  let server: RawStdioServer | undefined;
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    server = undefined;
    await fixture?.dispose();
    fixture = undefined;
  });

  it('packs the app with the workspace packages it needs and leaves no tarball in the repository', () => {
    expect([...packed.keys()].sort()).toEqual(
      expect.arrayContaining(['@claude-code-mcp/claude-cli-driver', '@claude-code-mcp/mcp-tools', '@claude-code-mcp/observability', APP_NAME]),
    );
    for (const [folder, before] of strayTarballs) expect(tarballsIn(folder), relative(REPO_ROOT, folder)).toEqual(before);
    expect(tarballsIn(REPO_ROOT)).toEqual([]);
  });

  it('resolves every workspace package to its tarball, with real version ranges', () => {
    const lock = JSON.parse(readFileSync(join(installDir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string }>;
    };
    for (const name of packed.keys()) {
      // One copy, at the top, from the tarball (the registry was not asked for it).
      const copies = Object.keys(lock.packages).filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
      expect(copies, name).toEqual([`node_modules/${name}`]);
      const entry = lock.packages[`node_modules/${name}`];
      expect(entry?.resolved, name).toMatch(/^file:.*\.tgz$/);
      expect(entry?.version, name).toBe(readManifest(packed.get(name) ?? '').version);

      const installed = readManifest(join(installDir, 'node_modules', name));
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
        for (const [dependency, spec] of Object.entries(installed[field] ?? {})) {
          expect(spec, `${name} ${field}.${dependency}`).not.toMatch(/^(workspace|catalog):/);
        }
      }
    }
    expect(existsSync(join(installDir, 'node_modules', '.bin', 'claude-code-mcp'))).toBe(true);
  });

  it('starts with npx, answers initialize, lists and runs tools, writes only JSON to stdout, and exits 0 when stdin closes', async () => {
    fixture = await createServerFixture({ LOG_LEVEL: 'info' });
    fixture.mock.script(turn(text('pong from the packed server'), { repeat: true }));
    // The environment a real server needs: its own data dir and working directory, the claude
    // binary, the sandbox pointing that binary at the mock. No PATH entry into the repository.
    expect(fixture.env['CLAUDE_CODE_PATH']).toBeTruthy();
    const child = spawn('npx', ['--no-install', 'claude-code-mcp'], { cwd: installDir, env: fixture.env, stdio: ['pipe', 'pipe', 'pipe'] });
    server = new RawStdioServer(child);

    const initialize = await server.request('initialize', {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'packed-test', version: '1.0.0' },
    });
    expect(initialize.error).toBeUndefined();
    expect(initialize.result).toMatchObject({
      protocolVersion: LATEST_PROTOCOL_VERSION,
      serverInfo: { name: 'claude-code-mcp', version: readManifest(APP_DIR).version },
    });
    const capabilities = initialize.result?.['capabilities'] as { tools?: unknown } | undefined;
    expect(capabilities?.tools).toBeTypeOf('object');
    server.notify('notifications/initialized');

    const list = await server.request('tools/list', {});
    expect(list.error).toBeUndefined();
    const tools = (list.result?.['tools'] ?? []) as { name: string }[];
    expect(tools.map((tool) => tool.name).sort()).toEqual(['claude_abort', 'claude_ask', 'claude_background_tasks', 'claude_checkpoint', 'claude_plan', 'claude_plugin_install', 'claude_plugin_list', 'claude_resume', 'claude_subagent_list']);

    // The installed driver finds and runs the real CLI.
    const ask = await server.request('tools/call', { name: 'claude_ask', arguments: { query: 'ping' } }, 45_000);
    expect(ask.error).toBeUndefined();
    expect(ask.result?.['isError']).toBeFalsy();
    expect(ask.result?.['structuredContent']).toMatchObject({ status: 'completed', result: 'pong from the packed server' });

    const closing = Date.now();
    server.child.stdin.end();
    const exit = await Promise.race([
      server.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000)),
    ]);
    expect(exit, `stderr:\n${server.stderr}`).toEqual({ code: 0, signal: null });
    expect(Date.now() - closing).toBeLessThan(5_000);

    expect(server.lines.length).toBeGreaterThanOrEqual(3);
    expect(server.partial).toBe('');
    for (const line of server.lines) expect(() => JSON.parse(line) as unknown, `stdout line: ${line}`).not.toThrow();
    // The logs went to stderr.
    expect(server.stderr).toContain('stdio server ready');
  }, 90_000);
});

// The README's first command as a new user runs it: a fresh clone of this repository (its committed
// HEAD), `npm start` under `env -i` with only npm's folder and /usr/bin:/bin on PATH and an empty
// HOME (the proxy and CA variables kept, as on any machine behind a proxy), an MCP `initialize`
// piped in. Then the same again, timed; the HTTP server picked by an argument; the bins refusing
// an old Node; and the README's client configurations for Claude Code and the MCP Inspector, run
// as written in that clone. Reaches the npm registry (Node, pnpm and every dependency, into the
// fresh HOME): a few minutes.
import { spawn, spawnSync, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { TOOL_NAMES as ALL_TOOL_NAMES } from '@claude-code-mcp/mcp-tools';
import { createCliSandbox, createMockAnthropicServer, text, type CliSandbox, type MockAnthropicServer } from '@claude-code-mcp/test-harness';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The nine tools (their names are an interface: the HTTP server's test lists them literally).
const TOOL_NAMES = [...ALL_TOOL_NAMES].sort();
const INITIALIZE = `${JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'first-run', version: '1.0.0' } },
})}\n`;

/** The machine's own npm: the first on PATH outside this repository and pnpm's folders. */
function machineNpm(): string {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!folder || folder.startsWith(REPO_ROOT) || /pnpm|node_modules/.test(folder)) continue;
    try {
      accessSync(join(folder, 'npm'), constants.X_OK);
      return join(folder, 'npm');
    } catch {
      // not here
    }
  }
  throw new Error('no npm on PATH outside the repository');
}

// What a machine behind a proxy needs to reach the registry; nothing else of this process's env.
const KEPT = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|npm_config_(registry|cafile|ca|https_proxy|proxy|noproxy|strict_ssl))$/;

function freshEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: [dirname(machineNpm()), '/usr/bin', '/bin'].join(delimiter), HOME: home };
  for (const [key, value] of Object.entries(process.env)) if (KEPT.test(key) && value !== undefined) env[key] = value;
  return { ...env, ...extra };
}

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** `npm start` in `cwd` (`npm --prefix <clone> start` when that is not the clone), `input` on stdin. */
function npmStart(clone: string, env: Record<string, string>, input: string, cwd = clone): Promise<Finished> {
  const args = cwd === clone ? ['start'] : ['--prefix', clone, 'start'];
  // Detached: a group of its own, so that a time-out ends npm, the launcher and the server alike.
  return finished(spawn(machineNpm(), args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true }), input, 540_000);
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-(child.pid ?? 0), 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Writes `input` to the child's stdin, closes it, and collects its output until it exits. */
function finished(child: ChildProcessWithoutNullStreams, input: string, timeoutMs = 120_000): Promise<Finished> {
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  const timer = setTimeout(() => killGroup(child), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 });
    }),
  );
}

/** The shell block under `<!-- readme-test: name -->` in the README. */
function readmeSnippet(name: string): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- readme-test: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match?.[1]) throw new Error(`README.md has no block marked readme-test: ${name}`);
  return match[1];
}

function bash(script: string, cwd: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

// The Node a fresh shell finds; on machines that ship an old one (these do: 20), the bins must say so.
const machineNode = spawnSync('node', ['-p', 'process.versions.node'], { encoding: 'utf8', env: freshEnv(tmpdir()) }).stdout.trim();
const [major = 0, minor = 0] = machineNode.split('.').map(Number);
const machineNodeIsOld = major < 22 || (major === 22 && minor < 13);
const PINNED_NODE = readFileSync(join(REPO_ROOT, '.node-version'), 'utf8').trim();

const report = (line: string) => process.stderr.write(`[first-run] ${line}\n`);

describe('first run on a fresh machine', () => {
  let scratch: string;
  let clone: string;
  let home: string;
  let first: Finished;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'first-run-'));
    clone = join(scratch, 'claude-code-mcp');
    home = join(scratch, 'home');
    mkdirSync(home);
    const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone], { encoding: 'utf8' });
    if (cloned.status !== 0) throw new Error(`git clone failed: ${cloned.stderr}`);
    first = await npmStart(clone, freshEnv(home), INITIALIZE);
    report(`first npm start (set-up, build, initialize): ${first.seconds.toFixed(1)} s`);
  }, 600_000);

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
  });

  const replyOf = (run: Finished) => {
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    expect(lines, run.stderr).toHaveLength(1);
    return JSON.parse(lines[0] ?? '') as { jsonrpc: string; id: number; result: { serverInfo: { name: string } } };
  };

  it('sets everything up and answers initialize on stdout with nothing else there', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(replyOf(first)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: { name: 'claude-code-mcp' } } });
    expect(first.stderr).toContain('claude-code-mcp: installing dependencies');
    // On an old machine Node, the version .node-version names is the one installed and used.
    if (machineNodeIsOld) expect(first.stderr).toContain(`claude-code-mcp: node ${PINNED_NODE} (.toolchain/node-${PINNED_NODE})`);
    expect(first.stderr).toContain('claude-code-mcp stdio server ready');
    // The client configuration for this clone, with absolute paths.
    expect(first.stderr).toContain(`claude mcp add -s user claude-code -- ${join(clone, '.toolchain', 'bin', 'node')} ${join(clone, 'apps', 'stdio-server', 'dist', 'cli.js')}`);
    // The noise a first run used to show.
    expect(first.stderr).not.toMatch(/Failed to create bin|Update available|telemetry|ERR_UNKNOWN_BUILTIN_MODULE/i);
  });

  it('starts again without downloading or building anything, from a project folder with npm --prefix', async () => {
    const project = join(scratch, 'project');
    mkdirSync(project);
    const again = await npmStart(clone, freshEnv(home), INITIALIZE, project);
    report(`second npm start (nothing to do, initialize): ${again.seconds.toFixed(2)} s, against ${first.seconds.toFixed(1)} s the first time`);
    expect(again.code, again.stderr).toBe(0);
    expect(replyOf(again).id).toBe(1);
    expect(again.stderr).not.toMatch(/installing|built \d+ of/);
    // The server works where npm was started, and npm's additions stay out of its environment.
    expect(again.stderr).toContain(`"roots":[${JSON.stringify(project)}]`);
  });

  it('starts the HTTP server when .env says TRANSPORT=http, and stops it on SIGTERM', async () => {
    writeFileSync(join(clone, '.env'), '# as copied from .env.example, then edited\nTRANSPORT=http\nPORT=0\n');
    onTestFinished(() => rmSync(join(clone, '.env'), { force: true }));
    const child = spawn(machineNpm(), ['start'], { cwd: clone, env: freshEnv(home), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await expect.poll(() => /"port":(\d+)[^\n]*HTTP server listening/.exec(stderr), { timeout: 240_000, interval: 200 }).not.toBeNull();
      const port = /"port":(\d+)[^\n]*HTTP server listening/.exec(stderr)?.[1];
      expect(stderr).toMatch(/"transport":"http"/);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      // What Claude Code will inherit: the user's environment, not npm's script environment.
      const serverPid = /"pid":(\d+)[^\n]*HTTP server listening/.exec(stderr)?.[1];
      const environment = readFileSync(`/proc/${serverPid}/environ`, 'utf8').split('\0');
      // npm's registry, proxy and CA settings may stay (non-empty), nothing else of npm's.
      const npmNetwork = /^npm_config_(registry|cafile|ca|https_proxy|http_proxy|proxy|noproxy|no_proxy|strict_ssl)=./;
      expect(environment.filter((entry) => /^(npm_|INIT_CWD=|TURBO_)/.test(entry) && !npmNetwork.test(entry))).toEqual([]);
      expect(environment.find((entry) => entry.startsWith('PATH='))).not.toMatch(/node_modules\/\.bin|node-gyp-bin|\.toolchain/);
      child.kill('SIGTERM');
      expect(await exited, stderr).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) killGroup(child);
    }
  }, 300_000);


  it.skipIf(!machineNodeIsOld)(`the bins refuse the machine's Node ${machineNode} in one line, before loading anything`, () => {
    for (const [bin, name] of [
      ['apps/stdio-server/dist/cli.js', 'claude-code-mcp'],
      ['apps/sse-server/dist/cli.js', 'claude-code-mcp-http'],
    ] as const) {
      const result = spawnSync('node', [join(clone, bin)], { encoding: 'utf8', env: freshEnv(home), input: INITIALIZE });
      expect(result.status, bin).toBe(1);
      expect(result.stdout, bin).toBe('');
      expect(result.stderr.trim().split('\n'), bin).toEqual([expect.stringMatching(new RegExp(`^${name}: needs Node >= 22\\.13, found ${machineNode.replace(/\./g, '\\.')}; `))]);
    }
  });

  describe("the README's client configurations, as written", () => {
    let mock: MockAnthropicServer;
    let sandbox: CliSandbox;
    beforeAll(async () => {
      mock = await createMockAnthropicServer();
      sandbox = await createCliSandbox({ mock });
    });
    afterAll(async () => {
      await mock.close();
      await sandbox.cleanup();
    });

    it('Claude Code: `claude mcp add` from the README, then a run in another project sees the nine tools', async () => {
      // The sandbox's Claude Code (home, config folder, the mock) stands in for the user's.
      const env = { ...sandbox.env, PATH: [dirname(sandbox.claudePath), sandbox.env['PATH']].join(delimiter) };
      const added = bash(readmeSnippet('claude-code'), clone, env);
      expect(added.status, added.stderr).toBe(0);

      mock.script(text('listed'));
      // Not spawnSync: the mock answering the CLI runs in this process.
      const run = await finished(spawn(sandbox.claudePath, ['-p', '--output-format=stream-json', '--verbose'], { cwd: sandbox.cwd, env }), 'hello');
      expect(run.code, run.stderr).toBe(0);
      const init = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { type: string; subtype?: string; tools?: string[]; mcp_servers?: { name: string; status: string }[] })
        .find((message) => message.type === 'system' && message.subtype === 'init');
      expect(init?.mcp_servers).toContainEqual(expect.objectContaining({ name: 'claude-code', status: 'connected' }));
      const ours = (init?.tools ?? []).filter((tool) => tool.startsWith('mcp__claude-code__')).map((tool) => tool.slice('mcp__claude-code__'.length));
      expect(TOOL_NAMES).toHaveLength(9);
      expect(ours.sort()).toEqual(TOOL_NAMES);
    });

    it('MCP Inspector: the one-liner from the README lists the nine tools', () => {
      // spawnSync is fine here: no mock in this process has to answer.
      const listed = bash(readmeSnippet('inspector'), clone, freshEnv(home));
      expect(listed.status, listed.stderr).toBe(0);
      const { tools } = JSON.parse(listed.stdout) as { tools: { name: string }[] };
      expect(tools.map((tool) => tool.name).sort()).toEqual(TOOL_NAMES);
    });
  });
});

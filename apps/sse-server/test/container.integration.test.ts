// The container image, built here from the real Dockerfile and run: Debian's buildah (as root,
// chroot isolation, vfs storage) on a base image made by docker/base-image.mjs (debootstrap from
// the apt mirror plus Node from the npm registry: no image registry is reachable). Inside it, a
// real claude_ask over HTTP with an OAuth token runs Claude Code against the mock API on
// loopback (the container shares the host's network), its file lands in the mounted volume, the
// server runs as its own user, /health and /ready answer, and SIGTERM ends it cleanly.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { descendantPids, isProcessAlive, text, toolUse, turn } from '@claude-code-mcp/test-harness';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createServerFixture, type ServerFixture } from './helpers.js';
import { ADMIN_PASSWORD, freePort, MACHINE, machineToken } from './oauth-helpers.js';

const REPO = new URL('../../../', import.meta.url).pathname;
// A tag of this run's own: runs sharing the machine's storage do not remove each other's image.
const IMAGE = `localhost/claude-code-mcp-http:test-${process.pid}-${Date.now()}`;
const STORAGE = ['--storage-driver', 'vfs'];
const APP_UID = 10001;

function run(command: string, args: readonly string[], options: { timeoutMs?: number } = {}): string {
  const result = spawnSync(command, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 600_000 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${`${result.stdout}${result.stderr}`.trim().split('\n').slice(-30).join('\n')}`);
  }
  return result.stdout.trim();
}

// buildah and debootstrap from Debian, as root (the CI machine installs them like chromium).
function ensureTools(): void {
  const missing = ['buildah', 'debootstrap'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`${missing.join(' and ')} missing, and installing them needs root`);
  const apt = (args: string[]) => spawnSync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (apt(['install', '-y', '--no-install-recommends', ...missing]).status !== 0) {
    apt(['update']);
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing]);
  }
}

let context: string;
beforeAll(() => {
  ensureTools();
  run('node', [join(REPO, 'docker/base-image.mjs')]);
  context = mkdtempSync(join(tmpdir(), 'image-context-'));
  run('node', [join(REPO, 'docker/prepare-context.mjs'), context]);
  run('buildah', [...STORAGE, 'build', '--isolation', 'chroot', '--pull=never', '--format', 'docker', '-f', join(REPO, 'docker/sse-server.Dockerfile'), '-t', IMAGE, context]);
}, 900_000);
afterAll(() => {
  if (context) rmSync(context, { recursive: true, force: true });
  // This run's image goes (the base image stays, for the next run).
  spawnSync('buildah', [...STORAGE, 'rmi', '--force', IMAGE]);
});

interface ImageConfig {
  readonly User: string;
  readonly Env: readonly string[];
  readonly Entrypoint: readonly string[];
  readonly Volumes: Record<string, unknown>;
  readonly Healthcheck?: { readonly Test: readonly string[] };
}

const chownTree = (folder: string) => {
  chownSync(folder, APP_UID, APP_UID);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) chownTree(path);
    else chownSync(path, APP_UID, APP_UID);
  }
};

describe('the container image (docker/sse-server.Dockerfile)', () => {
  it('runs as its own user under tini, with a health check on /health, the data volume and HOST=0.0.0.0', () => {
    const config = (JSON.parse(run('buildah', [...STORAGE, 'inspect', '--type', 'image', IMAGE])) as { Docker: { config: ImageConfig } }).Docker.config;
    expect(config.User).toBe(`${APP_UID}:${APP_UID}`);
    expect(config.Entrypoint).toEqual(['/usr/bin/tini', '-s', '--', 'node', '/app/dist/cli.js']);
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(config.Env).toEqual(expect.arrayContaining(['HOST=0.0.0.0', 'DATA_DIR=/data']));
    expect(config.Healthcheck?.Test.join(' ')).toContain('/health');
  });

  describe('started', () => {
    let fixture: ServerFixture;
    let dataDir: string;
    let container: string;
    let child: ChildProcess;
    let output = '';
    let origin: string;

    beforeAll(async () => {
      fixture = await createServerFixture();
      dataDir = mkdtempSync(join(tmpdir(), 'container-data-'));
      // The container's user writes its state, the sandbox (HOME, Claude's config, the work folder).
      chownTree(dataDir);
      chownTree(fixture.sandbox.root);
      const port = await freePort();
      origin = `http://127.0.0.1:${port}`;
      const pass = ['HOME', 'CLAUDE_CONFIG_DIR', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC', 'CLAUDE_CODE_MAX_RETRIES', 'TMPDIR'];
      const env = {
        ...Object.fromEntries(pass.flatMap((name) => (fixture.env[name] === undefined ? [] : [[name, fixture.env[name]]]))),
        // Tests listen on loopback only.
        HOST: '127.0.0.1',
        PORT: String(port),
        BASE_URL: origin,
        OAUTH_ENABLED: 'true',
        ADMIN_PASSWORD,
        OAUTH_CLIENT_ID: MACHINE.clientId,
        OAUTH_CLIENT_SECRET: MACHINE.clientSecret,
        DEFAULT_WORKING_DIRECTORY: fixture.sandbox.cwd,
        LOG_LEVEL: 'info',
      };
      container = run('buildah', [...STORAGE, 'from', '--pull=never', IMAGE]);
      const entrypoint = (JSON.parse(run('buildah', [...STORAGE, 'inspect', '--type', 'image', IMAGE])) as { Docker: { config: ImageConfig } }).Docker.config.Entrypoint;
      child = spawn(
        'buildah',
        [...STORAGE, 'run', '--isolation', 'chroot', ...Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]), '-v', `${dataDir}:/data`, '-v', `${fixture.sandbox.root}:${fixture.sandbox.root}`, container, '--', ...entrypoint],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const listening = new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('HTTP server listening')) resolve();
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        child.once('exit', (code) => reject(new Error(`the container exited (${code}) before listening:\n${output.slice(-3000)}`)));
      });
      await Promise.race([listening, new Promise((_resolve, reject) => setTimeout(() => reject(new Error(`not listening after 60 s:\n${output.slice(-3000)}`)), 60_000))]);
    }, 120_000);

    afterAll(async () => {
      // A test that failed first leaves the server running: its whole tree goes.
      if (child?.exitCode === null) {
        for (const pid of [...descendantPids(child.pid ?? -1), child.pid ?? -1]) if (pid > 0 && isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      if (container) spawnSync('buildah', [...STORAGE, 'rm', container]);
      await fixture?.dispose();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    });

    it('answers /health and /ready (the Claude Code binary inside answers, the volume takes a write); the image’s own health check passes', async () => {
      expect((await fetch(new URL('/health', origin))).status).toBe(200);
      // HEALTHCHECK as an engine runs it: its command inside the container, with the container's PORT.
      const config = (JSON.parse(run('buildah', [...STORAGE, 'inspect', '--type', 'image', IMAGE])) as { Docker: { config: ImageConfig } }).Docker.config;
      const [form, ...command] = config.Healthcheck!.Test;
      expect(form).toBe('CMD');
      run('buildah', [...STORAGE, 'run', '--isolation', 'chroot', '--env', `PORT=${new URL(origin).port}`, container, '--', ...command]);
      const ready = await fetch(new URL('/ready', origin));
      expect(await ready.json()).toEqual({ status: 'ready', checks: { claude: 'ok', dataDir: 'ok', database: 'ok', signingKeys: 'ok' } });
    });

    it('runs a real claude_ask with an OAuth token: Claude Code in the container writes into the mounted folder, as the container’s user', async () => {
      const target = join(fixture.sandbox.cwd, 'from-the-container.txt');
      fixture.mock.script(turn(toolUse('Write', { file_path: target, content: 'written inside the image\n' })), turn(text('done in the container'), { match: { toolResult: true } }));
      const token = await machineToken(origin, 'read run');
      const client = new Client({ name: 'container-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
      await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', origin), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
      const result = (await client.callTool({ name: 'claude_ask', arguments: { query: 'write the file', allowedTools: ['Write'] } })) as { structuredContent: { status: string; result: string } };
      await client.close();
      expect(result.structuredContent).toMatchObject({ status: 'completed', result: 'done in the container' });
      expect(readFileSync(target, 'utf8')).toBe('written inside the image\n');
      expect(statSync(target).uid).toBe(APP_UID);
      // The state is in the volume.
      expect(existsSync(join(dataDir, 'state.sqlite'))).toBe(true);
      // The server itself runs as that user.
      const server = descendantPids(child.pid ?? -1).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes('node /app/dist/cli.js'));
      expect(server).toBeDefined();
      expect(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${server}/status`, 'utf8'))?.[1]).toBe(String(APP_UID));
    }, 120_000);

    it('stops cleanly on SIGTERM (through tini): exit 0, no process left', async () => {
      const tree = descendantPids(child.pid ?? -1);
      const tini = tree.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('/usr/bin/tini'));
      expect(tini).toBeDefined();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      process.kill(tini!, 'SIGTERM');
      expect(await exited).toBe(0);
      expect(output).toContain('shutting down');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && tree.some(isProcessAlive)) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(tree.filter(isProcessAlive)).toEqual([]);
    }, 60_000);
  });
});

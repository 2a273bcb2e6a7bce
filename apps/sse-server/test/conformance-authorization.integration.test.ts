// The official conformance suite's authorization-server scenarios against the server's own OAuth
// issuer: its metadata (RFC 8414, with Client ID Metadata Documents) and a full authorization code
// grant, the admin signing in at our page over HTTP where the suite would wait for a person.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, type RunningServer, type ServerFixture } from './helpers.js';
import { freePort, signIn, startOAuthServer } from './oauth-helpers.js';

const require = createRequire(import.meta.url);
const SUITE = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');

interface Check {
  readonly id: string;
  readonly status: string;
  readonly errorMessage?: string;
}

/** One run of `conformance authorization`: its output so far (ANSI stripped) and its exit code. */
interface AuthorizationRun {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  /** Resolves with the first line (trimmed) that `matches`, once printed. */
  waitForLine(matches: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

let fixture: ServerFixture;
let server: RunningServer | undefined;
let run: AuthorizationRun | undefined;
let outputDir: string;
beforeEach(async () => {
  fixture = await createServerFixture();
  outputDir = await mkdtemp(join(tmpdir(), 'conformance-authorization-'));
});
afterEach(async () => {
  if (run && run.child.exitCode === null && run.child.signalCode === null) {
    run.child.kill('SIGKILL');
    await run.exited;
  }
  run = undefined;
  await server?.stop();
  server = undefined;
  await fixture.dispose();
  await rm(outputDir, { recursive: true, force: true });
});

function runAuthorization(args: readonly string[]): AuthorizationRun {
  const child = spawn(process.execPath, [SUITE, 'authorization', ...args, '-o', outputDir], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let raw = '';
  const output = () => stripVTControlCharacters(raw);
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    raw += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    waitForLine(matches, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output().split('\n').map((candidate) => candidate.trim()).find(matches);
          if (line === undefined) return false;
          done();
          resolve(line);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no such line within ${timeoutMs} ms; output:\n${output()}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          if (check()) return;
          done();
          reject(new Error(`the suite exited with ${code} before printing the line it waited for; output:\n${output()}`));
        };
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
          child.off('exit', onExit);
        };
        listeners.add(check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/** Every check of every checks.json the suite wrote under `dir`, by scenario. */
async function readChecks(dir: string): Promise<Record<string, Check[]>> {
  const found: Record<string, Check[]> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name !== 'checks.json') continue;
    const path = join(entry.parentPath, entry.name);
    found[path.slice(dir.length + 1)] = JSON.parse(await readFile(path, 'utf8')) as Check[];
  }
  return found;
}

const summarise = (checks: readonly Check[]) => checks.map(({ id, status, errorMessage }) => ({ id, status, ...(errorMessage === undefined ? {} : { errorMessage }) }));

/** GETs the suite's callback, retrying briefly while its callback server is not listening yet. */
async function deliver(callback: URL): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(callback, { redirect: 'manual' });
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('conformance authorization against our issuer', () => {
  it('authorization-server-metadata-endpoint: both metadata checks pass', async () => {
    server = await startOAuthServer(fixture);
    run = runAuthorization(['--url', server.origin, '--scenario', 'authorization-server-metadata-endpoint']);
    const code = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);

    const checks = Object.values(await readChecks(outputDir)).flat();
    expect(summarise(checks), output).toEqual([
      { id: 'authorization-server-metadata', status: 'SUCCESS' },
      { id: 'authorization-server-metadata-cimd', status: 'SUCCESS' },
    ]);
  });

  it('all scenarios, with a registered client: metadata and the authorization code grant pass', async () => {
    server = await startOAuthServer(fixture);
    const { origin } = server;
    const registered = await fetch(`${origin}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/callback'], client_name: 'MCP conformance suite' }),
    });
    expect(registered.status).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };

    const port = await freePort();
    run = runAuthorization(['--url', origin, '--client-id', clientId, '--resource', `${origin}/mcp`, '-p', String(port)]);
    const authorizeUrl = new URL(await run.waitForLine((line) => line.startsWith(`${origin}/oauth/authorize?`), 30_000));
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${port}/callback`);
    expect(authorizeUrl.searchParams.get('resource')).toBe(`${origin}/mcp`);

    const callback = await signIn(authorizeUrl);
    expect(callback.origin + callback.pathname).toBe(`http://127.0.0.1:${port}/callback`);
    expect(callback.searchParams.get('code')).toBeTruthy();
    const delivered = await deliver(callback);
    expect(delivered.status, await delivered.text()).toBeLessThan(400);

    const code = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output).toContain('Total: 3 passed, 0 failed');

    const checks = Object.values(await readChecks(outputDir)).flat();
    expect(summarise(checks).toSorted((a, b) => a.id.localeCompare(b.id)), output).toEqual([
      { id: 'authorization-code-grant', status: 'SUCCESS' },
      { id: 'authorization-server-metadata', status: 'SUCCESS' },
      { id: 'authorization-server-metadata-cimd', status: 'SUCCESS' },
    ]);
  });
});

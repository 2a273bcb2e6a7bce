// /ready of the built HTTP server: every check named, 200 when all pass, 503 naming the one that
// fails (the data folder gone, the Claude Code binary gone), exempt from rate limits and host checks.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createServerFixture, startServer, type RunningServer, type ServerFixture } from './helpers.js';
import { startOAuthServer } from './oauth-helpers.js';

let fixture: ServerFixture;
let server: RunningServer | undefined;
const scratch: string[] = [];
beforeEach(async () => {
  fixture = await createServerFixture();
});
afterEach(async () => {
  await server?.stop();
  server = undefined;
  await fixture.dispose();
  for (const folder of scratch.splice(0)) rmSync(folder, { recursive: true, force: true });
});

interface Readiness {
  status: string;
  checks: Record<string, string>;
}
const ready = async (origin: string) => {
  const response = await fetch(new URL('/ready', origin));
  return { status: response.status, body: (await response.json()) as Readiness, cache: response.headers.get('cache-control') };
};

describe('/ready', () => {
  it('answers 200 when the binary, the data folder and the database answer; with OAuth, the signing keys too', async () => {
    server = await startServer(fixture, { RATE_LIMIT_REQUESTS: '1' });
    const first = await ready(server.origin);
    expect(first).toEqual({ status: 200, body: { status: 'ready', checks: { claude: 'ok', dataDir: 'ok', database: 'ok' } }, cache: 'no-store' });
    // A probe is never rate limited.
    for (let index = 0; index < 3; index += 1) expect((await ready(server.origin)).status).toBe(200);
    await server.stop();
    server = await startOAuthServer(fixture);
    expect((await ready(server.origin)).body.checks).toEqual({ claude: 'ok', dataDir: 'ok', database: 'ok', signingKeys: 'ok' });
  });

  it('answers 503 naming what failed: the data folder gone, then the Claude Code binary gone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ready-data-'));
    const binaryFolder = mkdtempSync(join(tmpdir(), 'ready-bin-'));
    scratch.push(dataDir, binaryFolder);
    const binary = join(binaryFolder, 'claude');
    copyFileSync(fixture.env['CLAUDE_CODE_PATH']!, binary);
    server = await startServer(fixture, { DATA_DIR: dataDir, CLAUDE_CODE_PATH: binary });
    expect((await ready(server.origin)).status).toBe(200);

    rmSync(dataDir, { recursive: true, force: true });
    // A report is reused for a second (probes that come together share one round of checks).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const noFolder = await ready(server.origin);
    expect(noFolder.status).toBe(503);
    expect(noFolder.body.status).toBe('not_ready');
    // The code only: no path, no pid (the detail is in the log).
    expect(noFolder.body.checks['dataDir']).toBe('failed: ENOENT');
    expect(JSON.stringify(noFolder.body)).not.toContain(dataDir);
    expect(server.stderr()).toContain('a readiness check fails');
    expect(noFolder.body.checks['claude']).toBe('ok');

    // The binary's good answer is remembered for 30 s: a restart of the server asks again.
    rmSync(binary);
    await server.stop();
    const fresh = mkdtempSync(join(tmpdir(), 'ready-data-'));
    scratch.push(fresh);
    copyFileSync(fixture.env['CLAUDE_CODE_PATH']!, binary);
    server = await startServer(fixture, { DATA_DIR: fresh, CLAUDE_CODE_PATH: binary });
    rmSync(binary);
    const noBinary = await ready(server.origin);
    expect(noBinary.status).toBe(503);
    expect(noBinary.body.checks['claude']).toMatch(/^failed: [\w-]+$/);
    expect(JSON.stringify(noBinary.body)).not.toContain(binary);
    expect(noBinary.body.checks['dataDir']).toBe('ok');
  });
});

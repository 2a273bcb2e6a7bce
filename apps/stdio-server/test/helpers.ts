import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { listDescendants } from '@claude-code-mcp/claude-cli-driver';
import { createCliSandbox, createMockAnthropicServer, type CliSandbox, type MockAnthropicServer } from '@claude-code-mcp/test-harness';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/** The built server, as `npx` would run it. */
export const SERVER_ENTRY = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface ServerFixture {
  readonly mock: MockAnthropicServer;
  readonly sandbox: CliSandbox;
  readonly dataDir: string;
  /** The environment the server runs with (the sandbox's plus the server's own settings). */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

export async function createServerFixture(extra: Record<string, string> = {}): Promise<ServerFixture> {
  const mock = await createMockAnthropicServer();
  const sandbox = await createCliSandbox({ mock });
  const dataDir = mkdtempSync(join(tmpdir(), 'stdio-server-data-'));
  const env = {
    ...sandbox.env,
    CLAUDE_CODE_PATH: sandbox.claudePath,
    DATA_DIR: dataDir,
    DEFAULT_WORKING_DIRECTORY: sandbox.cwd,
    LOG_LEVEL: 'debug',
    ...extra,
  };
  return {
    mock,
    sandbox,
    dataDir,
    env,
    async dispose() {
      await mock.close();
      await sandbox.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ConnectedClient {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  readonly stderr: () => string;
  readonly close: () => Promise<void>;
}

/** The SDK v2 client over stdio against the built server. */
export async function connect(fixture: ServerFixture, options: { elicitation?: boolean } = {}): Promise<ConnectedClient> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env: fixture.env, cwd: fixture.sandbox.cwd, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'stdio-test', version: '1.0.0' }, { capabilities: options.elicitation ? { elicitation: { form: {} } } : {} });
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

/** Waits until a descendant of `rootPid` matches; returns the whole tree at that moment. */
export async function waitForDescendant(rootPid: number, pattern: RegExp, timeoutMs = 20_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const tree = listDescendants(rootPid);
    if (tree.some((entry) => pattern.test(commandLine(entry.pid)))) return tree.map((entry) => entry.pid);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no descendant of ${rootPid} matching ${pattern} within ${timeoutMs} ms`);
}

export const LONG_BASH = 'for i in $(seq 1 120); do sleep 1; done';

// Alive and not a zombie (the harness reads /proc on Linux).
export { isProcessAlive as isRunning } from '@claude-code-mcp/test-harness';

import { fileURLToPath } from 'node:url';

import type { ServerFixture } from '@claude-code-mcp/test-harness';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

export { createServerFixture, type ServerFixture } from '@claude-code-mcp/test-harness';

/** The built server, as `npx` would run it. */
export const SERVER_ENTRY = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export interface ConnectedClient {
  readonly client: Client;
  readonly transport: StdioClientTransport;
  readonly stderr: () => string;
  readonly close: () => Promise<void>;
}

/** The SDK v2 client over stdio against the built server. */
export async function connect(fixture: ServerFixture, options: { elicitation?: boolean; negotiate?: boolean; env?: Record<string, string> } = {}): Promise<ConnectedClient> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER_ENTRY], env: { ...fixture.env, ...options.env }, cwd: fixture.sandbox.cwd, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client(
    { name: 'stdio-test', version: '1.0.0' },
    { capabilities: options.elicitation ? { elicitation: { form: {} } } : {}, ...(options.negotiate ? { versionNegotiation: { mode: 'auto' as const } } : {}) },
  );
  await client.connect(transport);
  return {
    client,
    transport,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

export { commandLine, waitForDescendant } from '@claude-code-mcp/test-harness';

export const LONG_BASH = 'for i in $(seq 1 120); do sleep 1; done';

// Alive and not a zombie (the harness reads /proc on Linux).
export { isProcessAlive as isRunning } from '@claude-code-mcp/test-harness';

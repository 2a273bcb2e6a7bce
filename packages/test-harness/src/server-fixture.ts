// What every server test needs before it starts a server: a mock API, a sandbox for the real CLI,
// an empty data folder, and the environment that ties them together.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createCliSandbox, type CliSandbox } from './cli-sandbox.js';
import { createMockAnthropicServer, type MockAnthropicServer } from './mock-anthropic-server.js';

/** A mock, a sandbox and a data folder for one server under test. */
export interface ServerFixture {
  readonly mock: MockAnthropicServer;
  readonly sandbox: CliSandbox;
  readonly dataDir: string;
  /** The environment the server runs with: the sandbox's, plus the server's own settings. */
  readonly env: Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * Creates the mock, the sandbox and a data folder; `extra` variables override the defaults
 * (`CLAUDE_CODE_PATH`, `DATA_DIR`, `DEFAULT_WORKING_DIRECTORY`, `LOG_LEVEL=debug`).
 *
 * @example
 * const fixture = await createServerFixture({ AUTO_CHECKPOINT: 'true' });
 * spawn(process.execPath, [entry], { env: fixture.env });
 * await fixture.dispose();
 */
export async function createServerFixture(extra: Record<string, string> = {}): Promise<ServerFixture> {
  const mock = await createMockAnthropicServer();
  const sandbox = await createCliSandbox({ mock });
  const dataDir = mkdtempSync(join(tmpdir(), 'server-data-'));
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

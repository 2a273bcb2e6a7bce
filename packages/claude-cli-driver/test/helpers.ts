import { createCliSandbox, createMockAnthropicServer, getMessages, type CliSandbox, type MockAnthropicServer } from '@claude-code-mcp/test-harness';

import type { RunOptions } from '../src/index.js';

/** A mock API and a throw-away HOME + working directory for one test. */
export interface Fixture {
  readonly mock: MockAnthropicServer;
  readonly sandbox: CliSandbox;
  /** Run options that point the real CLI at the mock, in the sandbox, with nothing inherited. */
  readonly options: RunOptions & { cwd: string };
  dispose(): Promise<void>;
}

export async function createFixture(extraEnv: Record<string, string> = {}): Promise<Fixture> {
  const mock = await createMockAnthropicServer();
  const sandbox = await createCliSandbox({ mock, env: extraEnv });
  return {
    mock,
    sandbox,
    options: { executable: sandbox.claudePath, cwd: sandbox.cwd, env: sandbox.env, inheritEnv: false, killGraceMs: 1_500 },
    async dispose() {
      await mock.close();
      await sandbox.cleanup();
    },
  };
}

export { commandLine, waitForDescendant } from '@claude-code-mcp/test-harness';

/** Every text the CLI sent in the messages of its last main-loop request (all roles). */
export function lastRequestTexts(mock: MockAnthropicServer): string[] {
  return getMessages(mock.mainRequests().at(-1)?.body).flatMap((message) =>
    message.content.map((block) => (block.type === 'text' ? (block.text ?? '') : JSON.stringify(block.content ?? ''))),
  );
}

// Alive and not a zombie (the harness reads /proc on Linux).
export { isProcessAlive as isRunning } from '@claude-code-mcp/test-harness';

// The product's HTTP stack (config, tools service, fastify app) with the conformance fixtures
// registered on every MCP server it makes, so that the suite's fixture scenarios judge our stack.
import { openClaudeToolsService, type ClaudeToolsService } from '@claude-code-mcp/mcp-tools';
import { noopLogger } from '@claude-code-mcp/observability';
import { resolveClaudeCodePath, toolsServiceOptions } from '@claude-code-mcp/server-config';
import { createServerFixture, type ServerFixture } from '@claude-code-mcp/test-harness';

import { parseConfig } from '../../src/config.js';
import { buildHttpApp, type HttpAppOptions } from '../../src/http-app.js';
import type { ChangedList } from '../../src/mcp-routes.js';
import { fixtureStateCodec } from './fixture-input-required.js';
import { registerConformanceFixtures } from './fixtures.js';

/** A running fixture stack. */
export interface FixtureStack {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  close(): Promise<void>;
}

const VERSION = '0.0.0-conformance';

/**
 * The service, but every server it makes also carries the fixtures; and what tells the HTTP app's
 * listen streams of list changes: the service's prompt watcher and the fixtures' triggers.
 */
function withFixtures(service: ClaudeToolsService): { service: ClaudeToolsService; watchLists: NonNullable<HttpAppOptions['watchLists']> } {
  const listeners = new Set<(list: ChangedList) => void>();
  const listChanged = (list: ChangedList) => {
    for (const listener of listeners) listener(list);
  };
  return {
    service: { ...service, createServer: (context) => registerConformanceFixtures(service.createServer(context), { listChanged }) },
    watchLists: (listener) => {
      listeners.add(listener);
      const stop = service.watchPrompts(() => listener('prompts'));
      return () => {
        listeners.delete(listener);
        stop();
      };
    },
  };
}

async function serve(harness: ServerFixture): Promise<FixtureStack> {
  const config = parseConfig(harness.env, { cwd: harness.sandbox.cwd, homeDirectory: harness.sandbox.home });
  const claudeExecutable = resolveClaudeCodePath(config.claudeCodePath, harness.env['PATH']);
  const service = await openClaudeToolsService({
    ...toolsServiceOptions(config, { claudeExecutable, claudeEnv: harness.env }),
    version: VERSION,
    // The slash commands answer prompts/* by hand, which would hide the fixtures' prompts.
    commandPrompts: false,
    // The fixtures' multi-round tools mint request states of their own.
    requestStateVerifier: (state, context) => fixtureStateCodec.verify(state, context),
  });
  const app = await buildHttpApp({ config, ...withFixtures(service), logger: noopLogger, version: VERSION, claudeExecutable, claudeEnv: harness.env });
  const close = async () => {
    try {
      await app.close();
    } finally {
      await service.close();
    }
  };
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  return { origin: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : config.port}`, close };
}

/**
 * Starts the stack on 127.0.0.1 and a free port, with a fresh data folder and working directory
 * (the test harness's sandbox), the harness's Claude binary, and no rate limit.
 *
 * @example
 * const stack = await startFixtureStack();
 * await runSuite(['server', '--url', new URL('/mcp', stack.origin).href]);
 * await stack.close();
 */
export async function startFixtureStack(): Promise<FixtureStack> {
  // The suite sends requests faster than the default limit allows one client.
  const harness = await createServerFixture({ RATE_LIMIT_ENABLED: 'false', HOST: '127.0.0.1', PORT: '0' });
  try {
    const stack = await serve(harness);
    return {
      origin: stack.origin,
      async close() {
        try {
          await stack.close();
        } finally {
          await harness.dispose();
        }
      },
    };
  } catch (error) {
    await harness.dispose();
    throw error;
  }
}

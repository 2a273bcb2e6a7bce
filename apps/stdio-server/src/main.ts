import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import { openClaudeToolsService } from '@claude-code-mcp/mcp-tools';
import { createLogger } from '@claude-code-mcp/observability/logging';
import { handleShutdownSignals, serverStart, toolsServiceOptions } from '@claude-code-mcp/server-config';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

import { parseConfig } from './config.js';
import { GuardedStdioTransport } from './guarded-stdio-transport.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

/** Starts the server on stdin/stdout; it runs until stdin closes or a signal arrives. */
export async function main(): Promise<void> {
  const start = serverStart('claude-code-mcp');
  const { config, claudeExecutable } = start.config(() => parseConfig(process.env, { cwd: process.cwd(), homeDirectory: homedir() }), process.env['PATH']);
  const logger = createLogger({ level: config.logLevel, name: 'claude-code-mcp' });

  const service = await start.step(() =>
    openClaudeToolsService({
      ...toolsServiceOptions(config, { claudeExecutable, claudeEnv: process.env }),
      version: packageVersion(),
      onTaskEvent: (event) => logger.info({ event: event.type, taskId: event.task.id, status: event.task.status }, 'background task event'),
      logger,
    }),
  );
  // One server for the whole connection, whichever the era: it is told when the slash commands change.
  const served = serveStdio((context) => service.createServer({ ...context, lifetime: 'connection' }), {
    transport: new GuardedStdioTransport(),
    onerror: (error) => logger.error({ err: error }, 'MCP transport error'),
  });
  logger.info({ dataDir: config.dataDir, roots: config.allowedRoots }, 'claude-code-mcp stdio server ready');

  // Background tasks do not hold the server: they run in processes of their own, go on after it
  // exits (unless BACKGROUND_TASKS_ON_SHUTDOWN=stop) and the next server on DATA_DIR adopts them.
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      await service.close();
      await served.close();
      process.exit(0);
    })();
    return stopping;
  };
  handleShutdownSignals((name) => void stop(name));
  // The client closing stdin is the normal end of a stdio session.
  process.stdin.once('end', () => void stop('stdin closed'));
  process.stdin.once('close', () => void stop('stdin closed'));
}

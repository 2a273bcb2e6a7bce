import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import { McpToolsError, openClaudeToolsService } from '@claude-code-mcp/mcp-tools';
import { createLogger } from '@claude-code-mcp/observability/logging';
import { checkWorkingDirectory, ConfigError, handleShutdownSignals, resolveClaudeCodePath, toolsServiceOptions } from '@claude-code-mcp/server-config';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

import { parseConfig } from './config.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const fail = (problems: readonly string[]): never => {
  process.stderr.write(`claude-code-mcp: invalid configuration: ${problems.join('; ')}\n`);
  process.exit(1);
};

// A corrupt, newer or read-only data folder is a configuration problem: one line, like the others.
function openService<T>(open: () => T): T {
  try {
    return open();
  } catch (error) {
    if (McpToolsError.isInstance(error) && error.code === 'MCP_TOOLS_STORE_FAILED') fail([`DATA_DIR: ${error.message.replace(/\s*\n\s*/g, ' ')}`]);
    throw error;
  }
}

/** Starts the server on stdin/stdout; it runs until stdin closes or a signal arrives. */
export function main(): void {
  let config;
  let claudeExecutable;
  try {
    config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: homedir() });
    checkWorkingDirectory(config);
    claudeExecutable = resolveClaudeCodePath(config.claudeCodePath, process.env['PATH']);
  } catch (error) {
    if (ConfigError.isInstance(error)) fail(error.problems);
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: 'claude-code-mcp' });

  const service = openService(() =>
    openClaudeToolsService({
      ...toolsServiceOptions(config, { claudeExecutable, claudeEnv: process.env }),
      version: packageVersion(),
      onTaskEvent: (event) => logger.info({ event: event.type, taskId: event.task.id, status: event.task.status }, 'background task event'),
      logger,
    }),
  );
  const { tasks } = service;
  const served = serveStdio((context) => service.createServer(context), {
    onerror: (error) => logger.error({ err: error }, 'MCP transport error'),
  });
  logger.info({ dataDir: config.dataDir, roots: config.allowedRoots }, 'claude-code-mcp stdio server ready');

  let stopping: Promise<void> | undefined;
  const stop = (reason: string, waitForTasks: boolean) => {
    stopping ??= (async () => {
      if (waitForTasks && tasks.activeCount > 0) {
        // The client went away, but background tasks were asked to outlive it: finish them first.
        logger.info({ tasks: tasks.activeCount }, 'client disconnected; finishing background tasks before exiting');
        await tasks.waitForIdle();
      }
      logger.info({ reason }, 'shutting down');
      await service.close();
      await served.close();
      process.exit(0);
    })();
    return stopping;
  };
  // A signal is an explicit stop: background tasks are interrupted, even while a disconnected
  // client's tasks were being waited for.
  const onSignal = (name: string) => {
    void tasks.shutdown();
    void stop(name, false);
  };
  handleShutdownSignals(onSignal);
  // The client closing stdin is the normal end of a stdio session.
  process.stdin.once('end', () => void stop('stdin closed', true));
  process.stdin.once('close', () => void stop('stdin closed', true));
}

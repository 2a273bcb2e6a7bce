import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import { openClaudeToolsService, TOOL_NAMES } from '@claude-code-mcp/mcp-tools';
import type { MetricsListener } from '@claude-code-mcp/observability';
import { createLogger, type Logger } from '@claude-code-mcp/observability/logging';
import { OPERATIONS_SECRET_VARIABLES, handleShutdownSignals, serverStart, toolsServiceOptions, type ServerStart } from '@claude-code-mcp/server-config';
import type { ServerOperations } from '@claude-code-mcp/server-config/operations';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

import { parseConfig, type StdioServerConfig } from './config.js';
import { GuardedStdioTransport } from './guarded-stdio-transport.js';

// When stdin closes, the client waits for the exit (the SDK's client 2 s, then SIGTERM, then 2 s
// more before SIGKILL): the stop, the outbox's last flush included, ends within this long of its
// start, the flush getting at least half a second. What is left is delivered by the next server
// on DATA_DIR, or by another one running on it now.
const STOP_BUDGET_MS = 2_500;
const MIN_FLUSH_MS = 500;

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

const readConfig = (start: ServerStart) => start.config(() => parseConfig(process.env, { cwd: process.cwd(), homeDirectory: homedir() }), process.env['PATH']);

/** `claude-code-mcp webhooks …` (dead letters, replay): the configuration's data folder. */
export async function webhooksCommandMain(args: readonly string[]): Promise<number> {
  const { config } = readConfig(serverStart('claude-code-mcp'));
  const { webhooksCommand } = await import('@claude-code-mcp/server-config/operations');
  return webhooksCommand(args, { dataDir: config.dataDir, out: process.stdout, program: 'claude-code-mcp' });
}

// Metrics and webhooks load only when configured: most stdio servers have neither, and they
// would cost every start prom-client and the outbox.
async function openOperations(start: ServerStart, config: StdioServerConfig, logger: Logger): Promise<ServerOperations | undefined> {
  if (!config.metrics.enabled && !config.webhooks.enabled) return undefined;
  const { openServerOperations } = await import('@claude-code-mcp/server-config/operations');
  return start.step(() => openServerOperations({ config, logger, service: 'stdio-server', transport: 'pipe', tools: TOOL_NAMES }));
}

// METRICS_PORT taken is expected here: every client session starts a server with the same
// settings. The first one serves /metrics; the others say so and go on without. Another failure
// (an address not of this machine) ends the start, after `cleanUp`.
async function listenForMetrics(start: ServerStart, config: StdioServerConfig, operations: ServerOperations | undefined, logger: Logger, cleanUp: () => Promise<void>): Promise<MetricsListener | undefined> {
  if (operations?.metrics === undefined || !config.metrics.enabled || config.metrics.port === undefined) return undefined;
  const where = { host: config.metrics.host, port: config.metrics.port };
  const { serveMetrics } = await import('@claude-code-mcp/observability');
  try {
    const listener = await serveMetrics(operations.metrics.registry, { ...where, logger });
    logger.info(where, 'metrics listening at /metrics');
    return listener;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      logger.warn(where, 'METRICS_PORT is in use (another claude-code-mcp on this machine?): this server serves no metrics');
      return undefined;
    }
    await cleanUp();
    return start.fail([`METRICS_PORT: cannot listen on ${where.host}:${where.port} (${error instanceof Error ? error.message : String(error)}); choose another port or METRICS_HOST`]);
  }
}

/** Starts the server on stdin/stdout; it runs until stdin closes or a signal arrives. */
export async function main(): Promise<void> {
  const start = serverStart('claude-code-mcp');
  const { config, claudeExecutable } = readConfig(start);
  const logger = createLogger({ level: config.logLevel, name: 'claude-code-mcp' });
  // Claude Code (and whatever its Bash tool runs) inherits this process's environment: the
  // receivers' URLs and secrets, read above, leave it.
  for (const name of OPERATIONS_SECRET_VARIABLES) delete process.env[name];
  const version = packageVersion();

  const operations = await openOperations(start, config, logger);
  const service = await start.step(() =>
    openClaudeToolsService({
      ...toolsServiceOptions(config, { claudeExecutable, claudeEnv: process.env }),
      version,
      onTaskEvent: (event) => {
        logger.info({ event: event.type, taskId: event.task.id, status: event.task.status }, 'background task event');
        operations?.taskEvent(event);
      },
      ...(operations?.onEvent ? { onEvent: operations.onEvent } : {}),
      logger,
    }),
  ).catch(async (error: unknown) => {
    await operations?.close(AbortSignal.timeout(0));
    throw error;
  });
  operations?.readState(() => {
    const { warmProcesses, queuedRuns, backgroundTasks } = service.state();
    return { sessions: { stdio: 1 }, warmProcesses, queuedRuns, backgroundTasks };
  });
  const metricsListener = await listenForMetrics(start, config, operations, logger, async () => {
    await service.close();
    await operations?.close(AbortSignal.timeout(0));
  });
  // One server for the whole connection, whichever the era: it is told when the slash commands change.
  const served = serveStdio((context) => service.createServer({ ...context, lifetime: 'connection' }), {
    transport: new GuardedStdioTransport(),
    onerror: (error) => logger.error({ err: error }, 'MCP transport error'),
  });

  // Background tasks do not hold the server: they run in processes of their own, go on after it
  // exits (unless BACKGROUND_TASKS_ON_SHUTDOWN=stop) and the next server on DATA_DIR adopts them.
  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      const flushUntil = Date.now() + STOP_BUDGET_MS;
      try {
        await service.close();
        await served.close();
        await metricsListener?.close();
      } catch (error) {
        logger.error({ err: error }, 'the server did not close cleanly');
      } finally {
        // The same data as the HTTP server's: `signal` when one stopped it.
        await operations?.emit('server.shutdown', { reason, ...(reason.startsWith('SIG') ? { signal: reason } : {}) });
        const flushMs = Math.max(MIN_FLUSH_MS, flushUntil - Date.now());
        await operations?.close(AbortSignal.timeout(flushMs), Date.now() + flushMs);
        process.exit(0);
      }
    })();
    return stopping;
  };
  handleShutdownSignals((name) => void stop(name));
  // The client closing stdin is the normal end of a stdio session.
  process.stdin.once('end', () => void stop('stdin closed'));
  process.stdin.once('close', () => void stop('stdin closed'));
  logger.info({ dataDir: config.dataDir, roots: config.allowedRoots }, 'claude-code-mcp stdio server ready');
  await operations?.emit('server.started', { version, transport: 'stdio' });
}

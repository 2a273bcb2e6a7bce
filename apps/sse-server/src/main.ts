import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';

import { openClaudeToolsService, TOOL_NAMES } from '@claude-code-mcp/mcp-tools';
import { createLogger } from '@claude-code-mcp/observability/logging';
import { serveMetrics } from '@claude-code-mcp/observability';
import { OPERATIONS_SECRET_VARIABLES, handleShutdownSignals, serverStart, toolsServiceOptions } from '@claude-code-mcp/server-config';
import { openServerOperations, webhooksCommand } from '@claude-code-mcp/server-config/operations';

import { parseConfig } from './config.js';
import { openAuthorizationState } from './authorization.js';
import { buildHttpApp } from './http-app.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

// A flood of 429s is one rate_limit.exceeded event a minute per route and client (at most 1,000 kept).
function onceAMinute(send: (details: { readonly route: string; readonly clientId?: string }) => void): (details: { readonly route: string; readonly clientId?: string }) => void {
  const sentAt = new Map<string, number>();
  return (details) => {
    const key = `${details.route} ${details.clientId ?? ''}`;
    const now = Date.now();
    if (now - (sentAt.get(key) ?? Number.NEGATIVE_INFINITY) < 60_000) return;
    if (sentAt.size >= 1_000) sentAt.delete(sentAt.keys().next().value!);
    sentAt.delete(key);
    sentAt.set(key, now);
    send(details);
  };
}

// Polls `done` (every 50 ms) until it holds or `deadline` aborts: whether it held.
async function until(done: () => boolean, deadline: AbortSignal): Promise<boolean> {
  while (!done() && !deadline.aborted) await new Promise((resolve) => setTimeout(resolve, 50));
  return done();
}

/** `claude-code-mcp-http webhooks …` (dead letters, replay): the configuration's data folder. */
export async function webhooksCommandMain(args: readonly string[]): Promise<number> {
  const start = serverStart('claude-code-mcp-http');
  const { config } = start.config(() => parseConfig(process.env, { cwd: process.cwd(), homeDirectory: homedir() }), process.env['PATH']);
  return webhooksCommand(args, { dataDir: config.dataDir, out: process.stdout, program: 'claude-code-mcp-http' });
}

/** Starts the HTTP server; it runs until SIGINT or SIGTERM. */
export async function main(): Promise<void> {
  const start = serverStart('claude-code-mcp-http');
  const { config, claudeExecutable } = start.config(() => parseConfig(process.env, { cwd: process.cwd(), homeDirectory: homedir() }), process.env['PATH']);
  const logger = createLogger({ level: config.logLevel, name: 'claude-code-mcp-http' });
  // Claude Code (and whatever its Bash tool runs) inherits this process's environment: the
  // server's own secrets, read above, leave it.
  for (const name of ['OAUTH_CLIENT_SECRET', 'ADMIN_PASSWORD', 'OAUTH_UPSTREAM_CLIENT_SECRET', ...OPERATIONS_SECRET_VARIABLES]) delete process.env[name];

  const version = packageVersion();
  const operations = await start.step(() => openServerOperations({ config, logger, service: 'sse-server', transport: 'tcp', tools: TOOL_NAMES }));
  const { metrics, onEvent } = operations;
  const service = await start.step(() =>
    openClaudeToolsService({
      ...toolsServiceOptions(config, { claudeExecutable, claudeEnv: process.env }),
      version,
      onTaskEvent: (event) => {
        logger.info({ event: event.type, taskId: event.task.id, status: event.task.status }, 'background task event');
        operations.taskEvent(event);
      },
      ...(onEvent ? { onEvent } : {}),
      logger,
    }),
  ).catch(async (error: unknown) => {
    await operations.close(AbortSignal.timeout(0));
    throw error;
  });
  const oauth = config.oauth;
  // With an external issuer there is no authorization server here, and no state of one.
  const authorization = oauth.enabled && !oauth.external ? await start.step(() => openAuthorizationState({ ...config, oauth })).catch(async (error: unknown) => {
    await service.close();
    throw error;
  }) : undefined;
  const app = await buildHttpApp({
    config,
    service,
    logger,
    version,
    claudeExecutable,
    claudeEnv: process.env,
    ...(authorization ? { authorization } : {}),
    ...(metrics ? { metrics } : {}),
    ...(operations.webhooks ? { onRateLimited: onceAMinute((details) => void operations.emit('rate_limit.exceeded', details)) } : {}),
  });
  app.addHook('onClose', () => authorization?.close());
  operations.readState(() => {
    const { warmProcesses, queuedRuns, backgroundTasks } = service.state();
    const counts = app.mcpCounts();
    return { sessions: { streamable: counts.streamableSessions, sse: counts.sseStreams }, warmProcesses, queuedRuns, backgroundTasks };
  });
  // Handlers before listening: a signal during start-up still closes the store and the sessions.
  // A graceful stop: nothing new is taken, the runs in flight get SHUTDOWN_TIMEOUT_MS to finish,
  // then what is left is interrupted; background tasks go on. A later signal exits at once.
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) =>
    (stopping ??= (async () => {
      logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: the runs in flight may finish');
      const endsAt = Date.now() + config.shutdownTimeoutMs;
      try {
        app.beginShutdown();
        const deadline = AbortSignal.timeout(config.shutdownTimeoutMs);
        // The runs end, then their answers are written.
        const finished = (await service.drain(deadline)) && (await until(() => app.mcpCounts().callsAnswering === 0, deadline));
        if (!finished) logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'runs still in flight at the deadline are interrupted');
        await app.close();
      } finally {
        await service.close();
        // The outbox gets what is left of the deadline (at least two seconds) to deliver.
        await operations.emit('server.shutdown', { reason: signal, signal });
        const flushMs = Math.max(2_000, endsAt - Date.now());
        await operations.close(AbortSignal.timeout(flushMs), Date.now() + flushMs);
        process.exit(0);
      }
    })());
  handleShutdownSignals((signal) => void stop(signal));
  // A port that cannot be bound ends the start: what is open closes first (the app closes the
  // authorization state and the metrics listener).
  const abandon = async () => {
    await app.close().catch(() => undefined);
    await service.close();
    await operations.close(AbortSignal.timeout(0));
  };
  if (metrics && config.metrics.enabled && config.metrics.port !== undefined) {
    const where = { host: config.metrics.host, port: config.metrics.port };
    try {
      const listener = await serveMetrics(metrics.registry, { ...where, logger });
      app.addHook('onClose', () => listener.close());
    } catch (error) {
      await abandon();
      start.fail([`METRICS_PORT: cannot listen on ${where.host}:${where.port} (${error instanceof Error ? error.message : String(error)}); choose a free port`]);
    }
    logger.info(where, 'metrics listening at /metrics');
  }
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await abandon();
    start.fail([`PORT: cannot listen on ${config.host}:${config.port} (${error instanceof Error ? error.message : String(error)}); choose a free port`]);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.info({ host: config.host, port, transport: config.transport, dataDir: config.dataDir, roots: config.allowedRoots }, 'claude-code-mcp HTTP server listening');
  await operations.emit('server.started', { version, transport: config.transport, baseUrl: config.baseUrl });
  if (!config.oauth.enabled && !['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    logger.warn({ host: config.host }, 'listening beyond loopback without OAuth: anyone who can reach this port can run Claude Code here');
  }
}

import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

import { ClaudeRuntime, TaskManager, createCheckpointManager, createClaudeToolsServer, openStore } from '@claude-code-mcp/mcp-tools';
import { createLogger } from '@claude-code-mcp/observability/logging';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

import { ConfigError } from './config-error.js';
import { parseConfig } from './config.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

// CLAUDE_CODE_PATH may name a command on PATH; the driver wants a path.
function findOnPath(command: string, pathVariable: string | undefined): string | undefined {
  for (const folder of (pathVariable ?? '').split(delimiter)) {
    if (!folder) continue;
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Starts the server on stdin/stdout; it runs until stdin closes or a signal arrives. */
export function main(): void {
  let config;
  try {
    config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: homedir() });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`claude-code-mcp: invalid configuration: ${error.problems.join('; ')}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, name: 'claude-code-mcp' });
  let claudeExecutable = config.claudeCodePath;
  if (claudeExecutable !== undefined && !claudeExecutable.includes('/')) {
    const found = findOnPath(claudeExecutable, process.env['PATH']);
    if (!found) {
      process.stderr.write(`claude-code-mcp: invalid configuration: CLAUDE_CODE_PATH: "${claudeExecutable}" is not on PATH; give the full path of the claude binary\n`);
      process.exit(1);
    }
    claudeExecutable = found;
  }

  const store = openStore({ dataDir: config.dataDir });
  const interrupted = store.markRunningAsInterrupted();
  if (interrupted > 0) logger.warn({ interrupted }, 'sessions that were running when the server last stopped are marked interrupted');
  const runtime = new ClaudeRuntime({
    store,
    maxConcurrentRuns: config.maxConcurrentSessions,
    sessionIdleTimeoutMs: config.sessionTimeoutMs,
    claudeExecutable,
    logger,
  });

  // Restoring files under a running Claude Code would race with it: refuse while a run works there.
  const checkpoints = createCheckpointManager({ store, dataDir: config.dataDir, isBusy: (cwd) => runtime.isBusy(cwd) });
  // Background runs have nobody to ask for permission: the policy decides.
  const tasks = new TaskManager({
    runtime,
    store,
    dataDir: config.dataDir,
    logger,
    canUseTool: (toolName, input) =>
      config.permissionPolicy === 'allow'
        ? { behavior: 'allow', updatedInput: input }
        : { behavior: 'deny', message: `${toolName} needs approval, and background tasks cannot ask; allow it up front with allowedTools.` },
    onEvent: (event) => logger.info({ event: event.type, taskId: event.task.id, status: event.task.status }, 'background task event'),
  });
  const recovered = tasks.recoverAfterRestart();
  if (recovered.interrupted > 0) logger.warn(recovered, 'background tasks left by a stopped server are marked interrupted');

  const served = serveStdio(
    () =>
      createClaudeToolsServer({
        version: packageVersion(),
        runtime,
        roots: config.allowedRoots,
        defaultWorkingDirectory: config.defaultWorkingDirectory,
        defaultAllowedTools: config.defaultAllowedTools,
        permissionPolicy: config.permissionPolicy,
        elicitationTimeoutMs: config.permissionTimeoutMs,
        maxResultChars: config.maxResultChars,
        claudeConfigDir: config.claudeConfigDir,
        tasks,
        checkpoints,
        claudeExecutable,
        claudeEnv: process.env,
        autoCheckpoint: config.autoCheckpoint,
        hookDirectories: config.hookDirectories,
        logger,
      }),
    { onerror: (error) => logger.error({ err: error }, 'MCP transport error') },
  );
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
      await tasks.shutdown();
      await runtime.close();
      await served.close();
      store.close();
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
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  // The client closing stdin is the normal end of a stdio session.
  process.stdin.once('end', () => void stop('stdin closed', true));
  process.stdin.once('close', () => void stop('stdin closed', true));
}

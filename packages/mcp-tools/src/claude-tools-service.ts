// Everything a server needs behind the tools, opened once per process and shared by every MCP
// connection: the store, the runtime (warm sessions and the run queue), checkpoints and background
// tasks. Both apps (stdio and HTTP) call this, so they wire the same parts in the same order.
import { noopLogger, type Logger } from '@claude-code-mcp/claude-cli-driver';
import type { McpServer } from '@modelcontextprotocol/server';

import { createCheckpointManager, type CheckpointManager } from './checkpoints/index.js';
import { emitTo, eventCallerOfOwner } from './emit-event.js';
import type { RunEvent } from './events.js';
import { ClaudeRuntime } from './claude-runtime.js';
import { currentProcess, stopOrphanedProcesses } from './processes/cli-processes.js';
import { createClaudeToolsServer, type ClaudeToolsServerOptions } from './register-claude-tools.js';
import { openStore, type ClaudeToolsStore } from './store/index.js';
import { TaskManager, type TaskEvent, type TaskShutdownPolicy } from './tasks/task-manager.js';
import { CommandWatcher } from './prompts/command-watcher.js';
import { commandFolders } from './prompts/slash-commands.js';
import { HeldRuns } from './tools/held-runs.js';
import { parseToolsSettings } from './tools/tools-settings.js';

/**
 * Options of {@link openClaudeToolsService}: where state lives, how many runs at once, and the
 * options every per-connection tools server gets.
 *
 * @example
 * ```ts
 * const options: ClaudeToolsServiceOptions = { dataDir, version: '1.0.0', roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir };
 * ```
 */
export interface ClaudeToolsServiceOptions
  extends Omit<ClaudeToolsServerOptions, 'runtime' | 'tasks' | 'checkpoints' | 'logger' | 'mcpTasks' | 'tasksExtension' | 'heldRuns' | 'commandWatcher'> {
  /** The data folder: the SQLite database, task logs and shadow repositories live here. */
  readonly dataDir: string;
  /** Claude processes allowed at once; more calls wait in the priority queue. Default: 4. */
  readonly maxConcurrentRuns?: number;
  /** Idle time after which a warm session's process is closed. Default: 30 minutes. */
  readonly sessionIdleTimeoutMs?: number;
  /** Receives background task events (started, completed, failed, stopped, interrupted). */
  readonly onTaskEvent?: (event: TaskEvent) => void;
  /**
   * What `close()` does with running background tasks: `continue` (default) leaves them running
   * for the next server on this data folder to adopt; `stop` stops them.
   */
  readonly backgroundTasksOnShutdown?: TaskShutdownPolicy;
  readonly logger?: Logger;
}

/**
 * What a server is made for: the protocol era (the SDK's factory context) and, for 2026-07-28,
 * whether it serves one request (HTTP, the default) or a whole connection (stdio).
 *
 * @example
 * ```ts
 * serveStdio((context) => service.createServer({ ...context, lifetime: 'connection' }));
 * ```
 */
export interface ServerContextOptions {
  readonly era?: 'legacy' | 'modern';
  readonly lifetime?: 'request' | 'connection';
}

/**
 * The shared parts behind the tools, and a factory for one MCP server per connection.
 *
 * @example
 * ```ts
 * const service = await openClaudeToolsService(options);
 * serveStdio((context) => service.createServer(context));
 * process.once('SIGTERM', () => void service.close());
 * ```
 */
export interface ClaudeToolsService {
  readonly store: ClaudeToolsStore;
  readonly runtime: ClaudeRuntime;
  readonly checkpoints: CheckpointManager;
  readonly tasks: TaskManager;
  /**
   * A new MCP server with every tool registered, backed by the shared parts. Pass the SDK's
   * factory context: a server for a 2025-era connection offers background runs through MCP tasks,
   * a 2026-07-28 one through the tasks extension. A 2026-07-28 server answers one HTTP request,
   * unless `lifetime` says it serves a whole connection (stdio): then it is told when the slash
   * commands change, like a 2025-era server.
   */
  createServer(context?: ServerContextOptions): McpServer;
  /**
   * For a graceful stop: waits until the foreground runs in flight have ended by themselves, or
   * `signal` aborts (the deadline, a second signal); true when none is left. Background tasks are
   * not waited for (they outlive the server). Then call `close()`, which interrupts what is left.
   */
  drain(signal: AbortSignal): Promise<boolean>;
  /** What runs now: warm Claude Code processes, runs holding or waiting for a slot, this server's background tasks. */
  state(): ClaudeToolsServiceState;
  /**
   * Calls `listener` when a slash-command file changes (the prompts list changed): for an HTTP
   * entry to tell its 2026-07-28 `subscriptions/listen` streams. Returns the unsubscribe function.
   */
  watchPrompts(listener: () => void): () => void;
  /**
   * Stops everything: with `waitForTasks`, running background tasks finish first; otherwise they
   * go on without this server (or are stopped, per `backgroundTasksOnShutdown`). Then warm
   * sessions end and the store closes. Safe to call more than once.
   */
  close(options?: { readonly waitForTasks?: boolean }): Promise<void>;
}

/**
 * A reading of {@link ClaudeToolsService.state}, for gauges and health.
 *
 * @example
 * ```ts
 * const { warmProcesses, queuedRuns, backgroundTasks } = service.state();
 * ```
 */
export interface ClaudeToolsServiceState {
  readonly warmProcesses: number;
  readonly runningRuns: number;
  readonly queuedRuns: number;
  readonly backgroundTasks: { readonly queued: number; readonly running: number };
}

/**
 * Opens the store (running migrations), stops the interactive Claude Code processes a previous
 * server left running, takes over its background tasks (adopting those still running), and
 * returns the shared service.
 *
 * Background runs have nobody to ask for permission, so `permissionPolicy` decides for them.
 *
 * @example
 * ```ts
 * const service = await openClaudeToolsService({ dataDir, version, roots: [cwd], defaultWorkingDirectory: cwd, claudeConfigDir });
 * const server = service.createServer();
 * ```
 */
export async function openClaudeToolsService(options: ClaudeToolsServiceOptions): Promise<ClaudeToolsService> {
  const store = openStore({ dataDir: options.dataDir });
  try {
    return await startService(store, options);
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function startService(store: ClaudeToolsStore, options: ClaudeToolsServiceOptions): Promise<ClaudeToolsService> {
  const logger = options.logger ?? noopLogger;
  // Before anything new starts: what a killed server left running would go on with its turn.
  const orphans = await stopOrphanedProcesses(store, currentProcess());
  if (orphans > 0) logger.warn({ stopped: orphans }, 'stopped Claude Code processes left running by a server that is gone');
  const interrupted = await store.sessions.markRunningAsInterrupted();
  if (interrupted > 0) logger.warn({ interrupted }, 'sessions that were running when the server last stopped are marked interrupted');
  const runtime = new ClaudeRuntime({
    store,
    maxConcurrentRuns: options.maxConcurrentRuns,
    sessionIdleTimeoutMs: options.sessionIdleTimeoutMs,
    claudeExecutable: options.claudeExecutable,
    logger,
    ...(options.onEvent ? { onSessionEnded: (sessionId: string) => emitTo(options.onEvent, { type: 'session.ended', sessionId, caller: {}, at: Date.now() }) } : {}),
  });
  // Restoring files under a running Claude Code would race with it: refuse while a run works there.
  const checkpoints = createCheckpointManager({ store, dataDir: options.dataDir, isBusy: (cwd) => runtime.isBusy(cwd) });
  const tasks = new TaskManager({
    runtime,
    store,
    dataDir: options.dataDir,
    logger,
    permissionPolicy: options.permissionPolicy ?? 'deny',
    onShutdown: options.backgroundTasksOnShutdown ?? 'continue',
    onEvent: taskEventListener(options, store, logger),
  });
  await tasks.recoverAfterRestart();
  // A server that shares the data folder may end later: its tasks are taken over then.
  tasks.keepRecovering();

  const {
    dataDir: _dataDir,
    maxConcurrentRuns: _maxConcurrentRuns,
    sessionIdleTimeoutMs: _sessionIdleTimeoutMs,
    onTaskEvent: _onTaskEvent,
    backgroundTasksOnShutdown: _backgroundTasksOnShutdown,
    logger: _logger,
    ...base
  } = options;
  // Bad tool options stop the service now, not at the first connection.
  const settings = parseToolsSettings({ ...base, runtime, tasks, checkpoints, logger });
  // One registry for every server: on HTTP each 2026-07-28 request gets a server of its own.
  const heldRuns = new HeldRuns({ timeoutMs: settings.elicitationTimeoutMs, logger });
  const folders = commandFolders({ cwd: settings.defaultWorkingDirectory, claudeConfigDir: settings.claudeConfigDir });
  const commandWatcher = new CommandWatcher(folders.map((folder) => folder.root), logger);
  // Three kinds of server, each with its options frozen once (their validation is then remembered).
  const serverOptions = {
    legacy: Object.freeze({ ...base, runtime, tasks, checkpoints, logger, heldRuns, mcpTasks: true, tasksExtension: false, commandWatcher }),
    // A 2026-07-28 HTTP server answers one request; only a connection's server is told of changes.
    modernRequest: Object.freeze({ ...base, runtime, tasks, checkpoints, logger, heldRuns, mcpTasks: false, tasksExtension: true, commandWatcher: undefined }),
    modernConnection: Object.freeze({ ...base, runtime, tasks, checkpoints, logger, heldRuns, mcpTasks: false, tasksExtension: true, commandWatcher }),
  };
  const serverOptionsFor = (context?: ServerContextOptions) =>
    context?.era !== 'modern' ? serverOptions.legacy : context.lifetime === 'connection' ? serverOptions.modernConnection : serverOptions.modernRequest;
  let closing: Promise<void> | undefined;
  return Object.freeze({
    store,
    runtime,
    checkpoints,
    tasks,
    createServer: (context?: ServerContextOptions) => createClaudeToolsServer(serverOptionsFor(context)),
    state: () => ({ ...runtime.usage(), backgroundTasks: tasks.counts() }),
    drain: (signal: AbortSignal) => runtime.settle(signal),
    watchPrompts: (listener: () => void) => commandWatcher.onChange(listener),
    close: ({ waitForTasks = false }: { readonly waitForTasks?: boolean } = {}) =>
      (closing ??= (async () => {
        if (waitForTasks) await tasks.waitForIdle();
        await tasks.shutdown();
        await runtime.close();
        commandWatcher.close();
        await store.close();
      })()),
  });
}

const FINISHED: Partial<Record<TaskEvent['type'], RunEvent['status']>> = {
  'background_task.completed': 'completed',
  'background_task.failed': 'failed',
  'background_task.stopped': 'cancelled',
  'background_task.interrupted': 'failed',
};

// A background task that ended, as a run: who started it comes from its owner record, the model
// from the request it keeps for a restart (`unrecorded` if that cannot be read).
async function backgroundRunEvent(store: ClaudeToolsStore, event: TaskEvent): Promise<RunEvent | undefined> {
  const status = FINISHED[event.type];
  if (status === undefined) return undefined;
  const { task } = event;
  const caller = eventCallerOfOwner(await store.owners.ownerOf('task', task.id).catch(() => undefined));
  const request = (await store.tasks.requestOf(task.id).catch(() => undefined)) as { readonly model?: unknown } | undefined;
  return {
    type: 'run.finished',
    status,
    model: request === undefined ? 'unrecorded' : typeof request.model === 'string' ? request.model : 'default',
    seconds: task.startedAt === null || task.finishedAt === null ? 0 : (task.finishedAt - task.startedAt) / 1000,
    costUsd: task.costUsd,
    taskId: task.id,
    ...(task.sessionId === null ? {} : { sessionId: task.sessionId }),
    background: true,
    caller,
    at: event.at,
  };
}

// Task events go to onTaskEvent as they are, and a finished task to onEvent as a run.
function taskEventListener(options: ClaudeToolsServiceOptions, store: ClaudeToolsStore, logger: Logger): (event: TaskEvent) => void {
  return (event) => {
    options.onTaskEvent?.(event);
    if (!options.onEvent) return;
    backgroundRunEvent(store, event)
      .then((run) => run && emitTo(options.onEvent, run))
      .catch((error: unknown) => logger.warn({ err: error, taskId: event.task.id }, 'could not tell of a finished background task'));
  };
}

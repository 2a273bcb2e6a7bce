import { execFile } from 'node:child_process';
import path from 'node:path';

import * as z from 'zod';

import { McpToolsError, type PluginCommandDetails } from '../errors.js';
import { validateMarketplaceSource, validatePluginReference } from './plugin-arguments.js';

/** Default limit for `plugin list` and `marketplace list` (they read local files only). */
export const DEFAULT_PLUGIN_LIST_TIMEOUT_MS = 30_000;
/** Default limit for `marketplace add` and `plugin install` (a git source is cloned). */
export const DEFAULT_PLUGIN_CHANGE_TIMEOUT_MS = 120_000;
/** After a timeout the CLI gets SIGTERM, then SIGKILL this much later if it is still running. */
const KILL_GRACE_MS = 5_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * How to run the CLI for a plugin command.
 *
 * @example
 * ```ts
 * const options: PluginCliOptions = { executable: '/usr/local/bin/claude', cwd: '/repo', env: process.env };
 * ```
 */
export interface PluginCliOptions {
  /** Absolute path of the `claude` executable (see `resolveClaudeBinary`). */
  executable: string;
  /** Absolute working directory: project-scope plugins and settings are those of this folder. */
  cwd: string;
  /** The CLI's complete environment (`HOME`, `CLAUDE_CONFIG_DIR`, …). Default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Stop the command after this long (defaults: 30 s for lists, 120 s for add and install). */
  timeoutMs?: number;
  /** Stops the command early. */
  signal?: AbortSignal;
}

/**
 * Where `claude plugin install` records a plugin (the CLI also knows `local`: this project, not
 * committed).
 *
 * @example
 * ```ts
 * const scope: PluginScope = 'user';
 * ```
 */
export type PluginScope = 'user' | 'project' | 'local';

const PLUGIN_SCOPES: readonly PluginScope[] = ['user', 'project', 'local'];

const installedPluginSchema = z.object({
  id: z.string().min(1),
  version: z.string().optional(),
  scope: z.string().optional(),
  enabled: z.boolean().optional(),
  installPath: z.string().optional(),
  readFromFolder: z.string().optional(),
  folderVersion: z.string().optional(),
  installedAt: z.string().optional(),
  lastUpdated: z.string().optional(),
  projectPath: z.string().optional(),
  projectEnabled: z.boolean().optional(),
  hasUserConfig: z.boolean().optional(),
});

const availablePluginSchema = z.object({
  pluginId: z.string().min(1),
  name: z.string(),
  description: z.string().optional(),
  marketplaceName: z.string(),
  version: z.string().optional(),
  /** `"./plugins/demo"` for a relative source, an object for git and other sources. */
  source: z.unknown().optional(),
});

const pluginListSchema = z.object({
  installed: z.array(installedPluginSchema),
  available: z.array(availablePluginSchema),
});

const marketplaceSchema = z.object({
  name: z.string().min(1),
  source: z.string(),
  path: z.string().optional(),
  repo: z.string().optional(),
  url: z.string().optional(),
  ref: z.string().optional(),
  installLocation: z.string().optional(),
});

const commandResultSchema = z.object({
  command: z.string(),
  outcome: z.string(),
  plugin: z.string().optional(),
  pluginId: z.string().optional(),
  marketplace: z.string().optional(),
  scope: z.string().optional(),
  message: z.string().optional(),
  failureCode: z.string().optional(),
  installedVersion: z.string().optional(),
  availableVersion: z.string().optional(),
});

/**
 * One installed plugin from `claude plugin list --json`, plus `name` and `marketplace` split from its id.
 *
 * @example
 * ```ts
 * const plugin: InstalledPlugin = { id: 'demo@localmkt', name: 'demo', marketplace: 'localmkt', scope: 'user', enabled: true };
 * ```
 */
export type InstalledPlugin = z.infer<typeof installedPluginSchema> & { name: string; marketplace: string | null };

/**
 * A plugin offered by a known marketplace and not installed here (`--available`).
 *
 * @example
 * ```ts
 * const offer: AvailablePlugin = { pluginId: 'demo@localmkt', name: 'demo', marketplaceName: 'localmkt' };
 * ```
 */
export type AvailablePlugin = z.infer<typeof availablePluginSchema>;

/**
 * Installed and available plugins.
 *
 * @example
 * ```ts
 * const { installed, available }: PluginList = await listPlugins(options);
 * ```
 */
export interface PluginList {
  installed: InstalledPlugin[];
  available: AvailablePlugin[];
}

/**
 * A configured marketplace from `claude plugin marketplace list --json`.
 *
 * @example
 * ```ts
 * const marketplace: Marketplace = { name: 'localmkt', source: 'directory', path: '/srv/mkt', installLocation: '/srv/mkt' };
 * ```
 */
export type Marketplace = z.infer<typeof marketplaceSchema>;

/**
 * The one-line `--json` result of `marketplace add` and `plugin install` (`outcome` is `"ok"`).
 *
 * @example
 * ```ts
 * const result: PluginCommandResult = await installPlugin({ plugin: 'demo', marketplace: 'localmkt', scope: 'user' }, options);
 * result.pluginId; // 'demo@localmkt'
 * ```
 */
export type PluginCommandResult = z.infer<typeof commandResultSchema>;

/**
 * Why a plugin command failed: the CLI reported `outcome: "failed"` (`failed`), exited non-zero
 * without a result (`exit`), ran too long (`timeout`), could not be started (`spawn`), printed
 * something that is not the expected JSON (`output`), or was cancelled (`aborted`).
 *
 * @example
 * ```ts
 * const retryable = (reason: PluginCommandFailure): boolean => reason === 'timeout';
 * ```
 */
export type PluginCommandFailure = PluginCommandDetails['reason'];

/** What a failed plugin command's error is built from; `message` is the full sentence. */
interface PluginFailure {
  reason: PluginCommandFailure;
  message: string;
  args: readonly string[];
  exitCode?: number | null;
  result?: PluginCommandResult;
  stderr?: string;
  cause?: unknown;
}

/** A `claude plugin …` command that did not succeed: `MCP_TOOLS_PLUGIN_COMMAND_FAILED` with its details. */
function pluginCommandError(failure: PluginFailure): McpToolsError {
  return new McpToolsError('MCP_TOOLS_PLUGIN_COMMAND_FAILED', failure.message, {
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
    plugin: {
      reason: failure.reason,
      args: Object.freeze([...failure.args]),
      exitCode: failure.exitCode ?? null,
      failureCode: failure.result?.failureCode,
      result: failure.result,
      stderr: failure.stderr ?? '',
    },
  });
}

interface CliRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

function requireAbsolute(value: unknown, label: string): string {
  if (typeof value !== 'string' || value === '' || !path.isAbsolute(value) || value.includes('\0')) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `${label} must be an absolute path, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function commandLabel(args: readonly string[]): string {
  return `claude ${args.filter((arg) => arg !== '--json' && arg !== '--').join(' ')}`;
}

function tail(text: string, length = 600): string {
  const trimmed = text.trim();
  return trimmed.length > length ? `…${trimmed.slice(-length)}` : trimmed;
}

/** Runs the CLI without a shell, closes its stdin, and stops it after `timeoutMs`. */
function runCli(args: readonly string[], options: PluginCliOptions, defaultTimeoutMs: number): Promise<CliRun> {
  const executable = requireAbsolute(options.executable, 'The Claude Code executable');
  const cwd = requireAbsolute(options.cwd, 'The working directory');
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env ?? process.env)) if (value !== undefined) env[key] = value;
  const label = commandLabel(args);

  return new Promise<CliRun>((resolve, reject) => {
    if (options.signal?.aborted === true) {
      reject(pluginCommandError({ reason: 'aborted', message: `${label} was cancelled before it started.`, args }));
      return;
    }
    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = execFile(
      executable,
      [...args],
      { cwd, env, encoding: 'utf8', maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, shell: false },
      (error, stdout, stderr) => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        if (timedOut || aborted) {
          const message = timedOut
            ? `${label} did not finish within ${Math.round(timeoutMs / 100) / 10} s and was stopped.`
            : `${label} was cancelled.`;
          reject(pluginCommandError({ reason: timedOut ? 'timeout' : 'aborted', message, args, stderr: tail(stderr), cause: error ?? undefined }));
          return;
        }
        if (error && typeof error.code !== 'number') {
          const detail = typeof error.code === 'string' ? error.code : error.message;
          reject(
            pluginCommandError({
              reason: error.signal ? 'exit' : 'spawn',
              message: error.signal
                ? `${label} was killed by ${error.signal}.`
                : `Could not run ${executable} (${detail}); check the Claude Code executable.`,
              args,
              stderr: tail(stderr),
              cause: error,
            }),
          );
          return;
        }
        resolve({ stdout, stderr, exitCode: error ? (error.code as number) : 0 });
      },
    );
    child.stdin?.end();
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    }, timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function parseJsonDocument(stdout: string): unknown {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    // Some commands print notes before the JSON: take the first line that starts a document.
    const start = trimmed.search(/^[[{]/m);
    if (start > 0) return JSON.parse(trimmed.slice(start));
    throw new SyntaxError('no JSON document on stdout');
  }
}

/** Runs a listing command and validates its JSON document. */
async function runListing<T>(args: readonly string[], schema: z.ZodType<T>, options: PluginCliOptions): Promise<T> {
  const run = await runCli(args, options, DEFAULT_PLUGIN_LIST_TIMEOUT_MS);
  const label = commandLabel(args);
  if (run.exitCode !== 0) {
    throw pluginCommandError({
      reason: 'exit',
      message: `${label} exited with code ${run.exitCode}: ${tail(run.stderr) || tail(run.stdout) || 'no output'}`,
      args,
      exitCode: run.exitCode,
      stderr: tail(run.stderr),
    });
  }
  let document: unknown;
  try {
    document = parseJsonDocument(run.stdout);
  } catch (error) {
    throw pluginCommandError({
      reason: 'output',
      message: `${label} printed no JSON (${tail(run.stdout, 200) || 'empty output'}); is this Claude Code 2.1 or newer?`,
      args,
      exitCode: run.exitCode,
      stderr: tail(run.stderr),
      cause: error,
    });
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) {
    throw pluginCommandError({
      reason: 'output',
      message: `${label} printed JSON of an unexpected shape: ${z.prettifyError(parsed.error).slice(0, 500)}`,
      args,
      exitCode: run.exitCode,
      stderr: tail(run.stderr),
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** Runs a changing command (`--json` prints one result line, the last JSON line on stdout). */
async function runChange(args: readonly string[], options: PluginCliOptions): Promise<PluginCommandResult> {
  const run = await runCli(args, options, DEFAULT_PLUGIN_CHANGE_TIMEOUT_MS);
  const label = commandLabel(args);
  let result: PluginCommandResult | undefined;
  for (const line of run.stdout.split('\n').reverse()) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      const parsed = commandResultSchema.safeParse(JSON.parse(trimmed));
      if (parsed.success) {
        result = parsed.data;
        break;
      }
    } catch {
      // not JSON: keep looking
    }
  }
  if (result !== undefined && (result.outcome !== 'ok' || run.exitCode !== 0)) {
    const code = result.failureCode === undefined ? '' : ` (${result.failureCode})`;
    throw pluginCommandError({
      reason: 'failed',
      message: `${label} failed${code}: ${result.message ?? (tail(run.stderr) || `outcome "${result.outcome}", exit code ${run.exitCode}`)}`,
      args,
      exitCode: run.exitCode,
      result,
      stderr: tail(run.stderr),
    });
  }
  if (result === undefined) {
    throw pluginCommandError({
      reason: run.exitCode === 0 ? 'output' : 'exit',
      message:
        run.exitCode === 0
          ? `${label} printed no JSON result (${tail(run.stdout, 200) || 'empty output'}); is this Claude Code 2.1 or newer?`
          : `${label} exited with code ${run.exitCode}: ${tail(run.stderr) || tail(run.stdout) || 'no output'}`,
      args,
      exitCode: run.exitCode,
      stderr: tail(run.stderr),
    });
  }
  return result;
}

function splitPluginId(id: string): { name: string; marketplace: string | null } {
  const at = id.lastIndexOf('@');
  return at <= 0 ? { name: id, marketplace: null } : { name: id.slice(0, at), marketplace: id.slice(at + 1) };
}

/**
 * Installed plugins (with built-ins like `cc-plugin-privacy@builtin`) and the plugins known
 * marketplaces offer: `claude plugin list --json --available`. Reads local files only.
 *
 * @throws `McpToolsError` (`MCP_TOOLS_PLUGIN_COMMAND_FAILED`) when the CLI fails or prints something unexpected.
 * @example
 * ```ts
 * const { installed, available } = await listPlugins({ executable, cwd, env });
 * ```
 */
export async function listPlugins(options: PluginCliOptions): Promise<PluginList> {
  const list = await runListing(['plugin', 'list', '--json', '--available'], pluginListSchema, options);
  return {
    installed: list.installed.map((plugin) => ({ ...plugin, ...splitPluginId(plugin.id) })),
    available: list.available,
  };
}

/**
 * Marketplaces added with `marketplace add` (the built-in Anthropic directory is not listed):
 * `claude plugin marketplace list --json`.
 *
 * @throws `McpToolsError` (`MCP_TOOLS_PLUGIN_COMMAND_FAILED`) when the CLI fails or prints something unexpected.
 * @example
 * ```ts
 * const names = (await listMarketplaces({ executable, cwd, env })).map((marketplace) => marketplace.name);
 * ```
 */
export async function listMarketplaces(options: PluginCliOptions): Promise<Marketplace[]> {
  return runListing(['plugin', 'marketplace', 'list', '--json'], z.array(marketplaceSchema), options);
}

/**
 * Adds a marketplace: `claude plugin marketplace add --json [--scope s] -- <source>`. The source is
 * validated first (see `validateMarketplaceSource`); a GitHub, https or git source is fetched
 * over the network by the CLI. Adding one that is already known succeeds again.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` for a rejected source or scope.
 * @throws `McpToolsError` (`MCP_TOOLS_PLUGIN_COMMAND_FAILED`) with the CLI's message and `failureCode` (`invalid_source`, `manifest_missing`, …).
 * @example
 * ```ts
 * const { marketplace } = await addMarketplace('/srv/marketplace', { executable, cwd, env });
 * ```
 */
export async function addMarketplace(
  source: string,
  options: PluginCliOptions & { scope?: PluginScope },
): Promise<PluginCommandResult> {
  const checked = await validateMarketplaceSource(source);
  const scopeArgs = options.scope === undefined ? [] : ['--scope', checkScope(options.scope)];
  return runChange(['plugin', 'marketplace', 'add', '--json', ...scopeArgs, '--', checked.value], options);
}

function checkScope(scope: unknown): PluginScope {
  if (!PLUGIN_SCOPES.includes(scope as PluginScope)) {
    throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', `Invalid plugin scope ${JSON.stringify(scope)}: use one of ${PLUGIN_SCOPES.join(', ')}.`);
  }
  return scope as PluginScope;
}

/**
 * Installs a plugin: `claude plugin install --json --scope <scope> -- <plugin>[@<marketplace>]`.
 * Without a marketplace the CLI searches every known one and may query the Anthropic directory
 * over the network; name the marketplace to stay local. A plugin that would run a
 * marketplace-declared command is refused (no `-y` is passed).
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_ARGUMENTS` for a rejected name or scope.
 * @throws `McpToolsError` (`MCP_TOOLS_PLUGIN_COMMAND_FAILED`) with the CLI's message and `failureCode` (`not_found`, …).
 * @example
 * ```ts
 * await installPlugin({ plugin: 'demo', marketplace: 'localmkt', scope: 'user' }, { executable, cwd, env });
 * ```
 */
export async function installPlugin(
  request: { plugin: string; marketplace?: string; scope: PluginScope },
  options: PluginCliOptions,
): Promise<PluginCommandResult> {
  const { plugin, marketplace } = validatePluginReference(request.plugin, request.marketplace);
  const scope = checkScope(request.scope);
  const reference = marketplace === undefined ? plugin : `${plugin}@${marketplace}`;
  return runChange(['plugin', 'install', '--json', '--scope', scope, '--', reference], options);
}

/**
 * The folders whose `agents/` Claude Code reads for the enabled, installed plugins, as input for
 * `listAgents({ plugins })`: `readFromFolder` (a directory marketplace is read in place) or else
 * `installPath` (the cache copy). Built-in plugins have no folder and are left out. `enabled`
 * depends on the `cwd` the list was made in (project-scope plugins).
 *
 * @example
 * ```ts
 * const plugins = installedPluginDirectories((await listPlugins(options)).installed);
 * const agents = await listAgents({ cwd, claudeConfigDir, plugins });
 * ```
 */
export function installedPluginDirectories(installed: readonly InstalledPlugin[]): { name: string; path: string }[] {
  const folders: { name: string; path: string }[] = [];
  const seen = new Set<string>();
  for (const plugin of installed) {
    const folder = plugin.readFromFolder ?? plugin.installPath;
    if (plugin.enabled !== true || folder === undefined || !path.isAbsolute(folder) || seen.has(plugin.id)) continue;
    seen.add(plugin.id);
    folders.push({ name: plugin.name, path: folder });
  }
  return folders;
}

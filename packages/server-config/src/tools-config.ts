// The variables both servers read for the tools (where Claude runs, how many at once, where state
// lives…), and the plumbing that turns an environment into frozen options or one ConfigError.
import { statSync } from 'node:fs';
import path from 'node:path';

import type { ClaudeToolsServiceOptions } from '@claude-code-mcp/mcp-tools';
import * as z from 'zod';

import { ConfigError } from './config-error.js';
import {
  accept,
  booleanReader,
  choiceReader,
  findOnPath,
  integerReader,
  listReader,
  pathReader,
  reject,
  resolvePath,
  variable,
} from './env-variables.js';

/**
 * The pino levels `LOG_LEVEL` accepts.
 *
 * @example
 * ```ts
 * const level: LogLevel = config.logLevel;
 * ```
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The levels of {@link LogLevel}, most severe first.
 *
 * @example
 * ```ts
 * LOG_LEVELS.includes('debug'); // true
 * ```
 */
export const LOG_LEVELS: readonly LogLevel[] = Object.freeze(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * What the parsers need from the process, passed in so that parsing stays pure.
 *
 * @example
 * ```ts
 * const context: ConfigContext = { cwd: process.cwd(), homeDirectory: os.homedir() };
 * ```
 */
export interface ConfigContext {
  /** Absolute current directory: the default working directory, and the base of relative paths. */
  readonly cwd: string;
  /** Absolute home directory: expands a leading `~` and places the default `DATA_DIR`. */
  readonly homeDirectory: string;
}

/**
 * The settings every server passes to the tools.
 *
 * @example
 * ```ts
 * const config: ToolsConfig = parseToolsConfig(process.env, context);
 * config.allowedRoots; // ['/work/project']
 * ```
 */
export interface ToolsConfig {
  /** `DEFAULT_WORKING_DIRECTORY`: where Claude runs when a tool call names none. Default: `cwd`. */
  readonly defaultWorkingDirectory: string;
  /** `DEFAULT_ALLOWED_TOOLS`: tool rules passed as `--allowedTools` by default. Default: none. */
  readonly defaultAllowedTools: readonly string[];
  /** `MAX_CONCURRENT_SESSIONS`: Claude processes allowed at once. Default: 4. */
  readonly maxConcurrentSessions: number;
  /** `SESSION_TIMEOUT_MS`: idle time after which a session is closed. Default: 1 800 000 (30 min). */
  readonly sessionTimeoutMs: number;
  /** `LOG_LEVEL`: pino level of the stderr log. Default: `info`. */
  readonly logLevel: LogLevel;
  /** `CLAUDE_CODE_PATH`: the `claude` binary, or `undefined` to let the driver find it. */
  readonly claudeCodePath: string | undefined;
  /** `DATA_DIR`: database and logs. Default: `$XDG_STATE_HOME/claude-code-mcp` or `~/.local/state/claude-code-mcp`. */
  readonly dataDir: string;
  /** `ALLOWED_ROOTS`: directories (comma-separated) a tool call may work in. Default: the default working directory. */
  readonly allowedRoots: readonly string[];
  /** `PERMISSION_POLICY`: `deny` (default) or `allow` tool calls that need approval when the client cannot be asked. */
  readonly permissionPolicy: 'deny' | 'allow';
  /** `MAX_RESULT_CHARS`: longest result text returned inline. Default: 40 000. */
  readonly maxResultChars: number;
  /** `CLAUDE_CONFIG_DIR`: Claude Code's own config folder, where its transcripts live. Default: `~/.claude`. */
  readonly claudeConfigDir: string;
  /** `PERMISSION_TIMEOUT_MS`: how long a permission question to the user may stay open; then deny. Default: 120 000. */
  readonly permissionTimeoutMs: number;
  /** `AUTO_CHECKPOINT`: take a checkpoint before each follow-up turn on a session. Default: false. */
  readonly autoCheckpoint: boolean;
  /** `HOOK_DIRECTORIES`: folders (comma-separated) besides `<cwd>/.claude/hooks` that hook scripts may live in. Default: none. */
  readonly hookDirectories: readonly string[];
  /** `BACKGROUND_TASKS_ON_SHUTDOWN`: `continue` (default: background tasks run on, the next server adopts them) or `stop` them when the server stops. */
  readonly backgroundTasksOnShutdown: 'continue' | 'stop';
  /** `ALLOWED_MARKETPLACES`: remote plugin marketplaces (owner/repo or URLs, comma-separated) claude_plugin_install may add. Default: none. */
  readonly allowedMarketplaces: readonly string[];
}

/**
 * The names of the tools variables, in the order they are documented (and problems reported).
 *
 * @example
 * ```ts
 * const order = [...TOOLS_VARIABLES, 'PORT'];
 * ```
 */
export const TOOLS_VARIABLES: readonly string[] = Object.freeze([
  'DEFAULT_WORKING_DIRECTORY',
  'ALLOWED_ROOTS',
  'DEFAULT_ALLOWED_TOOLS',
  'MAX_CONCURRENT_SESSIONS',
  'SESSION_TIMEOUT_MS',
  'PERMISSION_POLICY',
  'PERMISSION_TIMEOUT_MS',
  'MAX_RESULT_CHARS',
  'LOG_LEVEL',
  'CLAUDE_CODE_PATH',
  'CLAUDE_CONFIG_DIR',
  'DATA_DIR',
  'AUTO_CHECKPOINT',
  'HOOK_DIRECTORIES',
  'BACKGROUND_TASKS_ON_SHUTDOWN',
  'ALLOWED_MARKETPLACES',
]);

const contextSchema = z.object({
  cwd: z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path'),
  homeDirectory: z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path'),
});

/**
 * Checks the context (absolute paths) and returns it.
 *
 * @throws {@link ConfigError} naming the bad field.
 *
 * @example
 * ```ts
 * const checked = checkContext({ cwd: process.cwd(), homeDirectory: os.homedir() });
 * ```
 */
export function checkContext(context: ConfigContext): ConfigContext {
  const checked = contextSchema.safeParse(context);
  if (checked.success) return checked.data;
  throw new ConfigError(
    checked.error.issues.map((issue) => `context.${issue.path.map(String).join('.')}: ${issue.message}`),
    { cause: checked.error },
  );
}

function defaultDataDir(env: Readonly<Record<string, string | undefined>>, homeDirectory: string): string {
  // The XDG spec says to ignore a relative XDG_STATE_HOME.
  const stateHome = env['XDG_STATE_HOME']?.trim();
  const base =
    stateHome !== undefined && path.isAbsolute(stateHome) ? stateHome : path.join(homeDirectory, '.local', 'state');
  return path.join(base, 'claude-code-mcp');
}

const pathList = (name: string, cwd: string, homeDirectory: string) => (raw: string) => {
  const list = listReader(name)(raw);
  return list.ok ? accept(Object.freeze(list.value.map((item) => resolvePath(item, cwd, homeDirectory)))) : list;
};

type Variable<T> = z.ZodType<T, string | undefined>;

/**
 * One zod schema per tools variable (see {@link toolsVariables}).
 *
 * @example
 * ```ts
 * const shape: ToolsVariables = toolsVariables(env, context);
 * ```
 */
export interface ToolsVariables {
  readonly DEFAULT_WORKING_DIRECTORY: Variable<string>;
  readonly ALLOWED_ROOTS: Variable<readonly string[] | undefined>;
  readonly DEFAULT_ALLOWED_TOOLS: Variable<readonly string[]>;
  readonly MAX_CONCURRENT_SESSIONS: Variable<number>;
  readonly SESSION_TIMEOUT_MS: Variable<number>;
  readonly PERMISSION_POLICY: Variable<'deny' | 'allow'>;
  readonly PERMISSION_TIMEOUT_MS: Variable<number>;
  readonly MAX_RESULT_CHARS: Variable<number>;
  readonly LOG_LEVEL: Variable<LogLevel>;
  readonly CLAUDE_CODE_PATH: Variable<string | undefined>;
  readonly CLAUDE_CONFIG_DIR: Variable<string>;
  readonly DATA_DIR: Variable<string>;
  readonly AUTO_CHECKPOINT: Variable<boolean>;
  readonly HOOK_DIRECTORIES: Variable<readonly string[]>;
  readonly BACKGROUND_TASKS_ON_SHUTDOWN: Variable<'continue' | 'stop'>;
  readonly ALLOWED_MARKETPLACES: Variable<readonly string[]>;
}

// Node timers cannot wait longer than 2^31-1 ms; a larger value would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The zod shape of the tools variables: merge it into an app's own `z.object({...})` and map the
 * parsed values with {@link toolsConfigFrom}.
 *
 * @example
 * ```ts
 * const schema = z.object({ ...toolsVariables(env, context), PORT: variable(integerReader('PORT', { min: 1, example: '3000' }), 3000) });
 * ```
 */
export function toolsVariables(env: Readonly<Record<string, string | undefined>>, context: ConfigContext): ToolsVariables {
  const { cwd, homeDirectory } = context;
  return {
    DEFAULT_WORKING_DIRECTORY: variable(pathReader('DEFAULT_WORKING_DIRECTORY', cwd, homeDirectory), cwd),
    ALLOWED_ROOTS: variable<readonly string[] | undefined>(pathList('ALLOWED_ROOTS', cwd, homeDirectory), undefined),
    DEFAULT_ALLOWED_TOOLS: variable(listReader('DEFAULT_ALLOWED_TOOLS'), Object.freeze([] as string[])),
    MAX_CONCURRENT_SESSIONS: variable(integerReader('MAX_CONCURRENT_SESSIONS', { min: 1, example: '4' }), 4),
    SESSION_TIMEOUT_MS: variable(
      integerReader('SESSION_TIMEOUT_MS', { min: 1000, max: MAX_TIMER_MS, unit: 'milliseconds', example: '1800000 (30 minutes)' }),
      1_800_000,
    ),
    PERMISSION_POLICY: variable<'deny' | 'allow'>(choiceReader('PERMISSION_POLICY', ['deny', 'allow'] as const, 'deny'), 'deny'),
    BACKGROUND_TASKS_ON_SHUTDOWN: variable<'continue' | 'stop'>(choiceReader('BACKGROUND_TASKS_ON_SHUTDOWN', ['continue', 'stop'] as const, 'continue'), 'continue'),
    ALLOWED_MARKETPLACES: variable(listReader('ALLOWED_MARKETPLACES'), Object.freeze([] as string[])),
    PERMISSION_TIMEOUT_MS: variable(
      integerReader('PERMISSION_TIMEOUT_MS', { min: 100, max: MAX_TIMER_MS, unit: 'milliseconds', example: '120000' }),
      120_000,
    ),
    MAX_RESULT_CHARS: variable(integerReader('MAX_RESULT_CHARS', { min: 1000, example: '40000' }), 40_000),
    LOG_LEVEL: variable<LogLevel>(choiceReader('LOG_LEVEL', LOG_LEVELS, 'info'), 'info'),
    CLAUDE_CODE_PATH: variable<string | undefined>(
      (raw) =>
        raw.includes('\0')
          ? reject('must not contain a NUL character', 'set CLAUDE_CODE_PATH to the claude binary')
          : // A bare command name is looked up on PATH; anything with a slash is a path.
            accept(raw.includes('/') || raw.startsWith('~') ? resolvePath(raw, cwd, homeDirectory) : raw),
      undefined,
    ),
    CLAUDE_CONFIG_DIR: variable(pathReader('CLAUDE_CONFIG_DIR', cwd, homeDirectory), path.join(homeDirectory, '.claude')),
    DATA_DIR: variable(pathReader('DATA_DIR', cwd, homeDirectory), defaultDataDir(env, homeDirectory)),
    AUTO_CHECKPOINT: variable(booleanReader('AUTO_CHECKPOINT'), false),
    HOOK_DIRECTORIES: variable<readonly string[]>(pathList('HOOK_DIRECTORIES', cwd, homeDirectory), Object.freeze([] as string[])),
  };
}

/**
 * The parsed values of {@link ToolsVariables}.
 *
 * @example
 * ```ts
 * const values: ToolsValues = parseEnvironment(env, z.object(toolsVariables(env, context)), TOOLS_VARIABLES);
 * ```
 */
export type ToolsValues = { readonly [Name in keyof ToolsVariables]: z.output<ToolsVariables[Name]> };

/**
 * Maps parsed tools variables to {@link ToolsConfig} (not frozen: the caller adds its own fields,
 * then freezes).
 *
 * @example
 * ```ts
 * return Object.freeze({ ...toolsConfigFrom(values), port: values.PORT });
 * ```
 */
export function toolsConfigFrom(values: ToolsValues): ToolsConfig {
  return {
    defaultWorkingDirectory: values.DEFAULT_WORKING_DIRECTORY,
    defaultAllowedTools: values.DEFAULT_ALLOWED_TOOLS,
    maxConcurrentSessions: values.MAX_CONCURRENT_SESSIONS,
    sessionTimeoutMs: values.SESSION_TIMEOUT_MS,
    logLevel: values.LOG_LEVEL,
    claudeCodePath: values.CLAUDE_CODE_PATH,
    dataDir: values.DATA_DIR,
    allowedRoots: values.ALLOWED_ROOTS ?? Object.freeze([values.DEFAULT_WORKING_DIRECTORY]),
    permissionPolicy: values.PERMISSION_POLICY,
    maxResultChars: values.MAX_RESULT_CHARS,
    claudeConfigDir: values.CLAUDE_CONFIG_DIR,
    permissionTimeoutMs: values.PERMISSION_TIMEOUT_MS,
    autoCheckpoint: values.AUTO_CHECKPOINT,
    hookDirectories: values.HOOK_DIRECTORIES,
    backgroundTasksOnShutdown: values.BACKGROUND_TASKS_ON_SHUTDOWN,
    allowedMarketplaces: values.ALLOWED_MARKETPLACES,
  };
}

/**
 * Parses `env` with `schema`; on failure throws one {@link ConfigError} with a line per problem,
 * sorted by `order` (variables not in it come last).
 *
 * @example
 * ```ts
 * const values = parseEnvironment(env, z.object(toolsVariables(env, context)), TOOLS_VARIABLES);
 * ```
 */
export function parseEnvironment<T>(
  env: Readonly<Record<string, string | undefined>>,
  schema: z.ZodType<T>,
  order: readonly string[],
): T {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const rank = (issue: z.core.$ZodIssue): number => {
    const index = order.indexOf(String(issue.path[0]));
    return index === -1 ? order.length : index;
  };
  const problems = [...parsed.error.issues]
    .sort((first, second) => rank(first) - rank(second))
    .map((issue) => `${issue.path.map(String).join('.') || 'environment'}: ${issue.message}`);
  throw new ConfigError(problems, { cause: parsed.error });
}

/**
 * Reads only the tools variables: what a server with no settings of its own needs.
 *
 * @throws {@link ConfigError} listing every problem, one line each.
 *
 * @example
 * ```ts
 * const config = parseToolsConfig(process.env, { cwd: process.cwd(), homeDirectory: os.homedir() });
 * ```
 */
export function parseToolsConfig(env: Readonly<Record<string, string | undefined>>, context: ConfigContext): ToolsConfig {
  const checked = checkContext(context);
  return Object.freeze(toolsConfigFrom(parseEnvironment(env, z.object(toolsVariables(env, checked)), TOOLS_VARIABLES)));
}

/**
 * The tools service's options from a {@link ToolsConfig}: what both servers pass to
 * `openClaudeToolsService`, besides their version, logger and event sink.
 *
 * @example
 * ```ts
 * const service = await openClaudeToolsService({ ...toolsServiceOptions(config, { claudeExecutable, claudeEnv: process.env }), version, logger });
 * ```
 */
export function toolsServiceOptions(
  config: ToolsConfig,
  runtime: { readonly claudeExecutable: string | undefined; readonly claudeEnv: Record<string, string | undefined> },
): Omit<ClaudeToolsServiceOptions, 'version' | 'logger' | 'onTaskEvent'> {
  return {
    dataDir: config.dataDir,
    maxConcurrentRuns: config.maxConcurrentSessions,
    sessionIdleTimeoutMs: config.sessionTimeoutMs,
    roots: config.allowedRoots,
    defaultWorkingDirectory: config.defaultWorkingDirectory,
    defaultAllowedTools: config.defaultAllowedTools,
    permissionPolicy: config.permissionPolicy,
    elicitationTimeoutMs: config.permissionTimeoutMs,
    maxResultChars: config.maxResultChars,
    claudeConfigDir: config.claudeConfigDir,
    claudeExecutable: runtime.claudeExecutable,
    claudeEnv: runtime.claudeEnv,
    autoCheckpoint: config.autoCheckpoint,
    hookDirectories: config.hookDirectories,
    backgroundTasksOnShutdown: config.backgroundTasksOnShutdown,
    allowedMarketplaces: config.allowedMarketplaces,
  };
}

/**
 * `CLAUDE_CODE_PATH` as the driver wants it: a path. A bare command name is looked up in
 * `pathVariable`; `undefined` stays `undefined` (the driver then finds the binary itself).
 *
 * @throws {@link ConfigError} when a bare name is not on `PATH`.
 *
 * @example
 * ```ts
 * const claudeExecutable = resolveClaudeCodePath(config.claudeCodePath, process.env.PATH);
 * ```
 */
export function resolveClaudeCodePath(claudeCodePath: string | undefined, pathVariable: string | undefined): string | undefined {
  if (claudeCodePath === undefined || claudeCodePath.includes('/')) return claudeCodePath;
  const found = findOnPath(claudeCodePath, pathVariable);
  if (found === undefined) {
    throw new ConfigError([`CLAUDE_CODE_PATH: "${claudeCodePath}" is not on PATH; give the full path of the claude binary`]);
  }
  return found;
}

/**
 * Checks at start that the default working directory is an existing directory: otherwise every
 * call that names none would fail later, far from the setting that caused it.
 *
 * @throws {@link ConfigError} naming `DEFAULT_WORKING_DIRECTORY`.
 *
 * @example
 * ```ts
 * checkWorkingDirectory(config); // after parsing, before opening the service
 * ```
 */
export function checkWorkingDirectory(config: Pick<ToolsConfig, 'defaultWorkingDirectory'>): void {
  const directory = config.defaultWorkingDirectory;
  let problem: string | undefined;
  try {
    if (!statSync(directory).isDirectory()) problem = 'is not a directory';
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
  }
  if (problem === undefined) return;
  throw new ConfigError([
    `DEFAULT_WORKING_DIRECTORY: ${JSON.stringify(directory)} ${problem}; point it at the folder Claude Code should work in, or unset it to use the current directory`,
  ]);
}

import path from 'node:path';

import * as z from 'zod';

import { ConfigError } from './config-error.js';
import {
  accept,
  booleanReader,
  choiceReader,
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

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * What {@link parseConfig} needs from the process, passed in so that parsing stays pure.
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
 * The stdio server's validated, frozen configuration.
 *
 * @example
 * ```ts
 * const config: StdioServerConfig = parseConfig(process.env, context);
 * config.maxConcurrentSessions; // 4
 * ```
 */
export interface StdioServerConfig {
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
}

const contextSchema = z.object({
  cwd: z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path'),
  homeDirectory: z.string().refine((value) => path.isAbsolute(value), 'must be an absolute path'),
});

function defaultDataDir(env: Readonly<Record<string, string | undefined>>, homeDirectory: string): string {
  // The XDG spec says to ignore a relative XDG_STATE_HOME.
  const stateHome = env.XDG_STATE_HOME?.trim();
  const base =
    stateHome !== undefined && path.isAbsolute(stateHome) ? stateHome : path.join(homeDirectory, '.local', 'state');
  return path.join(base, 'claude-code-mcp');
}

function envSchema(env: Readonly<Record<string, string | undefined>>, context: ConfigContext) {
  const { cwd, homeDirectory } = context;
  return z.object({
    DEFAULT_WORKING_DIRECTORY: variable(pathReader('DEFAULT_WORKING_DIRECTORY', cwd, homeDirectory), cwd),
    DEFAULT_ALLOWED_TOOLS: variable(listReader('DEFAULT_ALLOWED_TOOLS'), Object.freeze([] as string[])),
    MAX_CONCURRENT_SESSIONS: variable(integerReader('MAX_CONCURRENT_SESSIONS', { min: 1, example: '4' }), 4),
    SESSION_TIMEOUT_MS: variable(
      // Node timers cannot wait longer than 2^31-1 ms; a larger value would fire at once.
      integerReader('SESSION_TIMEOUT_MS', { min: 1000, max: 2_147_483_647, unit: 'milliseconds', example: '1800000 (30 minutes)' }),
      1_800_000,
    ),
    LOG_LEVEL: variable<LogLevel>(choiceReader('LOG_LEVEL', logLevels, 'info'), 'info'),
    CLAUDE_CODE_PATH: variable<string | undefined>(
      (raw) =>
        raw.includes('\0')
          ? reject('must not contain a NUL character', 'set CLAUDE_CODE_PATH to the claude binary')
          : // A bare command name is looked up on PATH by the driver; anything with a slash is a path.
            accept(raw.includes('/') || raw.startsWith('~') ? resolvePath(raw, cwd, homeDirectory) : raw),
      undefined,
    ),
    DATA_DIR: variable(pathReader('DATA_DIR', cwd, homeDirectory), defaultDataDir(env, homeDirectory)),
    ALLOWED_ROOTS: variable<readonly string[] | undefined>((raw) => {
      const list = listReader('ALLOWED_ROOTS')(raw);
      return list.ok ? accept(Object.freeze(list.value.map((item) => resolvePath(item, cwd, homeDirectory)))) : list;
    }, undefined),
    PERMISSION_POLICY: variable<'deny' | 'allow'>(choiceReader('PERMISSION_POLICY', ['deny', 'allow'] as const, 'deny'), 'deny'),
    MAX_RESULT_CHARS: variable(integerReader('MAX_RESULT_CHARS', { min: 1000, example: '40000' }), 40_000),
    CLAUDE_CONFIG_DIR: variable(pathReader('CLAUDE_CONFIG_DIR', cwd, homeDirectory), path.join(homeDirectory, '.claude')),
    AUTO_CHECKPOINT: variable(booleanReader('AUTO_CHECKPOINT'), false),
    HOOK_DIRECTORIES: variable<readonly string[]>((raw) => {
      const list = listReader('HOOK_DIRECTORIES')(raw);
      return list.ok ? accept(Object.freeze(list.value.map((item) => resolvePath(item, cwd, homeDirectory)))) : list;
    }, Object.freeze([] as string[])),
    PERMISSION_TIMEOUT_MS: variable(integerReader('PERMISSION_TIMEOUT_MS', { min: 100, max: 2_147_483_647, unit: 'milliseconds', example: '120000' }), 120_000),
  });
}

function problemLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.map(String).join('.') || 'environment'}: ${issue.message}`);
}

/**
 * Reads the stdio server's settings from environment variables. Unset or blank variables take
 * their defaults; booleans accept true/false, 1/0, yes/no; a leading `~` in a path means the home
 * directory and relative paths are resolved against `context.cwd`. The process is never read:
 * pass `process.env`, `process.cwd()` and `os.homedir()` in.
 *
 * @throws {@link ConfigError} listing every problem, one line each:
 * `NAME: what is wrong (got "x"); how to fix`.
 *
 * @example
 * ```ts
 * const config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: os.homedir() });
 * // { defaultWorkingDirectory: '/home/me/app', maxConcurrentSessions: 4, logLevel: 'info', … }
 * parseConfig({ MAX_CONCURRENT_SESSIONS: '0' }, context);
 * // ConfigError: MAX_CONCURRENT_SESSIONS: must be a whole number 1 or more (got "0"); e.g. MAX_CONCURRENT_SESSIONS=4
 * ```
 */
export function parseConfig(
  env: Readonly<Record<string, string | undefined>>,
  context: ConfigContext,
): StdioServerConfig {
  const checkedContext = contextSchema.safeParse(context);
  if (!checkedContext.success) {
    throw new ConfigError(
      checkedContext.error.issues.map((issue) => `context.${issue.path.map(String).join('.')}: ${issue.message}`),
      { cause: checkedContext.error },
    );
  }
  const parsed = envSchema(env, checkedContext.data).safeParse(env);
  if (!parsed.success) throw new ConfigError(problemLines(parsed.error), { cause: parsed.error });
  const values = parsed.data;
  return Object.freeze({
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
    hookDirectories: values.HOOK_DIRECTORIES,
    autoCheckpoint: values.AUTO_CHECKPOINT,
  });
}

import { parseToolsConfig, type ConfigContext, type ToolsConfig } from '@claude-code-mcp/server-config';

export type { ConfigContext, LogLevel } from '@claude-code-mcp/server-config';

/**
 * The stdio server's validated, frozen configuration: the tools variables and nothing else.
 *
 * @example
 * ```ts
 * const config: StdioServerConfig = parseConfig(process.env, context);
 * config.allowedRoots; // ['/work/project']
 * ```
 */
export type StdioServerConfig = ToolsConfig;

/**
 * Reads the stdio server's settings from environment variables. Unset or blank variables take
 * their defaults; booleans accept true/false, 1/0, yes/no (any case); a leading `~` in a path
 * means the home directory and relative paths are resolved against `context.cwd`. The process is
 * never read: pass `process.env`, `process.cwd()` and `os.homedir()` in.
 *
 * @throws {@link ConfigError} listing every problem, one line each:
 * `NAME: what is wrong (got "x"); how to fix`.
 *
 * @example
 * ```ts
 * const config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: os.homedir() });
 * // { defaultWorkingDirectory: '/work/project', maxConcurrentSessions: 4, … }
 * ```
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, context: ConfigContext): StdioServerConfig {
  return parseToolsConfig(env, context);
}

import {
  OPERATIONS_VARIABLES,
  TOOLS_VARIABLES,
  checkContext,
  checkOperations,
  operationsConfigFrom,
  operationsVariables,
  parseEnvironment,
  toolsConfigFrom,
  toolsVariables,
  type ConfigContext,
  type OperationsConfig,
  type ToolsConfig,
} from '@claude-code-mcp/server-config';
import * as z from 'zod';

export type { ConfigContext, LogLevel, MetricsConfig, WebhooksConfig } from '@claude-code-mcp/server-config';

/**
 * The stdio server's validated, frozen configuration: the tools variables, metrics (on a port of
 * their own: this server has no HTTP) and webhooks.
 *
 * @example
 * ```ts
 * const config: StdioServerConfig = parseConfig(process.env, context);
 * config.allowedRoots; // ['/work/project']
 * if (config.metrics.enabled) config.metrics.port; // 9464
 * ```
 */
export interface StdioServerConfig extends ToolsConfig, OperationsConfig {}

/**
 * Every variable this server reads, in the order they are documented (and problems reported).
 *
 * @example
 * ```ts
 * STDIO_VARIABLES.includes('METRICS_PORT'); // true
 * ```
 */
export const STDIO_VARIABLES: readonly string[] = Object.freeze([...TOOLS_VARIABLES, ...OPERATIONS_VARIABLES]);

function envSchema(env: Readonly<Record<string, string | undefined>>, context: ConfigContext) {
  return z.object({ ...toolsVariables(env, context), ...operationsVariables() }).superRefine(
    (values, issues) => {
      // With no HTTP of its own, the only place /metrics can be served is a port of its own.
      if (values.METRICS_ENABLED === true && (env['METRICS_PORT'] === undefined || env['METRICS_PORT'].trim() === '')) {
        issues.addIssue({ code: 'custom', path: ['METRICS_PORT'], message: 'is required when METRICS_ENABLED=true (not set); the stdio server serves /metrics only on a port of its own, e.g. METRICS_PORT=9464' });
      }
      checkOperations(values, env, issues);
    },
    { when: () => true },
  );
}

/**
 * Reads the stdio server's settings from environment variables. Unset or blank variables take
 * their defaults; booleans accept true/false, 1/0, yes/no (any case); a leading `~` in a path
 * means the home directory and relative paths are resolved against `context.cwd`. The process is
 * never read: pass `process.env`, `process.cwd()` and `os.homedir()` in.
 *
 * @throws {@link ConfigError} listing every problem, one line each:
 * `NAME: what is wrong (got "x"); how to fix`. Secret values are never echoed.
 *
 * @example
 * ```ts
 * const config = parseConfig(process.env, { cwd: process.cwd(), homeDirectory: os.homedir() });
 * // { defaultWorkingDirectory: '/work/project', maxConcurrentSessions: 4, metrics: { enabled: false }, … }
 * ```
 */
export function parseConfig(env: Readonly<Record<string, string | undefined>>, context: ConfigContext): StdioServerConfig {
  const checked = checkContext(context);
  const values = parseEnvironment(env, envSchema(env, checked), STDIO_VARIABLES);
  return Object.freeze({ ...toolsConfigFrom(values), ...operationsConfigFrom(values) });
}

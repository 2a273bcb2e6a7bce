// The start-up both servers share: read the configuration, check the working directory, find
// Claude Code, open the state; a problem the user can fix ends the process with one line on
// stderr (never a stack trace of the bundle), in the form `<program>: invalid configuration: …`.
import { McpToolsError } from '@claude-code-mcp/mcp-tools';

import { ConfigError } from './config-error.js';
import { checkWorkingDirectory, resolveClaudeCodePath, type ToolsConfig } from './tools-config.js';

/** Where a failed start-up reports and how it ends; the defaults are the real process. */
export interface StartupIo {
  readonly write?: (line: string) => void;
  readonly exit?: (code: number) => never;
}

/**
 * A server's start-up: `fail(problems)` prints them as one line and exits 1, and `step(work)` runs
 * `work`, turning a `ConfigError` or a data folder the store cannot open into that line (also
 * when `work` returns a promise that rejects with one).
 *
 * @example
 * ```ts
 * const start = serverStart('claude-code-mcp');
 * const { config, claudeExecutable } = start.config(() => parseConfig(process.env, context), process.env.PATH);
 * const service = await start.step(() => openClaudeToolsService(options));
 * ```
 */
export interface ServerStart {
  fail(problems: readonly string[]): never;
  step<T>(work: () => T): T;
  /** Parses the config with `parse`, checks its working directory and resolves `CLAUDE_CODE_PATH` on `pathVariable`. */
  config<C extends ToolsConfig>(parse: () => C, pathVariable: string | undefined): { readonly config: C; readonly claudeExecutable: string | undefined };
}

/**
 * The start-up steps of the server named `program`.
 *
 * @example
 * ```ts
 * const start = serverStart('claude-code-mcp-http');
 * if (problems.length > 0) start.fail(problems);
 * ```
 */
export function serverStart(program: string, io: StartupIo = {}): ServerStart {
  const write = io.write ?? ((line: string) => process.stderr.write(line));
  const exit = io.exit ?? ((code: number) => process.exit(code));
  const fail = (problems: readonly string[]): never => {
    write(`${program}: invalid configuration: ${problems.join('; ')}\n`);
    return exit(1);
  };
  const failed = (error: unknown): never => {
    if (ConfigError.isInstance(error)) return fail(error.problems);
    // A corrupt, newer or read-only data folder is a configuration problem too.
    if (McpToolsError.isInstance(error) && error.code === 'MCP_TOOLS_STORE_FAILED') return fail([`DATA_DIR: ${error.message.replace(/\s*\n\s*/g, ' ')}`]);
    throw error;
  };
  const step = <T>(work: () => T): T => {
    let result: T;
    try {
      result = work();
    } catch (error) {
      return failed(error);
    }
    // An asynchronous step (opening the service) fails the same way when its promise rejects.
    return (result instanceof Promise ? result.catch(failed) : result) as T;
  };
  return Object.freeze({
    fail,
    step,
    config: <C extends ToolsConfig>(parse: () => C, pathVariable: string | undefined) =>
      step(() => {
        const config = parse();
        checkWorkingDirectory(config);
        return { config, claudeExecutable: resolveClaudeCodePath(config.claudeCodePath, pathVariable) };
      }),
  });
}

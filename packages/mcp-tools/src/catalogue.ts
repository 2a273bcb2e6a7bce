// The catalogue behind claude_subagent_list, claude_plugin_*, and the subagent check of claude_ask.
// The agent reader (with its YAML parser) and the plugin CLI wrapper are imported on first use:
// answering `tools/list` needs neither, and a client waits for that answer on every start.
import { resolveClaudeBinary } from '@claude-code-mcp/claude-cli-driver';

import type { AgentInfo } from './agents/index.js';
import type { PluginCliOptions } from './plugins/index.js';

/** What the catalogue tools need from the app. */
export interface CatalogueOptions {
  /** Claude Code's folder (`CLAUDE_CONFIG_DIR` or `~/.claude`): user agents, plugins. */
  readonly claudeConfigDir: string;
  /** The `claude` executable; otherwise found like the driver does, from `claudeEnv`. */
  readonly claudeExecutable?: string | undefined;
  /** The environment `claude plugin …` runs with (default: this process's). */
  readonly claudeEnv?: Record<string, string | undefined> | undefined;
  /** Whether claude_plugin_install may change the installation (default true). */
  readonly allowPluginInstall?: boolean;
}

/** How `claude plugin …` is run for a working directory. */
export function pluginCliOptions(options: CatalogueOptions, cwd: string): PluginCliOptions {
  const { path } = resolveClaudeBinary({ executable: options.claudeExecutable, env: options.claudeEnv });
  return { executable: path, cwd, ...(options.claudeEnv ? { env: options.claudeEnv } : {}) };
}

/**
 * Every agent Claude Code would offer in `cwd`: built-in, plugin, user and project, with the
 * CLI's precedence. Plugin agents need the plugin list from the CLI; when that fails, the other
 * agents are still listed and `warning` says why.
 */
export async function catalogueAgents(options: CatalogueOptions, cwd: string): Promise<{ agents: AgentInfo[]; warning?: string }> {
  const { listAgents } = await import('./agents/index.js');
  const { installedPluginDirectories, listPlugins } = await import('./plugins/index.js');
  let plugins: { name: string; path: string }[] = [];
  let warning: string | undefined;
  try {
    plugins = installedPluginDirectories((await listPlugins(pluginCliOptions(options, cwd))).installed);
  } catch (error) {
    warning = `Plugin agents are missing: ${(error as Error).message}`;
  }
  const agents = await listAgents({ cwd, claudeConfigDir: options.claudeConfigDir, plugins });
  return { agents, ...(warning ? { warning } : {}) };
}

/** Checks a subagent name against what Claude Code would load in `cwd`. */
export async function checkSubagent(options: CatalogueOptions, cwd: string, name: string): Promise<AgentInfo> {
  const { agents } = await catalogueAgents(options, cwd);
  const { resolveAgentName } = await import('./agents/index.js');
  return resolveAgentName(name, agents);
}

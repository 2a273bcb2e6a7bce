import { resolveClaudeBinary } from '@claude-code-mcp/claude-cli-driver';
import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { listAgents, resolveAgentName, type AgentInfo } from './agents/index.js';
import { McpToolsError } from './errors.js';
import { withoutDialect } from './schema-dialect.js';
import { addMarketplace, installedPluginDirectories, installPlugin, listMarketplaces, listPlugins, type PluginCliOptions } from './plugins/index.js';

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

function pluginCliOptions(options: CatalogueOptions, cwd: string): PluginCliOptions {
  const { path } = resolveClaudeBinary({ executable: options.claudeExecutable, env: options.claudeEnv });
  return { executable: path, cwd, ...(options.claudeEnv ? { env: options.claudeEnv } : {}) };
}

/**
 * Every agent Claude Code would offer in `cwd`: built-in, plugin, user and project, with the
 * CLI's precedence. Plugin agents need the plugin list from the CLI; when that fails, the other
 * agents are still listed and `warning` says why.
 */
export async function catalogueAgents(options: CatalogueOptions, cwd: string): Promise<{ agents: AgentInfo[]; warning?: string }> {
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
  return resolveAgentName(name, agents);
}

const agentSchema = z.object({
  name: z.string(),
  description: z.string(),
  tools: z.array(z.string()).nullable(),
  model: z.string().nullable(),
  source: z.string(),
  path: z.string().nullable(),
  error: z.string().optional(),
});

/** Registers `claude_subagent_list`, `claude_plugin_list` and `claude_plugin_install`. */
export function registerCatalogueTools(
  server: McpServer,
  options: CatalogueOptions,
  resolveCwd: (requested: string | undefined) => Promise<string>,
): void {
  const fail = (error: unknown): CallToolResult => {
    if (!McpToolsError.isInstance(error) && !(error instanceof Error && 'code' in error)) throw error;
    const coded = error as Error & { code: string };
    return { isError: true, content: [{ type: 'text', text: `Error (${coded.code}): ${coded.message}` }] };
  };
  const workingDirectory = z.string().min(1).optional().describe('Directory whose project agents and plugins to use; default: the server\'s default directory.');

  server.registerTool(
    'claude_subagent_list',
    {
      title: 'List Claude Code subagents',
      description:
        'The subagents Claude Code would offer in a directory: project (.claude/agents), user (~/.claude/agents), plugin (<plugin>:<agent>) and built-in, with description, tools, model and source. A malformed file is listed with its error. Pass a name as claude_ask subagent.',
      inputSchema: withoutDialect(z.object({ workingDirectory })),
      outputSchema: withoutDialect(z.object({ agents: z.array(agentSchema), warning: z.string().optional() })),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args): Promise<CallToolResult> => {
      try {
        const cwd = await resolveCwd(args.workingDirectory);
        const { agents, warning } = await catalogueAgents(options, cwd);
        const view = agents.map((agent) => ({
          name: agent.name,
          description: agent.description,
          tools: agent.tools,
          model: agent.model,
          source: agent.source,
          path: agent.path,
          ...(agent.error ? { error: agent.error } : {}),
        }));
        const lines = view.map((agent) => `${agent.name} (${agent.source})${agent.error ? ` — not loaded: ${agent.error}` : ` — ${agent.description}`}`);
        return { content: [{ type: 'text', text: [...lines, ...(warning ? [warning] : [])].join('\n') }], structuredContent: { agents: view, ...(warning ? { warning } : {}) } };
      } catch (error) {
        return fail(error);
      }
    },
  );

  server.registerTool(
    'claude_plugin_list',
    {
      title: 'List Claude Code plugins',
      description: 'Installed plugins, plugins available from the configured marketplaces, and the marketplaces, through the CLI\'s own `claude plugin … --json` commands.',
      inputSchema: withoutDialect(z.object({ workingDirectory })),
      outputSchema: withoutDialect(
        z.object({
          installed: z.array(z.object({ id: z.string(), name: z.string(), marketplace: z.string().nullable(), scope: z.string().optional(), enabled: z.boolean().optional(), version: z.string().optional() })),
          available: z.array(z.object({ pluginId: z.string(), name: z.string(), description: z.string().optional(), marketplaceName: z.string(), version: z.string().optional() })),
          marketplaces: z.array(z.object({ name: z.string(), source: z.string() })),
        }),
      ),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    async (args): Promise<CallToolResult> => {
      try {
        const cwd = await resolveCwd(args.workingDirectory);
        const cli = pluginCliOptions(options, cwd);
        const [plugins, marketplaces] = await Promise.all([listPlugins(cli), listMarketplaces(cli)]);
        const installed = plugins.installed.map((plugin) => ({
          id: plugin.id,
          name: plugin.name,
          marketplace: plugin.marketplace,
          ...(plugin.scope ? { scope: plugin.scope } : {}),
          ...(plugin.enabled === undefined ? {} : { enabled: plugin.enabled }),
          ...(plugin.version ? { version: plugin.version } : {}),
        }));
        const available = plugins.available.map((plugin) => ({
          pluginId: plugin.pluginId,
          name: plugin.name,
          marketplaceName: plugin.marketplaceName,
          ...(plugin.description ? { description: plugin.description } : {}),
          ...(plugin.version ? { version: plugin.version } : {}),
        }));
        const text = [
          `Installed: ${installed.map((plugin) => plugin.id).join(', ') || 'none'}`,
          `Available: ${available.map((plugin) => plugin.pluginId).join(', ') || 'none'}`,
          `Marketplaces: ${marketplaces.map((marketplace) => marketplace.name).join(', ') || 'none'}`,
        ].join('\n');
        return {
          content: [{ type: 'text', text }],
          structuredContent: { installed, available, marketplaces: marketplaces.map((marketplace) => ({ name: marketplace.name, source: marketplace.source })) },
        };
      } catch (error) {
        return fail(error);
      }
    },
  );

  server.registerTool(
    'claude_plugin_install',
    {
      title: 'Install a Claude Code plugin',
      description:
        'Install a plugin from a marketplace (optionally adding the marketplace first: an absolute directory, owner/repo, or an https/git URL) for the user or the project. An administrative action: it changes Claude Code\'s installation.',
      inputSchema: withoutDialect(
        z.object({
          plugin: z.string().min(1).describe('The plugin name, or name@marketplace.'),
          marketplace: z.string().optional().describe('The marketplace to install from (recommended: without it the CLI looks in the Anthropic directory).'),
          marketplaceSource: z.string().optional().describe('Add this marketplace first: an absolute directory path, owner/repo, or an https:// or git URL.'),
          scope: z.enum(['user', 'project']).optional().describe('user (default) or project (the working directory).'),
          workingDirectory,
        }),
      ),
      outputSchema: withoutDialect(z.object({ plugin: z.string(), scope: z.string(), outcome: z.string(), message: z.string().optional() })),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    },
    async (args): Promise<CallToolResult> => {
      if (options.allowPluginInstall === false) {
        return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Installing plugins is not allowed on this server.'));
      }
      try {
        const cwd = await resolveCwd(args.workingDirectory);
        const cli = pluginCliOptions(options, cwd);
        if (args.marketplaceSource) await addMarketplace(args.marketplaceSource, cli);
        const scope = args.scope ?? 'user';
        const result = await installPlugin({ plugin: args.plugin, ...(args.marketplace ? { marketplace: args.marketplace } : {}), scope }, cli);
        const plugin = result.pluginId ?? result.plugin ?? args.plugin;
        return {
          content: [{ type: 'text', text: `Installed ${plugin} (${scope}): ${result.outcome}${result.message ? ` — ${result.message}` : ''}` }],
          structuredContent: { plugin, scope, outcome: result.outcome, ...(result.message ? { message: result.message } : {}) },
        };
      } catch (error) {
        return fail(error);
      }
    },
  );
}

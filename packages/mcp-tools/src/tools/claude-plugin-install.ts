// claude_plugin_install: installs a plugin (adding its marketplace first when asked), user or project scope.
import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { pluginCliOptions } from '../catalogue.js';
import { McpToolsError } from '../errors.js';
import { defineTool } from './define-tool.js';
import { catalogueError, catalogueWorkingDirectory as workingDirectory } from './catalogue-error.js';

/** `claude_plugin_install`. */
export const claudePluginInstall = defineTool({
  name: 'claude_plugin_install',
  title: 'Install a Claude Code plugin',
  description:
    'Install a plugin from a marketplace (optionally adding the marketplace first: an absolute directory, owner/repo, or an https/git URL) for the user or the project. An administrative action: it changes Claude Code\'s installation.',
  inputSchema: z.object({
    plugin: z.string().min(1).describe('The plugin name, or name@marketplace.'),
    marketplace: z.string().optional().describe('The marketplace to install from (recommended: without it the CLI looks in the Anthropic directory).'),
    marketplaceSource: z.string().optional().describe('Add this marketplace first: an absolute directory path, owner/repo, or an https:// or git URL.'),
    scope: z.enum(['user', 'project']).optional().describe('user (default) or project (the working directory).'),
    workingDirectory,
  }),
  outputSchema: z.object({ plugin: z.string(), scope: z.string(), outcome: z.string(), message: z.string().optional() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  handler: async (args, _context, kit): Promise<CallToolResult> => {
    if (kit.options.allowPluginInstall === false) {
      return catalogueError(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Installing plugins is not allowed on this server.'));
    }
    try {
      const cwd = await kit.resolveCwd(args.workingDirectory, undefined);
      const cli = pluginCliOptions(kit.options, cwd);
      // Loaded on first use, like the rest of the catalogue (see catalogue.ts).
      const { addMarketplace, installPlugin } = await import('../plugins/index.js');
      if (args.marketplaceSource) await addMarketplace(args.marketplaceSource, cli);
      const scope = args.scope ?? 'user';
      const result = await installPlugin({ plugin: args.plugin, ...(args.marketplace ? { marketplace: args.marketplace } : {}), scope }, cli);
      const plugin = result.pluginId ?? result.plugin ?? args.plugin;
      return {
        content: [{ type: 'text', text: `Installed ${plugin} (${scope}): ${result.outcome}${result.message ? ` — ${result.message}` : ''}` }],
        structuredContent: { plugin, scope, outcome: result.outcome, ...(result.message ? { message: result.message } : {}) },
      };
    } catch (error) {
      return catalogueError(error);
    }
  },
});

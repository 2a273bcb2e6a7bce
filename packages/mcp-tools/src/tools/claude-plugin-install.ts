// claude_plugin_install: installs a plugin (adding its marketplace first when asked), user or project scope.
import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { pluginCliOptions } from '../catalogue.js';
import { McpToolsError } from '../errors.js';
import { resolveWorkingDirectory } from '../resolve-working-directory.js';
import { defineTool } from './define-tool.js';
import { catalogueError, catalogueWorkingDirectory as workingDirectory } from './catalogue-error.js';

// A marketplace added once serves every later run: a local one must lie inside the roots, a
// remote one must be on the operator's list.
async function checkMarketplaceAllowed(source: { kind: string; value: string }, options: { roots: readonly string[]; allowedMarketplaces: readonly string[] }): Promise<void> {
  if (source.kind === 'directory') {
    try {
      await resolveWorkingDirectory(source.value, { roots: [...options.roots] });
    } catch (error) {
      throw new McpToolsError('MCP_TOOLS_PATH_OUTSIDE_ROOTS', `The marketplace directory "${source.value}" is outside the allowed roots (${options.roots.join(', ')}); use one inside them.`, { cause: error });
    }
    return;
  }
  if (!options.allowedMarketplaces.includes(source.value)) {
    const listed = options.allowedMarketplaces.join(', ') || 'none';
    throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', `The marketplace "${source.value}" is not one this server may add (allowed: ${listed}); its operator lists them in ALLOWED_MARKETPLACES.`);
  }
}

/** `claude_plugin_install`. */
export const claudePluginInstall = defineTool({
  name: 'claude_plugin_install',
  title: 'Install a Claude Code plugin',
  description:
    'Install a plugin from a marketplace (optionally adding the marketplace first: a directory inside the allowed roots, or an owner/repo or https/git URL the server allows) for the user or the project. An administrative action: it changes Claude Code\'s installation.',
  inputSchema: z.object({
    plugin: z.string().min(1).describe('The plugin name, or name@marketplace.'),
    marketplace: z.string().optional().describe('The marketplace to install from (recommended: without it the CLI looks in the Anthropic directory).'),
    marketplaceSource: z.string().optional().describe('Add this marketplace first: an absolute directory path, owner/repo, or an https:// or git URL.'),
    scope: z.enum(['user', 'project']).optional().describe('user (default) or project (the working directory).'),
    workingDirectory,
  }),
  outputSchema: z.object({ plugin: z.string(), scope: z.string(), outcome: z.string(), message: z.string().optional() }),
  scope: 'admin',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  handler: async (args, _context, kit): Promise<CallToolResult> => {
    if (kit.options.allowPluginInstall === false) {
      return catalogueError(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Installing plugins is not allowed on this server.'));
    }
    try {
      const cwd = await kit.resolveCwd(args.workingDirectory, undefined);
      const cli = pluginCliOptions(kit.options, cwd);
      // Loaded on first use, like the rest of the catalogue (see catalogue.ts).
      const { addMarketplace, installPlugin, validateMarketplaceSource } = await import('../plugins/index.js');
      if (args.marketplaceSource) {
        await checkMarketplaceAllowed(await validateMarketplaceSource(args.marketplaceSource), kit.options);
        await addMarketplace(args.marketplaceSource, cli);
      }
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

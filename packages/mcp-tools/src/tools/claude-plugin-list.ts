// claude_plugin_list: installed and available plugins, and marketplaces, from `claude plugin … --json`.
import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { pluginCliOptions } from '../catalogue.js';
import { defineTool } from './define-tool.js';
import { catalogueError, catalogueWorkingDirectory as workingDirectory } from './catalogue-error.js';

/** `claude_plugin_list`. */
export const claudePluginList = defineTool({
  name: 'claude_plugin_list',
  title: 'List Claude Code plugins',
  description: 'Installed plugins, plugins available from the configured marketplaces, and the marketplaces, through the CLI\'s own `claude plugin … --json` commands.',
  inputSchema: z.object({ workingDirectory }),
  outputSchema: z.object({
    installed: z.array(z.object({ id: z.string(), name: z.string(), marketplace: z.string().nullable(), scope: z.string().optional(), enabled: z.boolean().optional(), version: z.string().optional() })),
    available: z.array(z.object({ pluginId: z.string(), name: z.string(), description: z.string().optional(), marketplaceName: z.string(), version: z.string().optional() })),
    marketplaces: z.array(z.object({ name: z.string(), source: z.string() })),
  }),
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  handler: async (args, _context, kit): Promise<CallToolResult> => {
    try {
      const cwd = await kit.resolveCwd(args.workingDirectory, undefined);
      const cli = pluginCliOptions(kit.options, cwd);
      // Loaded on first use, like the rest of the catalogue (see catalogue.ts).
      const { listMarketplaces, listPlugins } = await import('../plugins/index.js');
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
      return catalogueError(error);
    }
  },
});

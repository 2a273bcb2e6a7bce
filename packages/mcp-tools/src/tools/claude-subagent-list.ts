// claude_subagent_list: the subagents Claude Code would offer in a directory.
import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { catalogueAgents } from '../catalogue.js';
import { defineTool } from './define-tool.js';
import { catalogueError, catalogueWorkingDirectory as workingDirectory } from './catalogue-error.js';

const agentSchema = z.object({
  name: z.string(),
  description: z.string(),
  tools: z.array(z.string()).nullable(),
  model: z.string().nullable(),
  source: z.string(),
  path: z.string().nullable(),
  error: z.string().optional(),
});

/** `claude_subagent_list`. */
export const claudeSubagentList = defineTool({
  name: 'claude_subagent_list',
  title: 'List Claude Code subagents',
  description:
    'The subagents Claude Code would offer in a directory: project (.claude/agents), user (~/.claude/agents), plugin (<plugin>:<agent>) and built-in, with description, tools, model and source. A malformed file is listed with its error. Pass a name as claude_ask subagent.',
  inputSchema: z.object({ workingDirectory }),
  outputSchema: z.object({ agents: z.array(agentSchema), warning: z.string().optional() }),
  scope: 'read',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  handler: async (args, _context, kit): Promise<CallToolResult> => {
    try {
      const cwd = await kit.resolveCwd(args.workingDirectory, undefined);
      const { agents, warning } = await catalogueAgents(kit.options, cwd);
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
      return catalogueError(error);
    }
  },
});

// claude_abort: stops the run in progress on a session; nothing is left running.
import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { McpToolsError } from '../errors.js';
import { defineTool } from './define-tool.js';
import { callerOfContext } from './ownership.js';
import { sessionId } from './schema-parts.js';

/** Arguments of `claude_abort`. */
export const abortInputSchema = z.object({
  sessionId: sessionId.describe('The session whose run to stop.'),
});

/** The result of `claude_abort`. */
export const abortOutputSchema = z.object({
  sessionId: z.string(),
  aborted: z.boolean(),
});

/** `claude_abort`. */
export const claudeAbort = defineTool({
  name: 'claude_abort',
  title: 'Abort a Claude Code run',
  description: 'Stop the run in progress on a session. The aborted call returns promptly with status "cancelled"; no process is left behind.',
  inputSchema: abortInputSchema,
  outputSchema: abortOutputSchema,
  scope: 'run',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  handler: async (args, context, kit): Promise<CallToolResult> => {
    try {
      if (!(await kit.ownership.visible('session', args.sessionId, callerOfContext(context)))) {
        throw new McpToolsError('MCP_TOOLS_SESSION_NOT_FOUND', `No session ${args.sessionId} is known.`);
      }
      await kit.runtime.abort(args.sessionId);
    } catch (error) {
      if (!McpToolsError.isInstance(error)) throw error;
      return {
        isError: true,
        content: [{ type: 'text', text: `Error (${error.code}): ${error.message}` }],
        structuredContent: { sessionId: args.sessionId, aborted: false },
      };
    }
    return {
      content: [{ type: 'text', text: `Aborted the run on session ${args.sessionId}.` }],
      structuredContent: { sessionId: args.sessionId, aborted: true },
    };
  },
});

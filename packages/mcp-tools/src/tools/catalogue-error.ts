import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import { McpToolsError } from '../errors.js';

/** The `workingDirectory` argument of the catalogue tools. */
export const catalogueWorkingDirectory = z
  .string()
  .min(1)
  .optional()
  .describe('Directory whose project agents and plugins to use; default: the server\'s default directory.');

// A catalogue failure as a tool error: ours, or a coded error from the plugin CLI wrapper.
export function catalogueError(error: unknown): CallToolResult {
  if (!McpToolsError.isInstance(error) && !(error instanceof Error && 'code' in error)) throw error;
  const coded = error as Error & { code: string };
  return { isError: true, content: [{ type: 'text', text: `Error (${coded.code}): ${coded.message}` }] };
}

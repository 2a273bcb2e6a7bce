// claude-checkpoint-diff://{from}/{to}: the whole diff a claude_checkpoint compare cut short.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';

import type { CheckpointManager } from '../checkpoints/index.js';
import { McpToolsError } from '../errors.js';
import { callerOfContext, type Ownership } from '../tools/ownership.js';
import { readScopeChallenge, requireScope } from '../tools/tool-scopes.js';

/** The URI scheme of the full-diff resource (`to` is a checkpoint id or `present`). */
export const CHECKPOINT_DIFF_SCHEME = 'claude-checkpoint-diff';

/** Registers the checkpoint diff resource; without `checkpoints` it answers that they are off. */
export function registerCheckpointDiffResource(server: McpServer, checkpoints: CheckpointManager | undefined, ownership: Ownership): void {
  server.registerResource(
    'claude-checkpoint-diff',
    new ResourceTemplate(`${CHECKPOINT_DIFF_SCHEME}://{from}/{to}`, { list: undefined }),
    { title: 'Checkpoint diff', description: 'The whole unified diff between two checkpoints, or a checkpoint and the present files.', mimeType: 'text/x-diff', scopeChallenge: readScopeChallenge },
    async (uri, variables, context) => {
      requireScope(context, 'read', 'Reading a checkpoint diff');
      if (!checkpoints) throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Checkpoints are not enabled on this server.');
      const from = String(variables['from']);
      const to = String(variables['to']);
      const caller = callerOfContext(context);
      for (const id of to === 'present' ? [from] : [from, to]) {
        if (!(await ownership.visible('checkpoint', id, caller))) throw new McpToolsError('MCP_TOOLS_CHECKPOINT_NOT_FOUND', `No checkpoint ${id}.`);
      }
      const result = await checkpoints.compare(from, to === 'present' ? 'present' : to, { maxDiffBytes: Number.POSITIVE_INFINITY });
      return { contents: [{ uri: uri.href, mimeType: 'text/x-diff', text: result.diff }] };
    },
  );
}

// claude_checkpoint: create, list, restore, compare and delete checkpoints of a working directory
// (a shadow git repository in the data folder) and of the session's place in it.
import { randomUUID } from 'node:crypto';

import type { CallToolResult } from '@modelcontextprotocol/server';
import * as z from 'zod';

import type { ClaudeRuntime } from '../claude-runtime.js';
import type { CheckpointManager, CheckpointRecord } from '../checkpoints/index.js';
import { emitTo, eventCallerOf } from '../emit-event.js';
import { McpToolsError } from '../errors.js';
import { CHECKPOINT_DIFF_SCHEME } from '../resources/checkpoint-diff.js';
import { lastMessageId } from '../transcript-path.js';
import { defineTool } from './define-tool.js';
import { callerOfContext, type Caller } from './ownership.js';
import { checkpointScope } from './tool-scopes.js';
import { UUID, workingDirectory } from './schema-parts.js';
import { actionError, type ToolKit } from './tool-kit.js';

const CHECKPOINT_ID = /^ckpt_[0-9a-f]{20}$/;

/** Arguments of `claude_checkpoint`. */
export const checkpointInputSchema = z.object({
  action: z
    .enum(['create', 'list', 'restore', 'compare', 'delete'])
    .describe('create a checkpoint of the working directory (and the session\'s place); list them; restore one (files exactly, the conversation as a fork); compare two, or one with the present; delete one.'),
  checkpointId: z.string().regex(CHECKPOINT_ID, 'must be a checkpoint id such as ckpt_0123456789abcdef0123').optional().describe('restore, compare (the older side), delete.'),
  toCheckpointId: z
    .string()
    .regex(CHECKPOINT_ID, 'must be a checkpoint id such as ckpt_0123456789abcdef0123')
    .optional()
    .describe('compare: the newer side; omit to compare with the present files.'),
  label: z.string().max(200).optional().describe('create: a name for the checkpoint.'),
  sessionId: z.string().regex(UUID, 'must be a session id (a UUID)').optional().describe('create: the session whose place to record (its directory is used); list: only its checkpoints.'),
  workingDirectory: workingDirectory.optional(),
});

const checkpointSchema = z.object({
  id: z.string(),
  label: z.string().nullable(),
  sessionId: z.string().nullable(),
  cwd: z.string(),
  createdAt: z.string(),
  fileCount: z.number().int(),
});

/** The result of `claude_checkpoint`. */
export const checkpointOutputSchema = z.object({
  action: z.string(),
  checkpoint: checkpointSchema.optional(),
  checkpoints: z.array(checkpointSchema).optional(),
  changed: z.object({ restored: z.array(z.string()), removed: z.array(z.string()), recreated: z.array(z.string()) }).optional(),
  sessionId: z.string().nullable().optional().describe('restore: the forked session that continues from the checkpoint.'),
  compare: z
    .object({
      files: z.array(z.object({ path: z.string(), status: z.string(), insertions: z.number().int(), deletions: z.number().int() })),
      insertions: z.number().int(),
      deletions: z.number().int(),
      diff: z.string(),
      truncated: z.boolean(),
      fullDiffUri: z.string(),
    })
    .optional(),
});

/** A checkpoint as the tool shows it. */
function checkpointView(checkpoint: CheckpointRecord): {
  id: string;
  label: string | null;
  sessionId: string | null;
  cwd: string;
  createdAt: string;
  fileCount: number;
} {
  return {
    id: checkpoint.id,
    label: checkpoint.label,
    sessionId: checkpoint.sessionId,
    cwd: checkpoint.cwd,
    createdAt: new Date(checkpoint.createdAt).toISOString(),
    fileCount: checkpoint.fileCount,
  };
}

// Another principal's checkpoint is not found, as one that does not exist is not.
async function ownCheckpoint(kit: ToolKit, id: string, caller: Caller): Promise<string> {
  if (await kit.ownership.visible('checkpoint', id, caller)) return id;
  throw new McpToolsError('MCP_TOOLS_CHECKPOINT_NOT_FOUND', `No checkpoint ${id}; list them with action "list".`);
}

async function createCheckpoint(checkpoints: CheckpointManager, kit: ToolKit, args: { workingDirectory?: string | undefined; sessionId?: string | undefined; label?: string | undefined }, caller: Caller): Promise<CheckpointRecord> {
  const missing = (cwd: string) =>
    new McpToolsError('MCP_TOOLS_SESSION_NOT_FOUND', `Claude Code has no conversation ${args.sessionId} in ${cwd}: pass a sessionId that claude_ask returned for this directory, or leave it out to checkpoint only the files.`);
  if (args.sessionId && !(await kit.ownership.visible('session', args.sessionId, caller))) throw missing(args.workingDirectory ?? 'this server');
  const cwd = await kit.resolveCwd(args.workingDirectory, args.sessionId);
  const messageId = args.sessionId ? await lastMessageId(kit.options.claudeConfigDir, cwd, args.sessionId) : null;
  // A restore forks the conversation at this message: without one, it would hand back a
  // session id that claude_resume cannot find.
  if (args.sessionId && messageId === null) throw missing(cwd);
  const checkpoint = await checkpoints.create({ cwd, ...(args.label ? { label: args.label } : {}), ...(args.sessionId ? { sessionId: args.sessionId, lastMessageId: messageId } : {}) });
  await kit.ownership.claim('checkpoint', checkpoint.id, caller);
  return checkpoint;
}

/**
 * Restores a checkpoint's files and, when it belongs to a session, plans a fork of that session
 * at the checkpoint's message: the returned session id continues from there; the old one is kept.
 */
async function restoreCheckpoint(
  checkpoints: CheckpointManager,
  runtime: ClaudeRuntime,
  id: string,
): Promise<{ checkpoint: CheckpointRecord; changed: { restored: string[]; removed: string[]; recreated: string[] }; sessionId: string | null }> {
  const { checkpoint, changed } = await checkpoints.restore(id);
  let sessionId: string | null = null;
  if (checkpoint.sessionId) {
    sessionId = randomUUID();
    await runtime.planFork({ sessionId, parentId: checkpoint.sessionId, messageId: checkpoint.lastMessageId, cwd: checkpoint.cwd });
  }
  return { checkpoint, changed: { restored: [...changed.restored], removed: [...changed.removed], recreated: [...changed.recreated] }, sessionId };
}

/** `1 file`, `2 files`: counts in sentences a person reads. */
function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `claude_checkpoint`. */
export const claudeCheckpoint = defineTool({
  name: 'claude_checkpoint',
  title: 'Claude Code checkpoints',
  description:
    'Checkpoints of a working directory and the session\'s place in it, kept outside the project (its own .git is never touched; .gitignore is respected): create, list, restore (files return exactly; the conversation continues as a fork with a new sessionId), compare (changed files and a unified diff), delete. They survive a server restart.',
  inputSchema: checkpointInputSchema,
  outputSchema: checkpointOutputSchema,
  scope: checkpointScope,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  handler: async (args, context, kit): Promise<CallToolResult> => {
    const checkpoints = kit.options.checkpoints;
    const fail = (error: McpToolsError) => actionError(args.action, error);
    if (!checkpoints) return fail(new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', 'Checkpoints are not enabled on this server.'));
    const caller = callerOfContext(context);
    const needId = async (id = args.checkpointId) => {
      if (!id) throw new McpToolsError('MCP_TOOLS_INVALID_ARGUMENTS', `action "${args.action}" needs a checkpointId; list them with action "list".`);
      return ownCheckpoint(kit, id, caller);
    };
    try {
      switch (args.action) {
        case 'create': {
          const checkpoint = await createCheckpoint(checkpoints, kit, args, caller);
          emitTo(kit.options.onEvent, { type: 'checkpoint.created', checkpointId: checkpoint.id, ...(checkpoint.sessionId ? { sessionId: checkpoint.sessionId } : {}), automatic: false, caller: eventCallerOf(context.http?.authInfo), at: Date.now() });
          return {
            content: [{ type: 'text', text: `Checkpoint ${checkpoint.id} of ${checkpoint.cwd}: ${checkpoint.fileCount} files.` }],
            structuredContent: { action: 'create', checkpoint: checkpointView(checkpoint) },
          };
        }
        case 'list': {
          const cwd = args.workingDirectory ? await kit.resolveCwd(args.workingDirectory, undefined) : undefined;
          const all = await checkpoints.list({ ...(cwd ? { cwd } : {}), ...(args.sessionId ? { sessionId: args.sessionId } : {}) });
          const list = (await kit.ownership.filter('checkpoint', all, (item) => item.id, caller)).map(checkpointView);
          const lines = list.map((item) => `${item.id} ${item.createdAt} ${item.fileCount} files ${item.label ?? ''} ${item.sessionId ?? ''}`.trim());
          return { content: [{ type: 'text', text: lines.join('\n') || 'No checkpoints.' }], structuredContent: { action: 'list', checkpoints: list } };
        }
        case 'restore': {
          const restored = await restoreCheckpoint(checkpoints, kit.runtime, await needId());
          await kit.ownership.claim('session', restored.sessionId, caller);
          emitTo(kit.options.onEvent, { type: 'checkpoint.restored', checkpointId: restored.checkpoint.id, ...(restored.sessionId ? { sessionId: restored.sessionId } : {}), caller: eventCallerOf(context.http?.authInfo), at: Date.now() });
          const { restored: changedFiles, removed, recreated } = restored.changed;
          const summary = `Restored ${restored.checkpoint.id}: ${changedFiles.length} reverted, ${removed.length} removed, ${recreated.length} brought back.`;
          return {
            content: [
              {
                type: 'text',
                text: restored.sessionId ? `${summary} Continue the conversation from there with claude_resume sessionId ${restored.sessionId}.` : summary,
              },
            ],
            structuredContent: { action: 'restore', checkpoint: checkpointView(restored.checkpoint), changed: restored.changed, sessionId: restored.sessionId },
          };
        }
        case 'compare': {
          const from = await needId();
          const to = args.toCheckpointId ? await needId(args.toCheckpointId) : 'present';
          const result = await checkpoints.compare(from, to);
          const fullDiffUri = `${CHECKPOINT_DIFF_SCHEME}://${from}/${to}`;
          const files = result.files.map((file) => ({ path: file.path, status: file.status, insertions: file.insertions, deletions: file.deletions }));
          const header = `${countOf(files.length, 'file')} changed, ${countOf(result.insertions, 'insertion')}(+), ${countOf(result.deletions, 'deletion')}(-)`;
          return {
            content: [
              { type: 'text', text: `${header}\n${result.diff}${result.truncated ? `\n[… diff truncated; the whole diff is at ${fullDiffUri}]` : ''}` },
              { type: 'resource_link', uri: fullDiffUri, name: `diff-${from}-${to}`, title: 'Full diff', mimeType: 'text/x-diff' },
            ],
            structuredContent: {
              action: 'compare',
              compare: { files, insertions: result.insertions, deletions: result.deletions, diff: result.diff, truncated: result.truncated, fullDiffUri },
            },
          };
        }
        case 'delete': {
          const id = await needId();
          await checkpoints.delete(id);
          return { content: [{ type: 'text', text: `Deleted ${id}.` }], structuredContent: { action: 'delete' } };
        }
      }
    } catch (error) {
      if (McpToolsError.isInstance(error)) return fail(error);
      throw error;
    }
  },
});

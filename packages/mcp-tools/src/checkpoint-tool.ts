import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import type { ClaudeRuntime } from './claude-runtime.js';
import type { CheckpointManager, CheckpointRecord } from './checkpoints/index.js';
import { transcriptPath } from './transcript-path.js';

/** The uuid of the last user or assistant message in a session's transcript, if any. */
export async function lastMessageId(claudeConfigDir: string, cwd: string, sessionId: string): Promise<string | null> {
  let content: string;
  try {
    content = await readFile(transcriptPath(claudeConfigDir, cwd, sessionId), 'utf8');
  } catch {
    return null;
  }
  const lines = content.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index];
    if (!line) continue;
    try {
      const row = JSON.parse(line) as { type?: unknown; uuid?: unknown };
      if ((row.type === 'assistant' || row.type === 'user') && typeof row.uuid === 'string') return row.uuid;
    } catch {
      // A torn last line while the CLI writes: look further up.
    }
  }
  return null;
}

/** A checkpoint as the tool shows it. */
export function checkpointView(checkpoint: CheckpointRecord): {
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

/**
 * Restores a checkpoint's files and, when it belongs to a session, plans a fork of that session
 * at the checkpoint's message: the returned session id continues from there; the old one is kept.
 */
export async function restoreCheckpoint(
  checkpoints: CheckpointManager,
  runtime: ClaudeRuntime,
  id: string,
): Promise<{ checkpoint: CheckpointRecord; changed: { restored: string[]; removed: string[]; recreated: string[] }; sessionId: string | null }> {
  const { checkpoint, changed } = await checkpoints.restore(id);
  let sessionId: string | null = null;
  if (checkpoint.sessionId) {
    sessionId = randomUUID();
    runtime.planFork({ sessionId, parentId: checkpoint.sessionId, messageId: checkpoint.lastMessageId, cwd: checkpoint.cwd });
  }
  return { checkpoint, changed: { restored: [...changed.restored], removed: [...changed.removed], recreated: [...changed.recreated] }, sessionId };
}

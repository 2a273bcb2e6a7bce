import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The transcript path Claude Code uses for a session run in `cwd`. */
export function transcriptPath(claudeConfigDir: string, cwd: string, sessionId: string): string {
  return join(claudeConfigDir, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'), `${sessionId}.jsonl`);
}

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

import { join } from 'node:path';

/** The transcript path Claude Code uses for a session run in `cwd`. */
export function transcriptPath(claudeConfigDir: string, cwd: string, sessionId: string): string {
  return join(claudeConfigDir, 'projects', cwd.replace(/[^A-Za-z0-9]/g, '-'), `${sessionId}.jsonl`);
}

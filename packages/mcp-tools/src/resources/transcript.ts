// claude-transcript://{sessionId}: a session's whole transcript, where a capped result points.
import { readFile } from 'node:fs/promises';

import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import * as z from 'zod';

import type { ClaudeRuntime } from '../claude-runtime.js';
import { McpToolsError } from '../errors.js';
import { callerOfContext, type Ownership } from '../tools/ownership.js';
import { readScopeChallenge, requireScope } from '../tools/tool-scopes.js';
import { transcriptPath } from '../transcript-path.js';

/** The URI scheme of the transcript resource. */
export const TRANSCRIPT_SCHEME = 'claude-transcript';

/** Registers the transcript resource: sessions this server knows, read from Claude Code's folder. */
export function registerTranscriptResource(server: McpServer, runtime: ClaudeRuntime, claudeConfigDir: string, ownership: Ownership): void {
  server.registerResource(
    'claude-transcript',
    new ResourceTemplate(`${TRANSCRIPT_SCHEME}://{sessionId}`, { list: undefined }),
    {
      title: 'Claude Code session transcript',
      description: 'The full transcript of a session, one JSON object per line, as Claude Code stores it.',
      mimeType: 'application/x-ndjson',
      scopeChallenge: readScopeChallenge,
    },
    async (uri, variables, context) => {
      requireScope(context, 'read', 'Reading a transcript');
      const sessionId = String(variables['sessionId']);
      const parsed = z.uuid().safeParse(sessionId);
      const record = parsed.success ? await runtime.store.sessions.get(sessionId) : undefined;
      if (!record || !(await ownership.visible('session', sessionId, callerOfContext(context)))) throw new McpToolsError('MCP_TOOLS_SESSION_NOT_FOUND', `No session ${sessionId} is known to this server.`);
      const text = await readFile(transcriptPath(claudeConfigDir, record.cwd, sessionId), 'utf8');
      return { contents: [{ uri: uri.href, mimeType: 'application/x-ndjson', text }] };
    },
  );
}

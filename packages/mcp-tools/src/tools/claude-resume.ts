// claude_resume: the next message in an earlier session (warm, or resumed after a restart).
import * as z from 'zod';

import { defineTool } from './define-tool.js';
import { effort, effortOf, maxTurns, model, priority, query, runOutputSchema, sessionId, thinkingLevel, toolRules, workingDirectory } from './schema-parts.js';
import { allowedToolsFor } from './tool-kit.js';

/** Arguments of `claude_resume`. */
export const resumeInputSchema = z.object({
  sessionId: sessionId.describe('The session to continue, as returned by claude_ask.'),
  query: query.describe('The next message in that session.'),
  workingDirectory: workingDirectory.optional(),
  model: model.optional(),
  thinkingLevel: thinkingLevel.optional(),
  effort: effort.optional(),
  allowedTools: toolRules.optional().describe('Tools Claude Code may use without asking. Added to the server default.'),
  disallowedTools: toolRules.optional().describe('Tools Claude Code must not use.'),
  priority: priority.optional(),
  maxTurns: maxTurns.optional(),
});

/** Parsed `claude_resume` arguments. */
export type ResumeInput = z.infer<typeof resumeInputSchema>;

/** `claude_resume`. */
export const claudeResume = defineTool({
  name: 'claude_resume',
  title: 'Resume a Claude Code session',
  description: 'Continue an earlier Claude Code session by its id with a new message. Works after a server restart.',
  inputSchema: resumeInputSchema,
  outputSchema: runOutputSchema,
  scope: 'run',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: (args, context, kit) =>
    kit.runTool(
      {
        prompt: args.query,
        sessionId: args.sessionId,
        workingDirectory: args.workingDirectory,
        model: args.model,
        effort: effortOf(args),
        allowedTools: allowedToolsFor(kit.options, args.allowedTools),
        disallowedTools: args.disallowedTools,
        priority: args.priority,
        maxTurns: args.maxTurns,
      },
      context,
    ),
});

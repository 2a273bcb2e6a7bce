import * as z from 'zod';

import { PRIORITIES } from '../run-limiter.js';
import { THINKING_LEVELS, thinkingLevelToEffort, type EffortLevel, type ThinkingLevel } from '../thinking-level.js';

// The pieces the tools' argument and result schemas share. Validation here is the first line; the
// driver validates every value that reaches the CLI's argv again before spawning.

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,199}$/;
export const AGENT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const TOOL_RULE = /^[A-Za-z_][A-Za-z0-9_.-]*(\([^,\n\r\0]*\))?$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const query = z.string().min(1, 'must not be empty').max(400_000).describe('The task or question for Claude Code.');
export const sessionId = z.string().regex(UUID, 'must be a session id as returned by claude_ask (a UUID)');
export const workingDirectory = z
  .string()
  .min(1)
  .describe('Directory Claude Code works in; must be inside the server\'s allowed roots. Default: the server\'s default directory, or the session\'s own.');
export const model = z
  .string()
  .regex(MODEL, 'must be a model alias or id such as "sonnet" or "claude-sonnet-5-5"')
  .describe('Model alias (sonnet, opus, haiku) or full model id.');
export const effort = z.enum(['low', 'medium', 'high', 'xhigh', 'max']).describe('Reasoning effort (the CLI\'s --effort).');
export const thinkingLevel = z
  .enum(THINKING_LEVELS)
  .describe('Thinking budget by keyword: think → medium, think-hard → high, think-harder → xhigh, ultrathink → max effort.');
export const toolRules = z
  .array(
    z
      .string()
      .max(1000, 'a tool rule must be at most 1000 characters')
      .regex(TOOL_RULE, 'must be a tool name or rule such as "Read" or "Bash(git log:*)"'),
  )
  .max(200, 'at most 200 tool rules');
export const priority = z.enum(PRIORITIES).describe('Queue priority when the server is at its run limit (default normal).');

/** Stop after this many model round trips. */
export const maxTurns = z.number().int().min(1).max(1000).describe('Stop after this many model round trips.');

/** The result of `claude_ask`, `claude_plan` and `claude_resume`. */
export const runOutputSchema = z.object({
  status: z.enum(['completed', 'failed', 'cancelled', 'started']).describe('How the run ended ("started": a background task is running).'),
  taskId: z.string().optional().describe('The background task, when backgroundTask was set.'),
  sessionId: z.string().nullable().describe('Pass to claude_resume or claude_ask to continue.'),
  result: z.string().describe('Claude Code\'s answer (capped; see truncated and transcriptUri).'),
  plan: z.string().optional().describe('The plan (claude_plan).'),
  structuredOutput: z.unknown().optional().describe('The answer matching jsonSchema, when one was given.'),
  costUsd: z.number().describe('What this call cost.'),
  sessionCostUsd: z.number().optional().describe('What the whole session has cost so far, as Claude Code reports it.'),
  numTurns: z.number().int(),
  durationMs: z.number(),
  usage: z.object({
    inputTokens: z.number(),
    outputTokens: z.number(),
    cacheReadInputTokens: z.number(),
    cacheCreationInputTokens: z.number(),
  }),
  permissionDenials: z.array(z.object({ toolName: z.string(), toolUseId: z.string().optional() })),
  truncated: z.boolean().describe('True when result was cut; the whole transcript is at transcriptUri.'),
  hookEvents: z
    .array(z.object({ hookName: z.string(), event: z.string(), outcome: z.string(), exitCode: z.number().nullable(), stderr: z.string().optional() }))
    .optional()
    .describe('Hooks that ran, with their outcome.'),
  transcriptUri: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

/** The structured result of a run tool. */
export type RunOutput = z.infer<typeof runOutputSchema>;

/** The effort a call asks for: `effort` when given, else its `thinkingLevel`'s, else none. */
export function effortOf(args: { readonly effort?: EffortLevel | undefined; readonly thinkingLevel?: ThinkingLevel | undefined }): EffortLevel | undefined {
  return args.effort ?? (args.thinkingLevel ? thinkingLevelToEffort(args.thinkingLevel) : undefined);
}

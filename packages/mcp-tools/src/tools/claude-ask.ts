// claude_ask: a task for Claude Code in a working directory, in the foreground or as a background task.
import * as z from 'zod';

import { checkSubagent } from '../catalogue.js';
import { defineTool } from './define-tool.js';
import { callerOfContext } from './ownership.js';
import { AGENT, effort, effortOf, maxTurns, model, priority, query, runOutputSchema, sessionId, thinkingLevel, toolRules, workingDirectory } from './schema-parts.js';
import { allowedToolsFor } from './tool-kit.js';

/** Arguments of `claude_ask`. */
export const askInputSchema = z.object({
  query: query.describe('The task or question for Claude Code. Start it with @agent-name to run as that subagent.'),
  sessionId: sessionId.optional().describe('Continue this session (a warm one answers in tens of milliseconds). Omit to start a new one.'),
  workingDirectory: workingDirectory.optional(),
  model: model.optional(),
  subagent: z.string().regex(AGENT, 'must be an agent name such as "code-reviewer"').optional().describe('Run the main thread as this subagent.'),
  thinkingLevel: thinkingLevel.optional(),
  effort: effort.optional(),
  allowedTools: toolRules.optional().describe('Tools Claude Code may use without asking, e.g. ["Read", "Bash(npm test:*)"]. Added to the server default.'),
  disallowedTools: toolRules.optional().describe('Tools Claude Code must not use.'),
  priority: priority.optional(),
  maxTurns: maxTurns.optional(),
  maxBudgetUsd: z.number().positive().max(1000).optional().describe('Stop once the run has cost this much.'),
  jsonSchema: z.record(z.string(), z.unknown()).optional().describe('JSON Schema for a structured answer, returned as structuredOutput.'),
  hooks: z
    .record(
      z.string(),
      z
        .array(
          z.object({
            command: z.string().min(1).describe('An executable script in <workingDirectory>/.claude/hooks (relative to it) or in a hooks folder the server allows.'),
            matcher: z.string().optional().describe('Tool-name pattern for tool events, e.g. "Bash" or "Write|Edit".'),
            timeout: z.number().int().min(1).max(3600).optional().describe('Seconds the hook may run.'),
          }),
        )
        .max(20),
    )
    .optional()
    .describe(
      'Command hooks by event: preToolUse, postToolUse, sessionStart, preCompact, onError, or any Claude Code hook event (PreToolUse, Stop, …). A PreToolUse hook that exits 2 blocks the tool call. Hook runs are reported in progress and in hookEvents.',
    ),
  backgroundTask: z
    .boolean()
    .optional()
    .describe('Run in the background: returns a taskId at once; follow it with claude_background_tasks. It goes on if this server stops. Nobody is asked about tool calls that need approval: the server policy decides (by default they are denied).'),
});

/** Parsed `claude_ask` arguments. */
export type AskInput = z.infer<typeof askInputSchema>;

/** `claude_ask`. */
export const claudeAsk = defineTool({
  name: 'claude_ask',
  title: 'Ask Claude Code',
  description:
    'Delegate a coding task or question to Claude Code running in a working directory: it reads, edits and runs code there and returns its answer and a sessionId to continue with. Long runs report progress; cancel to stop.',
  inputSchema: askInputSchema,
  outputSchema: runOutputSchema,
  scope: 'run',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  handler: async (args, context, kit) => {
    // `@name task` runs the task as that subagent when Claude Code knows such an agent; otherwise
    // (`@src/file.ts`, `@Makefile`) it is Claude Code's own file mention and stays in the prompt.
    let prompt = args.query;
    let agent = args.subagent;
    const mention = /^@([A-Za-z0-9][A-Za-z0-9_:.-]{0,127})\s+/.exec(prompt);
    if (mention?.[1] && !agent) {
      try {
        const cwd = await kit.resolveCwd(args.workingDirectory, args.sessionId);
        agent = (await checkSubagent(kit.options, cwd, mention[1])).name;
        prompt = prompt.slice(mention[0].length);
      } catch {
        agent = undefined;
      }
    }
    const request = {
      prompt,
      sessionId: args.sessionId,
      workingDirectory: args.workingDirectory,
      model: args.model,
      agent,
      effort: effortOf(args),
      allowedTools: allowedToolsFor(kit.options, args.allowedTools),
      disallowedTools: args.disallowedTools,
      priority: args.priority,
      maxTurns: args.maxTurns,
      maxBudgetUsd: args.maxBudgetUsd,
      jsonSchema: args.jsonSchema,
      hooks: args.hooks,
    };
    return args.backgroundTask ? kit.startBackground(request, callerOfContext(context)) : kit.runTool(request, context);
  },
});

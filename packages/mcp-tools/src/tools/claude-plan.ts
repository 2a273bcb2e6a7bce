// claude_plan: plan mode with read-only tools; the plan comes back, nothing is executed.
import type { CanUseTool, ClaudeMessage } from '@claude-code-mcp/claude-cli-driver';
import { isAssistantMessage } from '@claude-code-mcp/claude-cli-driver';
import * as z from 'zod';

import { defineTool } from './define-tool.js';
import { effort, effortOf, maxTurns, model, priority, query, runOutputSchema, sessionId, thinkingLevel, workingDirectory } from './schema-parts.js';

const READ_ONLY_TOOLS = ['Read', 'Grep', 'Glob', 'LS', 'NotebookRead', 'TodoWrite', 'Task'];

/** Arguments of `claude_plan`. */
export const planInputSchema = z.object({
  query: query.describe('What to plan. Claude Code reads the code (read-only tools) and returns a plan without changing anything.'),
  sessionId: sessionId.optional().describe('Plan within this session\'s context.'),
  workingDirectory: workingDirectory.optional(),
  model: model.optional(),
  thinkingLevel: thinkingLevel.optional(),
  effort: effort.optional(),
  priority: priority.optional(),
  maxTurns: maxTurns.optional(),
});

/** Parsed `claude_plan` arguments. */
export type PlanInput = z.infer<typeof planInputSchema>;

/** `claude_plan`. */
export const claudePlan = defineTool({
  name: 'claude_plan',
  title: 'Plan with Claude Code',
  description:
    'Ask Claude Code for an implementation plan without changing anything: it runs in plan mode with read-only tools and returns the plan.',
  inputSchema: planInputSchema,
  outputSchema: runOutputSchema,
  scope: 'run',
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  handler: async (args, context, kit) => {
    let plan: string | undefined;
    // Plan mode ends with the model calling ExitPlanMode with the plan: take the plan from the
    // stream and refuse the exit (and anything else that asks), so nothing is executed.
    const capturePlan = (message: ClaudeMessage) => {
      if (!isAssistantMessage(message)) return;
      for (const block of message.message.content) {
        const input = (block as { name?: unknown; input?: { plan?: unknown } }).input;
        if ((block as { name?: unknown }).name === 'ExitPlanMode' && typeof input?.plan === 'string') plan = input.plan;
      }
    };
    const refuse: CanUseTool = (toolName) => ({
      behavior: 'deny',
      message: toolName === 'ExitPlanMode' ? 'Planning only: the plan has been recorded; do not execute it.' : `Planning only: ${toolName} is not allowed.`,
    });
    return kit.runTool(
      {
        prompt: args.query,
        sessionId: args.sessionId,
        workingDirectory: args.workingDirectory,
        model: args.model,
        effort: effortOf(args),
        permissionMode: 'plan',
        allowedTools: READ_ONLY_TOOLS,
        disallowedTools: ['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Bash'],
        priority: args.priority,
        maxTurns: args.maxTurns,
      },
      context,
      { canUseTool: refuse, onMessage: capturePlan, shape: (result, output) => ({ ...output, plan: plan ?? result.text }) },
    );
  },
});

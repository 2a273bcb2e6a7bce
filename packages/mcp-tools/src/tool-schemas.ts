import * as z from 'zod';

import { PRIORITIES } from './run-limiter.js';
import { THINKING_LEVELS } from './thinking-level.js';

// Shapes of the tools' arguments and results. Validation here is the first line; the driver
// validates every value that reaches the CLI's argv again before spawning.

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,199}$/;
const AGENT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const TOOL_RULE = /^[A-Za-z_][A-Za-z0-9_.-]*(\([^,\n\r\0]*\))?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const query = z.string().min(1, 'must not be empty').max(400_000).describe('The task or question for Claude Code.');
const sessionId = z.string().regex(UUID, 'must be a session id as returned by claude_ask (a UUID)');
const workingDirectory = z
  .string()
  .min(1)
  .describe('Directory Claude Code works in; must be inside the server\'s allowed roots. Default: the server\'s default directory, or the session\'s own.');
const model = z
  .string()
  .regex(MODEL, 'must be a model alias or id such as "sonnet" or "claude-sonnet-5-5"')
  .describe('Model alias (sonnet, opus, haiku) or full model id.');
const effort = z.enum(['low', 'medium', 'high', 'xhigh', 'max']).describe('Reasoning effort (the CLI\'s --effort).');
const thinkingLevel = z
  .enum(THINKING_LEVELS)
  .describe('Thinking budget by keyword: think → medium, think-hard → high, think-harder → xhigh, ultrathink → max effort.');
const toolRules = z
  .array(
    z
      .string()
      .max(1000, 'a tool rule must be at most 1000 characters')
      .regex(TOOL_RULE, 'must be a tool name or rule such as "Read" or "Bash(git log:*)"'),
  )
  .max(200, 'at most 200 tool rules');
const priority = z.enum(PRIORITIES).describe('Queue priority when the server is at its run limit (default normal).');

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
  maxTurns: z.number().int().min(1).max(1000).optional().describe('Stop after this many model round trips.'),
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
    .describe('Run in the background: returns a taskId at once; follow it with claude_background_tasks. Tool calls that need approval are denied.'),
});

/** Arguments of `claude_plan`. */
export const planInputSchema = z.object({
  query: query.describe('What to plan. Claude Code reads the code (read-only tools) and returns a plan without changing anything.'),
  sessionId: sessionId.optional().describe('Plan within this session\'s context.'),
  workingDirectory: workingDirectory.optional(),
  model: model.optional(),
  thinkingLevel: thinkingLevel.optional(),
  effort: effort.optional(),
  priority: priority.optional(),
  maxTurns: z.number().int().min(1).max(1000).optional().describe('Stop after this many model round trips.'),
});

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
  maxTurns: z.number().int().min(1).max(1000).optional().describe('Stop after this many model round trips.'),
});

/** Arguments of `claude_abort`. */
export const abortInputSchema = z.object({
  sessionId: sessionId.describe('The session whose run to stop.'),
});

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

const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'stopped', 'interrupted'] as const;

/** Arguments of `claude_background_tasks`. */
export const backgroundTasksInputSchema = z.object({
  action: z
    .enum(['list', 'get', 'result', 'logs', 'stop', 'restart'])
    .describe('list tasks; get one; result of one; logs of one (paged); stop a running one; restart one (same prompt and options, new task id).'),
  taskId: z.string().regex(UUID, 'must be a task id as returned by claude_ask').optional().describe('The task, for every action but list.'),
  status: z.enum(TASK_STATUSES).optional().describe('list: only tasks in this state.'),
  limit: z.number().int().min(1).max(1000).optional().describe('list: most tasks (default 50); logs: most lines (default 100).'),
  offset: z.number().int().min(0).optional().describe('logs: first line to return (default 0).'),
  raw: z.boolean().optional().describe('logs: the raw stream-json lines instead of a readable rendering.'),
});

const taskSchema = z.object({
  id: z.string(),
  status: z.enum(TASK_STATUSES),
  prompt: z.string(),
  cwd: z.string(),
  sessionId: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  result: z.string().nullable(),
  structuredOutput: z.unknown().optional(),
  costUsd: z.number().describe('What this call cost.'),
  sessionCostUsd: z.number().optional().describe('What the whole session has cost so far, as Claude Code reports it.'),
  numTurns: z.number().int(),
  error: z.string().nullable(),
  restartedFrom: z.string().nullable(),
});

/** The result of `claude_background_tasks`. */
export const backgroundTasksOutputSchema = z.object({
  action: z.string(),
  tasks: z.array(taskSchema).optional(),
  task: taskSchema.optional(),
  logs: z
    .object({ lines: z.array(z.string()), offset: z.number().int(), nextOffset: z.number().int().nullable(), total: z.number().int() })
    .optional(),
});

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

/** The result of `claude_abort`. */
export const abortOutputSchema = z.object({
  sessionId: z.string(),
  aborted: z.boolean(),
});

/** Parsed `claude_ask` arguments. */
export type AskInput = z.infer<typeof askInputSchema>;
/** Parsed `claude_plan` arguments. */
export type PlanInput = z.infer<typeof planInputSchema>;
/** Parsed `claude_resume` arguments. */
export type ResumeInput = z.infer<typeof resumeInputSchema>;
/** The structured result of a run tool. */
export type RunOutput = z.infer<typeof runOutputSchema>;

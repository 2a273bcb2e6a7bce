import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

import * as z from 'zod';

import { ClaudeCliError } from './errors.js';

// Every value that reaches argv is checked here, before anything is spawned. Values are also
// passed as `--flag=value`, so even free text can never be read as another flag.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._:/@[\]-]{0,199}$/;
const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
// `Read`, `Bash(git log:*)`, `mcp__server`, `mcp__server__tool`; no commas (the list separator) or newlines.
const TOOL_RULE = /^[A-Za-z_][A-Za-z0-9_.-]*(\([^,\n\r\0]*\))?$/;

const notFlagLike = (value: string) => !value.startsWith('-');
const noControlCharacters = (value: string) => !/[\0]/.test(value);

const absoluteDirectory = z
  .string()
  .min(1)
  .refine((value) => isAbsolute(value), 'must be an absolute path')
  .refine(noControlCharacters, 'must not contain NUL characters')
  .refine((value) => {
    try {
      return statSync(value).isDirectory();
    } catch {
      return false;
    }
  }, 'must be an existing directory');

const model = z
  .string()
  .regex(MODEL, 'must be a model alias or id such as "sonnet" or "claude-sonnet-5-5" (letters, digits, . _ : / @ [ ] -)')
  .refine(notFlagLike, 'must not start with "-"');

/** Longest tool rule, in characters. */
export const MAX_TOOL_RULE_CHARS = 1000;
/**
 * Longest single argument, in UTF-8 bytes: Linux refuses one over 128 KiB (`spawn E2BIG`), so a
 * long list of rules, a system prompt or a settings object is refused here with its flag named.
 */
export const MAX_ARGUMENT_BYTES = 100_000;

const toolRule = z
  .string()
  .max(MAX_TOOL_RULE_CHARS, `must be at most ${MAX_TOOL_RULE_CHARS} characters`)
  .regex(TOOL_RULE, 'must be a tool name or rule such as "Read", "Bash(git log:*)" or "mcp__server__tool" (no commas)');

const agentDefinition = z.looseObject({
  description: z.string().min(1),
  prompt: z.string().min(1),
  tools: z.array(toolRule).optional(),
  disallowedTools: z.array(toolRule).optional(),
  model: model.optional(),
});

const freeText = z.string().refine(noControlCharacters, 'must not contain NUL characters');

/** Permission modes the CLI accepts. */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan', 'dontAsk', 'bypassPermissions', 'auto', 'manual'] as const;
/** Effort levels the CLI accepts for `--effort`. */
export const EFFORT_LEVELS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/** @internal The data part of the run options, validated by {@link parseRunOptions}. */
export const runOptionsSchema = z
  .object({
    executable: z.string().optional(),
    cwd: absoluteDirectory.optional(),
    env: z.record(z.string(), z.string().optional()).optional(),
    inheritEnv: z.boolean().optional(),
    model: model.optional(),
    fallbackModel: model.optional(),
    allowedTools: z.array(toolRule).optional(),
    disallowedTools: z.array(toolRule).optional(),
    tools: z.array(toolRule).optional(),
    permissionMode: z.enum(PERMISSION_MODES).optional(),
    allowDangerouslySkipPermissions: z.boolean().optional(),
    resume: z.string().regex(UUID, 'must be a session id (a UUID)').optional(),
    forkSession: z.boolean().optional(),
    resumeSessionAt: z.string().regex(UUID, 'must be a message uuid from the session transcript').optional(),
    sessionId: z.string().regex(UUID, 'must be a UUID').optional(),
    continue: z.boolean().optional(),
    agents: z.record(z.string().regex(AGENT_NAME, 'agent names use letters, digits, _ . : -'), agentDefinition).optional(),
    agent: z.string().regex(AGENT_NAME, 'must be an agent name (letters, digits, _ . : -) not starting with "-"').optional(),
    systemPrompt: freeText.optional(),
    appendSystemPrompt: freeText.optional(),
    effort: z.enum(EFFORT_LEVELS).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    settingSources: z.array(z.enum(['user', 'project', 'local'])).optional(),
    mcpConfig: z.looseObject({ mcpServers: z.record(z.string(), z.unknown()) }).optional(),
    strictMcpConfig: z.boolean().optional(),
    addDirectories: z.array(absoluteDirectory).optional(),
    pluginDirectories: z.array(absoluteDirectory).optional(),
    maxTurns: z.number().int().min(1).max(10_000).optional(),
    maxBudgetUsd: z.number().positive().max(1_000_000).optional(),
    jsonSchema: z.record(z.string(), z.unknown()).optional(),
    includePartialMessages: z.boolean().optional(),
    includeHookEvents: z.boolean().optional(),
    noSessionPersistence: z.boolean().optional(),
    enableFileCheckpointing: z.boolean().optional(),
    maxLineBytes: z.number().int().min(1024).optional(),
    controlTimeoutMs: z.number().int().positive().optional(),
    killGraceMs: z.number().int().min(0).optional(),
  })
  .refine((options) => !(options.forkSession && !options.resume && !options.continue), {
    message: 'forkSession needs resume or continue',
    path: ['forkSession'],
  })
  .refine((options) => !(options.resumeSessionAt && !options.resume), {
    message: 'resumeSessionAt needs resume',
    path: ['resumeSessionAt'],
  })
  .refine((options) => !(options.resume && options.continue), {
    message: 'use either resume or continue, not both',
    path: ['continue'],
  })
  .refine((options) => !(options.permissionMode === 'bypassPermissions' && !options.allowDangerouslySkipPermissions), {
    message: 'bypassPermissions needs allowDangerouslySkipPermissions: true',
    path: ['permissionMode'],
  });

/** The data options of a run, after validation. */
export type ValidatedRunOptions = z.infer<typeof runOptionsSchema>;

/**
 * Validates run options, throwing one readable error that lists every problem.
 *
 * @internal
 */
export function parseRunOptions(options: unknown): ValidatedRunOptions {
  const parsed = runOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ClaudeCliError('CLAUDE_CLI_INVALID_OPTIONS', `Invalid Claude Code options:\n${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Builds the CLI's argv from validated options. The prompt never appears here: it goes to stdin.
 *
 * @internal
 */
export function buildArguments(options: ValidatedRunOptions, extra: { permissionPromptTool: boolean }): string[] {
  const args = ['-p', '--input-format=stream-json', '--output-format=stream-json', '--verbose'];
  const flag = (name: string, value: string | undefined) => {
    if (value !== undefined) args.push(`--${name}=${value}`);
  };
  const on = (name: string, value: boolean | undefined) => {
    if (value) args.push(`--${name}`);
  };
  flag('model', options.model);
  flag('fallback-model', options.fallbackModel);
  if (options.allowedTools?.length) flag('allowedTools', options.allowedTools.join(','));
  if (options.disallowedTools?.length) flag('disallowedTools', options.disallowedTools.join(','));
  if (options.tools) flag('tools', options.tools.join(','));
  flag('permission-mode', options.permissionMode);
  on('allow-dangerously-skip-permissions', options.allowDangerouslySkipPermissions);
  if (extra.permissionPromptTool) flag('permission-prompt-tool', 'stdio');
  flag('resume', options.resume);
  on('continue', options.continue);
  on('fork-session', options.forkSession);
  flag('resume-session-at', options.resumeSessionAt);
  flag('session-id', options.sessionId);
  if (options.agents) flag('agents', JSON.stringify(options.agents));
  flag('agent', options.agent);
  flag('system-prompt', options.systemPrompt);
  flag('append-system-prompt', options.appendSystemPrompt);
  flag('effort', options.effort);
  if (options.settings) flag('settings', JSON.stringify(options.settings));
  if (options.settingSources) flag('setting-sources', options.settingSources.join(','));
  if (options.mcpConfig) flag('mcp-config', JSON.stringify(options.mcpConfig));
  on('strict-mcp-config', options.strictMcpConfig);
  for (const directory of options.addDirectories ?? []) flag('add-dir', directory);
  for (const directory of options.pluginDirectories ?? []) flag('plugin-dir', directory);
  if (options.maxTurns !== undefined) flag('max-turns', String(options.maxTurns));
  if (options.maxBudgetUsd !== undefined) flag('max-budget-usd', String(options.maxBudgetUsd));
  if (options.jsonSchema) flag('json-schema', JSON.stringify(options.jsonSchema));
  on('include-partial-messages', options.includePartialMessages);
  on('include-hook-events', options.includeHookEvents);
  on('no-session-persistence', options.noSessionPersistence);
  checkArgumentSizes(args);
  return args;
}

function checkArgumentSizes(args: readonly string[]): void {
  for (const argument of args) {
    const bytes = Buffer.byteLength(argument);
    if (bytes <= MAX_ARGUMENT_BYTES) continue;
    const name = argument.slice(0, argument.indexOf('=') + 1 || 40);
    throw new ClaudeCliError(
      'CLAUDE_CLI_INVALID_OPTIONS',
      `Invalid Claude Code options: ${name}… would be ${bytes} bytes, over the ${MAX_ARGUMENT_BYTES}-byte limit for one argument; shorten it (fewer or shorter tool rules, a shorter prompt or settings).`,
    );
  }
}

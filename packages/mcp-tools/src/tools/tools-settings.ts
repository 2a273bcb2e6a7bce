// The data options of registerClaudeTools, validated once and frozen, with every default here.
import path from 'node:path';

import * as z from 'zod';

import { McpToolsError } from '../errors.js';
import type { ClaudeToolsOptions } from '../register-claude-tools.js';

// Node timers cannot wait longer than 2^31-1 ms; a larger value would fire at once.
const MAX_TIMER_MS = 2_147_483_647;
const absolutePath = z
  .string()
  .refine((value) => path.isAbsolute(value) && !value.includes('\0'), 'must be an absolute path');

const toolsSettingsSchema = z.object({
  roots: z.array(absolutePath).min(1, 'needs at least one root'),
  defaultWorkingDirectory: absolutePath,
  defaultAllowedTools: z.array(z.string().min(1).max(1000)).max(200).default([]),
  maxResultChars: z.number().int().min(1).default(40_000),
  permissionPolicy: z.enum(['deny', 'allow']).default('deny'),
  elicitationTimeoutMs: z.number().int().min(1).max(MAX_TIMER_MS).default(120_000),
  progressIntervalMs: z.number().int().min(0).max(MAX_TIMER_MS).optional(),
  heartbeatMs: z.number().int().min(1).max(MAX_TIMER_MS).optional(),
  claudeConfigDir: absolutePath,
  hookDirectories: z.array(absolutePath).default([]),
  claudeExecutable: z.string().min(1).optional(),
  // An environment map such as process.env (not a plain object: checked for shape, passed on as is).
  claudeEnv: z
    .custom<Record<string, string | undefined>>((value) => typeof value === 'object' && value !== null, 'must be an object of environment variables')
    .optional(),
  allowPluginInstall: z.boolean().default(true),
  allowedMarketplaces: z.array(z.string().min(1).max(2048)).max(100).default([]),
  autoCheckpoint: z.boolean().default(false),
});

type Collaborators = Pick<ClaudeToolsOptions, 'runtime' | 'checkpoints' | 'tasks' | 'logger' | 'heldRuns' | 'onEvent'>;

/** registerClaudeTools' options after validation: defaults filled in, frozen. */
export type ToolsSettings = Readonly<z.output<typeof toolsSettingsSchema>> & Readonly<Collaborators>;

/**
 * Validates the tools' options once; the collaborators (runtime, checkpoints, tasks, logger) are
 * kept as they are.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_OPTIONS` naming every bad option.
 *
 * @example
 * ```ts
 * parseToolsSettings({ runtime, roots: ['/repo'], defaultWorkingDirectory: '/repo', claudeConfigDir }).maxResultChars; // 40000
 * ```
 */
export function parseToolsSettings(options: ClaudeToolsOptions): ToolsSettings {
  const known = parsedOptions.get(options);
  if (known !== undefined) return known;
  const settings = validate(options);
  // Frozen options cannot change: an HTTP server that builds a server per request checks them once.
  if (Object.isFrozen(options)) parsedOptions.set(options, settings);
  return settings;
}

const parsedOptions = new WeakMap<ClaudeToolsOptions, ToolsSettings>();

function validate(options: ClaudeToolsOptions): ToolsSettings {
  const { runtime, checkpoints, tasks, logger, heldRuns, onEvent, ...data } = options;
  const parsed = toolsSettingsSchema.safeParse(data);
  if (!parsed.success) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `Invalid Claude tools options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  return Object.freeze({
    ...parsed.data,
    runtime,
    ...(checkpoints ? { checkpoints } : {}),
    ...(tasks ? { tasks } : {}),
    ...(logger ? { logger } : {}),
    ...(heldRuns ? { heldRuns } : {}),
    ...(onEvent ? { onEvent } : {}),
  });
}

import * as z from 'zod';

import { McpToolsError } from './errors.js';

// Node timers cannot wait longer than 2^31-1 ms; a larger value would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

const runtimeSettingsSchema = z.object({
  maxConcurrentRuns: z.number().int().min(1).max(1000).default(4),
  sessionIdleTimeoutMs: z.number().int().min(1).max(MAX_TIMER_MS).default(30 * 60_000),
  maxWarmSessions: z.number().int().min(0).max(10_000).optional(),
  claudeExecutable: z.string().min(1).optional(),
  // An environment map such as process.env (not a plain object: checked for shape, passed on as is).
  claudeEnv: z
    .custom<Record<string, string | undefined>>((value) => typeof value === 'object' && value !== null, 'must be an object of environment variables')
    .optional(),
  allowBypassPermissions: z.boolean().default(false),
});

/** The data options of `ClaudeRuntime` after validation, with every default filled in. */
export type RuntimeSettings = Readonly<Omit<z.output<typeof runtimeSettingsSchema>, 'maxWarmSessions'> & { maxWarmSessions: number }>;

/**
 * Validates the runtime's data options once and freezes them; the defaults live here, nowhere else.
 *
 * @throws {@link McpToolsError} `MCP_TOOLS_INVALID_OPTIONS` naming every bad option.
 *
 * @example
 * ```ts
 * parseRuntimeSettings({ maxConcurrentRuns: 2 }).maxWarmSessions; // 2 (defaults to maxConcurrentRuns)
 * ```
 */
export function parseRuntimeSettings(options: unknown): RuntimeSettings {
  const parsed = runtimeSettingsSchema.safeParse(options);
  if (!parsed.success) {
    throw new McpToolsError('MCP_TOOLS_INVALID_OPTIONS', `Invalid ClaudeRuntime options:\n${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  }
  const { maxWarmSessions, ...settings } = parsed.data;
  return Object.freeze({ ...settings, maxWarmSessions: maxWarmSessions ?? settings.maxConcurrentRuns });
}
